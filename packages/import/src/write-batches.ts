/**
 * Write, the last step of an import: checked rows go to the department's database in batches, each one
 * transaction (its references checked, its rows upserted, what belongs with them written), and the run ends with
 * its import record.
 */
import path from 'node:path';
import type { PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { checkReferences, type Rejections } from './check-rows.ts';
import type { EntityDefinition, ForeignReferences, PendingRow } from './entity.ts';
import type { AcceptedFile } from './read-header.ts';
import type { FileFormat } from './read/source.ts';
import { upsertRows } from './upsert.ts';

export interface BatchWriterOptions {
  pool: pg.Pool;
  foreign: ForeignReferences;
  importedBy: string;
  /** Every batch's statements run and are rolled back. */
  dryRun: boolean;
  /** Rows per batch; each batch is one transaction. */
  batchSize: number;
}

/**
 * One batch is written while the next is read and checked: the database and this process work at once, and
 * batches still commit one after another, in file order.
 */
export class BatchWriter<TTable extends PgTable, TExtra> {
  inserted = 0;
  updated = 0;
  unchanged = 0;
  /** Some batch committed: its rows are in even if the run fails later. */
  committedAny = false;
  private batch: PendingRow<TTable['$inferInsert'], TExtra>[] = [];
  private writing: Promise<void> = Promise.resolve();
  private writeFailure: { error: unknown } | null = null;

  constructor(
    private readonly definition: EntityDefinition<TTable, TExtra>,
    private readonly options: BatchWriterOptions,
    private readonly rejections: Rejections,
    private readonly file: AcceptedFile,
  ) {}

  async add(row: PendingRow<TTable['$inferInsert'], TExtra>): Promise<void> {
    this.batch.push(row);
    if (this.batch.length >= this.options.batchSize) await this.flush();
  }

  /** Writes what is left and waits for every batch; throws what a batch threw. */
  async finish(): Promise<void> {
    await this.flush();
    await this.settle();
  }

  /** Lets a batch in flight end (it commits or rolls back whole), whatever happened meanwhile. */
  idle(): Promise<void> {
    return this.writing;
  }

  private async settle(): Promise<void> {
    await this.writing;
    if (this.writeFailure) throw this.writeFailure.error;
  }

  private async flush(): Promise<void> {
    await this.settle();
    if (this.batch.length === 0) return;
    const rows = this.batch;
    this.batch = [];
    this.writing = this.writeBatch(rows).catch((error: unknown) => {
      this.writeFailure = { error };
    });
  }

  private async writeBatch(rows: PendingRow<TTable['$inferInsert'], TExtra>[]): Promise<void> {
    const { definition, options } = this;
    const client = await options.pool.connect();
    try {
      await client.query('BEGIN');
      const accepted = await checkReferences(definition, rows, { client, foreign: options.foreign }, this.rejections, this.file);
      const result = await upsertRows(
        client,
        definition.table,
        definition.conflictColumns,
        accepted.map((r) => r.values),
        { touchColumn: definition.touchColumn, insertOnly: definition.insertOnly, positions: definition.afterWrite !== undefined },
      );
      // What belongs with the written rows goes in the same transaction, so a batch commits whole or not at all.
      if (definition.afterWrite) await definition.afterWrite(result.written.map((at) => accepted[at]!), { client, importedBy: options.importedBy });
      // A dry run goes through the same statements and rolls them back, so its counts are what a real run would do.
      await client.query(options.dryRun ? 'ROLLBACK' : 'COMMIT');
      if (!options.dryRun) this.committedAny = true;
      this.inserted += result.inserted;
      this.updated += result.updated;
      this.unchanged += result.unchanged;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}

export interface ImportCounts {
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

/** The import record (`import_runs`) in the department's database; returns its id. */
export async function recordRun(
  pool: pg.Pool,
  run: {
    entity: string;
    file: string;
    fileSha256: string;
    format: FileFormat;
    importedBy: string;
    startedAt: Date;
    foreignReferences: ForeignReferences['mode'];
    counts: ImportCounts;
    completed: boolean;
  },
): Promise<number> {
  const result = await pool.query<{ id: number }>(
    `INSERT INTO import_runs (entity, file_name, file_sha256, format, imported_by, started_at, finished_at, foreign_references,
       rows_read, inserted, updated, unchanged, rejected, completed)
     VALUES ($1, $2, $3, $4, $5, $6, now(), $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
    [
      run.entity,
      path.basename(run.file),
      run.fileSha256,
      run.format,
      run.importedBy,
      run.startedAt,
      run.foreignReferences,
      run.counts.read,
      run.counts.inserted,
      run.counts.updated,
      run.counts.unchanged,
      run.counts.rejected,
      run.completed,
    ],
  );
  return result.rows[0]!.id;
}
