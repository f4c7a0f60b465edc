import type { KeyPersonContactResolvers } from '../__generated__/resolvers-types.ts';

export const KeyPersonContact: KeyPersonContactResolvers = {
  byName: (c, _, { masks }) => masks.name(c.byName),
  // Whose worker visited tells the category, as the officers' units do.
  byUnit: (c, _, { masks }) => (masks.disclosure.keyPersonCategory ? c.byUnit : null),
  // What a visit found is health and conduct detail, as sensitive as the plan.
  // Even when disclosed, the numbers in it are masked, as in the plan (free text, every role).
  finding: (c, _, { masks }) => (masks.disclosure.keyPerson ? masks.text(masks.keyPersonText(c.finding)) : masks.keyPersonText(c.finding)),
};
