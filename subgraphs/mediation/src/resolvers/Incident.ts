import type { IncidentResolvers } from '../__generated__/resolvers-types.ts';

export const Incident: IncidentResolvers = {
  // Public security owns incidents; mediation knows one only as the incident id a referred case names.
  __resolveReference: ({ id }) => ({ id }),
  mediationCase: (i, _, { loaders }) => loaders.caseByIncidentId.load(i.id),
};
