import type { PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { demoSeed } from './meta-tables.ts';
import { bulkInsert } from './bulk-insert.ts';

/**
 * Buffers rows per table and writes them with `bulkInsert` in batches, all inside one transaction on one client,
 * so a seed or an import either lands whole or not at all. Tables flush in the order they were first added to,
 * which keeps parents ahead of the rows that reference them.
 */
export class TransactionalBatchWriter {
  private client: pg.PoolClient | null = null;
  private readonly buffers = new Map<PgTable, unknown[]>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly batchSize = 5000,
  ) {}

  async begin(): Promise<void> {
    this.client = await this.pool.connect();
    await this.client.query('BEGIN');
  }

  async add<T extends PgTable>(table: T, rows: T['$inferInsert'][]): Promise<void> {
    const buffer = this.buffers.get(table) ?? [];
    if (!this.buffers.has(table)) this.buffers.set(table, buffer);
    buffer.push(...rows);
    if (buffer.length >= this.batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    const client = this.requireClient();
    for (const [table, rows] of this.buffers) {
      if (rows.length === 0) continue;
      await bulkInsert(client, table, rows.splice(0) as PgTable['$inferInsert'][]);
    }
  }

  /** Flushes, records the demo seed in the same transaction, commits. */
  async commit(marker?: typeof demoSeed.$inferInsert): Promise<void> {
    await this.flush();
    const client = this.requireClient();
    if (marker) await bulkInsert(client, demoSeed, [marker]);
    await client.query('COMMIT');
    this.release();
  }

  async rollback(): Promise<void> {
    if (!this.client) return;
    await this.client.query('ROLLBACK').catch(() => {});
    this.release();
  }

  private requireClient(): pg.PoolClient {
    if (!this.client) throw new Error('batch writer not begun');
    return this.client;
  }

  private release(): void {
    this.client?.release();
    this.client = null;
    this.buffers.clear();
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
