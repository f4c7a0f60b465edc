import { filteredPage, gridScopeWhere, type PageRequest, type RowScope } from '@hub/core';
import { and, eq } from 'drizzle-orm';
import type { GroupRentalStatus } from '../__generated__/resolvers-types.ts';
import type { Db } from './index.ts';
import { groupRentals } from './schema.ts';

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
