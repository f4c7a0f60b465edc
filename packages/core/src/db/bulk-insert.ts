import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';

/**
 * Inserts many rows in one statement by passing each column as one array parameter and unnesting them, so a batch
 * of any size costs one round trip and a handful of parameters (a multi-row VALUES list would hit PostgreSQL's
 * 65,535-parameter limit at a few thousand rows). Used for seeding and imports, not for request-time writes.
 */
export async function bulkInsert<T extends PgTable>(
  client: pg.Pool | pg.PoolClient,
  table: T,
  rows: readonly T['$inferInsert'][],
): Promise<number> {
  if (rows.length === 0) return 0;
  const config = getTableConfig(table);
  const columns = config.columns;
  const names: string[] = [];
  const casts: string[] = [];
  const selected: string[] = [];
  const values: unknown[][] = [];
  for (const column of columns) {
    const key = Object.keys(table).find((k) => (table as unknown as Record<string, unknown>)[k] === column);
    if (!key) continue;
    const present = rows.some((r) => (r as Record<string, unknown>)[key] !== undefined);
    if (!present) continue; // left to the column default
    names.push(`"${column.name}"`);
    const n = names.length;
    // unnest flattens an array of arrays: an array column travels as one array literal per row, cast back per row.
    const isArray = column.columnType === 'PgArray';
    casts.push(isArray ? `$${n}::text[]` : `$${n}::${arrayType(column.getSQLType())}`);
    selected.push(isArray ? `c${n}::${quotedType(column.getSQLType())}` : `c${n}`);
    values.push(
      rows.map((r) => {
        const v = (r as Record<string, unknown>)[key];
        if (v === undefined || v === null) return null;
        if (isArray) return arrayLiteral(v as unknown[]);
        const driver = column.mapToDriverValue(v);
        return typeof driver === 'object' && driver !== null && !(driver instanceof Date) ? JSON.stringify(driver) : driver;
      }),
    );
  }
  const target = config.schema ? `"${config.schema}"."${config.name}"` : `"${config.name}"`;
  const aliases = names.map((_, i) => `c${i + 1}`).join(', ');
  const result = await client.query(
    `INSERT INTO ${target} (${names.join(', ')}) SELECT ${selected.join(', ')} FROM unnest(${casts.join(', ')}) AS u(${aliases})`,
    values,
  );
  return result.rowCount ?? rows.length;
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
