/**
 * Multi-unit dispatch (吹哨报到, 主办/协办): a dispatch names a lead and any co-handlers, each with its own deadline
 * within the unit directory's limit; each unit reports in, records and finishes its part; a unit may hand its part
 * back (退单); the centre may close a co-handler's part out. The case follows the lead: its report-in starts the
 * handling, its resolution ends it once no co-handler is still open, its hand-back returns the case to the centre.
 */
import type { Caller } from '@hub/core';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { caseParts, type CasePartRow, type CaseRow } from '../db/schema.ts';
import type {
  AcknowledgeCaseInput,
  CaseDepartment,
  CloseOutCasePartInput,
  DispatchCaseInput,
  FinishCasePartInput,
  HandBackCaseInput,
} from '../__generated__/resolvers-types.ts';
import { addDays, addMonths } from './deadlines.ts';
import { checkDateWithin, checkText, InputErrorCode, optionalText } from './inputs.ts';
import { WorkflowErrorCode } from './machine.ts';
import { changeCase, type CaseChangeResult, type Tx, type WorkflowContext } from './transaction.ts';
import { DEPARTMENT_UNIT, isMediationUnit, UNIT_CODE, type HandlingUnit, type UnitDirectory } from './units.ts';

export const OPEN_PART_STATUSES = ['DISPATCHED', 'ACKNOWLEDGED'] as const;
const MAX_CO_HANDLERS = 10;

const unknownUnit = (code: string, argumentName: string) =>
  new GraphQLError(`${code} is not a unit of the directory (handlingUnits)`, {
    extensions: { code: WorkflowErrorCode.UNKNOWN_UNIT, argumentName, unit: code },
  });

/** A unit code named in an input: well-formed and in the directory. */
export function checkUnit(units: UnitDirectory, code: string, argumentName: string): HandlingUnit {
  if (!UNIT_CODE.test(code)) {
    throw new GraphQLError(`${argumentName} must be a unit code (capital letters, digits and _)`, {
      extensions: { code: InputErrorCode.INVALID_INPUT, argumentName },
    });
  }
  const unit = units.get(code);
  if (!unit) throw unknownUnit(code, argumentName);
  return unit;
}

/**
 * The unit the caller acts for: their token's `unit` claim, which must be in the directory and open to their
 * department (a station outside the hub to accounts of no department), or else their department's own unit.
 */
export function callerUnit(caller: Caller, units: UnitDirectory): HandlingUnit | null {
  if (caller.unit != null) {
    const unit = units.get(caller.unit);
    if (!unit) {
      throw new GraphQLError(`your token names unit ${caller.unit}, which is not in the unit directory`, {
        extensions: { code: WorkflowErrorCode.UNKNOWN_UNIT, unit: caller.unit },
      });
    }
    if (unit.department !== caller.department) {
      throw new GraphQLError(
        `an account of ${caller.department ?? 'no department'} cannot act for ${unit.code} (${unit.name}), whose accounts are ${unit.department ?? 'of no hub department'}`,
        { extensions: { code: WorkflowErrorCode.UNIT_NOT_ALLOWED, unit: unit.code } },
      );
    }
    return unit;
  }
  const own = caller.department === null ? undefined : DEPARTMENT_UNIT[caller.department];
  return own === undefined ? null : (units.get(own) ?? null);
}

/** The parts of a case's current dispatch, lead first. */
export function currentParts(tx: Tx, c: Pick<CaseRow, 'id' | 'dispatchRound'>): Promise<CasePartRow[]> {
  return tx
    .select()
    .from(caseParts)
    .where(and(eq(caseParts.caseId, c.id), eq(caseParts.round, c.dispatchRound)))
    .orderBy(asc(caseParts.role), asc(caseParts.unitCode));
}

/** The statuses in which a dispatch is live: its parts are open only while the case is in one of them. */
export const DISPATCH_STATUSES = ['DISPATCHED', 'IN_PROGRESS'] as const;

/** Ends every open part of a case (whatever its round) as superseded: the dispatch they belong to is over. */
export function supersedeOpenParts(tx: Tx, caseId: string, now: Date) {
  return tx
    .update(caseParts)
    .set({ status: 'SUPERSEDED', endedAt: now })
    .where(and(eq(caseParts.caseId, caseId), inArray(caseParts.status, [...OPEN_PART_STATUSES])));
}

export const isOpen = (part: CasePartRow) => (OPEN_PART_STATUSES as readonly string[]).includes(part.status);

/** The caller's unit's open part of the current dispatch, if any. */
export function openPartOf(parts: readonly CasePartRow[], unit: HandlingUnit | null): CasePartRow | null {
  if (unit === null) return null;
  return parts.find((p) => p.unitCode === unit.code && isOpen(p)) ?? null;
}

