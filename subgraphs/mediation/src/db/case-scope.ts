import { gridScopeWhere, rowScope, type Caller, type RowScope } from '@hub/core';
import { and, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { callerUnit } from '../workflow/parts.ts';
import type { UnitDirectory } from '../workflow/units.ts';
import { caseEvents, caseParts, cases } from './schema.ts';

/**
 * The cases a caller may read (the row rule), applied by every read of a case or of its events: a case by id or by
 * incident, the lists (`cases`, `Grid.cases`, `House.cases`, `GroupRental.disputes`, `Resident.cases`), the counts and
 * figures, the feed (`caseEvents`, `myWork`, and so the subscriptions the gateway serves from them). Two rules, both
 * held in SQL so a case outside them loads as null and is left out of lists, counts and the feed alike:
 * - the grid scope: a grid worker sees the cases of their grids;
 * - the unit: a unit's worker (an account with `case:respond` and none of the centre's `case:write`, the supervision
 *   office's `case:supervise` or `statistics:read`) sees the cases its unit has or had a part in, as lead or
 *   co-handler, in any dispatch: what is before it now and what it handled or handed back, with their whole timeline;
 *   and the cases its department's accounts referred (a police referral, 警调对接; a department referral), whose
 *   outcome the referring department follows.
 */
export interface CaseScope {
  grids: RowScope;
  /** The unit a unit's worker is limited to; null for a caller the unit rule does not limit. */
  unit: string | null;
  /** The rule as a condition on `cases`; undefined when the caller sees every case. */
  cases: SQL | undefined;
  /** The same rule as a condition on `case_events` (the events of the cases the caller sees). */
  events: SQL | undefined;
}

const CENTRE_WIDE = ['case:write', 'case:supervise', 'statistics:read'] as const;

/** Whether the unit rule limits this caller: a unit's worker, not the centre, the supervision office or statistics. */
export const isUnitWorker = (caller: Caller): boolean =>
  caller.scopes.includes('case:respond') && !caller.scopes.some((s) => (CENTRE_WIDE as readonly string[]).includes(s));

/**
 * Cases in which the unit holds or held a part of a dispatch, or which an account of the department referred (a police
 * or department referral, reported by it: the case's first event), by the column naming the case. A grid worker's
 * report is not a referral of civil affairs: the grid worker's own rule is their grids.
 */
const unitCasesSql = (unit: string, department: string | null, caseId: AnyColumn) => sql`(exists (select 1 from ${caseParts} where ${caseParts.caseId} = ${caseId} and ${caseParts.unitCode} = ${unit})
  ${department === null ? sql`` : sql`or exists (select 1 from ${caseEvents} reported join ${cases} referred on referred.id = reported.case_id
    where reported.case_id = ${caseId} and reported.case_version = 1 and reported.actor_department = ${department}
      and referred.source in ('POLICE_REFERRAL', 'DEPARTMENT_REFERRAL'))`})`;

export function caseScopeOf(caller: Caller, units: UnitDirectory): CaseScope {
  const grids = rowScope(caller);
  if (!isUnitWorker(caller)) {
    return { grids, unit: null, cases: gridScopeWhere(grids, cases.gridCode), events: gridScopeWhere(grids, caseEvents.gridCode) };
  }
  // A unit's worker whose token names no unit it may act for (none, one not in the directory, one of another
  // department) acts for none and so sees no case; the actions and `cases` say why (UNKNOWN_UNIT, UNIT_NOT_ALLOWED).
  let unit: string | null = null;
  try {
    unit = callerUnit(caller, units)?.code ?? null;
  } catch {
    unit = null;
  }
  if (unit === null) return { grids, unit: null, cases: sql`false`, events: sql`false` };
  return {
    grids,
    unit,
    cases: and(gridScopeWhere(grids, cases.gridCode), unitCasesSql(unit, caller.department, cases.id)),
    events: and(gridScopeWhere(grids, caseEvents.gridCode), unitCasesSql(unit, caller.department, caseEvents.caseId)),
  };
}
