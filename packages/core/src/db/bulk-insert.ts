import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** A table's columns with the property each is set by in a row, and what COPY needs to know of each. */
interface TableColumns {
  target: string;
  name: string;
  columns: { key: string; column: PgColumn; quotedName: string; isArray: boolean; limit: number | undefined }[];
}

const tableColumnsCache = new WeakMap<PgTable, TableColumns>();

function tableColumns(table: PgTable): TableColumns {
  let known = tableColumnsCache.get(table);
  if (known) return known;
  const config = getTableConfig(table);
  const keyOf = new Map<unknown, string>(Object.keys(table).map((k) => [(table as unknown as Record<string, unknown>)[k], k]));
  const columns: TableColumns['columns'] = [];
  for (const column of config.columns) {
    const key = keyOf.get(column);
    if (!key) continue;
    // `bulkInsert`'s cast to `varchar(n)[]` is explicit, and an explicit cast cuts a longer text to n characters where
    // COPY would refuse it: COPY's text is cut the same way, so both writers store the same rows.
    const limit = /^(?:varchar|character varying|char|character)\((\d+)\)$/.exec(column.getSQLType())?.[1];
    columns.push({ key, column, quotedName: `"${column.name}"`, isArray: column.columnType === 'PgArray', limit: limit === undefined ? undefined : Number(limit) });
  }
  known = { target: config.schema ? `"${config.schema}"."${config.name}"` : `"${config.name}"`, name: config.schema ? `${config.schema}.${config.name}` : config.name, columns };
  tableColumnsCache.set(table, known);
  return known;
}

/** A table's columns that some row of the batch sets: a column no row sets is left out (to its default). */
function presentColumns(table: PgTable, rows: readonly PgTable['$inferInsert'][]): TableColumns['columns'] {
  return tableColumns(table).columns.filter(({ key }) => rows.some((r) => (r as Record<string, unknown>)[key] !== undefined));
}

/** A row's value as the driver takes it; a row that leaves out a column another row sets gets null. */
function driverValue({ column, isArray }: TableColumns['columns'][number], v: unknown): unknown {
  if (v === undefined || v === null) return null;
  // An array column as one literal per row: unnest would flatten arrays of arrays; COPY reads the literal.
  if (isArray) return arrayLiteral(v as unknown[]);
  const driver = column.mapToDriverValue(v);
  return typeof driver === 'object' && driver !== null && !(driver instanceof Date) ? JSON.stringify(driver) : driver;
}

/** The columns a batch writes and each row's driver value for them, column by column. */
function batchColumns<T extends PgTable>(table: T, rows: readonly T['$inferInsert'][]): { target: string; columns: PgColumn[]; values: unknown[][] } {
  const present = presentColumns(table, rows);
  return {
    target: tableColumns(table).target,
    columns: present.map((c) => c.column),
    values: present.map((c) => rows.map((r) => driverValue(c, (r as Record<string, unknown>)[c.key]))),
  };
}

/**
 * Inserts many rows in one statement by passing each column as one array parameter and unnesting them, so a batch
 * of any size costs one round trip and a handful of parameters (a multi-row VALUES list would hit PostgreSQL's
 * 65,535-parameter limit at a few thousand rows). For imports, whose batches are small; seeding copies (`copyRows`).
 */
export async function bulkInsert<T extends PgTable>(
  client: pg.Pool | pg.PoolClient,
  table: T,
  rows: readonly T['$inferInsert'][],
): Promise<number> {
  if (rows.length === 0) return 0;
  const { target, columns, values } = batchColumns(table, rows);
  const names = columns.map((c) => `"${c.name}"`);
  const isArray = columns.map((c) => c.columnType === 'PgArray');
  const casts = columns.map((c, i) => (isArray[i] ? `$${i + 1}::text[]` : `$${i + 1}::${arrayType(c.getSQLType())}`));
  const selected = columns.map((c, i) => (isArray[i] ? `c${i + 1}::${quotedType(c.getSQLType())}` : `c${i + 1}`));
  const aliases = names.map((_, i) => `c${i + 1}`).join(', ');
  const result = await client.query(
    `INSERT INTO ${target} (${names.join(', ')}) SELECT ${selected.join(', ')} FROM unnest(${casts.join(', ')}) AS u(${aliases})`,
    values,
  );
  return result.rowCount ?? rows.length;
}

/**
 * The same rows as `bulkInsert` would insert, written with `COPY … FROM STDIN` (text format): PostgreSQL parses each
 * value with its type's input function as the unnest cast does, but without planning a statement or building arrays,
 * at about a third of the server's CPU. Seeding writes this way. `freeze` writes the rows frozen (`COPY … FREEZE`),
 * for a table emptied by TRUNCATE in the same transaction: no later pass sets their hint bits or freezes them.
 */
export async function copyRows<T extends PgTable>(
  client: pg.PoolClient,
  table: T,
  rows: readonly T['$inferInsert'][],
  options: { freeze?: boolean } = {},
): Promise<number> {
  if (rows.length === 0) return 0;
  return copyChunk(client, copyChunkOf(table, rows), options);
}

