import { recordUnitEvaluation } from '../evaluations.ts';
import type { MutationResolvers } from '../__generated__/resolvers-types.ts';
import {
  acceptCase,
  acknowledgeCase,
  addCaseRecord,
  closeCase,
  dispatchCase,
  followUpCase,
  rejectCase,
  reopenCase,
  reportCase,
  resolveCase,
  terminateCase,
  withdrawCase,
  recordJudicialConfirmation,
  recordAgreementPerformance,
  issueSupervisionNotice,
  replyToSupervisionNotice,
  addAccountabilityNote,
} from '../workflow/commands.ts';

// Thin on purpose: the commands hold the workflow; the context carries the caller, scope and clock they need.
export const Mutation: MutationResolvers = {
  reportCase: (_, { input }, ctx) => reportCase(ctx, input),
  acceptCase: (_, { input }, ctx) => acceptCase(ctx, input),
  rejectCase: (_, { input }, ctx) => rejectCase(ctx, input),
  dispatchCase: (_, { input }, ctx) => dispatchCase(ctx, input),
  acknowledgeCase: (_, { input }, ctx) => acknowledgeCase(ctx, input),
  addCaseRecord: (_, { input }, ctx) => addCaseRecord(ctx, input),
  resolveCase: (_, { input }, ctx) => resolveCase(ctx, input),
  followUpCase: (_, { input }, ctx) => followUpCase(ctx, input),
  closeCase: (_, { input }, ctx) => closeCase(ctx, input),
  reopenCase: (_, { input }, ctx) => reopenCase(ctx, input),
  terminateCase: (_, { input }, ctx) => terminateCase(ctx, input),
  withdrawCase: (_, { input }, ctx) => withdrawCase(ctx, input),
  recordJudicialConfirmation: (_, { input }, ctx) => recordJudicialConfirmation(ctx, input),
  recordAgreementPerformance: (_, { input }, ctx) => recordAgreementPerformance(ctx, input),
  issueSupervisionNotice: (_, { input }, ctx) => issueSupervisionNotice(ctx, input),
  replyToSupervisionNotice: (_, { input }, ctx) => replyToSupervisionNotice(ctx, input),
  addAccountabilityNote: (_, { input }, ctx) => addAccountabilityNote(ctx, input),
  recordUnitEvaluation: (_, { input }, ctx) => recordUnitEvaluation(ctx, input),
};
