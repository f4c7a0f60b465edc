import { RequestLoader } from './batch-gate.ts';
import { sql, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';

/**
 * Statistics of places above the grid (community, street, district), counted by the departments that hold the
 * records. Departments keep a grid code on their records and nothing else of the place tree (which civil affairs
 * owns), so a place's records are found by the digits its grids' codes start with: a grid code is its community's
 * 12 digits and a sequence, a community's street is its first 9 digits, its district the first 6.
 */
type Db = NodePgDatabase<Record<string, unknown>>;

/** A level of the place tree above the grid. */
export type PlaceLevel = 'COMMUNITY' | 'STREET' | 'DISTRICT';
export const PLACE_LEVELS: readonly PlaceLevel[] = ['COMMUNITY', 'STREET', 'DISTRICT'];

const PREFIX_LENGTH: Record<PlaceLevel, number> = { COMMUNITY: 12, STREET: 9, DISTRICT: 6 };

/** The digits every grid code of a place starts with: a community's 12, a street's first 9, a district's 6. */
export function gridPrefixOf(level: PlaceLevel, code: string): string {
  switch (level) {
    case 'COMMUNITY':
      return code.slice(0, 12);
    case 'STREET':
      return code.slice(0, 9);
    case 'DISTRICT':
      return code.slice(0, 6);
  }
}

/**
 * The first and last 15-digit grid code a place can hold. Grid codes all have 15 digits, so `between` these two
 * is exactly "starts with the prefix", and it is a range an index on the grid-code column answers.
 */
export function gridCodeRange(level: PlaceLevel, code: string): { from: string; to: string } {
  const prefix = gridPrefixOf(level, code);
  // A code too short or not of digits would widen the range to other places' grids: it matches nothing instead.
  if (!new RegExp(`^\\d{${PREFIX_LENGTH[level]}}$`).test(prefix)) return { from: '1', to: '0' };
  return { from: prefix.padEnd(15, '0'), to: prefix.padEnd(15, '9') };
}

/** The places of one batch as a relation to join a department's table to. */
export interface PlaceRelation {
  /** `(values …) as place(code, grid_from, grid_to)`: one row per place asked. */
  from: SQL;
  /** The place's code, to select and group by. */
  code: SQL;
  /** `gridColumn between place.grid_from and place.grid_to`: the join condition, an index range per place. */
  contains(gridColumn: AnyPgColumn): SQL;
}

/** Places of one level as a relation to join to: what `tallyByPlace` selects from. */
export function placeRelation(level: PlaceLevel, codes: readonly string[]): PlaceRelation {
  const rows = codes.map((code) => {
    const { from, to } = gridCodeRange(level, code);
    return sql`(${code}::text, ${from}::text, ${to}::text)`;
  });
  return {
    from: sql`(values ${sql.join(rows, sql`, `)}) as place(code, grid_from, grid_to)`,
    code: sql`place.code`,
    contains: (gridColumn) => sql`${gridColumn} between place.grid_from and place.grid_to`,
  };
}

/**
 * Rows of one aggregate statement per batch of places, handed back per place in key order. `query` selects from
 * `place.from` joined on `place.contains(…)`, and names the place's code `place` in its select list. A place
 * with no rows gets an empty list.
 */
export function tallyByPlace<R extends { place: string }>(db: Db, level: PlaceLevel, query: (place: PlaceRelation) => SQL) {
  return new RequestLoader<string, R[]>(async (codes) => {
    // The statement's select list is the caller's, so its row type is too.
    const rows = (await db.execute(query(placeRelation(level, codes)))).rows as unknown as R[];
    const byPlace = new Map<string, R[]>();
    for (const row of rows) {
      const list = byPlace.get(row.place);
      if (list) list.push(row);
      else byPlace.set(row.place, [row]);
    }
    return codes.map((code) => byPlace.get(code) ?? []);
  });
}

/**
 * Row counts per place and per value of `groupColumn` (the place-level twin of `countsByParent`): one statement
 * per batch, whatever the number of places. A place that holds nothing counts zero.
 */
export function countsByPlace<G extends string>(options: {
  db: Db;
  level: PlaceLevel;
  table: PgTable;
  gridColumn: AnyPgColumn;
  groupColumn: AnyPgColumn;
  /** Rows outside this condition (a caller's row scope, a filter) are not counted. */
  where?: SQL;
}) {
  const { db, level, table, gridColumn, groupColumn, where } = options;
  const tally = tallyByPlace<{ place: string; group: G; n: number }>(
    db,
    level,
    (place) => sql`select ${place.code} as place, ${groupColumn} as "group", count(*)::int as n
      from ${place.from} join ${table} on ${place.contains(gridColumn)}
      ${where ? sql`where ${where}` : sql``}
      group by 1, 2`,
  );
  return new RequestLoader<string, { total: number; by: Partial<Record<G, number>> }>(async (codes) => {
    const tallies = await tally.loadMany(codes);
    return tallies.map((rows) => {
      if (rows instanceof Error) return rows;
      const by: Partial<Record<G, number>> = {};
      let total = 0;
      for (const row of rows) {
        by[row.group] = (by[row.group] ?? 0) + row.n;
        total += row.n;
      }
      return { total, by };
    });
  });
}

/** One loader per level, made alike: `byPlaceLevel((level) => countsByPlace({ level, … }))`. */
export function byPlaceLevel<T>(make: (level: PlaceLevel) => T): Record<PlaceLevel, T> {
  return { COMMUNITY: make('COMMUNITY'), STREET: make('STREET'), DISTRICT: make('DISTRICT') };
}
