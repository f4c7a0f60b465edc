/**
 * The life of a case at the comprehensive governance centre (综治中心), as a table: which action is legal in which
 * status, where it leads, and who may take it. Everything that writes a case goes through `transition`, so no
 * resolver can move a case along a path this table does not hold.
 */
import type { Caller } from '@hub/core';
import { GraphQLError } from 'graphql';
import type { CaseAction, CaseDepartment, CaseStatus } from '../__generated__/resolvers-types.ts';

export const WorkflowErrorCode = {
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  CONFLICT: 'CONFLICT',
  FORBIDDEN: 'FORBIDDEN',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  FOLLOW_UP_REQUIRED: 'FOLLOW_UP_REQUIRED',
  ALREADY_REFERRED: 'ALREADY_REFERRED',
  SOURCE_NOT_ALLOWED: 'SOURCE_NOT_ALLOWED',
  CASE_SEQUENCE_EXHAUSTED: 'CASE_SEQUENCE_EXHAUSTED',
  // Handling units, levels and time limits (units.ts, parts.ts, levels.ts, time-limits.ts).
  UNKNOWN_UNIT: 'UNKNOWN_UNIT',
  UNIT_NOT_ALLOWED: 'UNIT_NOT_ALLOWED',
  DEADLINE_BEYOND_UNIT_LIMIT: 'DEADLINE_BEYOND_UNIT_LIMIT',
  PART_NOT_OPEN: 'PART_NOT_OPEN',
  CO_HANDLERS_OPEN: 'CO_HANDLERS_OPEN',
  LEVEL_LIMIT: 'LEVEL_LIMIT',
  NOT_A_MEDIATION_CASE: 'NOT_A_MEDIATION_CASE',
  OUTCOME_NOT_ALLOWED: 'OUTCOME_NOT_ALLOWED',
  ALREADY_ISSUED: 'ALREADY_ISSUED',
  ALREADY_REPLIED: 'ALREADY_REPLIED',
  ALREADY_EVALUATED: 'ALREADY_EVALUATED',
  ALREADY_REPORTED: 'ALREADY_REPORTED',
  AGREEMENT_REQUIRED: 'AGREEMENT_REQUIRED',
} as const;

/**
 * Who takes an action: the centre (受理、派单、回访、结案: `case:write`), the department the case is dispatched to
 * (部门报到、办理: `case:respond` and the same department), the supervision office (督查室: `case:supervise`), or a
 * grid worker on a visit to a case of their own grid (`case:report`).
 */
export type Actor = 'CENTRE' | 'ASSIGNED_DEPARTMENT' | 'SUPERVISION' | 'GRID_WORKER' | 'CO_HANDLER' | 'UNIT';
// ASSIGNED_DEPARTMENT is the lead unit (主办) of the current dispatch, CO_HANDLER a co-handler (协办) with an open
// part in it: which one a caller is follows the unit they act for (parts.ts), not only their department. UNIT is any
// account acting for a unit (case:respond), part or not: the action itself decides which unit may (a notice's reply).

interface Rule {
  /** Where the action leads: a status, SAME (records), or DECIDED by the action itself (a follow-up may escalate). */
  to: CaseStatus | 'SAME' | 'DECIDED';
  actors: readonly Actor[];
  /** For DECIDED: the statuses the action may lead to besides staying (default: ESCALATED, as a follow-up). */
  decides?: readonly CaseStatus[];
}

/** 人民调解法 art. 23: the parties may withdraw from or refuse mediation at any point after acceptance until it ends. */
function PARTIES_MAY_WITHDRAW(actors: readonly Actor[]): Partial<Record<Exclude<CaseAction, 'REPORT'>, Rule>> {
  return { WITHDRAW: { to: 'WITHDRAWN', actors } };
}

/**
 * Once an agreement exists, its judicial confirmation (art. 33) and performance (art. 31) are followed whatever
 * becomes of the case afterwards: resolved, closed or escalated.
 */
const AGREEMENT_FOLLOW_THROUGH: Partial<Record<Exclude<CaseAction, 'REPORT'>, Rule>> = {
  RECORD_JUDICIAL_CONFIRMATION: { to: 'SAME', actors: ['CENTRE', 'ASSIGNED_DEPARTMENT'] },
  RECORD_PERFORMANCE: { to: 'SAME', actors: ['CENTRE', 'ASSIGNED_DEPARTMENT'] },
};

