/**
 * The lawful endings of mediation besides a resolution, and what follows an agreement (人民调解法):
 * - termination of a failed mediation, the parties told of arbitration, administrative or judicial channels (art. 26);
 * - withdrawal or refusal by a party after acceptance (art. 23);
 * - judicial confirmation of a written agreement, applied for within 30 days and ruled by a court (art. 33);
 * - performance of the agreement, checked and urged by the committee (art. 31).
 * Each is one action of the state table and runs in the one transaction of `transaction.ts`.
 */
import { eq } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { agreements, type AgreementRow } from '../db/schema.ts';
import type {
  RecordAgreementPerformanceInput,
  RecordJudicialConfirmationInput,
  TerminateCaseInput,
  WithdrawCaseInput,
} from '../__generated__/resolvers-types.ts';
import { addDays } from './deadlines.ts';
import { checkDateWithin, checkText, InputErrorCode } from './inputs.ts';
import { WorkflowErrorCode } from './machine.ts';
import { changeCase, type CaseChangeResult, type Tx, type WorkflowContext } from './transaction.ts';

/** Parties apply jointly for judicial confirmation within 30 days of the agreement taking effect (art. 33). */
export const JUDICIAL_CONFIRMATION_DAYS = 30;

const invalid = (message: string, argumentName: string) =>
  new GraphQLError(message, { extensions: { code: InputErrorCode.INVALID_INPUT, argumentName } });

export function terminateCase(ctx: WorkflowContext, input: TerminateCaseInput): Promise<CaseChangeResult> {
  const note = checkText(input.note, 'note', 2000);
  const channels = [...new Set(input.channels)];
  if (channels.length === 0) {
    throw invalid('a terminated mediation names the channels the parties were told of: ARBITRATION, ADMINISTRATIVE or JUDICIAL (art. 26)', 'channels');
  }
  return changeCase(ctx, 'TERMINATE', input, async (_tx, _current, now) => ({
    set: { outcome: 'MEDIATION_FAILED', resolutionNote: note, informedChannels: channels, closedAt: now },
    toStatus: 'TERMINATED',
    details: { outcome: 'MEDIATION_FAILED', channels, note },
  }));
}

export function withdrawCase(ctx: WorkflowContext, input: WithdrawCaseInput): Promise<CaseChangeResult> {
  const reason = checkText(input.reason, 'reason', 500);
  // Only the applicant withdraws an application; either party may refuse mediation.
  if (input.kind === 'WITHDRAWN' && input.by !== 'APPLICANT') {
    throw invalid('only the applicant withdraws an application; a respondent refuses mediation (kind REFUSED)', 'by');
  }
  const outcome = input.kind === 'WITHDRAWN' ? 'PARTIES_WITHDREW' : 'PARTIES_REFUSED';
  return changeCase(ctx, 'WITHDRAW', input, async (_tx, _current, now) => ({
    set: { outcome, resolutionNote: reason, withdrawnBy: input.by, closedAt: now },
    toStatus: 'WITHDRAWN',
    details: { outcome, withdrawnBy: input.by, note: reason },
  }));
}

/** The case's agreement, locked with the case; AGREEMENT_REQUIRED when there is none (or only an oral one, if `written`). */
async function agreementOf(tx: Tx, caseId: string, written: boolean): Promise<AgreementRow> {
  const [agreement] = await tx.select().from(agreements).where(eq(agreements.caseId, caseId)).for('update');
  if (!agreement || (written && agreement.form !== 'WRITTEN')) {
    throw new GraphQLError(
      agreement
        ? `case ${caseId} has an oral agreement, which cannot be judicially confirmed; only a written agreement can (art. 33)`
        : `case ${caseId} has no people's mediation agreement; only an agreement reached before a mediation committee is confirmed or performed`,
      { extensions: { code: WorkflowErrorCode.AGREEMENT_REQUIRED, caseId } },
    );
  }
  return agreement;
}

export function recordJudicialConfirmation(ctx: WorkflowContext, input: RecordJudicialConfirmationInput): Promise<CaseChangeResult> {
  const court = input.court == null || input.court.trim() === '' ? null : checkText(input.court, 'court', 200);
  if (input.step === 'APPLIED' && court === null) throw invalid('an application for judicial confirmation names the court (court)', 'court');
  if (input.step !== 'APPLIED' && court !== null) throw invalid('a ruling is recorded against the court applied to; give no court', 'court');
  return changeCase(ctx, 'RECORD_JUDICIAL_CONFIRMATION', input, async (tx, current, _now, today) => {
    const agreement = await agreementOf(tx, current.id, true);
    if (input.step === 'APPLIED') {
      if (agreement.confirmationAppliedOn !== null) {
        throw invalid(`judicial confirmation was applied for on ${agreement.confirmationAppliedOn} already`, 'step');
      }
      const on = checkDateWithin(input.on, 'on', agreement.reachedOn, minDate(today, addDays(agreement.reachedOn, JUDICIAL_CONFIRMATION_DAYS)));
      await tx.update(agreements).set({ confirmationAppliedOn: on, confirmationCourt: court }).where(eq(agreements.caseId, current.id));
    } else {
      if (agreement.confirmationAppliedOn === null) throw invalid('a ruling follows an application; record the application first (step APPLIED)', 'step');
      if (agreement.confirmationRuling !== null) throw invalid(`the court ruled ${agreement.confirmationRuling} on ${agreement.confirmationRuledOn} already`, 'step');
      const on = checkDateWithin(input.on, 'on', agreement.confirmationAppliedOn, today);
      await tx.update(agreements).set({ confirmationRuledOn: on, confirmationRuling: input.step }).where(eq(agreements.caseId, current.id));
    }
    return { set: {}, toStatus: current.status, details: { judicialConfirmation: input.step } };
  });
}

export function recordAgreementPerformance(ctx: WorkflowContext, input: RecordAgreementPerformanceInput): Promise<CaseChangeResult> {
  const note = checkText(input.note, 'note', 1000);
  return changeCase(ctx, 'RECORD_PERFORMANCE', input, async (tx, current, _now, today) => {
    await agreementOf(tx, current.id, false);
    await tx
      .update(agreements)
      .set({ performance: input.performance, performanceCheckedOn: today, performanceNote: note })
      .where(eq(agreements.caseId, current.id));
    return { set: {}, toStatus: current.status, details: { performance: input.performance, note } };
  });
}

const minDate = (a: string, b: string) => (a < b ? a : b);
