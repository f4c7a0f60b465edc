/**
 * After resolution (回访、结案): follow-up visits (two unsatisfied ones escalate the case), closing after a
 * satisfied visit, and reopening a closed or refused case.
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { caseEvents, caseParties, followUps } from '../db/schema.ts';
import type { CaseStatus, CloseCaseInput, FollowUpCaseInput, ReopenCaseInput } from '../__generated__/resolvers-types.ts';
import { addDays, addMonths, MEDIATION_TIME_LIMIT_MONTHS } from './deadlines.ts';
import { checkText, InputErrorCode } from './inputs.ts';
import { WorkflowErrorCode } from './machine.ts';
import { changeCase, type CaseChangeResult, type WorkflowContext } from './transaction.ts';

/** The second dissatisfied follow-up since a resolution escalates the case (两次不满意提级督办). */
export const UNSATISFIED_VISITS_TO_ESCALATE = 2;

export function followUpCase(ctx: WorkflowContext, input: FollowUpCaseInput): Promise<CaseChangeResult> {
  const note = checkText(input.note, 'note', 500);
  return changeCase(ctx, 'FOLLOW_UP', input, async (tx, current, now, today) => {
    const [asked] = await tx
      .select({ position: caseParties.position })
      .from(caseParties)
      .where(and(eq(caseParties.caseId, current.id), eq(caseParties.position, input.askedParty)));
    if (!asked) {
      throw new GraphQLError(`askedParty must be the position of one of the case's parties (from 1), got ${input.askedParty}`, {
        extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'askedParty' },
      });
    }
    const [last] = await tx
      .select({ position: followUps.position })
      .from(followUps)
      .where(eq(followUps.caseId, current.id))
      .orderBy(desc(followUps.position))
      .limit(1);
    await tx.insert(followUps).values({
      caseId: current.id,
      position: (last?.position ?? 0) + 1,
      visitedOn: today,
      level: input.level,
      channel: input.channel,
      askedParty: asked.position,
      visitedBy: ctx.caller.userId,
      note,
    });
    // Basically satisfied (基本满意) counts as satisfied: the case may be closed, and it is no step to escalation.
    const satisfied = input.level !== 'DISSATISFIED';
    const unsatisfied = current.unsatisfiedFollowUps + (satisfied ? 0 : 1);
    const escalate = unsatisfied >= UNSATISFIED_VISITS_TO_ESCALATE;
    // An escalated case gets the supervision office's time limit, so it cannot stall unseen (提级督办时限).
    const dueOn = escalate ? addDays(today, ctx.limits.escalationDays) : null;
    return {
      set: { unsatisfiedFollowUps: unsatisfied, ...(dueOn !== null ? { escalatedAt: now, dueOn } : {}) },
      toStatus: escalate ? 'ESCALATED' : 'RESOLVED',
      details: { satisfied, level: input.level, note, ...(dueOn !== null ? { dueOn } : {}) },
    };
  });
}

export function closeCase(ctx: WorkflowContext, input: CloseCaseInput): Promise<CaseChangeResult> {
  return changeCase(ctx, 'CLOSE', input, async (tx, current, now) => {
    // The last visit since the case was (last) resolved must have found the parties satisfied.
    const [last] = await tx
      .select({ action: caseEvents.action, details: caseEvents.details })
      .from(caseEvents)
      .where(and(eq(caseEvents.caseId, current.id), inArray(caseEvents.action, ['RESOLVE', 'FOLLOW_UP'])))
      .orderBy(desc(caseEvents.caseVersion))
      .limit(1);
    if (last?.action !== 'FOLLOW_UP' || last.details.satisfied !== true) {
      throw new GraphQLError('a case is closed only after a follow-up visit that found the parties satisfied; record one first (followUpCase)', {
        extensions: { code: WorkflowErrorCode.FOLLOW_UP_REQUIRED, caseId: current.id },
      });
    }
    return { set: { closedAt: now }, toStatus: 'CLOSED', details: {} };
  });
}

export function reopenCase(ctx: WorkflowContext, input: ReopenCaseInput): Promise<CaseChangeResult> {
  const reason = checkText(input.reason, 'reason', 500);
  return changeCase(ctx, 'REOPEN', input, async (_tx, current, now, today) => {
    // A closed, terminated or withdrawn case is handled anew from acceptance (it must be dispatched again); a refused
    // one is reconsidered, within the acceptance limit again.
    const toStatus: CaseStatus = current.status === 'REJECTED' ? 'REPORTED' : 'ACCEPTED';
    const dueOn = toStatus === 'ACCEPTED' ? addMonths(today, MEDIATION_TIME_LIMIT_MONTHS) : addDays(today, ctx.limits.acceptanceDays);
    return {
      set: {
        dueOn,
        rejectionReason: null,
        resolvedAt: null,
        closedAt: null,
        outcome: null,
        resolutionNote: null,
        assignedDepartment: null,
        leadUnit: null,
        dispatchedAt: null,
        acknowledgedAt: null,
        escalatedAt: null,
        informedChannels: null,
        withdrawnBy: null,
        unsatisfiedFollowUps: 0,
        ...(toStatus === 'ACCEPTED' ? { acceptedAt: now } : { acceptedAt: null }),
      },
      toStatus,
      details: { note: reason, dueOn },
    };
  });
}
