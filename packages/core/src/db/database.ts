import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

/**
 * Counts the SQL statements a department's database runs. Tests read it to prove that a query's statement count
 * does not grow with the page size (the N+1 check); it never sees parameters, so it can never leak personal data.
 */
export class StatementCounter {
  count = 0;
  reset(): void {
    this.count = 0;
  }
}

export interface DepartmentDatabase<TSchema extends Record<string, unknown>> {
  db: NodePgDatabase<TSchema>;
  pool: pg.Pool;
  statements: StatementCounter;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Pool size; each subgraph process keeps its own pool. */
  max?: number;
  applicationName?: string;
}

/** One driver path, node-postgres, for the embedded server and any other PostgreSQL server alike. */
export function openDatabase<TSchema extends Record<string, unknown>>(
  url: string,
  schema: TSchema,
  options: OpenDatabaseOptions = {},
): DepartmentDatabase<TSchema> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'governance-hub',
  });
  // An idle client that loses its server (restart, network) emits here; without a listener it would crash the process.
  pool.on('error', () => {});
  const statements = new StatementCounter();
  const db = drizzle({
    client: pool,
    schema,
    logger: {
      logQuery: () => {
        statements.count++;
      },
    },
  });
  return { db, pool, statements, close: () => pool.end() };
}

/** Applies a department's committed drizzle-kit migrations; already applied ones are skipped. */
export async function migrateDatabase(db: NodePgDatabase<Record<string, unknown>>, migrationsFolder: URL): Promise<void> {
  await migrate(db, { migrationsFolder: fileURLToPath(migrationsFolder) });
}

/** A department's database as its code sees it: the drizzle schema, how to open it and how to migrate it. */
export function defineDepartmentDatabase<TSchema extends Record<string, unknown>>(
  name: string,
  schema: TSchema,
  migrationsFolder: URL,
) {
  return {
    name,
    schema,
    open: (url: string, options?: OpenDatabaseOptions): DepartmentDatabase<TSchema> =>
      openDatabase(url, schema, { applicationName: name, ...options }),
    migrate: (database: DepartmentDatabase<TSchema>): Promise<void> => migrateDatabase(database.db, migrationsFolder),
  };
}
