import { desc } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { redactNumbers } from '../codes/redact.ts';
import { ErrorCode, inputError } from '../errors.ts';
import { importRuns, type ImportRunRow } from './meta-tables.ts';

export const MAX_IMPORT_RUNS = 100;

/**
 * A department's latest import records, newest first, for its `<department>Imports` query field. A short log, not
 * a paged list: a department imports a few files a day.
 */
export async function latestImportRuns(db: NodePgDatabase<Record<string, unknown>>, first: number | null | undefined): Promise<ImportRunRow[]> {
  const limit = first ?? 20;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_IMPORT_RUNS) {
    throw inputError(ErrorCode.INVALID_PAGE_SIZE, `"first" must be between 0 and ${MAX_IMPORT_RUNS}, got ${limit}`, { argumentName: 'first' });
  }
  if (limit === 0) return [];
  return db.select().from(importRuns).orderBy(desc(importRuns.id)).limit(limit);
}

/**
 * Resolvers of the shareable `ImportRun` type every importing department answers: the log keeps how foreign
 * references were checked as 'graph' or 'format', the graph answers a flag.
 */
export const importRunResolvers = {
  foreignReferencesThroughGraph: (run: ImportRunRow): boolean => run.foreignReferences === 'graph',
  // Named by whoever exported the file (`低保名单_张三_13800138000.xlsx`): numbers in it masked as in any free text.
  fileName: (run: ImportRunRow): string => redactNumbers(run.fileName),
};