/**
 * One table's batch as COPY takes it, built apart from any connection: the seed builds some departments' chunks on a
 * worker thread and hands them over (the text as a transferable buffer), to be written on the department's own
 * connection in the order they were built.
 */
export interface CopyChunk {
  /** The table as COPY names it (quoted, with its schema). */
  target: string;
  /** The table's catalogue name, which `freeze` is decided by. */
  name: string;
  /** The quoted columns the text carries, comma-separated. */
  columns: string;
  rows: number;
  /** COPY's text format, UTF-8. */
  text: Uint8Array;
}

// An encoded text owns its whole ArrayBuffer (Buffer.from may hand out a slice of a shared pool), so it can be transferred.
const utf8 = new TextEncoder();

export function copyChunkOf<T extends PgTable>(table: T, rows: readonly T['$inferInsert'][]): CopyChunk {
  const { target, name } = tableColumns(table);
  const columns = presentColumns(table, rows);
  return { target, name, columns: columns.map((c) => c.quotedName).join(', '), rows: rows.length, text: utf8.encode(copyText(rows, columns)) };
}

/** Writes a chunk with `COPY … FROM STDIN` on the client (frozen when `freeze`, see `copyRows`). */
export async function copyChunk(client: pg.PoolClient, chunk: CopyChunk, options: { freeze?: boolean } = {}): Promise<number> {
  if (chunk.rows === 0) return 0;
  const stream = client.query(copyFrom(`COPY ${chunk.target} (${chunk.columns}) FROM STDIN${options.freeze ? ' WITH (FREEZE)' : ''}`));
  // A chunk that came from a worker arrives as a plain Uint8Array over the transferred buffer: no copy to wrap it.
  const text = Buffer.isBuffer(chunk.text) ? chunk.text : Buffer.from(chunk.text.buffer, chunk.text.byteOffset, chunk.text.byteLength);
  (stream as Writable).end(text);
  try {
    await finished(stream as Writable);
  } catch (error) {
    // Which table refused is what a reader of a failed seed needs first.
    throw Object.assign(new Error(`copying ${chunk.rows} rows into ${chunk.target}: ${error instanceof Error ? error.message : String(error)}`), { cause: error });
  }
  return chunk.rows;
}

/** The name of a table as its catalogue row has it (no schema, unquoted). */
export const tableNameOf = (table: PgTable): string => tableColumns(table).name;

/**
 * Rows as COPY's text format (tab between values, \N for null, a line a row), built row by row into one string
 * that is converted once: no per-column arrays of driver values, no array of lines to join.
 */
function copyText(rows: readonly PgTable['$inferInsert'][], columns: TableColumns['columns']): string {
  let text = '';
  const last = columns.length - 1;
  for (const row of rows) {
    if (last < 0) text += '\n';
    for (let c = 0; c <= last; c++) {
      const column = columns[c]!;
      let value = driverValue(column, (row as Record<string, unknown>)[column.key]);
      if (column.limit !== undefined && typeof value === 'string') value = truncate(value, column.limit);
      text += copyValue(value);
      text += c === last ? '\n' : '\t';
    }
  }
  return text;
}

function truncate(value: string, characters: number): string {
  if (value.length <= characters) return value;
  return Array.from(value).slice(0, characters).join('');
}

const SPECIAL = /[\\\t\n\r]/;

function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, escapeChar) : value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return localTimestamp(value);
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString('hex')}`;
  return copyValue(JSON.stringify(value));
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escapeChar = (c: string) => ESCAPES[c] as string;

/** A Date as node-postgres sends it (local time with its offset), so both writers store the same instant. */
function localTimestamp(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:` +
    `${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** A one-dimensional array as PostgreSQL's text form, every element quoted (enum labels, text). */
function arrayLiteral(items: readonly unknown[]): string {
  return `{${items.map((x) => (x === null ? 'NULL' : `"${String(x).replace(/["\\]/g, '\\$&')}"`)).join(',')}}`;
}

/** An array column's type with its element type quoted as `arrayType` quotes one (`dispute_channel[]` → `"dispute_channel"[]`). */
function quotedType(sqlType: string): string {
  const base = sqlType.replace(/(\[\d*\])+$/, '');
  return `${arrayType(base).slice(0, -2)}${sqlType.slice(base.length)}`;
}

function arrayType(sqlType: string): string {
  // Enum and other user types come back bare (population_type); quote them so case and keywords are safe.
  return /^[a-z_][a-z0-9_]*$/.test(sqlType) && !BUILTIN.has(sqlType) ? `"${sqlType}"[]` : `${sqlType}[]`;
}

const BUILTIN = new Set(['text', 'integer', 'bigint', 'smallint', 'boolean', 'date', 'jsonb', 'json', 'uuid', 'real', 'serial', 'bigserial']);
