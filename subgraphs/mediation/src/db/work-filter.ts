import type { Caller } from '@hub/core';
import { and, eq, inArray, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import type { CaseStatus } from '../__generated__/resolvers-types.ts';
import { callerDepartment, type Actor } from '../workflow/machine.ts';
import { caseEvents, supervisionNotices } from './schema.ts';

/**
 * What waits for whom (待办): after a change that leaves a case in one of these statuses, the actor must take the next
 * step: the centre accepts a report, dispatches an accepted case, follows up or closes a resolved one; the department
 * it was dispatched to reports in and handles it; the supervision office re-dispatches an escalated case; a grid
 * worker visits a resolved case of their grid. Statuses, not event kinds: a new kind of change that leaves a case
 * waiting for someone (a card, a case handed back) is in their work without a line here.
 */
const WAITING: Record<Actor, readonly CaseStatus[]> = {
  CENTRE: ['REPORTED', 'ACCEPTED', 'RESOLVED'],
  ASSIGNED_DEPARTMENT: ['DISPATCHED', 'IN_PROGRESS'],
  CO_HANDLER: ['DISPATCHED', 'IN_PROGRESS'],
  // The unit a supervision notice is addressed to owes a reply, not a step in the case's status.
  UNIT: [],
  SUPERVISION: ['ESCALATED'],
  GRID_WORKER: ['RESOLVED'],
};

/**
 * The feed events that put work before the caller: the case changed status (or was dispatched anew, or reported)
 * into one that waits for one of the caller's ways of acting, or a supervision notice (督办单, a warning or a card)
 * was issued to the caller's unit, which owes a reply while the case's status stays. A caller with none has no
 * work: `false`.
 */
export function myWorkSql(caller: Caller, unit: string | null): SQL {
  const scopes = new Set<string>(caller.scopes);
  const department = callerDepartment(caller);
  const waiting = (actor: Actor) => inArray(caseEvents.toStatus, [...WAITING[actor]]);
  const mine = [
    scopes.has('case:write') ? waiting('CENTRE') : undefined,
    scopes.has('case:supervise') ? waiting('SUPERVISION') : undefined,
    // A unit's events (its dispatch as lead or co-handler, its report-in, a hand-back) wait for it while the case is open.
    scopes.has('case:respond') && unit ? and(eq(caseEvents.unitCode, unit), waiting('CO_HANDLER')) : undefined,
    scopes.has('case:respond') && department ? and(eq(caseEvents.department, department), waiting('ASSIGNED_DEPARTMENT')) : undefined,
    scopes.has('case:report') && caller.ownGridsOnly && caller.grids.length > 0 ? and(inArray(caseEvents.gridCode, caller.grids), waiting('GRID_WORKER')) : undefined,
  ].filter((condition) => condition !== undefined);
  const notices = supervisionFor(scopes, unit);
  if (mine.length === 0 && !notices) return sql`false`;
  const moved = or(isNull(caseEvents.fromStatus), ne(caseEvents.fromStatus, caseEvents.toStatus), eq(caseEvents.action, 'DISPATCH'));
  return or(mine.length > 0 ? and(moved, or(...mine)) : undefined, notices)!;
}

/**
 * SUPERVISE events whose notice is addressed to the caller: to their unit (a `case:respond` account acting for it),
 * or to the centre (a notice issued outside a dispatch, `unit_code` null) for a `case:write` account, the same
 * accounts that may reply to it (supervision.ts). The addressee is the notice's, found by the event's `noticeId`.
 */
function supervisionFor(scopes: Set<string>, unit: string | null): SQL | undefined {
  const addressed = [
    scopes.has('case:respond') && unit ? sql`${supervisionNotices.unitCode} = ${unit}` : undefined,
    scopes.has('case:write') ? sql`${supervisionNotices.unitCode} is null` : undefined,
  ].filter((condition) => condition !== undefined);
  if (addressed.length === 0) return undefined;
  return and(
    eq(caseEvents.action, 'SUPERVISE'),
    sql`(${caseEvents.details} ->> 'noticeId')::integer in (select ${supervisionNotices.id} from ${supervisionNotices} where ${or(...addressed)})`,
  );
}