/** A dispatch deadline for a unit: today or later, within the unit's limit (a mediation committee: one month). */
export function checkUnitDeadline(unit: HandlingUnit, value: string, argumentName: string, today: string): string {
  const latest = isMediationUnit(unit) ? addMonths(today, 1) : addDays(today, unit.maxDeadlineDays);
  if (value > latest && value <= addMonths(today, 12)) {
    throw new GraphQLError(`${argumentName} ${value} is beyond ${unit.code}'s limit: at most ${isMediationUnit(unit) ? 'one month' : `${unit.maxDeadlineDays} days`} from today, by ${latest}`, {
      extensions: { code: WorkflowErrorCode.DEADLINE_BEYOND_UNIT_LIMIT, argumentName, unit: unit.code, latest },
    });
  }
  return checkDateWithin(value, argumentName, today, latest);
}

interface PlannedPart {
  unit: HandlingUnit;
  role: 'LEAD' | 'CO_HANDLER';
  dueOn: string;
  note: string | null;
}

/** What a dispatch names, checked before its transaction opens (deadlines wait for the day under the lock). */
function plannedDispatch(ctx: WorkflowContext, input: DispatchCaseInput) {
  const units = ctx.limits.units;
  if ((input.department == null) === (input.leadUnit == null)) {
    throw new GraphQLError('a dispatch names its lead: a department or a leadUnit, exactly one', {
      extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'leadUnit' },
    });
  }
  const lead = input.leadUnit != null ? checkUnit(units, input.leadUnit, 'leadUnit') : units.ofDepartment(input.department as CaseDepartment);
  const coHandlers = input.coHandlers ?? [];
  if (coHandlers.length > MAX_CO_HANDLERS) {
    throw new GraphQLError(`a dispatch names at most ${MAX_CO_HANDLERS} co-handlers`, { extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'coHandlers' } });
  }
  const seen = new Set([lead.code]);
  const co = coHandlers.map((h, i) => {
    const unit = checkUnit(units, h.unit, `coHandlers[${i}].unit`);
    if (seen.has(unit.code)) {
      throw new GraphQLError(`${unit.code} is named twice in the dispatch (lead or co-handler once each)`, {
        extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: `coHandlers[${i}].unit` },
      });
    }
    seen.add(unit.code);
    return { unit, dueOn: h.dueOn, note: optionalText(h.note, `coHandlers[${i}].note`, 500), argumentName: `coHandlers[${i}].dueOn` };
  });
  return { lead, note: optionalText(input.note, 'note', 500), co };
}

/**
 * Dispatch (派单): the open parts of the dispatch before are superseded and the new lead and co-handlers get theirs.
 * The case's time limit becomes the lead's deadline; `assignedDepartment` names the lead's hub department when the
 * lead is one of the hub's departments' own units (else null: a station outside the hub).
 */
export function dispatchCase(ctx: WorkflowContext, input: DispatchCaseInput): Promise<CaseChangeResult> {
  const plan = plannedDispatch(ctx, input);
  return changeCase(ctx, 'DISPATCH', input, async (tx, current, now, today) => {
    const parts: PlannedPart[] = [
      { unit: plan.lead, role: 'LEAD', dueOn: checkUnitDeadline(plan.lead, input.dueOn, 'dueOn', today), note: plan.note },
      ...plan.co.map((h) => ({ unit: h.unit, role: 'CO_HANDLER' as const, dueOn: checkUnitDeadline(h.unit, h.dueOn, h.argumentName, today), note: h.note })),
    ];
    await supersedeOpenParts(tx, current.id, now);
    const round = current.dispatchRound + 1;
    await tx.insert(caseParts).values(
      parts.map((p) => ({ caseId: current.id, round, unitCode: p.unit.code, role: p.role, status: 'DISPATCHED' as const, dueOn: p.dueOn, dispatchedAt: now, note: p.note })),
    );
    const dueOn = parts[0]!.dueOn;
    return {
      set: {
        assignedDepartment: departmentOfUnit(plan.lead),
        leadUnit: plan.lead.code,
        dispatchRound: round,
        dispatchedAt: now,
        acknowledgedAt: null,
        dueOn,
      },
      toStatus: 'DISPATCHED',
      unitCode: plan.lead.code,
      details: {
        dueOn,
        ...(plan.note !== null ? { note: plan.note } : {}),
        parts: parts.map((p) => ({ unit: p.unit.code, role: p.role, dueOn: p.dueOn })),
      },
    };
  });
}

/** The hub department whose own unit this is, or null. */
export function departmentOfUnit(unit: HandlingUnit): CaseDepartment | null {
  return (Object.values(DEPARTMENT_UNIT) as string[]).includes(unit.code) ? (unit.code as CaseDepartment) : null;
}

const partNotOpen = (message: string, unit: string | null) =>
  new GraphQLError(message, { extensions: { code: WorkflowErrorCode.PART_NOT_OPEN, unit } });

