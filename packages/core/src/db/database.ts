import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { currentBatchGate } from './batch-gate.ts';

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
    // Statements are named per connection (db/row-query.ts), so PostgreSQL would switch to a generic plan after five
    // runs: over grids and key arrays of very different sizes that plan is worse at 1,000,000 residents (a
    // residents-by-grid export: PostgreSQL's CPU 16.5-19.3 s with generic plans, 12.9-15.3 s without). The name
    // still saves the parse and the row description; each run is planned for its own values, as an unnamed one was.
    // An `options` parameter in the database URL replaces this (node-postgres lets the URL win).
    options: '-c plan_cache_mode=force_custom_plan',
  });
  // An idle client that loses its server (restart, network) emits here; without a listener it would crash the process.
  pool.on('error', () => {});
  trackStatements(pool);
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

/**
 * Tells the request's loader waves (`BatchGate`) when one of its statements is in flight on the pool, so that no batch
 * goes out while a reply that could add keys to it is still to come. Statements outside a request pass untouched.
 */
function trackStatements(pool: pg.Pool): void {
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as { query: unknown }).query = (...args: unknown[]) => {
    const gate = typeof args[args.length - 1] === 'function' ? undefined : currentBatchGate();
    if (!gate) return query(...args);
    gate.statementStarted();
    let result: unknown;
    try {
      result = query(...args);
    } catch (error) {
      gate.statementEnded();
      throw error;
    }
    const ended = () => gate.statementEnded();
    // A submittable (a cursor, a stream) is no promise: it is not waited for, so it cannot hold a batch back.
    if (typeof (result as Promise<unknown> | undefined)?.then === 'function') (result as Promise<unknown>).then(ended, ended);
    else ended();
    return result;
  };
}

/** Applies a department's committed drizzle-kit migrations; already applied ones are skipped. */
export async function migrateDatabase(db: NodePgDatabase<Record<string, unknown>>, migrationsFolder: URL): Promise<void> {
  // Replicas of a subgraph (or a subgraph and `npm run import`) starting together would each apply the same pending
  // migration, and all but the first fail on what it created. One migrator at a time per database: the lock is held
  // on a session of its own until the migrations are in, and the next migrator then finds nothing left to do.
  // drizzle keeps the node-postgres pool (or client) it was given as `$client`; its type here does not say so.
  const client = (db as unknown as { $client: pg.Pool | pg.Client | pg.PoolClient }).$client;
  const lock = client instanceof pg.Pool ? new pg.Client({ ...client.options, application_name: 'hub-migrate' }) : null;
  if (lock) {
    lock.on('error', () => {});
    await lock.connect();
  }
  const session = lock ?? (client as pg.Client | pg.PoolClient);
  try {
    await session.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migrate(db, { migrationsFolder: fileURLToPath(migrationsFolder) });
  } finally {
    // Ending the session releases its lock; a client passed in keeps its session, so it unlocks.
    if (lock) await lock.end();
    else await session.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}

/** The advisory lock a migrator holds ("hubmig" in ASCII), the same in every process and department. */
const MIGRATION_LOCK = 0x6875_626d_6967;

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
