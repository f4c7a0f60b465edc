import DataLoader from 'dataloader';
import { and, asc, count, eq, gt, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { RowScope } from '../access/disclosure.ts';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';

/**
 * DataLoader factories over drizzle tables. Each batch is one statement whatever the number of keys, and results
 * come back in key order, which is what keeps a query's statement count flat as its pages grow.
 */
type Db = NodePgDatabase<Record<string, unknown>>;
type Row<T extends PgTable> = T['$inferSelect'];

/** One row per key (or null), from `WHERE column IN (...)`. */
export function rowByKey<T extends PgTable, K extends string | number = string>(
  db: Db,
  table: T,
  column: AnyPgColumn,
  keyOf: (row: Row<T>) => K,
  /** Rows outside this condition (a caller's row scope) load as null, in the same statement. */
  where?: SQL,
) {
  return new DataLoader<K, Row<T> | null>(async (keys) => {
    const rows = (await db.select().from(table as PgTable).where(and(inArray(column, [...keys]), where))) as Row<T>[];
    const byKey = new Map(rows.map((r) => [keyOf(r), r]));
    return keys.map((k) => byKey.get(k) ?? null);
  });
}

/** Every row per key, ordered by `orderBy`, from `WHERE column IN (...)`. For short lists only (a resident's homes). */
export function rowsByKey<T extends PgTable, K extends string | number = string>(
  db: Db,
  table: T,
  column: AnyPgColumn,
  orderBy: AnyPgColumn,
  keyOf: (row: Row<T>) => K,
  /** Rows outside this condition (a caller's row scope) are left out, in the same statement. */
  where?: SQL,
) {
  return new DataLoader<K, Row<T>[]>(async (keys) => {
    const rows = (await db.select().from(table as PgTable).where(and(inArray(column, [...keys]), where)).orderBy(asc(orderBy))) as Row<T>[];
    const byKey = new Map<K, Row<T>[]>();
    for (const row of rows) {
      const list = byKey.get(keyOf(row));
      if (list) list.push(row);
      else byKey.set(keyOf(row), [row]);
    }
    return keys.map((k) => byKey.get(k) ?? []);
  });
}

/** A page request for one parent: rows after `after` in `orderColumn` order, at most `first`, with a filter tag. */
export interface ParentPageKey<F = unknown> {
  parent: string;
  first: number;
  after: string | null;
  /** Extra filter arguments (status, kind…); pages with equal filters are fetched together. */
  filter: F;
}

/**
 * One page of child rows per parent (a grid's residents, a grid's cases…). Keys asking the same page size, cursor
 * and filter are answered by one statement for all their parents: `row_number() over (partition by parent)` keeps
 * each parent's first `first + 1` rows (the extra row says whether a next page exists).
 */
export function pageByParent<T extends PgTable, F>(options: {
  db: Db;
  table: T;
  parentColumn: AnyPgColumn;
  /** Unique sort key of the connection; cursors carry its value. */
  orderColumn: AnyPgColumn;
  parentOf: (row: Row<T>) => string;
  where?: (filter: F) => SQL | undefined;
}) {
  const { db, table, parentColumn, orderColumn, parentOf } = options;
  return new DataLoader<ParentPageKey<F>, Row<T>[], string>(
    async (keys) => {
      const groups = new Map<string, ParentPageKey<F>[]>();
      for (const key of keys) {
        const group = JSON.stringify([key.first, key.after, key.filter]);
        const list = groups.get(group);
        if (list) list.push(key);
        else groups.set(group, [key]);
      }
      const pages = new Map<string, Row<T>[]>();
      for (const [group, groupKeys] of groups) {
        const { first, after, filter } = groupKeys[0]!;
        if (first === 0) continue;
        const rank = sql<number>`row_number() over (partition by ${parentColumn} order by ${orderColumn})`.as('page_rank');
        const ranked = db
          .select({ rowKey: sql`${orderColumn}`.as('row_key'), rank })
          .from(table as PgTable)
          .where(
            and(
              inArray(parentColumn, groupKeys.map((k) => k.parent)),
              options.where?.(filter),
              after !== null ? gt(orderColumn, after) : undefined,
            ),
          )
          .as('ranked');
        const rows = (await db
          .select({ row: table as PgTable })
          .from(ranked)
          .innerJoin(table as PgTable, eq(orderColumn, ranked.rowKey))
          .where(sql`${ranked.rank} <= ${first + 1}`)
          .orderBy(asc(parentColumn), asc(orderColumn))) as unknown as { row: Row<T> }[];
        for (const { row } of rows) {
          const pageKey = `${group}|${parentOf(row)}`;
          const list = pages.get(pageKey);
          if (list) list.push(row);
          else pages.set(pageKey, [row]);
        }
      }
      return keys.map((k) => pages.get(`${JSON.stringify([k.first, k.after, k.filter])}|${k.parent}`) ?? []);
    },
    { cacheKeyFn: (k) => JSON.stringify([k.parent, k.first, k.after, k.filter]) },
  );
}

/** Row counts per parent and per value of `groupColumn` (e.g. per grid and population type), one statement a batch. */
export function countsByParent<G extends string>(options: {
  db: Db;
  table: PgTable;
  parentColumn: AnyPgColumn;
  groupColumn: AnyPgColumn;
  where?: SQL;
}) {
  const { db, table, parentColumn, groupColumn } = options;
  return new DataLoader<string, { total: number; by: Partial<Record<G, number>> }>(async (parents) => {
    const rows = (await db
      .select({ parent: sql<string>`${parentColumn}`, group: sql<G>`${groupColumn}`, n: count() })
      .from(table)
      .where(and(inArray(parentColumn, [...parents]), options.where))
      .groupBy(parentColumn, groupColumn)) as { parent: string; group: G; n: number }[];
    const byParent = new Map<string, { total: number; by: Partial<Record<G, number>> }>();
    for (const row of rows) {
      const counts = byParent.get(row.parent) ?? { total: 0, by: {} as Partial<Record<G, number>> };
      counts.by[row.group] = (counts.by[row.group] ?? 0) + row.n;
      counts.total += row.n;
      byParent.set(row.parent, counts);
    }
    return parents.map((p) => byParent.get(p) ?? { total: 0, by: {} });
  });
}

/**
 * A caller's row scope as a condition on a grid-code column: the grid is one of theirs or lies in one of their
 * communities (its first 12 digits). Undefined (no condition) when every grid is in scope; a scope naming nothing
 * matches nothing.
 */
export function gridScopeWhere(scope: RowScope, gridColumn: AnyPgColumn | SQL): SQL | undefined {
  if (scope.allGrids) return undefined;
  const grids = [...scope.grids];
  const communities = [...scope.communities];
  if (grids.length === 0 && communities.length === 0) return sql`false`;
  return or(
    grids.length ? inArray(sql`${gridColumn}`, grids) : undefined,
    communities.length ? inArray(sql`left(${gridColumn}, 12)`, communities) : undefined,
  );
}
