import { and, asc, count, gt, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { PageRequest } from '../pagination.ts';

/**
 * One page of a filtered root list, in `key` order, and the total the filter matches: two statements whatever the
 * page size (none for the rows of an empty page). Rows come `first + 1` at the most, as `pageWithTotal` (and
 * `toConnection`) want them.
 */
export async function filteredPage<T extends PgTable>(
  db: NodePgDatabase<Record<string, unknown>>,
  table: T,
  key: AnyPgColumn,
  filter: SQL | undefined,
  page: PageRequest,
): Promise<[rows: T['$inferSelect'][], totalCount: number]> {
  const [rows, [total]] = await Promise.all([
    page.first === 0
      ? Promise.resolve([])
      : (db
          .select()
          .from(table as PgTable)
          .where(and(filter, page.after ? gt(key, page.after) : undefined))
          .orderBy(asc(key))
          .limit(page.first + 1) as Promise<T['$inferSelect'][]>),
    db.select({ n: count() }).from(table as PgTable).where(filter),
  ]);
  return [rows, total?.n ?? 0];
}
