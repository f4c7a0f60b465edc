import { fileURLToPath } from 'node:url';
import type { SubgraphDescriptor } from '@hub/core';
import type { DepartmentSeeder } from '@hub/demo';
import type { RegisteredEntity } from '@hub/import';
import { auditDatabase } from '@hub/audit-trail/db';
import type * as schema from '@hub/audit-trail/schema';

/** The audit trail as the apps run it (see `SubgraphDescriptor`): its server and seeding load only when asked for; it imports nothing from files (the gateway writes its records). */
export const descriptor: SubgraphDescriptor<typeof schema, DepartmentSeeder, RegisteredEntity> = {
  name: 'audit',
  database: auditDatabase,
  entry: fileURLToPath(new URL('./index.ts', import.meta.url)),
  subgraph: async () => (await import('./server.ts')).subgraph,
  seeder: async () => (await import('./demo/seed.ts')).auditSeeder,
};
