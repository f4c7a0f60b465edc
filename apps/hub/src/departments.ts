import type { KeyObject } from 'node:crypto';
import type { AuditSink, DepartmentDatabase, OpenDatabaseOptions, RunningService, StatementCounter, SubgraphDescriptor, SubgraphExecutor } from '@hub/core';
import type { DepartmentSeeder } from '@hub/demo';
import type { RegisteredEntity } from '@hub/import';
import { descriptor as audit } from '@hub/audit/descriptor';
import { descriptor as civilAffairs } from '@hub/civil-affairs/descriptor';
import { descriptor as housing } from '@hub/housing/descriptor';
import { descriptor as mediation } from '@hub/mediation/descriptor';
import { descriptor as party } from '@hub/party/descriptor';
import { descriptor as publicSecurity } from '@hub/public-security/descriptor';
import type pg from 'pg';

/**
 * What the hub needs to run each department: how to migrate its database, how to seed the demo district into it,
 * the entry module that serves it, and what it imports from files. Adding a subgraph means one entry here (and one
 * in @hub/core's list).
 */
export interface DepartmentRuntime {
  name: string;
  /** The module that serves the department as its own process. */
  entry: string;
  /** Opens the department's database and applies its migrations. */
  connect(url: string, options?: OpenDatabaseOptions): Promise<ConnectedDepartment>;
  /** What the department imports from files (`npm run import`); empty for one that imports nothing. */
  importEntities(): Promise<readonly RegisteredEntity[]>;
  /**
   * The department's demo seeder over its database, opened but neither connected nor migrated: the seed's worker
   * thread builds a department's rows with it and hands them to the thread that holds its transaction
   * (`SeedOptions.writerFor`), so nothing goes through this database handle but its close.
   */
  openSeeder(url: string, secret: string): Promise<{ seeder: DepartmentSeeder; close(): Promise<void> }>;
}

export interface ConnectedDepartment {
  pool: pg.Pool;
  statements: StatementCounter;
  seeder(secret: string): Promise<DepartmentSeeder>;
  /**
   * Serves the department in this process (tests, benchmarks); closing the service closes the database. It trusts
   * callers signed by the gateway key whose public half is `callerKey` (default: HUB_INTERNAL_PUBLIC_KEY), and records
   * the internal tokens it refuses in `audit`, the trail's writer, when given.
   */
  serve(port: number, secret: string, callerKey?: KeyObject, audit?: AuditSink, options?: { executor?: SubgraphExecutor }): Promise<RunningService>;
  close(): Promise<void>;
}

function runtime<TSchema extends Record<string, unknown>>(
  descriptor: SubgraphDescriptor<TSchema, DepartmentSeeder, RegisteredEntity>,
): DepartmentRuntime {
  return {
    name: descriptor.name,
    entry: descriptor.entry,
    async connect(url, options) {
      const database: DepartmentDatabase<TSchema> = descriptor.database.open(url, options);
      try {
        await descriptor.database.migrate(database);
      } catch (error) {
        await database.close();
        throw error;
      }
      return {
        pool: database.pool,
        statements: database.statements,
        seeder: async (secret) => (await descriptor.seeder())(database, secret),
        serve: async (port, secret, callerKey, audit, options) =>
          (await descriptor.subgraph())
            .hostServer({ database, callerKey, host: { env: process.env, secret: () => secret }, ...(audit ? { audit } : {}), ...(options?.executor ? { executor: options.executor } : {}) })
            .listen(port),
        close: () => database.close(),
      };
    },
    importEntities: async () => (await descriptor.importEntities?.()) ?? [],
    async openSeeder(url, secret) {
      const database: DepartmentDatabase<TSchema> = descriptor.database.open(url);
      return { seeder: (await descriptor.seeder())(database, secret), close: () => database.close() };
    },
  };
}

/** Every department the hub runs, in @hub/core's order: the one place that names every subgraph package. */
export const departmentRuntimes: DepartmentRuntime[] = [
  runtime(publicSecurity),
  runtime(civilAffairs),
  runtime(party),
  runtime(housing),
  runtime(mediation),
  runtime(audit),
];
