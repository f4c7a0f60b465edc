import { createLogger, department, exitOnServiceConfigProblems, listenHost, hubSecret, portOf, runService } from '@hub/core';
import { createServer, mediationDatabase, redCardGraceDaysFromEnv, SUBGRAPH_NAME } from './server.ts';

const logger = createLogger(SUBGRAPH_NAME);
// Every variable this service reads, checked before anything opens: a bad one exits 2 naming it.
exitOnServiceConfigProblems(SUBGRAPH_NAME, logger);

await runService(department(SUBGRAPH_NAME), logger, async (databaseUrl) => {
  const redCardGraceDays = redCardGraceDaysFromEnv();
  const database = mediationDatabase.open(databaseUrl);
  await mediationDatabase.migrate(database);
  return createServer({ database, secret: hubSecret(), redCardGraceDays }).listen(portOf(department(SUBGRAPH_NAME)), listenHost());
});
