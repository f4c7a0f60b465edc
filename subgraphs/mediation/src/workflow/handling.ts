/**
 * Handling (办理): records of what was done on a case (mediation sessions, visits, notes on evidence), and its
 * resolution. Only the mediation committee's resolution makes a people's mediation agreement (人民调解协议, arts.
 * 28-29); a department resolves by administrative handling or 行政调解, with no agreement and no judicial
 * confirmation. A failed mediation and a withdrawal end by their own actions (endings.ts).
 */
import { desc, eq } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { agreements, mediationRecords } from '../db/schema.ts';
import type { AddCaseRecordInput, CaseOutcome, ResolveCaseInput } from '../__generated__/resolvers-types.ts';
import { chinaToday } from './deadlines.ts';
import { checkDateWithin, checkDeadline, checkMediatorId, checkText, InputErrorCode, optionalText } from './inputs.ts';
import { finishLeadPart } from './parts.ts';
import { isMediationUnit } from './units.ts';
import { WorkflowErrorCode } from './machine.ts';
import { checkMediatorOfCommittee } from './references.ts';
import { changeCase, type CaseChangeResult, type WorkflowContext } from './transaction.ts';

export function addCaseRecord(ctx: WorkflowContext, input: AddCaseRecordInput): Promise<CaseChangeResult> {
  const content = checkText(input.content, 'content', 2000);
  const mediatorId = input.mediatorId == null ? null : checkMediatorId(input.mediatorId);
  if (input.kind === 'MEDIATION_SESSION' && mediatorId === null) {
    throw new GraphQLError('a mediation session names the mediator who held it (mediatorId)', {
      extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'mediatorId' },
    });
  }
  return changeCase(ctx, 'ADD_RECORD', input, async (tx, current, _now, today, own) => {
    const heldOn = checkDateWithin(input.heldOn, 'heldOn', chinaToday(current.receivedAt), today);
    const mediator = mediatorId === null ? null : await checkMediatorOfCommittee(tx, mediatorId, current.committeeId);
    const [last] = await tx
      .select({ position: mediationRecords.position })
      .from(mediationRecords)
      .where(eq(mediationRecords.caseId, current.id))
      .orderBy(desc(mediationRecords.position))
      .limit(1);
    await tx.insert(mediationRecords).values({
      caseId: current.id,
      position: (last?.position ?? 0) + 1,
      kind: input.kind,
      heldOn,
      mediatorId: mediator,
      recordedBy: ctx.caller.userId,
      content,
    });
    return {
      set: {},
      toStatus: current.status,
      unitCode: own.part?.unitCode ?? null,
      details: { recordKind: input.kind, ...(mediator !== null ? { mediatorId: mediator } : {}) },
    };
  });
}

/** Outcomes that end a case by their own action, never by a resolution. */
const ENDED_ELSEWHERE: Partial<Record<CaseOutcome, string>> = {
  MEDIATION_FAILED: 'a failed mediation is terminated with the channels the parties were told of (terminateCase, art. 26)',
  PARTIES_WITHDREW: "a party's withdrawal is recorded with withdrawCase (art. 23)",
  PARTIES_REFUSED: "a party's refusal is recorded with withdrawCase (art. 23)",
};

const outcomeNotAllowed = (message: string, outcome: CaseOutcome) =>
  new GraphQLError(message, { extensions: { code: WorkflowErrorCode.OUTCOME_NOT_ALLOWED, argumentName: 'outcome', outcome } });

export function resolveCase(ctx: WorkflowContext, input: ResolveCaseInput): Promise<CaseChangeResult> {
  const elsewhere = ENDED_ELSEWHERE[input.outcome];
  if (elsewhere) throw outcomeNotAllowed(`${input.outcome} is not a resolution: ${elsewhere}`, input.outcome);
  const note = optionalText(input.note, 'note', 2000);
  const withAgreement = input.outcome === 'AGREEMENT_REACHED';
  if (withAgreement !== (input.agreement != null)) {
    throw new GraphQLError('an agreement is given exactly when the outcome is AGREEMENT_REACHED', {
      extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'agreement' },
    });
  }
  if (!withAgreement && note === null) {
    throw new GraphQLError(`a ${input.outcome} resolution says what was done (note)`, {
      extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'note' },
    });
  }
  const agreement = input.agreement
    ? {
        form: input.agreement.form ?? 'WRITTEN',
        facts: checkText(input.agreement.facts, 'agreement.facts', 2000),
        liabilities: checkText(input.agreement.liabilities, 'agreement.liabilities', 2000),
        terms: checkText(input.agreement.terms, 'agreement.terms', 2000),
        performanceManner: checkText(input.agreement.performanceManner, 'agreement.performanceManner', 500),
      }
    : null;
  return changeCase(ctx, 'RESOLVE', input, async (tx, current, now, today) => {
    const lead = current.leadUnit === null ? undefined : ctx.limits.units.get(current.leadUnit);
    const byCommittee = lead !== undefined && isMediationUnit(lead);
    if (input.outcome === 'AGREEMENT_REACHED' && !byCommittee) {
      throw outcomeNotAllowed(
        "only a people's mediation committee makes a people's mediation agreement (人民调解协议); a department resolves as HANDLED_BY_DEPARTMENT or ADMINISTRATIVE_MEDIATION (行政调解)",
        input.outcome,
      );
    }
    if (input.outcome === 'ADMINISTRATIVE_MEDIATION' && byCommittee) {
      throw outcomeNotAllowed('a mediation committee does not mediate administratively; its agreement is AGREEMENT_REACHED', input.outcome);
    }
    // The lead resolves the case only when no co-handler's part is still open; its own part ends with it.
    await finishLeadPart(tx, current, now);
    // A reopened case resolved again replaces the agreement of its earlier round.
    await tx.delete(agreements).where(eq(agreements.caseId, current.id));
    if (input.agreement && agreement !== null) {
      const performBy = checkDeadline(input.agreement.performBy, 'agreement.performBy', today);
      await tx.insert(agreements).values({ caseId: current.id, reachedOn: today, ...agreement, performBy });
    }
    return {
      set: { resolvedAt: now, outcome: input.outcome, resolutionNote: note, unsatisfiedFollowUps: 0 },
      toStatus: 'RESOLVED',
      unitCode: current.leadUnit,
      details: { outcome: input.outcome, ...(note !== null ? { note } : {}) },
    };
  });
}
