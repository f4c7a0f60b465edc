import { checkGridCode, filteredPage, gridScopeWhere, type PageRequest, type RowScope } from '@hub/core';
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { GroupRentalEventFilter, GroupRentalStatus } from '../__generated__/resolvers-types.ts';
import type { Db } from './index.ts';
import { groupRentalEvents, groupRentals } from './schema.ts';

/**
 * A page of the group rentals the caller may see in a place, with their total. Places housing does not own are not
 * looked up: an unknown code, or a grid outside the community, matches nothing.
 */
export const groupRentalPageOf = (
  db: Db,
  scope: RowScope,
  filter: { streetCode: string | null; communityCode: string | null; gridCode: string | null; status?: GroupRentalStatus | null },
  page: PageRequest,
) =>
  filteredPage(
    db,
    groupRentals,
    groupRentals.id,
    and(
      gridScopeWhere(scope, groupRentals.gridCode),
      filter.streetCode ? eq(groupRentals.streetCode, filter.streetCode) : undefined,
      filter.communityCode ? eq(groupRentals.communityCode, filter.communityCode) : undefined,
      filter.gridCode ? eq(groupRentals.gridCode, filter.gridCode) : undefined,
      filter.status ? eq(groupRentals.status, filter.status) : undefined,
    ),
    page,
  );

/**
 * A page of the group-rental feed the caller may see, after a sequence: one line per condition of the filter; an
 * empty list keeps nothing, as "any of none" says.
 */
export function groupRentalEventFeed(db: Db, scope: RowScope, filter: GroupRentalEventFilter | null | undefined, page: PageRequest) {
  if (page.first === 0) return Promise.resolve([]);
  const gridCodes = filter?.gridCodes?.map((code, i) => checkGridCode(code, `filter.gridCodes[${i}]`));
  return db
    .select()
    .from(groupRentalEvents)
    .where(
      and(
        gridScopeWhere(scope, groupRentalEvents.gridCode),
        gridCodes != null ? inArray(groupRentalEvents.gridCode, gridCodes) : undefined,
        filter?.statuses != null ? inArray(groupRentalEvents.toStatus, filter.statuses) : undefined,
        filter?.actions != null ? inArray(groupRentalEvents.action, filter.actions) : undefined,
        page.after !== null ? gt(groupRentalEvents.sequence, Number(page.after)) : undefined,
      ),
    )
    .orderBy(asc(groupRentalEvents.sequence))
    .limit(page.first + 1);
}
