import { createLogger, department, hubSecret, portOf, runService } from '@hub/core';
import { createServer, mediationDatabase, redCardGraceDaysFromEnv, SUBGRAPH_NAME } from './server.ts';

await runService(department(SUBGRAPH_NAME), createLogger(SUBGRAPH_NAME), async (databaseUrl) => {
  const redCardGraceDays = redCardGraceDaysFromEnv();
  const database = mediationDatabase.open(databaseUrl);
  await mediationDatabase.migrate(database);
  return createServer({ database, secret: hubSecret(), redCardGraceDays }).listen(portOf(department(SUBGRAPH_NAME)));
});
