/**
 * Handling (办理): records of what was done on a case (mediation sessions, visits, notes on evidence), and its
 * resolution, with the agreement the parties reached.
 */
import { desc, eq } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { agreements, mediationRecords } from '../db/schema.ts';
import type { AddCaseRecordInput, ResolveCaseInput } from '../__generated__/resolvers-types.ts';
import { chinaToday } from './deadlines.ts';
import { checkDateWithin, checkDeadline, checkMediatorId, checkText, InputErrorCode, optionalText } from './inputs.ts';
import { finishLeadPart } from './parts.ts';
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

export function resolveCase(ctx: WorkflowContext, input: ResolveCaseInput): Promise<CaseChangeResult> {
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
  const terms = input.agreement ? checkText(input.agreement.terms, 'agreement.terms', 2000) : null;
  return changeCase(ctx, 'RESOLVE', input, async (tx, current, now, today) => {
    // The lead resolves the case only when no co-handler's part is still open; its own part ends with it.
    await finishLeadPart(tx, current, now);
    // A reopened case resolved again replaces the agreement of its earlier round.
    await tx.delete(agreements).where(eq(agreements.caseId, current.id));
    if (input.agreement && terms !== null) {
      const performBy = checkDeadline(input.agreement.performBy, 'agreement.performBy', today);
      await tx.insert(agreements).values({ caseId: current.id, reachedOn: today, terms, performBy, performed: false });
    }
    return {
      set: { resolvedAt: now, outcome: input.outcome, resolutionNote: note, unsatisfiedFollowUps: 0 },
      toStatus: 'RESOLVED',
      unitCode: current.leadUnit,
      details: { outcome: input.outcome, ...(note !== null ? { note } : {}) },
    };
  });
}
