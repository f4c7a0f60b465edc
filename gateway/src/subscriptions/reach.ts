import { inScope, rowScope, type Caller, type WakeRoute } from '@hub/core';

/** What a feed's wake-up says of its event besides its position: the codes it is routed by (`@hub/core`'s committed feeds). */
export type { WakeRoute };

/** Whether an event can be in a subscription's answer; `true` for anything it cannot decide from the route. */
export type Reach = (route: WakeRoute) => boolean;

type Condition = (route: WakeRoute) => boolean;

/**
 * Which events can reach a group of subscribers, decided without executing: the subscriber's row scope (the feed's
 * own rule, `inScope` over the event's grid), and for `caseEvents` the filter's conditions on the event's columns
 * (departments, grids, statuses, actions, units). Conditions on the case row (sources, levels, severities) and the
 * work rules of `myWork` are left to the read: they may only let more events wake a group, never fewer, so the
 * group's read (the source of truth) still decides what is delivered. A condition this misjudged would lose events:
 * `test/subscription-limits.e2e.test.ts` (and `test/group-rental-changes.e2e.test.ts` for that stream) hold it to the feed's answers.
 */
export function reachOf(field: string, args: Record<string, unknown>, caller: Caller): Reach {
  const scope = rowScope(caller);
  const conditions: Condition[] = [];
  if (!scope.allGrids) conditions.push((route) => inScope(scope, route.gridCode ?? null));
  const filter = (args.filter ?? null) as Record<string, unknown> | null;
  /** A filter's list condition on one of the route's codes. */
  const among = (key: string, of: (route: WakeRoute) => string | null | undefined) => {
    const list = filter?.[key];
    if (!Array.isArray(list)) return;
    const values = new Set(list.map(String));
    conditions.push((route) => {
      const value = of(route);
      return value != null && values.has(value);
    });
  };
  if (field === 'caseEvents') {
    among('departments', (r) => r.department);
    among('gridCodes', (r) => r.gridCode);
    among('statuses', (r) => r.toStatus);
    among('actions', (r) => r.action);
    among('units', (r) => r.unitCode);
  }
  if (field === 'groupRentalChanges') {
    // Housing's route is the rental's grid and the stage reached; the filter's actions are left to the read.
    among('gridCodes', (r) => r.gridCode);
    among('statuses', (r) => r.status);
  }
  if (conditions.length === 0) return () => true;
  return (route) => conditions.every((holds) => holds(route));
}