/**
 * Supervision (督办, src/workflow/supervision.ts): notices go to cases still to be handled; the reply and the
 * accountability notes follow a notice whatever the case has become since.
 */
const SUPERVISED: Partial<Record<Exclude<CaseAction, 'REPORT'>, Rule>> = {
  SUPERVISE: { to: 'SAME', actors: ['SUPERVISION'] },
  ...ASSESSED(),
};

/** 研判 (src/workflow/assessment.ts): while a case is still to be handled, or escalated. */
function ASSESSED(): Partial<Record<Exclude<CaseAction, 'REPORT'>, Rule>> {
  return { ASSESS: { to: 'SAME', actors: ['CENTRE', 'SUPERVISION'] } };
}
const SUPERVISION_FOLLOW_UP: Partial<Record<Exclude<CaseAction, 'REPORT'>, Rule>> = {
  // The unit a notice is addressed to replies even after its part has ended (the case resolved, re-dispatched or
  // ended since); replyToSupervisionNotice refuses every other unit.
  REPLY_SUPERVISION: { to: 'SAME', actors: ['CENTRE', 'UNIT'] },
  NOTE_ACCOUNTABILITY: { to: 'SAME', actors: ['SUPERVISION'] },
};

/** status -> action -> rule. An action missing from a status is illegal there. */
const RULES: Record<CaseStatus, Partial<Record<Exclude<CaseAction, 'REPORT'>, Rule>>> = {
  REPORTED: {
    ACCEPT: { to: 'ACCEPTED', actors: ['CENTRE'] },
    REJECT: { to: 'REJECTED', actors: ['CENTRE'] },
    ...SUPERVISED,
    ...SUPERVISION_FOLLOW_UP,
  },
  ACCEPTED: {
    DISPATCH: { to: 'DISPATCHED', actors: ['CENTRE'] },
    ADD_RECORD: { to: 'SAME', actors: ['CENTRE'] },
    REPORT_UP: { to: 'SAME', actors: ['CENTRE'] },
    ASSIGN_DOWN: { to: 'SAME', actors: ['CENTRE', 'SUPERVISION'] },
    EXTEND_TIME_LIMIT: { to: 'SAME', actors: ['CENTRE'] },
    ...PARTIES_MAY_WITHDRAW(['CENTRE']),
    ...SUPERVISED,
    ...SUPERVISION_FOLLOW_UP,
  },
  REJECTED: {
    REOPEN: { to: 'REPORTED', actors: ['CENTRE'] },
    ...SUPERVISION_FOLLOW_UP,
  },
  DISPATCHED: {
    // The lead's report-in starts the handling; a co-handler's leaves the case waiting for the lead.
    ACKNOWLEDGE: { to: 'DECIDED', actors: ['ASSIGNED_DEPARTMENT', 'CO_HANDLER'], decides: ['IN_PROGRESS'] },
    // A department that is not the right one hands it back; the centre sends it on to another.
    DISPATCH: { to: 'DISPATCHED', actors: ['CENTRE'] },
    ADD_RECORD: { to: 'SAME', actors: ['CENTRE'] },
    FINISH_PART: { to: 'SAME', actors: ['CO_HANDLER'] },
    CLOSE_OUT_PART: { to: 'SAME', actors: ['CENTRE'] },
    // The lead's hand-back returns the case to the centre; a co-handler's ends its own part only.
    HAND_BACK: { to: 'DECIDED', actors: ['ASSIGNED_DEPARTMENT', 'CO_HANDLER'], decides: ['ACCEPTED'] },
    REPORT_UP: { to: 'SAME', actors: ['CENTRE', 'ASSIGNED_DEPARTMENT'] },
    ASSIGN_DOWN: { to: 'SAME', actors: ['CENTRE', 'SUPERVISION'] },
    EXTEND_TIME_LIMIT: { to: 'SAME', actors: ['CENTRE', 'ASSIGNED_DEPARTMENT'] },
    ...PARTIES_MAY_WITHDRAW(['CENTRE']),
    ...SUPERVISED,
    ...SUPERVISION_FOLLOW_UP,
  },
  IN_PROGRESS: {
    ACKNOWLEDGE: { to: 'SAME', actors: ['CO_HANDLER'] },
    ADD_RECORD: { to: 'SAME', actors: ['CENTRE', 'ASSIGNED_DEPARTMENT', 'CO_HANDLER'] },
    RESOLVE: { to: 'RESOLVED', actors: ['ASSIGNED_DEPARTMENT'] },
    FINISH_PART: { to: 'SAME', actors: ['CO_HANDLER'] },
    CLOSE_OUT_PART: { to: 'SAME', actors: ['CENTRE'] },
    HAND_BACK: { to: 'DECIDED', actors: ['ASSIGNED_DEPARTMENT', 'CO_HANDLER'], decides: ['ACCEPTED'] },
    REPORT_UP: { to: 'SAME', actors: ['CENTRE', 'ASSIGNED_DEPARTMENT'] },
    ASSIGN_DOWN: { to: 'SAME', actors: ['CENTRE', 'SUPERVISION'] },
    EXTEND_TIME_LIMIT: { to: 'SAME', actors: ['CENTRE', 'ASSIGNED_DEPARTMENT'] },
    // 人民调解法 art. 26: a mediation that fails is terminated, by whoever is mediating.
    TERMINATE: { to: 'TERMINATED', actors: ['CENTRE', 'ASSIGNED_DEPARTMENT'] },
    ...PARTIES_MAY_WITHDRAW(['CENTRE', 'ASSIGNED_DEPARTMENT']),
    ...SUPERVISED,
    ...SUPERVISION_FOLLOW_UP,
  },
  RESOLVED: {
    // Satisfied: stays resolved until closed; unsatisfied once: another visit; twice: escalated.
    FOLLOW_UP: { to: 'DECIDED', actors: ['CENTRE', 'GRID_WORKER'] },
    CLOSE: { to: 'CLOSED', actors: ['CENTRE'] },
    ...AGREEMENT_FOLLOW_THROUGH,
    ...SUPERVISION_FOLLOW_UP,
  },
  CLOSED: {
    REOPEN: { to: 'ACCEPTED', actors: ['CENTRE'] },
    ...AGREEMENT_FOLLOW_THROUGH,
    ...SUPERVISION_FOLLOW_UP,
  },
  ESCALATED: {
    DISPATCH: { to: 'DISPATCHED', actors: ['SUPERVISION'] },
    ADD_RECORD: { to: 'SAME', actors: ['CENTRE', 'SUPERVISION'] },
    REPORT_UP: { to: 'SAME', actors: ['CENTRE', 'SUPERVISION'] },
    ASSIGN_DOWN: { to: 'SAME', actors: ['CENTRE', 'SUPERVISION'] },
    // An escalated case runs on the supervision limit (time-limits.ts), so it is warned and carded like any other
    // case still to be handled (DEADLINE_STATUSES).
    ...SUPERVISED,
    ...AGREEMENT_FOLLOW_THROUGH,
    ...SUPERVISION_FOLLOW_UP,
  },
  // Lawful endings (src/workflow/endings.ts): final unless the centre takes the case up again.
  TERMINATED: {
    REOPEN: { to: 'ACCEPTED', actors: ['CENTRE'] },
    ...SUPERVISION_FOLLOW_UP,
  },
  WITHDRAWN: {
    REOPEN: { to: 'ACCEPTED', actors: ['CENTRE'] },
    ...SUPERVISION_FOLLOW_UP,
  },
};

