import { and, asc, count, getTableName, gt, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { PageRequest } from '../pagination.ts';
import { parameterize, preparedStatement, type PreparedStatement } from './prepared.ts';

type Db = NodePgDatabase<Record<string, unknown>>;

/** A drizzle select not yet run: awaited as it is, or prepared under a name. */
type Select<R> = PromiseLike<R> & { prepare(name: string): unknown };

/** How a root page reads: its rows and its total, each from the page's conditions. */
export interface PageQueries<R> {
  /**
   * Names the page's statements; with the shape of `conditions` (and whether an `after` is given) it must determine
   * their text entirely.
   */
  key: string;
  /** The conditions whose values vary per request (the filter, the row scope): each becomes placeholders. */
  conditions: readonly (SQL | undefined)[];
  /**
   * The page's rows in key order, `limit` at the most, after `after` unless that is null. The conditions come as
   * given or with their values as placeholders, `after` and `limit` as values or placeholders.
   */
  rows(conditions: (SQL | undefined)[], after: Placeholder | string | null, limit: Placeholder | number): Select<R[]>;
  /** The total the conditions match, as `n`. */
  count(conditions: (SQL | undefined)[]): Select<{ n: number }[]>;
}

/**
 * One page of a root list and the total its conditions match: two statements whatever the page size (none for the
 * rows of an empty page). Rows come `first + 1` at the most, as `pageWithTotal` (and `toConnection`) want them.
 *
 * Both statements are prepared once per database and shape of the conditions (their values placeholders): a page is
 * then only bound and executed on the wire, not built by drizzle and sent unnamed through the pool per request. A
 * condition `parameterize` cannot take apart, a transaction, or a database past its statement limit builds both per
 * call.
 */
export async function preparedPage<R>(db: Db, page: PageRequest, queries: PageQueries<R>): Promise<[rows: R[], totalCount: number]> {
  const hasAfter = page.after !== null;
  const parameterized = [];
  for (const [i, condition] of queries.conditions.entries()) {
    const taken = parameterize(condition, `c${i}_`);
    if (!taken) break;
    parameterized.push(taken);
  }
  if (parameterized.length === queries.conditions.length) {
    const shape = parameterized.map((p) => p.shape).join('|');
    const conditions = parameterized.map((p) => p.sql);
    const rowsStatement =
      page.first > 0
        ? preparedStatement(
            db,
            `${queries.key}.rows|${hasAfter}|${shape}`,
            (name) => queries.rows(conditions, hasAfter ? sql.placeholder('after') : null, sql.placeholder('limit')).prepare(name) as PreparedStatement<R[]>,
          )
        : undefined;
    const countStatement = preparedStatement(db, `${queries.key}.count|${shape}`, (name) => queries.count(conditions).prepare(name) as PreparedStatement<{ n: number }[]>);
    if (countStatement && (rowsStatement || page.first === 0)) {
      const values: Record<string, unknown> = Object.assign({}, ...parameterized.map((p) => p.values));
      const [rows, [total]] = await Promise.all([
        rowsStatement ? rowsStatement.execute({ ...values, after: page.after, limit: page.first + 1 }) : Promise.resolve([]),
        countStatement.execute(values),
      ]);
      return [rows, total?.n ?? 0];
    }
  }
  const conditions = [...queries.conditions];
  const [rows, [total]] = await Promise.all([page.first === 0 ? Promise.resolve([]) : queries.rows(conditions, page.after, page.first + 1), queries.count(conditions)]);
  return [rows, total?.n ?? 0];
}

/**
 * One page of a filtered root list, in `key` order, and the total the filter matches: two named statements (see
 * `preparedPage`).
 */
export function filteredPage<T extends PgTable>(
  db: Db,
  table: T,
  key: AnyPgColumn,
  filter: SQL | undefined,
  page: PageRequest,
): Promise<[rows: T['$inferSelect'][], totalCount: number]> {
  return preparedPage<T['$inferSelect']>(db, page, {
    key: `filteredPage|${getTableName(table)}|${key.name}`,
    conditions: [filter],
    rows: ([where], after, limit) =>
      db
        .select()
        .from(table as PgTable)
        .where(and(where, after !== null ? gt(key, after) : undefined))
        .orderBy(asc(key))
        .limit(limit) as unknown as Select<T['$inferSelect'][]>,
    count: ([where]) => db.select({ n: count() }).from(table as PgTable).where(where),
  });
}
