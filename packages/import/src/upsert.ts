import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  /** With `positions`: the positions (in `rows`) of the rows inserted or updated, in the order given. */
  written: number[];
}

/**
 * Upserts rows by their natural key in one statement: every column travels as one array parameter (so a batch of
 * any size is one round trip), a conflicting row is updated only when some value differs, and `xmax = 0` on the
 * returned rows tells a fresh insert from an update. Rows that come back neither way were already identical, which
 * is what makes a re-run of the same file a no-op. `insertOnly` leaves every existing row as it is.
 */
export async function upsertRows<T extends PgTable>(
  client: pg.PoolClient,
  table: T,
  conflictColumns: readonly PgColumn[],
  rows: readonly T['$inferInsert'][],
  options: { touchColumn?: PgColumn; insertOnly?: boolean; positions?: boolean } = {},
): Promise<UpsertCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0, written: [] };
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
    updatable.length === 0 || options.insertOnly
      ? 'DO NOTHING'
      : `DO UPDATE SET ${set.join(', ')} WHERE (${updatable.map((n) => `${target}.${quoted(n)}`).join(', ')}) IS DISTINCT FROM (${updatable
          .map((n) => `EXCLUDED.${quoted(n)}`)
          .join(', ')})`;
  const keyList = conflict.map(quoted).join(', ');
  const result = await client.query<{ inserted: boolean; key: string }>(
    `INSERT INTO ${target} (${names.map(quoted).join(', ')}) SELECT * FROM unnest(${casts.join(', ')}) ` +
      `ON CONFLICT (${keyList}) ${action} RETURNING (xmax = 0) AS inserted${options.positions ? `, row(${keyList})::text AS key` : ''}`,
    values,
  );
  let inserted = 0;
  for (const row of result.rows) if (row.inserted) inserted++;
  const updated = result.rows.length - inserted;
  const written: number[] = [];
  if (options.positions && result.rows.length > 0) {
    // Which of the given rows came back: their keys, printed by the same types as RETURNING printed them.
    const keyed = conflict.map((n) => names.indexOf(n));
    const keyText = await client.query<{ key: string }>(
      `SELECT row(${keyed.map((_, i) => `k${i}`).join(', ')})::text AS key FROM unnest(${keyed
        .map((at, i) => casts[at]!.replace(/^\$\d+/, `$${i + 1}`))
        .join(', ')}) AS t(${keyed.map((_, i) => `k${i}`).join(', ')})`,
      keyed.map((at) => values[at]),
    );
    const writtenKeys = new Set(result.rows.map((r) => r.key));
    keyText.rows.forEach((r, at) => {
      if (writtenKeys.has(r.key)) written.push(at);
    });
  }
  return { inserted, updated, unchanged: rows.length - inserted - updated, written };
}

function arrayType(sqlType: string): string {
  // Enum types come back bare (population_type); quote them. Parameterized built-ins (varchar(15)) pass as is.
  return /^[a-z_][a-z0-9_]*$/.test(sqlType) && !BUILTIN.has(sqlType) ? `"${sqlType}"[]` : `${sqlType}[]`;
}

const BUILTIN = new Set(['text', 'integer', 'bigint', 'smallint', 'boolean', 'date', 'jsonb', 'json', 'uuid', 'real', 'serial', 'bigserial', 'numeric']);
