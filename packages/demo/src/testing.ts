import { DEMO_HUB_SECRET, dropDatabase, ensureDatabase, type DepartmentDatabase, department } from '@hub/core';
import { startTestPostgres, uniqueDatabaseName } from '@hub/core/testing';
import { generateDemoWorld } from './index.ts';
import { seedDepartments, type DepartmentSeeder } from './seeding.ts';
import type { DemoOptions } from './types.ts';

/** The district every test run seeds: small enough to build in a second, big enough for several pages per grid. */
export const TEST_DEMO: Required<DemoOptions> = { residents: 3000, seed: 20261126 };

/**
 * For a subgraph's vitest globalSetup: builds one template database of the department (migrated, seeded with the
 * test district) on the test server; test files clone it. Returns the template's URL and a teardown.
 */
export async function prepareDepartmentTemplate<TSchema extends Record<string, unknown>>(
  definition: {
    name: string;
    open(url: string): DepartmentDatabase<TSchema>;
    migrate(database: DepartmentDatabase<TSchema>): Promise<void>;
  },
  seeder: (database: DepartmentDatabase<TSchema>, secret: string) => DepartmentSeeder,
): Promise<{ templateUrl: string; teardown(): Promise<void> }> {
  const server = await startTestPostgres();
  const templateUrl = server.urlFor(department(definition.name), uniqueDatabaseName(`tpl_${department(definition.name).database}`));
  await ensureDatabase(templateUrl);
  const database = definition.open(templateUrl);
  try {
    await definition.migrate(database);
    await seedDepartments(generateDemoWorld(TEST_DEMO), [seeder(database, DEMO_HUB_SECRET)]);
  } finally {
    await database.close();
  }
  return {
    templateUrl,
    teardown: async () => {
      await dropDatabase(templateUrl).catch(() => {});
      await server.stop();
    },
  };
}
