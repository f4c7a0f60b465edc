import { isRow, toChinaTime } from '@hub/core';
import type { IncidentResolvers } from '../__generated__/resolvers-types.ts';

export const Incident: IncidentResolvers = {
  // Mediation refers to the incident a case came from by id; an id public security does not know resolves to null.
  __resolveReference: ({ id }, { loaders }) => loaders.incidentById.load(id),
  occurredAt: (i) => toChinaTime(i.occurredAt),
  grid: (i) => ({ code: i.gridCode }),
  address: (i, _, { masks }) => masks.address(i.address),
  involved: async (i, _, { loaders }) => {
    const involvements = await loaders.involvementsByIncident.load(i.id);
    return (await loaders.residentById.loadMany(involvements.map((v) => v.residentId))).filter(isRow);
  },
};
