import { fileURLToPath } from 'node:url';
import { civilAffairsDatabase } from '@hub/civil-affairs/db';
import { civilAffairsSeeder } from '@hub/civil-affairs/seed';
import type { DepartmentDatabase } from '@hub/core';
import type { DepartmentSeeder } from '@hub/demo';
import type pg from 'pg';
import { publicSecurityDatabase } from '@hub/public-security/db';
import { publicSecuritySeeder } from '@hub/public-security/seed';

/**
 * What the hub needs to run each department: how to migrate its database, how to seed the demo district into it,
 * and the entry module that serves it. Adding a subgraph means one entry here (and one in @hub/core's list).
 */
export interface DepartmentRuntime {
  name: string;
  /** The module that serves the department as its own process. */
  entry: string;
  /** Opens the department's database and applies its migrations. */
  connect(url: string): Promise<ConnectedDepartment>;
}

export interface ConnectedDepartment {
  pool: pg.Pool;
  seeder(secret: string): DepartmentSeeder;
  close(): Promise<void>;
}

function runtime<TSchema extends Record<string, unknown>>(
  definition: {
    name: string;
    open(url: string): DepartmentDatabase<TSchema>;
    migrate(database: DepartmentDatabase<TSchema>): Promise<void>;
  },
  seeder: (database: DepartmentDatabase<TSchema>, secret: string) => DepartmentSeeder,
): DepartmentRuntime {
  return {
    name: definition.name,
    entry: fileURLToPath(new URL(`../../../subgraphs/${definition.name}/src/index.ts`, import.meta.url)),
    async connect(url) {
      const database = definition.open(url);
      try {
        await definition.migrate(database);
      } catch (error) {
        await database.close();
        throw error;
      }
      return { pool: database.pool, seeder: (secret) => seeder(database, secret), close: () => database.close() };
    },
  };
}

export const departmentRuntimes: DepartmentRuntime[] = [
  runtime(publicSecurityDatabase, publicSecuritySeeder),
  runtime(civilAffairsDatabase, civilAffairsSeeder),
];
