import { createLogger, department, portOf, runService } from '@hub/core';
import { createServer, housingDatabase, SUBGRAPH_NAME } from './server.ts';

await runService(department(SUBGRAPH_NAME), createLogger(SUBGRAPH_NAME), async (databaseUrl) => {
  const database = housingDatabase.open(databaseUrl);
  await housingDatabase.migrate(database);
  return createServer({ database }).listen(portOf(department(SUBGRAPH_NAME)));
});