/** Report-in (报到): the lead's starts the handling; a co-handler's is recorded on its part. */
export function acknowledgeCase(ctx: WorkflowContext, input: AcknowledgeCaseInput): Promise<CaseChangeResult> {
  const note = optionalText(input.note, 'note', 500);
  return changeCase(ctx, 'ACKNOWLEDGE', input, async (tx, current, now, _today, own) => {
    const part = own.part!;
    if (part.status !== 'DISPATCHED') throw partNotOpen(`${part.unitCode} has already reported in on this case`, part.unitCode);
    await setPart(tx, part, { status: 'ACKNOWLEDGED', acknowledgedAt: now });
    const lead = part.role === 'LEAD';
    return {
      set: lead ? { acknowledgedAt: now } : {},
      toStatus: lead ? 'IN_PROGRESS' : current.status,
      unitCode: part.unitCode,
      details: note !== null ? { note } : {},
    };
  });
}

/** A co-handler finishes its part (协办完成), after reporting in. */
export function finishCasePart(ctx: WorkflowContext, input: FinishCasePartInput): Promise<CaseChangeResult> {
  const note = checkText(input.note, 'note', 2000);
  return changeCase(ctx, 'FINISH_PART', input, async (tx, current, now, _today, own) => {
    const part = own.part!;
    if (part.status !== 'ACKNOWLEDGED') throw partNotOpen(`${part.unitCode} reports in (acknowledgeCase) before it finishes its part`, part.unitCode);
    await setPart(tx, part, { status: 'FINISHED', endedAt: now, endNote: note });
    return { set: {}, toStatus: current.status, unitCode: part.unitCode, details: { note } };
  });
}

/** The centre closes a co-handler's open part out (协办销号) with a reason. */
export function closeOutCasePart(ctx: WorkflowContext, input: CloseOutCasePartInput): Promise<CaseChangeResult> {
  const reason = checkText(input.reason, 'reason', 500);
  const unit = checkUnit(ctx.limits.units, input.unit, 'unit');
  return changeCase(ctx, 'CLOSE_OUT_PART', input, async (tx, current, now) => {
    const part = (await currentParts(tx, current)).find((p) => p.unitCode === unit.code && isOpen(p));
    if (!part || part.role !== 'CO_HANDLER') {
      throw partNotOpen(`${unit.code} has no open co-handler's part in this case's dispatch`, unit.code);
    }
    await setPart(tx, part, { status: 'CLOSED_OUT', endedAt: now, endNote: reason });
    return { set: {}, toStatus: current.status, unitCode: unit.code, details: { note: reason } };
  });
}

/**
 * Hand-back (退单): the lead's returns the case to the centre for re-dispatch (every open part of the dispatch ends);
 * a co-handler's ends its own part, and the lead carries on.
 */
export function handBackCase(ctx: WorkflowContext, input: HandBackCaseInput): Promise<CaseChangeResult> {
  const note = checkText(input.note, 'note', 500);
  return changeCase(ctx, 'HAND_BACK', input, async (tx, current, now, _today, own) => {
    const part = own.part!;
    await setPart(tx, part, { status: 'HANDED_BACK', endedAt: now, endReason: input.reason, endNote: note });
    const details = { note, handBackReason: input.reason };
    if (part.role === 'CO_HANDLER') return { set: {}, toStatus: current.status, unitCode: part.unitCode, details };
    // The co-handlers' open parts end with the dispatch, as on every way out of it (changeCase).
    return {
      set: { assignedDepartment: null, leadUnit: null, acknowledgedAt: null },
      toStatus: 'ACCEPTED',
      unitCode: part.unitCode,
      details,
    };
  });
}

/** Before the lead resolves: every co-handler of the dispatch has finished, handed back or been closed out. */
export async function finishLeadPart(tx: Tx, current: CaseRow, now: Date): Promise<void> {
  const parts = await currentParts(tx, current);
  const open = parts.filter((p) => p.role === 'CO_HANDLER' && isOpen(p)).map((p) => p.unitCode);
  if (open.length > 0) {
    throw new GraphQLError(`the co-handlers ${open.join(', ')} have not finished their parts; they finish (finishCasePart) or the centre closes them out (closeOutCasePart) first`, {
      extensions: { code: WorkflowErrorCode.CO_HANDLERS_OPEN, caseId: current.id, openCoHandlers: open },
    });
  }
  const lead = parts.find((p) => p.role === 'LEAD' && isOpen(p));
  if (lead) await setPart(tx, lead, { status: 'FINISHED', endedAt: now });
}

function setPart(tx: Tx, part: CasePartRow, set: Partial<typeof caseParts.$inferInsert>) {
  return tx
    .update(caseParts)
    .set(set)
    .where(and(eq(caseParts.caseId, part.caseId), eq(caseParts.round, part.round), eq(caseParts.unitCode, part.unitCode)));
}
