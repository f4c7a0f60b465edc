import { feedWakeupRoute, type CommittedFeed, type WakeRoute } from '@hub/core';
import type pg from 'pg';
import type { GroupRentalStatus } from '../__generated__/resolvers-types.ts';

/**
 * The group-rental feed (群租整治事件流), a committed feed (`@hub/core`'s `committed-feed.ts`): a change appends its
 * event under the feed's append lock and announces it at commit, so the gateway's `groupRentalChanges` subscribers
 * are woken in commit order and read the feed themselves, as themselves.
 */
export const GROUP_RENTAL_FEED: CommittedFeed = { table: 'group_rental_events', channel: 'hub_group_rental_events', cursorKind: 'group-rental-events' };

/** What a gateway decides a wake-up on (`reach.ts`): the grid (row scope, the filter's grids) and the stage reached. */
export const routeOf = (event: { gridCode: string; toStatus: string }): WakeRoute => ({ gridCode: event.gridCode, status: event.toStatus });

/** The wake-up stream for gateways (`/feed/wake-up`). */
export const groupRentalWakeupRoute = (pool: pg.Pool) => feedWakeupRoute(pool, GROUP_RENTAL_FEED, 'housing');

/**
 * The event a group rental's record starts the feed with: IDENTIFY, at the stage the register holds, dated by the
 * last stage it reached. The migration that made the feed wrote the same for every rental then on the register
 * (`0003_group_rental_events.sql`); the demo writes it for the rentals it seeds.
 */
export function startingEvent(rental: { id: string; gridCode: string; status: GroupRentalStatus; identifiedOn: string; interviewedOn: string | null; rectifiedOn: string | null; inspections: { inspectedOn: string }[] }) {
  const lastInspectedOn = rental.inspections.map((i) => i.inspectedOn).sort().at(-1) ?? null;
  const reached = { IDENTIFIED: null, INTERVIEWED: rental.interviewedOn, RECTIFIED: lastInspectedOn ?? rental.rectifiedOn, RELAPSED: lastInspectedOn ?? rental.rectifiedOn };
  const occurredOn = reached[rental.status] ?? rental.identifiedOn;
  return {
    groupRentalId: rental.id,
    gridCode: rental.gridCode,
    action: 'IDENTIFY' as const,
    fromStatus: null,
    toStatus: rental.status,
    occurredOn,
    at: new Date(`${occurredOn}T00:00:00+08:00`),
  };
}
