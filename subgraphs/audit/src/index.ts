import { createLogger, department, exitOnServiceConfigProblems, listenHost, portOf, runService } from '@hub/core';
import { auditDatabase, createServer, SUBGRAPH_NAME } from './server.ts';

const logger = createLogger(SUBGRAPH_NAME);
// Every variable this service reads, checked before anything opens: a bad one exits 2 naming it.
exitOnServiceConfigProblems(SUBGRAPH_NAME, logger);

await runService(department(SUBGRAPH_NAME), logger, async (databaseUrl) => {
  const database = auditDatabase.open(databaseUrl);
  // Built first: it refuses a retention under 180 days before anything else happens.
  const server = createServer({ database });
  await auditDatabase.migrate(database);
  return server.listen(portOf(department(SUBGRAPH_NAME)), listenHost());
});
