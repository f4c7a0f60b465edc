import { masksFor, type Caller, type Masks, type RowScope } from '@hub/core';
import { caseScopeOf, type CaseScope } from './db/case-scope.ts';
import type { Db } from './db/index.ts';
import { createLoaders, type Loaders } from './loaders.ts';
import { chinaToday, type Clock } from './workflow/deadlines.ts';
import type { WorkflowLimits } from './workflow/units.ts';

/** How the workflow keeps time: the clock and the red card's grace period (configured per deployment). */
export interface WorkflowSettings {
  clock: Clock;
  redCardGraceDays: number;
  /** The unit directory and the acceptance and escalation time limits (MEDIATION_UNITS_FILE, MEDIATION_*_DAYS). */
  limits: WorkflowLimits;
}

export interface MediationContext {
  db: Db;
  loaders: Loaders;
  /**
   * Who is asking, as the gateway verified and vouched for them in the request's internal token: role, scopes,
   * declared purpose, own grids.
   */
  caller: Caller;
  /** The caller's masks: mediators' names (surname + * for namesMasked roles), and any identity data added later. */
  masks: Masks;
  /** The grids whose cases the caller may see (grid workers: their own): what an action on a case checks. */
  scope: RowScope;
  /** The cases the caller may read (their grids; a unit's worker, its unit's cases): every read filters by it in SQL. */
  caseScope: CaseScope;
  clock: Clock;
  /** Today in China Standard Time, read once per request so every field of an answer counts on the same day. */
  today: string;
  redCardGraceDays: number;
  limits: WorkflowLimits;
}

export function createContext(db: Db, caller: Caller, settings: WorkflowSettings): MediationContext {
  const caseScope = caseScopeOf(caller, settings.limits.units);
  const today = chinaToday(settings.clock());
  return {
    db,
    loaders: createLoaders(db, caseScope, today, settings.redCardGraceDays),
    caller,
    masks: masksFor(caller),
    scope: caseScope.grids,
    caseScope,
    clock: settings.clock,
    today,
    redCardGraceDays: settings.redCardGraceDays,
    limits: settings.limits,
  };
}
