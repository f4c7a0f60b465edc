import type { KeyPersonOfficerResolvers } from '../__generated__/resolvers-types.ts';

export const KeyPersonOfficer: KeyPersonOfficerResolvers = {
  name: (o, _, { masks }) => masks.name(o.name),
  // A health or narcotics office worker tells the category: withheld with it.
  unit: (o, _, { masks }) => (masks.disclosure.keyPersonCategory ? o.unit : null),
};
