import { createLogger, department, exitOnServiceConfigProblems, listenHost, hubSecret, portOf, runService } from '@hub/core';
import { createServer, publicSecurityDatabase, SUBGRAPH_NAME } from './server.ts';

const logger = createLogger(SUBGRAPH_NAME);
// Every variable this service reads, checked before anything opens: a bad one exits 2 naming it.
exitOnServiceConfigProblems(SUBGRAPH_NAME, logger);

await runService(department(SUBGRAPH_NAME), logger, async (databaseUrl) => {
  const database = publicSecurityDatabase.open(databaseUrl);
  await publicSecurityDatabase.migrate(database);
  return createServer({ database, secret: hubSecret() }).listen(portOf(department(SUBGRAPH_NAME)), listenHost());
});
