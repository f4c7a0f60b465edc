import { fileURLToPath } from 'node:url';
import type { SubgraphDescriptor } from '@hub/core';
import type { DepartmentSeeder } from '@hub/demo';
import type { RegisteredEntity } from '@hub/import';
import type * as schema from './db/schema.ts';
import { publicSecurityDatabase } from './db/index.ts';

/** Public security as the apps run it (see `SubgraphDescriptor`): its server, seeding and import entities load only when asked for. */
export const descriptor: SubgraphDescriptor<typeof schema, DepartmentSeeder, RegisteredEntity> = {
  name: 'public-security',
  database: publicSecurityDatabase,
  entry: fileURLToPath(new URL('./index.ts', import.meta.url)),
  subgraph: async () => (await import('./server.ts')).subgraph,
  seeder: async () => (await import('./demo/seed.ts')).publicSecuritySeeder,
  importEntities: async () => (await import('./import.ts')).importEntities,
};
