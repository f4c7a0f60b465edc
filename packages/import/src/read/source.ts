import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { CsvParser } from './csv.ts';
import { decodeChunks, detectEncoding, type TextEncoding } from './decode.ts';

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

/** Opens a file and reads its header row; data rows follow lazily, so a refused header reads nothing more. */
export async function openSource(file: string, options: { format?: string; encoding?: TextEncoding } = {}): Promise<RecordSource> {
  const info = await stat(file);
  if (!info.isFile()) throw new Error(`${path.basename(file)} is not a file`);
  const format = formatOf(file, options.format);
  if (format === 'xlsx') return withHeader(format, null, xlsxRows(file));
  const encoding = options.encoding ?? (await detectEncoding(file));
  const text = decodeChunks(createReadStream(file, { highWaterMark: 1 << 20 }), encoding);
  return withHeader(format, encoding, format === 'csv' ? csvRows(text) : ndjsonRows(text));
}

async function withHeader(format: FileFormat, encoding: TextEncoding | null, rows: AsyncGenerator<SourceRow | HeaderRow>): Promise<RecordSource> {
  let first = await rows.next();
  // Blank lines above the header are skipped.
  while (!first.done && 'cells' in first.value && first.value.cells.length === 0 && !first.value.unreadable) first = await rows.next();
  if (first.done) throw new Error('the file is empty: no header row');
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

/** The first worksheet of a workbook, read as a stream (a large workbook is never held whole). */
async function* xlsxRows(file: string): AsyncGenerator<SourceRow> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    // Styles tell a date cell from a number.
    styles: 'cache',
    entries: 'emit',
  });
  let expected = 1;
  for await (const worksheet of workbook) {
    for await (const row of worksheet) {
      // Rows absent from the sheet are blank rows.
      while (expected < row.number) yield { row: expected++, cells: [] };
      const values = row.values as unknown[];
      const cells: string[] = [];
      for (let i = 1; i < values.length; i++) cells.push(xlsxCellText(values[i]));
      yield { row: expected++, cells };
    }
    break;
  }
}

function xlsxCellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    const cell = value as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: string };
    if (cell.richText) return cell.richText.map((r) => r.text).join('');
    if (cell.result !== undefined) return xlsxCellText(cell.result);
    if (typeof cell.text === 'string') return cell.text;
    if (cell.error) return '';
  }
  return String(value);
}
