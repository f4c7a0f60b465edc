/**
 * The file formats of an export, each written as rows arrive: CSV (@hub/core's writer: RFC 4180, UTF-8 with a
 * byte-order mark so Excel reads Chinese right, formula-looking text defanged), NDJSON (one JSON object per line,
 * typed values), Parquet (typed columns, a row group per few thousand rows, so a reader gets real dates, timestamps,
 * integers and booleans). Only the CSV defangs: NDJSON and Parquet carry every value as it is.
 */
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { csvRecord, csvText } from '@hub/core';
import type { Cell, ColumnSpec, ColumnType } from './catalog.ts';

export const FORMATS = ['csv', 'ndjson', 'parquet'] as const;
export type Format = (typeof FORMATS)[number];
export const isFormat = (value: string): value is Format => (FORMATS as readonly string[]).includes(value);

export interface Encoder {
  contentType: string;
  /** Bytes to send before any row. */
  begin(): Buffer[];
  /** Bytes for these rows (possibly none yet: Parquet sends a row group when it has one). */
  write(rows: Cell[][]): Buffer[];
  /** The last bytes (Parquet's remaining rows and footer). */
  end(): Buffer[];
}

export function encoderFor(format: Format, columns: ColumnSpec[]): Encoder {
  switch (format) {
    case 'csv':
      return csvEncoder(columns);
    case 'ndjson':
      return ndjsonEncoder(columns);
    case 'parquet':
      return parquetEncoder(columns);
  }
}

function csvEncoder(columns: ColumnSpec[]): Encoder {
  return {
    contentType: 'text/csv; charset=utf-8; header=present',
    begin: () => [Buffer.from(csvText([columns.map((c) => c.name)], { bom: true }), 'utf8')],
    // Integer and double columns carry numbers and are written as numbers; text cells are defanged (docs/security.md).
    write: (rows) => [csvBytes(rows)],
    end: () => [],
  };
}

/**
 * A page's records as bytes: each record encoded on its own straight into one buffer, doubled when it runs out. One
 * string of the whole page (`csvText`) is a rope of every field, which V8 flattens before encoding it: 17 ms for a
 * page of 3,400 cases against 6 ms a record at a time. A `Buffer` per record and their concatenation cost a page of
 * 5,000 resident rows 1.1-1.4 times the CPU of this (two allocations and a copy per record; docs/benchmarks.md).
 */
function csvBytes(rows: Cell[][]): Buffer {
  let bytes = Buffer.allocUnsafe(64 * 1024);
  let length = 0;
  for (let i = 0; i < rows.length; i++) {
    const record = csvRecord(rows[i] as Cell[]);
    // A UTF-16 code unit is at most three bytes of UTF-8 (a surrogate pair, two units, is four).
    if (bytes.length - length < record.length * 3) {
      const larger = Buffer.allocUnsafe(Math.max(bytes.length * 2, length + record.length * 3));
      bytes.copy(larger, 0, 0, length);
      bytes = larger;
    }
    length += bytes.write(record, length, 'utf8');
  }
  return bytes.subarray(0, length);
}

function ndjsonEncoder(columns: ColumnSpec[]): Encoder {
  const names = columns.map((c) => c.name);
  return {
    contentType: 'application/x-ndjson; charset=utf-8',
    begin: () => [],
    write: (rows) => [Buffer.from(rows.map((row) => `${JSON.stringify(Object.fromEntries(names.map((name, i) => [name, row[i] ?? null])))}\n`).join(''), 'utf8')],
    end: () => [],
  };
}

/** Parquet's physical and logical type of each column type. */
const PARQUET_TYPES: Record<ColumnType, { type: 'BYTE_ARRAY' | 'INT32' | 'INT64' | 'DOUBLE' | 'BOOLEAN'; converted_type?: 'UTF8' | 'DATE' | 'TIMESTAMP_MILLIS' }> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  integer: { type: 'INT32' },
  double: { type: 'DOUBLE' },
  boolean: { type: 'BOOLEAN' },
  date: { type: 'INT32', converted_type: 'DATE' },
  timestamp: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' },
};

const DAY_MS = 86_400_000;

/** A cell as Parquet stores it: dates as days since 1970-01-01, timestamps as epoch milliseconds (UTC). */
function parquetValue(type: ColumnType, value: Cell): Cell | bigint {
  if (value === null) return null;
  if (type === 'date') return Math.round(Date.parse(`${String(value)}T00:00:00Z`) / DAY_MS);
  if (type === 'timestamp') return BigInt(Date.parse(String(value)));
  return value;
}

/** Rows per row group: small enough to keep memory flat, large enough for readers to scan fast. */
const ROW_GROUP = 20_000;

/** A ByteWriter that hands over its bytes after every row group instead of keeping the file. */
class ChunkedWriter extends ByteWriter {
  chunks: Buffer[] = [];
  flush(): void {
    if (this.index > 0) this.chunks.push(Buffer.from(new Uint8Array(this.buffer, 0, this.index)));
    this.index = 0;
  }
  override finish(): void {
    this.flush();
  }
  take(): Buffer[] {
    return this.chunks.splice(0);
  }
}

function parquetEncoder(columns: ColumnSpec[]): Encoder {
  const writer = new ChunkedWriter();
  const schema = [
    { name: 'root', num_children: columns.length },
    ...columns.map((c) => ({ name: c.name, ...PARQUET_TYPES[c.type], repetition_type: 'OPTIONAL' as const })),
  ];
  const parquet = new ParquetWriter({ writer, schema, createdBy: 'governance-hub datasets' });
  let pending: Cell[][] = [];
  const flushGroup = () => {
    if (pending.length === 0) return;
    const rows = pending;
    pending = [];
    const written = parquet.write({
      columnData: columns.map((c, i) => ({ name: c.name, data: rows.map((row) => parquetValue(c.type, row[i] ?? null)) })),
      rowGroupSize: ROW_GROUP,
    });
    if (written instanceof Promise) throw new Error('the chunked writer flushes synchronously');
    writer.flush();
  };
  return {
    contentType: 'application/vnd.apache.parquet',
    begin: () => {
      writer.flush();
      return writer.take();
    },
    write: (rows) => {
      pending.push(...rows);
      if (pending.length >= ROW_GROUP) flushGroup();
      return writer.take();
    },
    end: () => {
      flushGroup();
      const finished = parquet.finish();
      if (finished instanceof Promise) throw new Error('the chunked writer finishes synchronously');
      return writer.take();
    },
  };
}
