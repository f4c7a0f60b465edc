import type { PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { demoSeed } from './meta-tables.ts';
import { bulkInsert, copyChunk, copyChunkOf, type CopyChunk } from './bulk-insert.ts';

export interface BatchWriterOptions {
  /** Rows a table buffers before the writer flushes every table. */
  batchSize?: number;
  /**
   * `insert`: one unnest INSERT per table and batch, each awaited (imports). `copy`: one `COPY … FROM STDIN` per table
   * and batch, written while the caller goes on producing the next batch (at most one batch in flight), and the
   * tables' indexes and keys dropped at `begin` and built again, exactly as they were, before `commit` (seeding of
   * empty databases: an index built once over the loaded rows costs a fraction of one updated row by row, and a
   * foreign key is checked by one join instead of a trigger per row).
   */
  mode?: 'insert' | 'copy';
  /**
   * `copy` only, for a database made for this load and dropped by the caller should it fail (a first start's seed):
   * `complete` commits the rows as soon as they are in, then builds the keys and indexes on this many connections at
   * once, each statement in its own transaction (within one transaction they run one after another), and analyses
   * the tables; `commit` then writes the seed's marker. Nothing after the rows' commit can be rolled back: a failure
   * leaves rows without their keys, and only dropping the database undoes it.
   */
  buildConnections?: number;
}

/** What a seed hands its rows to, table by table; `flush` writes (or hands on) what is buffered. */
export interface RowWriter {
  add<T extends PgTable>(table: T, rows: T['$inferInsert'][]): Promise<void>;
  flush(): Promise<void>;
}

/** Rows buffered per table, in the order the tables were first added to (parents ahead of the rows naming them). */
class RowBuffers {
  private readonly buffers = new Map<PgTable, unknown[]>();

  /** Adds the rows; true when the table holds a batch's worth. */
  add(table: PgTable, rows: readonly unknown[], batchSize: number): boolean {
    let buffer = this.buffers.get(table);
    if (!buffer) this.buffers.set(table, (buffer = []));
    for (const row of rows) buffer.push(row);
    return buffer.length >= batchSize;
  }

  /** Takes every table's buffered rows, in order. */
  take(): [PgTable, PgTable['$inferInsert'][]][] {
    const batch: [PgTable, PgTable['$inferInsert'][]][] = [];
    for (const [table, rows] of this.buffers) if (rows.length > 0) batch.push([table, rows.splice(0) as PgTable['$inferInsert'][]]);
    return batch;
  }

  clear(): void {
    this.buffers.clear();
  }
}

/**
 * Buffers rows per table and writes them in batches, all inside one transaction on one client, so a seed or an
 * import either lands whole or not at all. Tables flush in the order they were first added to, which keeps parents
 * ahead of the rows that reference them.
 */
export class TransactionalBatchWriter implements RowWriter {
  private client: pg.PoolClient | null = null;
  private readonly buffers = new RowBuffers();
  private readonly batchSize: number;
  private readonly mode: 'insert' | 'copy';
  /** The batch being written in `copy` mode; its failure is kept and thrown at the next add, flush or commit. */
  private inFlight: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | null = null;
  private deferred: DeferredSchema | null = null;
  private completed = false;
  /**
   * `complete` under way. A seed of several databases rolls this one back when another fails, maybe while this one
   * completes: `rollback` marks it abandoned, waits for the statement in progress, and only then rolls back, so that
   * nothing `complete` had still to write (rows, keys, the seed's marker) runs after the ROLLBACK, outside any
   * transaction, and commits on its own.
   */
  private completing: Promise<void> | null = null;
  private abandoned = false;
  private readonly buildConnections: number;
  /** The rows committed before the builds (`buildConnections`): the marker, written by `commit`, is what is left. */
  private rowsCommitted = false;
  private marker: typeof demoSeed.$inferInsert | undefined;

  constructor(
    private readonly pool: pg.Pool,
    options: BatchWriterOptions | number = {},
  ) {
    const resolved = typeof options === 'number' ? { batchSize: options } : options;
    this.batchSize = resolved.batchSize ?? 5000;
    this.mode = resolved.mode ?? 'insert';
    this.buildConnections = this.mode === 'copy' ? (resolved.buildConnections ?? 1) : 1;
  }

  async begin(): Promise<void> {
    this.client = await this.pool.connect();
    await this.client.query('BEGIN');
    if (this.mode === 'copy') this.deferred = await deferSchema(this.client);
  }

  async add<T extends PgTable>(table: T, rows: T['$inferInsert'][]): Promise<void> {
    if (this.buffers.add(table, rows, this.batchSize)) await this.flush();
  }

  async flush(): Promise<void> {
    const client = this.requireClient();
    const batch = this.buffers.take();
    if (this.mode === 'insert') {
      for (const [table, rows] of batch) {
        this.refuseIfAbandoned();
        await bulkInsert(client, table, rows);
      }
      return;
    }
    // The text is built while the batch before is still being written.
    await this.writeChunks(batch.map(([table, rows]) => copyChunkOf(table, rows)));
  }

  /**
   * Writes chunks built elsewhere (`copy` mode): once the batch before is in, hands these to the server in their
   * order and returns at once, so at most one batch is in flight.
   */
  async writeChunks(chunks: readonly CopyChunk[]): Promise<void> {
    const client = this.requireClient();
    if (this.mode !== 'copy') throw new Error('only a copy writer takes COPY chunks');
    await this.settled();
    this.refuseIfAbandoned();
    this.inFlight = (async () => {
      for (const chunk of chunks) await copyChunk(client, chunk, { freeze: this.deferred?.emptied.has(chunk.name) ?? false });
    })().catch((error: unknown) => {
      this.failure ??= { error };
    });
  }

  /**
   * Everything but the commit: the last rows written, the keys and indexes restored, the demo seed recorded. A seed
   * of several databases completes each as soon as its rows are in and commits them all only when all completed.
   */
  complete(marker?: typeof demoSeed.$inferInsert): Promise<void> {
    this.completing = this.completeNow(marker);
    return this.completing;
  }

  private async completeNow(marker?: typeof demoSeed.$inferInsert): Promise<void> {
    await this.flush();
    await this.settled();
    const client = this.requireClient();
    if (this.deferred && this.buildConnections > 1) {
      this.refuseIfAbandoned();
      await client.query('COMMIT');
      this.rowsCommitted = true;
      await buildAfterCommit(this.pool, this.deferred, this.buildConnections, () => this.refuseIfAbandoned());
      this.marker = marker;
      this.completed = true;
      return;
    }
    if (this.deferred) await restoreSchema(client, this.deferred, () => this.refuseIfAbandoned());
    this.refuseIfAbandoned();
    if (marker) await bulkInsert(client, demoSeed, [marker]);
    this.completed = true;
  }

  /** Completes (unless done already), then commits (or, its rows committed before the builds, writes the marker). */
  async commit(marker?: typeof demoSeed.$inferInsert): Promise<void> {
    if (!this.completed) await this.complete(marker);
    const client = this.requireClient();
    if (this.rowsCommitted) {
      if (this.marker) await bulkInsert(client, demoSeed, [this.marker]);
    } else await client.query('COMMIT');
    this.release();
  }

  async rollback(): Promise<void> {
    if (!this.client) return;
    this.abandoned = true;
    await this.completing?.catch(() => {});
    await this.inFlight;
    // Rows committed before the builds are the caller's to drop with the database.
    if (!this.rowsCommitted) await this.client.query('ROLLBACK').catch(() => {});
    this.release();
  }

  private async settled(): Promise<void> {
    await this.inFlight;
    if (this.failure) throw this.failure.error;
  }

  private refuseIfAbandoned(): void {
    if (this.abandoned) throw new Error('the batch writer is being rolled back: nothing more is written');
  }

  private requireClient(): pg.PoolClient {
    if (!this.client) throw new Error('batch writer not begun');
    return this.client;
  }

  private release(): void {
    this.client?.release();
    this.client = null;
    this.buffers.clear();
    this.deferred = null;
    this.completed = false;
    this.completing = null;
    this.abandoned = false;
    this.rowsCommitted = false;
    this.marker = undefined;
    this.failure = null;
    this.inFlight = Promise.resolve();
  }
}

/**
 * Buffers rows per table like `TransactionalBatchWriter` and turns each batch into COPY chunks, handed to `send`
 * instead of a connection: the seed's worker thread builds some departments' rows this way and the thread holding
 * their transactions writes them. `send` resolves when the receiver has taken the batch on; at most `window` batches
 * are sent and not taken on, so only a few batches per department are ever held.
 */
export class CopyChunkWriter implements RowWriter {
  private readonly buffers = new RowBuffers();
  /** Batches sent and not yet taken on, oldest first. */
  private readonly sent: Promise<void>[] = [];

  /**
   * `window`: batches that may be sent before the oldest is taken on. More than one, so that the builder does not
   * stop at every batch for a round trip to a thread busy with its own work.
   */
  constructor(
    private readonly send: (chunks: CopyChunk[]) => Promise<void>,
    private readonly batchSize = 5000,
    private readonly window = 4,
  ) {}

  async add<T extends PgTable>(table: T, rows: T['$inferInsert'][]): Promise<void> {
    if (this.buffers.add(table, rows, this.batchSize)) await this.flush();
  }

  async flush(): Promise<void> {
    const chunks = this.buffers.take().map(([table, rows]) => copyChunkOf(table, rows));
    while (this.sent.length >= this.window) await this.sent.shift();
    if (chunks.length > 0) this.sent.push(this.send(chunks));
  }

  /** Sends what is buffered and waits until the receiver took every batch. */
  async end(): Promise<void> {
    await this.flush();
    while (this.sent.length > 0) await this.sent.shift();
  }
}

/** What `deferSchema` dropped, as the statements that build it again. */
interface DeferredSchema {
  /** Primary keys, unique constraints and plain indexes. */
  keysAndIndexes: string[];
  /**
   * The same as separate builds, for `buildAfterCommit`: every index by `CREATE INDEX` on its table (a primary key's or
   * unique constraint's as the unique index behind it), and the statements that make those indexes the constraints
   * (`ADD CONSTRAINT … USING INDEX`, names unchanged). A constraint that form cannot give exactly (deferrable, with
   * INCLUDE or NULLS NOT DISTINCT) is added whole, after the builds.
   */
  builds: { table: string; statement: string }[];
  constraintsOver: string[];
  /** Foreign keys, built last since they need the keys they reference. */
  foreignKeys: string[];
  /** Tables that were empty, truncated in the transaction so COPY may write their rows frozen. */
  emptied: Set<string>;
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Drops the primary keys, unique constraints, foreign keys and indexes of the public schema's tables inside the
 * transaction, returning the statements that restore them as `pg_get_constraintdef` and `pg_get_indexdef` give them
 * (names, columns, methods, predicates, referential actions and deferrability included). Check and not-null
 * constraints stay: they cost little per row and keep a bad row from loading at all.
 */
async function deferSchema(client: pg.PoolClient): Promise<DeferredSchema> {
  const constraints = await client.query<{ table: string; name: string; type: string; definition: string; index: string | null }>(
    `SELECT c.relname AS table, k.conname AS name, k.contype AS type, pg_get_constraintdef(k.oid) AS definition,
            CASE WHEN k.contype IN ('p', 'u') THEN pg_get_indexdef(k.conindid) END AS index
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
      WHERE c.relnamespace = 'public'::regnamespace AND k.contype IN ('p', 'u', 'f')
      ORDER BY k.contype = 'f' DESC, c.relname, k.conname`,
  );
  const indexes = await client.query<{ name: string; definition: string; table: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition, t.relname AS table
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      WHERE t.relnamespace = 'public'::regnamespace AND t.relkind = 'r'
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x'))
      ORDER BY i.relname`,
  );
  // Foreign keys first (they depend on the keys they reference), then keys, then the other indexes.
  for (const c of constraints.rows) await client.query(`ALTER TABLE ${quoted(c.table)} DROP CONSTRAINT ${quoted(c.name)}`);
  for (const i of indexes.rows) await client.query(`DROP INDEX ${quoted(i.name)}`);
  const emptied = await truncateEmptyTables(client);
  const add = (c: (typeof constraints.rows)[number]) => `ALTER TABLE ${quoted(c.table)} ADD CONSTRAINT ${quoted(c.name)} ${c.definition}`;
  const keys = constraints.rows.filter((c) => c.type !== 'f');
  // `PRIMARY KEY (a, b)` or `UNIQUE (a)` and nothing more: the unique index built alone, then attached by name.
  const attachable = (c: (typeof keys)[number]) => c.index !== null && /^(PRIMARY KEY|UNIQUE) \([^()]*\)$/.test(c.definition);
  return {
    keysAndIndexes: [...keys.map(add), ...indexes.rows.map((i) => i.definition)],
    builds: [...keys.filter(attachable).map((c) => ({ table: c.table, statement: c.index! })), ...indexes.rows.map((i) => ({ table: i.table, statement: i.definition }))],
    constraintsOver: keys.map((c) =>
      attachable(c) ? `ALTER TABLE ${quoted(c.table)} ADD CONSTRAINT ${quoted(c.name)} ${c.type === 'p' ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${quoted(c.name)}` : add(c),
    ),
    foreignKeys: constraints.rows.filter((c) => c.type === 'f').map(add),
    emptied,
  };
}

/**
 * Truncates the public tables that hold no row, inside the transaction and under an exclusive lock taken before
 * looking, so no row written meanwhile is lost. It changes no row, but gives each table a new file in this transaction:
 * COPY may then write frozen rows, and with `wal_level = minimal` (the embedded server's first seed) neither the rows
 * nor the indexes built over them go through the write-ahead log; the files are synced at commit instead.
 */
async function truncateEmptyTables(client: pg.PoolClient): Promise<Set<string>> {
  const tables = (
    // A table guarding itself against TRUNCATE (the audit trail's append-only records) is left alone.
    await client.query<{ name: string }>(
      `SELECT relname AS name FROM pg_class c WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
          AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND (g.tgtype & 32) <> 0)
        ORDER BY relname`,
    )
  ).rows.map((t) => t.name);
  if (tables.length === 0) return new Set();
  await client.query(`LOCK TABLE ${tables.map(quoted).join(', ')} IN ACCESS EXCLUSIVE MODE`);
  const empty = await client.query<{ name: string }>(
    tables.map((name, i) => `SELECT $${i + 1}::text AS name WHERE NOT EXISTS (SELECT 1 FROM ${quoted(name)})`).join(' UNION ALL '),
    tables,
  );
  const emptied = empty.rows.map((t) => t.name);
  if (emptied.length > 0) await client.query(`TRUNCATE ${emptied.map(quoted).join(', ')}`);
  return new Set(emptied);
}

/** Builds the deferred keys and indexes again; `check` runs before each statement (and throws to stop). */
async function restoreSchema(client: pg.PoolClient, deferred: DeferredSchema, check: () => void): Promise<void> {
  // Index builds sort the loaded rows; more memory than the 64 MB default keeps the larger ones off disk.
  await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
  for (const statement of [...deferred.keysAndIndexes, ...deferred.foreignKeys]) {
    check();
    await client.query(statement);
  }
}

/** Each build's share of the 256 MB one connection's builds have (`restoreSchema`), so the database's builds take no more. */
const MAINTENANCE_MIB = 256;

/**
 * `restoreSchema` for rows already committed (`buildConnections`): the indexes built on `connections` connections at
 * once, each in its own transaction (CREATE INDEX takes a SHARE lock, which another's does not wait for), the largest
 * tables' first and a table's hash indexes (never built in parallel by PostgreSQL) ahead of its btrees; then the
 * constraints over them, the foreign keys, and ANALYZE of the tables, on one connection. Under `wal_level = minimal` an
 * index made in its own transaction still skips the write-ahead log: its file is new in that transaction.
 */
async function buildAfterCommit(pool: pg.Pool, deferred: DeferredSchema, connections: number, check: () => void): Promise<void> {
  const sizes = new Map(
    (await pool.query<{ name: string; bytes: string }>(`SELECT relname AS name, pg_relation_size(oid) AS bytes FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'`)).rows.map(
      (r) => [r.name, Number(r.bytes)],
    ),
  );
  const cost = (b: { table: string; statement: string }) => (sizes.get(b.table) ?? 0) * (/ USING hash /.test(b.statement) ? 2 : 1);
  const queue = [...deferred.builds].sort((a, b) => cost(b) - cost(a));
  const share = Math.max(64, Math.floor(MAINTENANCE_MIB / connections));
  let failure: { error: unknown } | null = null;
  await Promise.all(
    Array.from({ length: Math.min(connections, Math.max(1, queue.length)) }, async () => {
      const client = await pool.connect();
      try {
        await client.query(`SET maintenance_work_mem = '${share}MB'`);
        for (let build = queue.shift(); build && !failure; build = queue.shift()) {
          check();
          await client.query(build.statement);
        }
        await client.query('RESET maintenance_work_mem');
      } catch (error) {
        failure ??= { error };
      } finally {
        client.release();
      }
    }),
  );
  if (failure) throw (failure as { error: unknown }).error;
  const client = await pool.connect();
  try {
    for (const statement of [...deferred.constraintsOver, ...deferred.foreignKeys]) {
      check();
      await client.query(statement);
    }
    // Statistics before anything is served, while other databases may still be building: every table of the database
    // (the migrations' bookkeeping too) listed, as a database-wide ANALYZE would also take the shared catalogues.
    const tables = await client.query<{ name: string }>(
      `SELECT c.oid::regclass::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1`,
    );
    check();
    if (tables.rows.length > 0) await client.query(`ANALYZE ${tables.rows.map((t) => t.name).join(', ')}`);
  } finally {
    client.release();
  }
}

/** The demo seed a department's database holds, if any. */
export async function demoSeedOf(pool: pg.Pool, department: string): Promise<{ seed: number; residents: number } | null> {
  const result = await pool.query<{ seed: number; residents: number }>(
    'SELECT seed, residents FROM demo_seed WHERE department = $1',
    [department],
  );
  return result.rows[0] ?? null;
}
