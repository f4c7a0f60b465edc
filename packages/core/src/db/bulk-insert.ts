import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * The columns a batch writes and each row's driver value for them: a column no row of the batch sets is left out
 * (to its default); a row that leaves out a column another row sets gets null.
 */
function batchColumns<T extends PgTable>(table: T, rows: readonly T['$inferInsert'][]): { target: string; columns: PgColumn[]; values: unknown[][] } {
  const config = getTableConfig(table);
  const columns: PgColumn[] = [];
  const values: unknown[][] = [];
  for (const column of config.columns) {
    const key = Object.keys(table).find((k) => (table as unknown as Record<string, unknown>)[k] === column);
    if (!key) continue;
    const present = rows.some((r) => (r as Record<string, unknown>)[key] !== undefined);
    if (!present) continue; // left to the column default
    columns.push(column);
    values.push(
      rows.map((r) => {
        const v = (r as Record<string, unknown>)[key];
        if (v === undefined || v === null) return null;
        // An array column as one literal per row: unnest would flatten arrays of arrays; COPY reads the literal.
        if (column.columnType === 'PgArray') return arrayLiteral(v as unknown[]);
        const driver = column.mapToDriverValue(v);
        return typeof driver === 'object' && driver !== null && !(driver instanceof Date) ? JSON.stringify(driver) : driver;
      }),
    );
  }
  return { target: config.schema ? `"${config.schema}"."${config.name}"` : `"${config.name}"`, columns, values };
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
 * at about a third of the server's CPU. Seeding writes this way.
 */
export async function copyRows<T extends PgTable>(client: pg.PoolClient, table: T, rows: readonly T['$inferInsert'][]): Promise<number> {
  if (rows.length === 0) return 0;
  const { target, columns, values } = batchColumns(table, rows);
  // `bulkInsert`'s cast to `varchar(n)[]` is explicit, and an explicit cast cuts a longer text to n characters where
  // COPY would refuse it: cut the same way, so both writers store the same rows.
  columns.forEach((column, c) => {
    const limit = /^(?:varchar|character varying|char|character)\((\d+)\)$/.exec(column.getSQLType())?.[1];
    if (limit !== undefined) values[c] = (values[c] as unknown[]).map((v) => (typeof v === 'string' ? truncate(v, Number(limit)) : v));
  });
  const text = copyText(rows.length, values);
  const stream = client.query(copyFrom(`COPY ${target} (${columns.map((c) => `"${c.name}"`).join(', ')}) FROM STDIN`));
  (stream as Writable).end(text, 'utf8');
  try {
    await finished(stream as Writable);
  } catch (error) {
    // Which table refused is what a reader of a failed seed needs first.
    throw Object.assign(new Error(`copying ${rows.length} rows into ${target}: ${error instanceof Error ? error.message : String(error)}`), { cause: error });
  }
  return rows.length;
}

/** Rows of driver values (column by column) as COPY's text format: tab between values, \N for null, a line a row. */
function copyText(count: number, values: unknown[][]): string {
  const lines: string[] = new Array(count);
  for (let r = 0; r < count; r++) {
    let line = '';
    for (let c = 0; c < values.length; c++) {
      if (c > 0) line += '\t';
      line += copyValue((values[c] as unknown[])[r]);
    }
    lines[r] = line;
  }
  return `${lines.join('\n')}\n`;
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
