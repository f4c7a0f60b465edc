import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { CsvParser } from './csv.ts';
import { decodeChunks, detectEncoding, type TextEncoding } from './decode.ts';
import { openXlsx, SheetChoiceError, type XlsxSheet, type XlsxWorkbook } from './xlsx.ts';

export type FileFormat = 'csv' | 'xlsx' | 'ndjson';

/** One data row of a file: its row number as a spreadsheet would show it (the header is row 1), cells by column. */
export interface SourceRow {
  row: number;
  cells: string[];
  /** Set when the row could not be read into cells at all (an NDJSON line that is not an object). */
  unreadable?: 'not-json' | 'too-many-cells';
}

export interface RecordSource {
  format: FileFormat;
  encoding: TextEncoding | null;
  header: string[];
  rows: AsyncIterable<SourceRow>;
  /** For a workbook: the sheet read, its 1-based position among the workbook's `count` sheets. */
  sheet?: XlsxSheet;
  /** Stops reading early (a refused header); safe to call after the rows are done. */
  close(): Promise<void>;
}

export function formatOf(file: string, given?: string): FileFormat {
  const name = (given ?? path.extname(file).slice(1)).toLowerCase();
  if (name === 'csv' || name === 'txt') return 'csv';
  if (name === 'xlsx') return 'xlsx';
  if (name === 'ndjson' || name === 'jsonl') return 'ndjson';
  throw new Error(`cannot tell the format of ${path.basename(file)}: use .csv, .xlsx or .ndjson (or --format)`);
}

/**
 * Opens a file and reads its header row; data rows follow lazily, so a refused header reads nothing more.
 * `sheet` picks a workbook's sheet by name or 1-based number (the first sheet by default); only for .xlsx.
 */
export async function openSource(
  file: string,
  options: { format?: string; encoding?: TextEncoding; sheet?: string | number } = {},
): Promise<RecordSource> {
  const info = await stat(file);
  if (!info.isFile()) throw new Error(`${path.basename(file)} is not a file`);
  const format = formatOf(file, options.format);
  if (format === 'xlsx') {
    const workbook = await openXlsx(file, { sheet: options.sheet });
    const { name, index, count } = workbook.sheet;
    const source = await withHeader(format, null, xlsxRows(workbook)).catch((error: unknown) => {
      if (error instanceof Error && error.message === EMPTY) error.message += ` (sheet ${name}, ${index} of ${count})`;
      throw error;
    });
    return { ...source, sheet: workbook.sheet };
  }
  if (options.sheet !== undefined) throw new SheetChoiceError(`a sheet can only be chosen in an .xlsx workbook, not in ${format === 'csv' ? 'a CSV' : 'an NDJSON'} file`);
  const encoding = options.encoding ?? (await detectEncoding(file));
  const text = decodeChunks(createReadStream(file, { highWaterMark: 1 << 20 }), encoding);
  return withHeader(format, encoding, format === 'csv' ? csvRows(text) : ndjsonRows(text));
}

const EMPTY = 'the file is empty: no header row';

async function withHeader(format: FileFormat, encoding: TextEncoding | null, rows: AsyncGenerator<SourceRow | HeaderRow>): Promise<RecordSource> {
  let first = await rows.next();
  // Blank lines above the header are skipped.
  while (!first.done && 'cells' in first.value && first.value.cells.length === 0 && !first.value.unreadable) first = await rows.next();
  if (first.done) throw new Error(EMPTY);
  const header = 'header' in first.value ? first.value.header : first.value.cells.map((c) => c.trim());
  return {
    format,
    encoding,
    header,
    rows: { [Symbol.asyncIterator]: () => dataRows(rows) },
    close: async () => {
      await rows.return(undefined);
    },
  };
}

async function* dataRows(rows: AsyncGenerator<SourceRow | HeaderRow>): AsyncGenerator<SourceRow> {
  for (let next = await rows.next(); !next.done; next = await rows.next()) if ('cells' in next.value) yield next.value;
}

interface HeaderRow {
  header: string[];
}

async function* csvRows(text: AsyncIterable<string>): AsyncGenerator<SourceRow> {
  const parser = new CsvParser();
  const records: string[][] = [];
  let row = 0;
  for await (const chunk of text) {
    parser.push(chunk, records);
    for (const cells of records) yield { row: ++row, cells };
    records.length = 0;
  }
  parser.end(records);
  for (const cells of records) yield { row: ++row, cells };
}

/**
 * NDJSON: one JSON object per line, its row number the line number. The first object's keys are the header; each
 * later object's values are laid out under it by key (keys the header lacks are unknown columns and are left out).
 */
async function* ndjsonRows(text: AsyncIterable<string>): AsyncGenerator<SourceRow | HeaderRow> {
  let header: string[] | null = null;
  let position = new Map<string, number>();
  let lineNumber = 0;
  let pending = '';
  function* lineOf(line: string): Generator<SourceRow | HeaderRow> {
    const row = ++lineNumber;
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = null;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      yield { row, cells: [], unreadable: 'not-json' };
      return;
    }
    const record = parsed as Record<string, unknown>;
    if (header === null) {
      header = Object.keys(record);
      position = new Map(header.map((h, i) => [h, i]));
      yield { header };
    }
    const cells: string[] = new Array<string>(header.length).fill('');
    for (const [key, value] of Object.entries(record)) {
      const at = position.get(key);
      if (at !== undefined) cells[at] = cellText(value);
    }
    yield { row, cells };
  }
  for await (const chunk of text) {
    pending += chunk;
    let start = 0;
    for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n', start)) {
      yield* lineOf(pending.slice(start, newline).replace(/\r$/, ''));
      start = newline + 1;
    }
    pending = pending.slice(start);
  }
  if (pending !== '') yield* lineOf(pending);
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A workbook's sheet (the first, or the one chosen), read as a stream (a large workbook is never held whole). */
async function* xlsxRows(workbook: XlsxWorkbook): AsyncGenerator<SourceRow> {
  yield* workbook.rows();
}
