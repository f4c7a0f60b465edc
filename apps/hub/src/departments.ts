import type { KeyObject } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createServer as createAudit } from '@hub/audit';
import { auditDatabase } from '@hub/audit-trail/db';
import { auditSeeder } from '@hub/audit/seed';
import { civilAffairsDatabase } from '@hub/civil-affairs/db';
import { civilAffairsSeeder } from '@hub/civil-affairs/seed';
import type { DepartmentDatabase, RunningService, StatementCounter, SubgraphService } from '@hub/core';
import { createServer as createCivilAffairs } from '@hub/civil-affairs';
import { createServer as createPublicSecurity } from '@hub/public-security';
import { createServer as createHousing } from '@hub/housing';
import { housingDatabase } from '@hub/housing/db';
import { housingSeeder } from '@hub/housing/seed';
import { createServer as createMediation } from '@hub/mediation';
import { mediationDatabase } from '@hub/mediation/db';
import { mediationSeeder } from '@hub/mediation/seed';
import { createServer as createParty } from '@hub/party';
import { partyDatabase } from '@hub/party/db';
import { partySeeder } from '@hub/party/seed';
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
  statements: StatementCounter;
  seeder(secret: string): DepartmentSeeder;
  /**
   * Serves the department in this process (tests, benchmarks); closing the service closes the database. It trusts
   * callers signed by the gateway key whose public half is `callerKey` (default: HUB_INTERNAL_PUBLIC_KEY).
   */
  serve(port: number, secret: string, callerKey?: KeyObject): Promise<RunningService>;
  close(): Promise<void>;
}

function runtime<TSchema extends Record<string, unknown>>(
  definition: {
    name: string;
    open(url: string): DepartmentDatabase<TSchema>;
    migrate(database: DepartmentDatabase<TSchema>): Promise<void>;
  },
  seeder: (database: DepartmentDatabase<TSchema>, secret: string) => DepartmentSeeder,
  createServer: (options: { database: DepartmentDatabase<TSchema>; secret: string; callerKey?: KeyObject }) => SubgraphService,
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
      return {
        pool: database.pool,
        statements: database.statements,
        seeder: (secret) => seeder(database, secret),
        serve: (port, secret, callerKey) => createServer({ database, secret, callerKey }).listen(port),
        close: () => database.close(),
      };
    },
  };
}

export const departmentRuntimes: DepartmentRuntime[] = [
  runtime(publicSecurityDatabase, publicSecuritySeeder, createPublicSecurity),
  runtime(civilAffairsDatabase, civilAffairsSeeder, createCivilAffairs),
  runtime(partyDatabase, partySeeder, createParty),
  runtime(housingDatabase, housingSeeder, createHousing),
  runtime(mediationDatabase, mediationSeeder, createMediation),
  runtime(auditDatabase, auditSeeder, createAudit),
];
