import { createLogger, department, portOf, runService } from '@hub/core';
import { auditDatabase, createServer, SUBGRAPH_NAME } from './server.ts';

await runService(department(SUBGRAPH_NAME), createLogger(SUBGRAPH_NAME), async (databaseUrl) => {
  const database = auditDatabase.open(databaseUrl);
  // Built first: it refuses a retention under 180 days before anything else happens.
  const server = createServer({ database });
  await auditDatabase.migrate(database);
  return server.listen(portOf(department(SUBGRAPH_NAME)));
});