/** Whether a DECIDED rule may lead from `status` to `to`: staying, or one of the statuses it names. */
export function mayDecide(status: CaseStatus, action: Exclude<CaseAction, 'REPORT'>, to: CaseStatus): boolean {
  const rule = RULES[status][action];
  return rule?.to === 'DECIDED' && (to === status || (rule.decides ?? ['ESCALATED']).includes(to));
}

/** The actions legal in a status, in the order of the table. */
export function allowedActions(status: CaseStatus): CaseAction[] {
  return Object.keys(RULES[status]) as CaseAction[];
}

/** The statuses an action can lead to from a status, for the refusal message. */
function nextStatuses(status: CaseStatus): CaseStatus[] {
  const next = new Set<CaseStatus>();
  for (const rule of Object.values(RULES[status])) {
    if (rule.to === 'SAME') next.add(status);
    else if (rule.to === 'DECIDED') for (const to of [status, ...(rule.decides ?? ['ESCALATED'])]) next.add(to);
    else next.add(rule.to);
  }
  return [...next];
}

/** The `department` claim of a caller, as the enum cases are dispatched with. */
export const DEPARTMENT_OF_CLAIM: Record<string, CaseDepartment> = {
  'public-security': 'PUBLIC_SECURITY',
  'civil-affairs': 'CIVIL_AFFAIRS',
  party: 'PARTY',
  housing: 'HOUSING',
  mediation: 'MEDIATION',
};

