import type { DepartmentDatabase, OpenDatabaseOptions } from './db/database.ts';
import type { Subgraph } from './define-subgraph.ts';

/** A department's database as its descriptor hands it over: how to open it and how to migrate it. */
export interface DescribedDatabase<TSchema extends Record<string, unknown>> {
  name: string;
  open(url: string, options?: OpenDatabaseOptions): DepartmentDatabase<TSchema>;
  migrate(database: DepartmentDatabase<TSchema>): Promise<void>;
}

/**
 * What a department hands the apps (`apps/`): all that the launcher, the end-to-end harness and the import command
 * need to run it. Each subgraph exports one from `src/descriptor.ts` (`@hub/<name>/descriptor`); one list in
 * `apps/hub` reads them. The server, the demo seeder and the import entities are loaded on demand (`import()`): serving
 * the department (its `index.ts`) never loads the demo generator or the import engine, and the import command never
 * loads a GraphQL server.
 *
 * `TSeeder` and `TEntity` are @hub/demo's `DepartmentSeeder` and @hub/import's `RegisteredEntity`: core sits below
 * both, so a descriptor names them (`import type`) and core does not.
 */
export interface SubgraphDescriptor<TSchema extends Record<string, unknown>, TSeeder, TEntity> {
  /** Subgraph name, as in the supergraph and in @hub/core's `departments`. */
  name: string;
  database: DescribedDatabase<TSchema>;
  /** Path of the module that serves the department as its own process (its `src/index.ts`), for forking. */
  entry: string;
  /** Loads the subgraph (`src/server.ts`); its `hostServer` builds it over an open database, `listen` starts it. */
  subgraph(): Promise<Subgraph<TSchema, object>>;
  /** Loads the department's demo seeding (`src/demo/`). */
  seeder(): Promise<(database: DepartmentDatabase<TSchema>, secret: string) => TSeeder>;
  /** Loads what the department imports from files (`src/import.ts`); none for a department that imports nothing. */
  importEntities?(): Promise<readonly TEntity[]>;
}
