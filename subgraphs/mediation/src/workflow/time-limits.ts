/**
 * Extending a mediation's time limit (延长调解期限). People's mediation is normally finished within one month; a
 * longer time needs the parties' consent, recorded with the new date, who agreed (by party position, never a name)
 * and why. Only for cases the mediation committee handles: accepted and not dispatched, or with a mediation
 * committee as the lead; the new date lies after the current limit and within the committee's limit from it.
 */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { caseParties, caseParts, caseTimeLimitExtensions } from '../db/schema.ts';
import type { ExtendCaseTimeLimitInput } from '../__generated__/resolvers-types.ts';
import { addDays, addMonths } from './deadlines.ts';
import { checkDateWithin, checkText, InputErrorCode } from './inputs.ts';
import { WorkflowErrorCode } from './machine.ts';
import { changeCase, type CaseChangeResult, type WorkflowContext } from './transaction.ts';
import { isMediationUnit } from './units.ts';

export function extendCaseTimeLimit(ctx: WorkflowContext, input: ExtendCaseTimeLimitInput): Promise<CaseChangeResult> {
  const reason = checkText(input.reason, 'reason', 500);
  const consenting = [...new Set(input.consentingParties)].sort((a, b) => a - b);
  if (consenting.length === 0 || consenting.some((n) => !Number.isInteger(n) || n < 1 || n > 20)) {
    throw new GraphQLError('consentingParties lists the positions (1 to 20) of the parties who agreed', {
      extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'consentingParties' },
    });
  }
  return changeCase(ctx, 'EXTEND_TIME_LIMIT', input, async (tx, current, now) => {
    const lead = current.leadUnit === null ? null : ctx.limits.units.get(current.leadUnit);
    const byCommittee = current.status === 'ACCEPTED' ? current.leadUnit === null : lead != null && isMediationUnit(lead);
    if (!byCommittee) {
      throw new GraphQLError(`case ${current.id} is handled by ${current.leadUnit ?? 'no unit'}, not a mediation committee: its deadline is the dispatch's`, {
        extensions: { code: WorkflowErrorCode.NOT_A_MEDIATION_CASE, caseId: current.id, leadUnit: current.leadUnit },
      });
    }
    const parties = await tx.select({ position: caseParties.position, role: caseParties.role }).from(caseParties).where(eq(caseParties.caseId, current.id)).orderBy(asc(caseParties.position));
    const roles = consenting.map((n) => parties.find((p) => p.position === n)?.role);
    if (roles.includes(undefined)) {
      throw new GraphQLError(`consentingParties names a position the case does not have (it has ${parties.length} parties)`, {
        extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'consentingParties' },
      });
    }
    if (!roles.includes('APPLICANT') || !roles.includes('RESPONDENT')) {
      throw new GraphQLError('an extension needs the consent of both sides: at least one applicant and one respondent', {
        extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'consentingParties' },
      });
    }
    const limit = lead ? lead.maxDeadlineDays : 31;
    const latest = addMonths(current.dueOn, 1) < addDays(current.dueOn, limit) ? addMonths(current.dueOn, 1) : addDays(current.dueOn, limit);
    const dueOn = checkDateWithin(input.dueOn, 'dueOn', addDays(current.dueOn, 1), latest);
    const [last] = await tx
      .select({ position: caseTimeLimitExtensions.position })
      .from(caseTimeLimitExtensions)
      .where(eq(caseTimeLimitExtensions.caseId, current.id))
      .orderBy(desc(caseTimeLimitExtensions.position))
      .limit(1);
    await tx.insert(caseTimeLimitExtensions).values({
      caseId: current.id,
      position: (last?.position ?? 0) + 1,
      previousDueOn: current.dueOn,
      dueOn,
      consentingParties: consenting,
      reason,
      extendedAt: now,
      extendedBy: ctx.caller.userId,
    });
    // The committee's own part of the dispatch carries the same deadline.
    if (current.leadUnit !== null) {
      await tx
        .update(caseParts)
        .set({ dueOn })
        .where(and(eq(caseParts.caseId, current.id), eq(caseParts.round, current.dispatchRound), eq(caseParts.role, 'LEAD'), inArray(caseParts.status, ['DISPATCHED', 'ACKNOWLEDGED'])));
    }
    return {
      set: { dueOn },
      toStatus: current.status,
      unitCode: current.leadUnit,
      details: { note: reason, dueOn, previousDueOn: current.dueOn, consentingParties: consenting },
    };
  });
}

