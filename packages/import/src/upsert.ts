import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/**
 * Upserts rows by their natural key in one statement: every column travels as one array parameter (so a batch of
 * any size is one round trip), a conflicting row is updated only when some value differs, and `xmax = 0` on the
 * returned rows tells a fresh insert from an update. Rows that come back neither way were already identical, which
 * is what makes a re-run of the same file a no-op.
 */
export async function upsertRows<T extends PgTable>(
  client: pg.PoolClient,
  table: T,
  conflictColumns: readonly PgColumn[],
  rows: readonly T['$inferInsert'][],
  options: { touchColumn?: PgColumn } = {},
): Promise<UpsertCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const config = getTableConfig(table);
  const keyByColumn = new Map<PgColumn, string>();
  for (const [key, value] of Object.entries(table)) {
    if (config.columns.includes(value as PgColumn)) keyByColumn.set(value as PgColumn, key);
  }
  const names: string[] = [];
  const casts: string[] = [];
  const values: unknown[][] = [];
  for (const column of config.columns) {
    const key = keyByColumn.get(column);
    if (key === undefined || column === options.touchColumn) continue;
    // A column no row sets is left to its default on insert and untouched on update.
    if (!rows.some((r) => (r as Record<string, unknown>)[key] !== undefined)) continue;
    names.push(column.name);
    casts.push(`$${names.length}::${arrayType(column.getSQLType())}`);
    values.push(
      rows.map((r) => {
        const v = (r as Record<string, unknown>)[key];
        return v === undefined || v === null ? null : column.mapToDriverValue(v);
      }),
    );
  }
  const conflict = conflictColumns.map((c) => c.name);
  const updatable = names.filter((n) => !conflict.includes(n));
  const quoted = (n: string) => `"${n}"`;
  const target = config.schema ? `"${config.schema}"."${config.name}"` : `"${config.name}"`;
  const set = [
    ...updatable.map((n) => `${quoted(n)} = EXCLUDED.${quoted(n)}`),
    ...(options.touchColumn ? [`${quoted(options.touchColumn.name)} = now()`] : []),
  ];
  const action =
    updatable.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${set.join(', ')} WHERE (${updatable.map((n) => `${target}.${quoted(n)}`).join(', ')}) IS DISTINCT FROM (${updatable
          .map((n) => `EXCLUDED.${quoted(n)}`)
          .join(', ')})`;
  const result = await client.query<{ inserted: boolean }>(
    `INSERT INTO ${target} (${names.map(quoted).join(', ')}) SELECT * FROM unnest(${casts.join(', ')}) ` +
      `ON CONFLICT (${conflict.map(quoted).join(', ')}) ${action} RETURNING (xmax = 0) AS inserted`,
    values,
  );
  let inserted = 0;
  for (const row of result.rows) if (row.inserted) inserted++;
  const updated = result.rows.length - inserted;
  return { inserted, updated, unchanged: rows.length - inserted - updated };
}

function arrayType(sqlType: string): string {
  // Enum types come back bare (population_type); quote them. Parameterized built-ins (varchar(15)) pass as is.
  return /^[a-z_][a-z0-9_]*$/.test(sqlType) && !BUILTIN.has(sqlType) ? `"${sqlType}"[]` : `${sqlType}[]`;
}

const BUILTIN = new Set(['text', 'integer', 'bigint', 'smallint', 'boolean', 'date', 'jsonb', 'json', 'uuid', 'real', 'serial', 'bigserial', 'numeric']);
