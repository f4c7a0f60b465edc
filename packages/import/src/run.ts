import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { importRuns } from '@hub/core/db-meta';
import { FieldValues, type EntityDefinition, type FieldProblem, type ForeignReferences, type PendingRow, type RegisteredEntity } from './entity.ts';
import type { Field } from './fields.ts';
import { mapColumns, type MappingFile } from './mapping.ts';
import { PROBLEMS } from './problems.ts';
import { openSource, type FileFormat } from './read/source.ts';
import type { TextEncoding } from './read/decode.ts';
import { RejectReport } from './reject-report.ts';
import { upsertRows } from './upsert.ts';
import { KeyIndex } from './key-index.ts';

export interface ImportOptions {
  entity: RegisteredEntity;
  file: string;
  format?: string;
  /** Given, or detected from the file (CSV and NDJSON). */
  encoding?: TextEncoding;
  mapping?: MappingFile;
  /** The importing department's database. */
  pool: pg.Pool;
  /** Hub secret: resident ids are keyed by it. */
  secret: string;
  foreign: ForeignReferences;
  /** Who is importing, as kept in the import record. */
  importedBy: string;
  /** Where the reject report goes. */
  rejectReport: string;
  dryRun?: boolean;
  /** Rows per batch; each batch is one transaction. */
  batchSize?: number;
  /** Called once the header is accepted, before any row is read (the command sizes its progress bar here). */
  onAccepted?(): Promise<void> | void;
  onProgress?(rowsRead: number): void;
}

export interface ImportSummary {
  entity: string;
  department: string;
  fileName: string;
  fileSha256: string;
  format: FileFormat;
  encoding: TextEncoding | null;
  dryRun: boolean;
  foreignReferences: ForeignReferences['mode'];
  /** Headers that map to no field: their cells were ignored. */
  unknownColumns: string[];
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rejectReport: string;
  /** Lines in the reject report (a row refused for two reasons has two). */
  rejectLines: number;
  startedAt: Date;
  finishedAt: Date;
  /** The import record's id in the department's database (none for a dry run). */
  recordId: number | null;
}

/** The file is refused as a whole (header, mapping): nothing was read past the header and nothing was written. */
export class ImportRefused extends Error {}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function runImport(options: ImportOptions): Promise<ImportSummary> {
  return options.entity.use((definition) => importWith(definition, options));
}

