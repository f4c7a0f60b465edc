import type { ResidentResolvers } from '../__generated__/resolvers-types.ts';

export const Resident: ResidentResolvers = {
  // Public security owns residents; mediation knows one only as a party's hub id.
  __resolveReference: ({ id }) => ({ id }),
  cases: async (r, _, { loaders }) => {
    const parties = await loaders.partiesByResident.load(r.id);
    const caseIds = [...new Set(parties.map((p) => p.caseId))];
    const found = await loaders.caseById.loadMany(caseIds);
    return found.flatMap((c) => {
      if (c instanceof Error) throw c;
      return c ? [c] : [];
    });
  },
};
