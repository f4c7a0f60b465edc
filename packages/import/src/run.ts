import path from 'node:path';
import type { PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { importRuns } from '@hub/core/db-meta';
import { Rejections, RowChecker } from './check-rows.ts';
import type { EntityDefinition, ForeignReferences, RegisteredEntity } from './entity.ts';
import type { MappingFile } from './mapping.ts';
import { readHeader } from './read-header.ts';
import type { FileFormat } from './read/source.ts';
import type { TextEncoding } from './read/decode.ts';
import type { XlsxSheet } from './read/xlsx.ts';
import { RejectReport } from './reject-report.ts';
import { BatchWriter, recordRun, type ImportCounts } from './write-batches.ts';

export { ImportRefused, sha256OfFile } from './read-header.ts';

export interface ImportOptions {
  entity: RegisteredEntity;
  file: string;
  format?: string;
  /** Given, or detected from the file (CSV and NDJSON). */
  encoding?: TextEncoding;
  /** A workbook's sheet by name or 1-based number (the first by default); only for .xlsx. */
  sheet?: string | number;
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
  /** The workbook's sheet that was read, its 1-based position among `count` (none for CSV and NDJSON). */
  sheet: XlsxSheet | null;
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

export function runImport(options: ImportOptions): Promise<ImportSummary> {
  return options.entity.use((definition) => importWith(definition, options));
}

/**
 * An import in three steps: read (open the file, accept or refuse its header), check (each row, in file order),
 * write (batches, one transaction each, one behind the reading; then the import record).
 */
async function importWith<TTable extends PgTable, TExtra>(definition: EntityDefinition<TTable, TExtra>, options: ImportOptions): Promise<ImportSummary> {
  const startedAt = new Date();
  const dryRun = options.dryRun ?? false;
  const file = await readHeader(definition.fields, options);
  await options.onAccepted?.();
  const rejections = new Rejections(new RejectReport(options.rejectReport), file);
  const checker = new RowChecker(definition, file, options.secret);
  const writer = new BatchWriter(definition, { pool: options.pool, foreign: options.foreign, importedBy: options.importedBy, dryRun, batchSize: options.batchSize ?? 5000 }, rejections, file);
  let read = 0;
  const counts = (): ImportCounts => ({ read, inserted: writer.inserted, updated: writer.updated, unchanged: writer.unchanged, rejected: rejections.count });
  const record = (completed: boolean) =>
    recordRun(options.pool, {
      entity: definition.entity,
      file: options.file,
      fileSha256: file.fileSha256,
      format: file.source.format,
      importedBy: options.importedBy,
      startedAt,
      foreignReferences: options.foreign.mode,
      counts: counts(),
      completed,
    });

  let completed = false;
  try {
    for await (const sourceRow of file.source.rows) {
      if (sourceRow.cells.length === 0 && !sourceRow.unreadable) continue; // a blank line
      read++;
      if (read % 1000 === 0) options.onProgress?.(read);
      const checked = checker.check(sourceRow);
      if ('problems' in checked) await rejections.add(sourceRow.row, checked.problems);
      else await writer.add(checked.pending);
    }
    await writer.finish();
    completed = true;
  } finally {
    // A failed read leaves a batch in flight: let it end (it commits or rolls back whole) before the record.
    await writer.idle();
    await rejections.close();
    await file.source.close();
    options.onProgress?.(read);
    // A run that failed after committing some batches is recorded too, as not completed: those rows are in.
    if (!completed && writer.committedAny && !dryRun) await record(completed).catch(() => null);
  }
  const finishedAt = new Date();
  const recordId = dryRun ? null : await record(completed);
  return {
    entity: definition.entity,
    department: definition.department,
    fileName: path.basename(options.file),
    fileSha256: file.fileSha256,
    format: file.source.format,
    encoding: file.source.encoding,
    sheet: file.source.sheet ?? null,
    dryRun,
    foreignReferences: options.foreign.mode,
    unknownColumns: file.mapping.unknown,
    ...counts(),
    rejectReport: options.rejectReport,
    rejectLines: rejections.lines,
    startedAt,
    finishedAt,
    recordId,
  };
}

/** The table the import records live in (re-exported by each department's schema). */
export { importRuns };
