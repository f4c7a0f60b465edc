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
  finishCasePart,
  closeOutCasePart,
  handBackCase,
  reportCaseUp,
  assignCaseDown,
  extendCaseTimeLimit,
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
  finishCasePart: (_, { input }, ctx) => finishCasePart(ctx, input),
  closeOutCasePart: (_, { input }, ctx) => closeOutCasePart(ctx, input),
  handBackCase: (_, { input }, ctx) => handBackCase(ctx, input),
  reportCaseUp: (_, { input }, ctx) => reportCaseUp(ctx, input),
  assignCaseDown: (_, { input }, ctx) => assignCaseDown(ctx, input),
  extendCaseTimeLimit: (_, { input }, ctx) => extendCaseTimeLimit(ctx, input),
};
