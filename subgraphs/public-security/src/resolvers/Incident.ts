import { isRow, toChinaTime } from '@hub/core';
import type { IncidentResolvers } from '../__generated__/resolvers-types.ts';

export const Incident: IncidentResolvers = {
  // Mediation refers to the incident a case came from by id; an id public security does not know resolves to null.
  __resolveReference: ({ id }, { loaders }) => loaders.incidentById.load(id),
  occurredAt: (i) => toChinaTime(i.occurredAt),
  grid: (i) => ({ code: i.gridCode }),
  address: (i, _, { masks }) => masks.address(i.address),
  // Numbers masked for everyone; for callers with names masked, the names of the people it involved.
  summary: async (i, _, { loaders, masks }) => {
    if (masks.disclosure.names === 'clear') return masks.text(i.summary);
    const involvements = await loaders.involvementsByIncident.load(i.id);
    const people = await loaders.nameOfResident.loadMany(involvements.map((v) => v.residentId));
    return masks.text(i.summary, people.flatMap((p) => (typeof p === 'string' ? [p] : [])));
  },
  involved: async (i, _, { loaders }) => {
    const involvements = await loaders.involvementsByIncident.load(i.id);
    return (await loaders.residentById.loadMany(involvements.map((v) => v.residentId))).filter(isRow);
  },
};
