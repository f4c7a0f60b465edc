import { recordRemediation } from '../remediation/record.ts';
import type { MutationResolvers } from '../__generated__/resolvers-types.ts';

// Thin on purpose: the remediation module holds the rules; the context carries the caller, scope and clock.
export const Mutation: MutationResolvers = {
  recordGroupRentalRemediation: (_, { input }, ctx) => recordRemediation(ctx, input),
};
