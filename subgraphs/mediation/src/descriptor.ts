import { fileURLToPath } from 'node:url';
import type { SubgraphDescriptor } from '@hub/core';
import type { DepartmentSeeder } from '@hub/demo';
import type { RegisteredEntity } from '@hub/import';
import type * as schema from './db/schema.ts';
import { mediationDatabase } from './db/index.ts';

/** People's mediation as the apps run it (see `SubgraphDescriptor`): its server, seeding and import entities load only when asked for. */
export const descriptor: SubgraphDescriptor<typeof schema, DepartmentSeeder, RegisteredEntity> = {
  name: 'mediation',
  database: mediationDatabase,
  entry: fileURLToPath(new URL('./index.ts', import.meta.url)),
  subgraph: async () => (await import('./server.ts')).subgraph,
  seeder: async () => (await import('./demo/seed.ts')).mediationSeeder,
  importEntities: async () => (await import('./import.ts')).importEntities,
};
