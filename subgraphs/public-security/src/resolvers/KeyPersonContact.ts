import type { KeyPersonContactResolvers } from '../__generated__/resolvers-types.ts';

export const KeyPersonContact: KeyPersonContactResolvers = {
  byName: (c, _, { masks }) => masks.name(c.byName),
  // What a visit found is health and conduct detail, as sensitive as the plan.
  finding: (c, _, { masks }) => masks.keyPersonText(c.finding),
};
