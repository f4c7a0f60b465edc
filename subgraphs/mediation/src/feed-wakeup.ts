import { feedWakeupRoute, type CommittedFeed, type WakeRoute } from '@hub/core';
import type pg from 'pg';

/**
 * The case-event feed (事件流), a committed feed (`@hub/core`'s `committed-feed.ts`): each transaction that appends an
 * event takes the feed's append lock and sends `NOTIFY` on its channel with the event's sequence and route, delivered
 * when (and only if) it commits, in commit order. Subscribers read the feed itself, as themselves.
 */
export const CASE_EVENT_FEED: CommittedFeed = { table: 'case_events', channel: 'hub_case_events', cursorKind: 'case-events' };

export const FEED_CHANNEL = CASE_EVENT_FEED.channel;
export { FEED_WAKEUP_PATH } from '@hub/core';

/**
 * What a wake-up says about a case event besides its sequence: the columns a subscription's filter and row scope are
 * decided on (the gateway's `reach.ts`), so that a gateway wakes only the subscriptions the event can reach.
 */
export interface CaseEventRoute {
  gridCode: string | null;
  department: string | null;
  unitCode: string | null;
  action: string;
  fromStatus: string | null;
  toStatus: string;
}

export const routeOf = ({ gridCode, department, unitCode, action, fromStatus, toStatus }: CaseEventRoute): WakeRoute => ({ gridCode, department, unitCode, action, fromStatus, toStatus });

/** The wake-up stream for gateways (`/feed/wake-up`). */
export const caseEventWakeupRoute = (pool: pg.Pool) => feedWakeupRoute(pool, CASE_EVENT_FEED, 'mediation');
