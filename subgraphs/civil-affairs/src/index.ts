import { createLogger, department, exitOnServiceConfigProblems, listenHost, portOf, runService } from '@hub/core';
import { createServer, civilAffairsDatabase, SUBGRAPH_NAME } from './server.ts';

const logger = createLogger(SUBGRAPH_NAME);
// Every variable this service reads, checked before anything opens: a bad one exits 2 naming it.
exitOnServiceConfigProblems(SUBGRAPH_NAME, logger);

await runService(department(SUBGRAPH_NAME), logger, async (databaseUrl) => {
  const database = civilAffairsDatabase.open(databaseUrl);
  await civilAffairsDatabase.migrate(database);
  return createServer({ database }).listen(portOf(department(SUBGRAPH_NAME)), listenHost());
});
