import type { KeyPersonOfficerResolvers } from '../__generated__/resolvers-types.ts';

export const KeyPersonOfficer: KeyPersonOfficerResolvers = {
  name: (o, _, { masks }) => masks.name(o.name),
};
