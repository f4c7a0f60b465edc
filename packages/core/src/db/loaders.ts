import { RequestLoader } from './batch-gate.ts';
import { and, asc, count, eq, getTableName, gt, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { RowScope } from '../access/disclosure.ts';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import { parameterize, preparedStatement, type PreparedStatement } from './prepared.ts';

/**
 * DataLoader factories over drizzle tables. Each batch is one statement whatever the number of keys, and results
 * come back in key order, which is what keeps a query's statement count flat as its pages grow.
 */
type Db = NodePgDatabase<Record<string, unknown>>;
type Row<T extends PgTable> = T['$inferSelect'];

/** `column`'s name qualified by its table's, for statement keys. */
const columnKey = (column: AnyPgColumn) => `${getTableName(column.table)}.${column.name}`;

/**
 * `select * from table where column = any($keys) and where [order by orderBy]`: one prepared statement per shape of
 * `where` (its values are placeholders), decided at the first batch; built per call when it cannot be prepared.
 *
 * `= any`, not the column pages' `in (select unnest($1))`: a loader's key column leads an index of its own, and at
 * 1,000,000 residents (`bench/loader-plans.ts`: primary keys, resident and household ids, with and without a row
 * scope, and housing's two joined batches; 1, 20, 500 and 5,000 keys; custom and generic plans) `= any` was an index
 * or bitmap scan of that index every time, touching as many buffers as `unnest` or fewer (5,000 keys: case parties
 * 299 against 19,923, welfare 1,250 against 20,165, residents 15,954 against 20,000), where `unnest` is a nested loop
 * of one probe per key. The skip scan ds21c met was of a column page's `id = any` over residents_grid_type_idx.
 */
function selectByKeys<T extends PgTable>(db: Db, table: T, column: AnyPgColumn, where: SQL | undefined, orderBy?: AnyPgColumn): (keys: unknown[]) => Promise<Row<T>[]> {
  let run: ((keys: unknown[]) => Promise<Row<T>[]>) | undefined;
  const unprepared = async (keys: unknown[]) => {
    const query = db.select().from(table as PgTable).where(and(inArray(column, keys), where));
    return (await (orderBy ? query.orderBy(asc(orderBy)) : query)) as Row<T>[];
  };
  return (keys) => {
    if (!run) {
      const condition = parameterize(where);
      const statement =
        condition &&
        preparedStatement(db, `rows|${getTableName(table)}|${columnKey(column)}|${orderBy ? columnKey(orderBy) : ''}|${condition.shape}`, (name) => {
          const query = db.select().from(table as PgTable).where(and(sql`${column} = any(${sql.placeholder('keys')})`, condition.sql));
          return (orderBy ? query.orderBy(asc(orderBy)) : query).prepare(name) as PreparedStatement<Row<T>[]>;
        });
      run = statement && condition ? (keys) => statement.execute({ ...condition.values, keys }) : unprepared;
    }
    return run(keys);
  };
}

/** A query over one batch of keys that can be awaited or prepared: what `keyBatch`'s builder returns. */
export interface BatchQuery<R> extends PromiseLike<R> {
  prepare(name: string): unknown;
}

/**
 * A loader's statement over a batch of keys, for a loader's own query (a join, an aggregate): `build(keysIn,
 * condition, value)` writes it with `keysIn(column)` where the batch's keys go, `condition` where `where` goes and
 * `value(name)` where one of `values` goes (today's date, say: a placeholder filled per execution). It is prepared
 * once per shape of `where` (values as placeholders) under `name`, which must name this query alone in the
 * department (the statement's text is derived from it); built per call when it cannot be prepared. Every value
 * must come through `keysIn`, `condition` or `value`: any other value `build` writes in is fixed in the statement the
 * first time it is prepared.
 */
export function keyBatch<R>(
  db: Db,
  name: string,
  where: SQL | undefined,
  build: (keysIn: (column: AnyPgColumn) => SQL, condition: SQL | undefined, value: (name: string) => unknown) => BatchQuery<R>,
  /** The values `build` places with `value(name)`; no name may be `keys` or start with `w` and a digit (the condition's). */
  values: Record<string, unknown> = {},
): (keys: readonly unknown[]) => Promise<R> {
  let run: ((keys: readonly unknown[]) => Promise<R>) | undefined;
  return (keys) => {
    if (!run) {
      const condition = parameterize(where);
      const statement =
        condition &&
        preparedStatement(db, `batch|${name}|${condition.shape}`, (statementName) =>
          build((column) => sql`${column} = any(${sql.placeholder('keys')})`, condition.sql, (value) => sql.placeholder(value)).prepare(
            statementName,
          ) as PreparedStatement<R>,
        );
      run =
        statement && condition
          ? (k) => statement.execute({ ...values, ...condition.values, keys: [...k] })
          : async (k) => build((column) => inArray(column, [...k]), where, (value) => values[value]);
    }
    return run(keys);
  };
}

/** One row per key (or null), from `WHERE column IN (...)`. */
export function rowByKey<T extends PgTable, K extends string | number = string>(
  db: Db,
  table: T,
  column: AnyPgColumn,
  keyOf: (row: Row<T>) => K,
  /** Rows outside this condition (a caller's row scope) load as null, in the same statement. */
  where?: SQL,
) {
  const select = selectByKeys<T>(db, table, column, where);
  return new RequestLoader<K, Row<T> | null>(async (keys) => {
    const rows = await select([...keys]);
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
  const select = selectByKeys<T>(db, table, column, where, orderBy);
  return new RequestLoader<K, Row<T>[]>(async (keys) => {
    const rows = await select([...keys]);
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
 * and filter are answered by one statement for all their parents: for each parent, a lateral subquery reads its
 * first `first + 1` rows in order (the extra row says whether a next page exists), a range of the (parent, order)
 * index that stops at the limit, each row read from the heap where the range finds it. Ranking every child of each
 * parent with `row_number()` (as this did before) read a whole street's group rentals to serve 20, and so grew with
 * the district. Taking only the keys in the lateral and then the rows by `order IN (keys)` (as this did after) probed
 * the order column's own index once per row on top: a root-to-leaf descent each, one level deeper at 1,000,000
 * residents than at 10,000 (a grid's page of 21 party members read 89 buffers that way, 25 this way).
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
  return new RequestLoader<ParentPageKey<F>, Row<T>[], string>(
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
        const parents = groupKeys.map((k) => k.parent);
        const filterWhere = options.where?.(filter);
        const build = (parentList: unknown, condition: SQL | undefined, afterValue: unknown, limit: unknown) => {
          // Inside the lateral subquery the table's qualified columns name its own FROM, the nearest scope; the
          // subquery takes the table's name as its alias, so outside it the same qualified columns name its rows.
          const inPage = and(sql`${parentColumn} = page_parent.parent`, condition, after !== null ? gt(orderColumn, afterValue) : undefined);
          const pageRows = db
            .select()
            .from(table as PgTable)
            .where(inPage)
            .orderBy(asc(orderColumn))
            .limit(limit as number)
            .as(getTableName(table));
          return db
            .select({ row: table as PgTable })
            .from(sql`unnest(${parentList}::text[]) as page_parent(parent)`)
            .crossJoinLateral(pageRows)
            .orderBy(asc(parentColumn), asc(orderColumn));
        };
        const condition = parameterize(filterWhere);
        const statement =
          condition &&
          preparedStatement(
            db,
            `page|${getTableName(table)}|${columnKey(parentColumn)}|${columnKey(orderColumn)}|${after !== null}|${condition.shape}`,
            (name) =>
              build(sql.placeholder('parents'), condition.sql, sql.placeholder('after'), sql.placeholder('limit')).prepare(
                name,
              ) as PreparedStatement<{ row: Row<T> }[]>,
          );
        const rows = (
          statement && condition
            ? await statement.execute({ ...condition.values, parents, after, limit: first + 1 })
            : await build(sql.param(parents), filterWhere, after, first + 1)
        ) as { row: Row<T> }[];
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
  type Counted = { parent: string; group: G; n: number };
  const build = (parentsIn: SQL, condition: SQL | undefined) =>
    db
      .select({ parent: sql<string>`${parentColumn}`, group: sql<G>`${groupColumn}`, n: count() })
      .from(table)
      .where(and(parentsIn, condition))
      .groupBy(parentColumn, groupColumn);
  let run: ((parents: string[]) => Promise<Counted[]>) | undefined;
  return new RequestLoader<string, { total: number; by: Partial<Record<G, number>> }>(async (parents) => {
    if (!run) {
      const condition = parameterize(options.where);
      const statement =
        condition &&
        preparedStatement(db, `counts|${getTableName(table)}|${columnKey(parentColumn)}|${columnKey(groupColumn)}|${condition.shape}`, (name) =>
          build(sql`${parentColumn} = any(${sql.placeholder('parents')})`, condition.sql).prepare(name) as PreparedStatement<Counted[]>,
        );
      run =
        statement && condition
          ? (keys) => statement.execute({ ...condition.values, parents: keys })
          : async (keys) => (await build(inArray(parentColumn, keys), options.where)) as Counted[];
    }
    const rows = await run([...parents]);
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

const BUILDERS = Symbol('hub.loader-builders');
const lazyPrototypes = new Map<string, object>();

/**
 * A request's loaders, each built when the request first uses it. A department has some thirty loaders and a fetch
 * uses a few: building them all (their DataLoaders, their statements' conditions) for every request was most of the
 * cost of a request's context. `build` names each loader's builder; the object returned has the loaders as
 * properties, typed as the builders' results. The getters live on a prototype shared by every request with the same
 * loader names, so a request pays one object and one field until it touches a loader; a touched loader becomes an
 * own property of the request's object, read as plainly as before.
 */
export function lazyLoaders<T extends Record<string, unknown>>(build: { [K in keyof T]: () => T[K] }): T {
  const names = Object.keys(build);
  const shape = names.join(',');
  let prototype = lazyPrototypes.get(shape);
  if (!prototype) {
    prototype = Object.create(null) as object;
    for (const name of names) {
      Object.defineProperty(prototype, name, {
        enumerable: true,
        get(this: { [BUILDERS]: Record<string, () => unknown> }) {
          const value = this[BUILDERS][name]!();
          Object.defineProperty(this, name, { value, enumerable: true });
          return value;
        },
      });
    }
    lazyPrototypes.set(shape, prototype);
  }
  const loaders = Object.create(prototype) as { [BUILDERS]: unknown };
  loaders[BUILDERS] = build;
  return loaders as unknown as T;
}
