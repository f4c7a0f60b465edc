import { filteredPage, gridCodeRange, gridScopeWhere, type PageRequest, type RowScope } from '@hub/core';
import { and, between, eq, gte, lt } from 'drizzle-orm';
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

/** A page of the incidents the caller may see that match `filter`, with their total. */
export const incidentPage = (db: Db, scope: RowScope, filter: IncidentFilter, page: PageRequest) =>
  // Public security does not keep the place hierarchy: a street's grids are those whose code starts with its 9 digits.
  filteredPage(
    db,
    incidents,
    incidents.id,
    and(
      gridScopeWhere(scope, incidents.gridCode),
      filter.referredToMediation != null ? eq(incidents.referredToMediation, filter.referredToMediation) : undefined,
      filter.type != null ? eq(incidents.type, filter.type) : undefined,
      filter.streetCode != null ? streetGrids(filter.streetCode) : undefined,
      filter.gridCode != null ? eq(incidents.gridCode, filter.gridCode) : undefined,
      filter.from != null ? gte(incidents.occurredAt, chinaMidnight(filter.from)) : undefined,
      filter.to != null ? lt(incidents.occurredAt, chinaMidnight(filter.to, 1)) : undefined,
    ),
    page,
  );
