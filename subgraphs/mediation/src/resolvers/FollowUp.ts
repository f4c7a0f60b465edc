import type { FollowUpResolvers } from '../__generated__/resolvers-types.ts';

export const FollowUp: FollowUpResolvers = {
  note: (f, _, { masks }) => masks.text(f.note),
};
