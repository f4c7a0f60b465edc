import { DEMO_HUB_SECRET, dropDatabase, ensureDatabase, type DepartmentDatabase, department } from '@hub/core';
import { startTestPostgres, subgraphTemplateSetup, uniqueDatabaseName } from '@hub/core/testing';
import { generateDemoWorld } from './index.ts';
import { seedDepartments, type DepartmentSeeder } from './seeding.ts';
import type { DemoGridContents, DemoOptions, DemoWorld } from './types.ts';

/** The district every test run seeds: small enough to build in a second, big enough for several pages per grid. */
export const TEST_DEMO: Required<DemoOptions> = { residents: 3000, seed: 20261126, floatingShare: 0.22 };

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

/**
 * A subgraph's vitest globalSetup, from its descriptor: `export default departmentTestTemplate(descriptor)` in its
 * `test/global-setup.ts`. Test files clone the template through `serveSubgraphForTests` or `cloneDatabase`.
 */
export function departmentTestTemplate<TSchema extends Record<string, unknown>>(descriptor: {
  database: Parameters<typeof prepareDepartmentTemplate<TSchema>>[0];
  seeder(): Promise<(database: DepartmentDatabase<TSchema>, secret: string) => DepartmentSeeder>;
}) {
  return subgraphTemplateSetup(async () => prepareDepartmentTemplate(descriptor.database, await descriptor.seeder()));
}

/** A place above the grid, as an entity representation names its type, with the contents of the grids it holds. */
export interface DemoPlace {
  typename: 'Community' | 'Street' | 'District';
  code: string;
  grids: DemoGridContents[];
}

/**
 * Every community, street and the district of a generated world, each with its grids' contents, found through the
 * place tree (a grid's community, a community's street), never through code digits: what tests sum a place's
 * statistics over.
 */
export function demoPlaces(world: DemoWorld, grids: readonly DemoGridContents[]): DemoPlace[] {
  const streetOf = new Map(world.communities.map((c) => [c.code, c.streetCode]));
  return [
    ...world.communities.map((c) => ({ typename: 'Community' as const, code: c.code, grids: grids.filter((g) => g.grid.communityCode === c.code) })),
    ...world.streets.map((s) => ({ typename: 'Street' as const, code: s.code, grids: grids.filter((g) => streetOf.get(g.grid.communityCode) === s.code) })),
    { typename: 'District' as const, code: world.district.code, grids: [...grids] },
  ];
}

/** Well-formed place codes the generated district holds nothing under (another district's), for "zeros, not errors". */
export const EMPTY_PLACES: readonly { typename: DemoPlace['typename']; code: string }[] = [
  { typename: 'Community', code: '110105001001' },
  { typename: 'Street', code: '110105001000' },
  { typename: 'District', code: '110105' },
];
export * from './place-statistics-test.ts';