export const callerDepartment = (caller: Caller): CaseDepartment | null =>
  caller.department === null ? null : (DEPARTMENT_OF_CLAIM[caller.department] ?? null);

/**
 * The ways the caller can act on this case. `partRole` is the role of the open part of the current dispatch held by
 * the unit the caller acts for (parts.ts), null when it holds none.
 */
export function actorsOf(caller: Caller, c: { gridCode: string }, partRole: 'LEAD' | 'CO_HANDLER' | null = null): Set<Actor> {
  const actors = new Set<Actor>();
  const scopes = new Set<string>(caller.scopes);
  if (scopes.has('case:write')) actors.add('CENTRE');
  if (scopes.has('case:supervise')) actors.add('SUPERVISION');
  if (scopes.has('case:respond') && partRole === 'LEAD') actors.add('ASSIGNED_DEPARTMENT');
  if (scopes.has('case:respond') && partRole === 'CO_HANDLER') actors.add('CO_HANDLER');
  if (scopes.has('case:respond')) actors.add('UNIT');
  if (scopes.has('case:report') && caller.ownGridsOnly && caller.grids.includes(c.gridCode)) actors.add('GRID_WORKER');
  return actors;
}

/**
 * Checks that `action` is legal for a case in `status` and that the caller may take it; returns the rule's target.
 * Illegal: INVALID_TRANSITION naming the current status and the allowed actions and statuses. Legal but not the
 * caller's to take: FORBIDDEN naming who may.
 */
export function transition(
  status: CaseStatus,
  action: Exclude<CaseAction, 'REPORT'>,
  actors: ReadonlySet<Actor>,
): CaseStatus | 'SAME' | 'DECIDED' {
  const rule = RULES[status][action];
  if (!rule) {
    const allowed = allowedActions(status);
    throw new GraphQLError(
      `a case in status ${status} cannot ${action.toLowerCase().replace('_', ' ')}; allowed now: ${allowed.join(', ') || 'nothing'}`,
      {
        extensions: {
          code: WorkflowErrorCode.INVALID_TRANSITION,
          currentStatus: status,
          action,
          allowedActions: allowed,
          allowedStatuses: nextStatuses(status),
        },
      },
    );
  }
  if (!rule.actors.some((actor) => actors.has(actor))) {
    throw new GraphQLError(`${action} of a case in status ${status} is for ${rule.actors.map(describeActor).join(' or ')}`, {
      extensions: { code: WorkflowErrorCode.FORBIDDEN, action, currentStatus: status, entitled: rule.actors },
    });
  }
  return rule.to;
}

function describeActor(actor: Actor): string {
  switch (actor) {
    case 'CENTRE':
      return 'the governance centre (case:write)';
    case 'ASSIGNED_DEPARTMENT':
      return 'the lead unit it is dispatched to (case:respond)';
    case 'CO_HANDLER':
      return 'a co-handler with an open part (case:respond)';
    case 'SUPERVISION':
      return 'the supervision office (case:supervise)';
    case 'GRID_WORKER':
      return "a grid worker of the case's grid";
    case 'UNIT':
      return 'the unit it concerns (case:respond)';
  }
}

/** Every (status, action) pair of the table, for tests that walk all of them. */
export function legalPairs(): { status: CaseStatus; action: CaseAction; actors: readonly Actor[] }[] {
  return (Object.entries(RULES) as [CaseStatus, Partial<Record<CaseAction, Rule>>][]).flatMap(([status, rules]) =>
    (Object.entries(rules) as [CaseAction, Rule][]).map(([action, rule]) => ({ status, action, actors: rule.actors })),
  );
}
