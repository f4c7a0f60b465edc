import { gridCodeRange, gridScopeWhere, preparedPage, type PageRequest, type RowScope } from '@hub/core';
import { and, asc, between, count, eq, gt, gte, inArray, lt, sql } from 'drizzle-orm';
import type { IncidentType } from '../__generated__/resolvers-types.ts';
import type { Db } from './index.ts';
import { incidents } from './schema.ts';

/** Midnight China time (+08:00) at the start of a YYYY-MM-DD day, `days` later. */
function chinaMidnight(day: string, days = 0): Date {
  const midnight = new Date(`${day}T00:00:00+08:00`);
  return new Date(midnight.getTime() + days * 86_400_000);
}

/** A street's grid codes as a range of `incidents_grid_id_idx` (a `like` on the prefix is a scan of every incident). */
function streetGrids(streetCode: string) {
  const { from, to } = gridCodeRange('STREET', streetCode);
  return between(incidents.gridCode, from, to);
}

export interface IncidentFilter {
  referredToMediation?: boolean | null;
  type?: IncidentType | null;
  streetCode?: string | null;
  gridCode?: string | null;
  /** China-time days, both included. */
  from?: string | null;
  to?: string | null;
}

/**
 * A page of the incidents the caller may see that match `filter`, with their total: two statements. The page's ids
 * are chosen first, from an index alone where one holds the filter (`incidents_referred_grid_idx` for a street's
 * referrals), then only those rows are read. Ids run district-wide, and a page of the full rows was a walk of the
 * primary key filtering every incident since the first (about 1,200 read for a page of 21 referrals at 1,000,000
 * residents, a cost growing with the district rather than with the street asked). Both are named statements, one per
 * shape of the filter (`preparedPage`).
 */
export async function incidentPage(db: Db, scope: RowScope, filter: IncidentFilter, page: PageRequest): Promise<[rows: (typeof incidents.$inferSelect)[], totalCount: number]> {
  // Public security does not keep the place hierarchy: a street's grids are those whose code starts with its 9 digits.
  const where = and(
    gridScopeWhere(scope, incidents.gridCode),
    // A literal condition, not a parameter: the partial index's predicate must be provable from the statement.
    filter.referredToMediation != null ? (filter.referredToMediation ? sql`${incidents.referredToMediation}` : sql`not ${incidents.referredToMediation}`) : undefined,
    filter.type != null ? eq(incidents.type, filter.type) : undefined,
    filter.streetCode != null ? streetGrids(filter.streetCode) : undefined,
    filter.gridCode != null ? eq(incidents.gridCode, filter.gridCode) : undefined,
    filter.from != null ? gte(incidents.occurredAt, chinaMidnight(filter.from)) : undefined,
    filter.to != null ? lt(incidents.occurredAt, chinaMidnight(filter.to, 1)) : undefined,
  );
  // Inside the subquery the table's qualified columns name its own FROM, the nearest scope.
  return preparedPage(db, page, {
    key: 'public-security.incidentPage',
    conditions: [where],
    rows: ([condition], after, limit) =>
      db
        .select()
        .from(incidents)
        .where(
          inArray(
            incidents.id,
            db
              .select({ id: incidents.id })
              .from(incidents)
              .where(and(condition, after !== null ? gt(incidents.id, after) : undefined))
              .orderBy(asc(incidents.id))
              .limit(limit),
          ),
        )
        .orderBy(asc(incidents.id)),
    count: ([condition]) => db.select({ n: count() }).from(incidents).where(condition),
  });
}
