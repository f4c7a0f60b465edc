import type { FollowUpResolvers } from '../__generated__/resolvers-types.ts';

export const FollowUp: FollowUpResolvers = {
  satisfied: (f) => f.level !== 'DISSATISFIED',
  askedParty: async (f, _, { loaders }) =>
    f.askedParty === null ? null : ((await loaders.partiesByCase.load(f.caseId)).find((p) => p.position === f.askedParty) ?? null),
  note: (f, _, { masks }) => masks.text(f.note),
};