async function importWith<TTable extends PgTable, TExtra>(definition: EntityDefinition<TTable, TExtra>, options: ImportOptions): Promise<ImportSummary> {
  type Insert = TTable['$inferInsert'];
  const startedAt = new Date();
  const dryRun = options.dryRun ?? false;
  const batchSize = options.batchSize ?? 5000;
  const source = await openSource(options.file, { format: options.format, encoding: options.encoding });
  let mapping: ReturnType<typeof mapColumns>;
  try {
    mapping = mapColumns(source.header, definition.fields, options.mapping);
  } catch (error) {
    await source.close();
    throw new ImportRefused(error instanceof Error ? error.message : String(error));
  }
  if (mapping.missing.length > 0) {
    await source.close();
    const names = mapping.missing.map((f) => `${f.name} (${f.headers[0]})`).join(', ');
    throw new ImportRefused(
      `required columns missing: ${names}. Found: ${source.header.join(', ')}. Rename them, or map them with --mapping. No row was read.`,
    );
  }
  // Hashed only once the header is accepted: a refused file is read no further than its header.
  const fileSha256 = await sha256OfFile(options.file).catch(async (error: unknown) => {
    await source.close();
    throw error;
  });
  await options.onAccepted?.();
  const positions = new Map(definition.fields.map((field, at) => [field, at]));
  // Per mapped field: its position among the entity's fields and its column in the file.
  const columns = [...mapping.columns].map(([field, column]) => ({ field, at: positions.get(field)!, column }));
  const mapped = new Set(mapping.columns.keys());
  const report = new RejectReport(options.rejectReport);
  const counts = { read: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0 };
  const firstRowOfKey = new KeyIndex();
  const uniqueSeen = new Map((definition.uniqueFields ?? []).map((f) => [f, new KeyIndex()]));
  let batch: PendingRow<Insert, TExtra>[] = [];
  let completed = false;
  let committedAny = false;

  const headerOf = (field: Field<unknown>) => {
    const at = mapping.columns.get(field);
    return at === undefined ? field.name : source.header[at]!;
  };
  const textOf = (cells: readonly string[], field: Field<unknown>) => {
    const at = mapping.columns.get(field);
    return at === undefined ? '' : (cells[at] ?? '').trim();
  };
  const reject = async (row: number, problems: { field: Field<unknown> | null; value: string; problem: FieldProblem['problem'] }[]) => {
    counts.rejected++;
    for (const p of problems) await report.add(row, p.field ? headerOf(p.field) : '', p.value, p.field?.personal, p.problem);
  };

  const writeBatch = async (rows: PendingRow<Insert, TExtra>[]) => {
    const client = await options.pool.connect();
    try {
      await client.query('BEGIN');
      const refused = definition.checkReferences ? await definition.checkReferences(rows, { client, foreign: options.foreign }) : new Map();
      const accepted: PendingRow<Insert, TExtra>[] = [];
      for (const row of rows) {
        const problems = refused.get(row);
        if (problems) await reject(row.row, problems.map((p: FieldProblem) => ({ field: p.field, value: textOf(row.cells, p.field), problem: p.problem })));
        else accepted.push(row);
      }
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
      await client.query(dryRun ? 'ROLLBACK' : 'COMMIT');
      if (!dryRun) committedAny = true;
      counts.inserted += result.inserted;
      counts.updated += result.updated;
      counts.unchanged += result.unchanged;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };
  // One batch is written while the next is read and checked: the database and this process work at once, and
  // batches still commit one after another, in file order.
  let writing: Promise<void> = Promise.resolve();
  let writeFailure: { error: unknown } | null = null;
  const settle = async () => {
    await writing;
    if (writeFailure) throw writeFailure.error;
  };
  const flush = async () => {
    await settle();
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    writing = writeBatch(rows).catch((error: unknown) => {
      writeFailure = { error };
    });
  };

  try {
    const values: unknown[] = new Array<unknown>(definition.fields.length);
    for await (const sourceRow of source.rows) {
      if (sourceRow.cells.length === 0 && !sourceRow.unreadable) continue; // a blank line
      counts.read++;
      if (counts.read % 1000 === 0) options.onProgress?.(counts.read);
      if (sourceRow.unreadable === 'not-json') {
        await reject(sourceRow.row, [{ field: null, value: '', problem: PROBLEMS.notJson }]);
        continue;
      }
      const { cells } = sourceRow;
      if (cells.length > source.header.length && cells.slice(source.header.length).some((c) => c.trim() !== '')) {
        await reject(sourceRow.row, [{ field: null, value: '', problem: PROBLEMS.malformedRow }]);
        continue;
      }
      values.fill(undefined);
      let problems: { field: Field<unknown>; value: string; problem: FieldProblem['problem'] }[] | null = null;
      for (const { field, at, column } of columns) {
        const text = (cells[column] ?? '').trim();
        if (text === '') {
          if (field.required) (problems ??= []).push({ field, value: text, problem: PROBLEMS.required });
          continue;
        }
        const parsed = field.parse(text);
        if ('problem' in parsed) (problems ??= []).push({ field, value: text, problem: parsed.problem });
        else values[at] = parsed.value;
      }
      if (problems) {
        await reject(sourceRow.row, problems);
        continue;
      }
      const built = definition.build(new FieldValues(values, positions, mapped), { secret: options.secret });
      if ('problems' in built) {
        await reject(sourceRow.row, built.problems.map((p) => ({ field: p.field, value: textOf(cells, p.field), problem: p.problem })));
        continue;
      }
      const first = firstRowOfKey.get(built.key);
      if (first !== undefined) {
        await reject(sourceRow.row, [{ field: definition.keyField, value: textOf(cells, definition.keyField), problem: PROBLEMS.duplicateKey(first) }]);
        continue;
      }
      let duplicate = false;
      for (const [field, seen] of uniqueSeen) {
        const value = textOf(cells, field);
        // An optional unique value left empty is no value, and shares nothing.
        if (value === '') continue;
        const firstWith = seen.get(value);
        if (firstWith !== undefined) {
          await reject(sourceRow.row, [{ field, value, problem: PROBLEMS.duplicateKey(firstWith) }]);
          duplicate = true;
          break;
        }
      }
      if (duplicate) continue;
      firstRowOfKey.set(built.key, sourceRow.row);
      for (const [field, seen] of uniqueSeen) if (textOf(cells, field) !== '') seen.set(textOf(cells, field), sourceRow.row);
      // An entity without extras builds none: its rows carry undefined, which is what its TExtra is.
      batch.push({ row: sourceRow.row, values: built.row, extra: built.extra as TExtra, cells });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    await settle();
    completed = true;
  } finally {
    // A failed read leaves a batch in flight: let it end (it commits or rolls back whole) before the record.
    await writing;
    await report.close();
    await source.close();
    options.onProgress?.(counts.read);
    // A run that failed after committing some batches is recorded too, as not completed: those rows are in.
    if (!completed && committedAny && !dryRun) {
      await recordRun(options.pool, { definition, options, fileSha256, format: source.format, startedAt, counts, completed }).catch(() => null);
    }
  }
  const finishedAt = new Date();
  const recordId = dryRun ? null : await recordRun(options.pool, { definition, options, fileSha256, format: source.format, startedAt, counts, completed });
  return {
    entity: definition.entity,
    department: definition.department,
    fileName: path.basename(options.file),
    fileSha256,
    format: source.format,
    encoding: source.encoding,
    dryRun,
    foreignReferences: options.foreign.mode,
    unknownColumns: mapping.unknown,
    ...counts,
    rejectReport: options.rejectReport,
    rejectLines: report.lines,
    startedAt,
    finishedAt,
    recordId,
  };
}

async function recordRun<TTable extends PgTable, TExtra>(
  pool: pg.Pool,
  run: {
    definition: EntityDefinition<TTable, TExtra>;
    options: ImportOptions;
    fileSha256: string;
    format: FileFormat;
    startedAt: Date;
    counts: { read: number; inserted: number; updated: number; unchanged: number; rejected: number };
    completed: boolean;
  },
): Promise<number> {
  const result = await pool.query<{ id: number }>(
    `INSERT INTO import_runs (entity, file_name, file_sha256, format, imported_by, started_at, finished_at, foreign_references,
       rows_read, inserted, updated, unchanged, rejected, completed)
     VALUES ($1, $2, $3, $4, $5, $6, now(), $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
    [
      run.definition.entity,
      path.basename(run.options.file),
      run.fileSha256,
      run.format,
      run.options.importedBy,
      run.startedAt,
      run.options.foreign.mode,
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

/** The table the import records live in (re-exported by each department's schema). */
export { importRuns };
