import { pageRequest, RESIDENT_KEY, toConnection } from '@hub/core';
import type { GridResolvers } from '../__generated__/resolvers-types.ts';
import { INCIDENT_ID, KEY_PERSON_ID } from './ids.ts';
import { populationCounts } from './places.ts';

export const Grid: GridResolvers = {
  // Civil affairs owns grids; here a grid is only the code that residents are registered under.
  __resolveReference: ({ code }) => ({ code }),
  residents: async ({ code }, args, { loaders }) => {
    const page = pageRequest('grid-residents', args, RESIDENT_KEY);
    const populationType = args.populationType ?? null;
    const [rows, counts] = await Promise.all([
      loaders.residentPageByGrid.load({ parent: code, filter: populationType, ...page }),
      loaders.populationByGrid.load(code),
    ]);
    const connection = toConnection('grid-residents', rows, page, (r) => r.id);
    return { ...connection, totalCount: populationType ? (counts.by[populationType] ?? 0) : counts.total };
  },
  population: async ({ code }, _, { loaders }) => populationCounts(await loaders.populationByGrid.load(code)),
  keyPersons: async ({ code }, args, { loaders }) => {
    const page = pageRequest('grid-key-persons', args, KEY_PERSON_ID);
    const category = args.category ?? null;
    const [rows, counts] = await Promise.all([
      loaders.keyPersonPageByGrid.load({ parent: code, filter: category, ...page }),
      loaders.keyPersonCountsByGrid.load(code),
    ]);
    const connection = toConnection('grid-key-persons', rows, page, (k) => k.id);
    return { ...connection, totalCount: category ? (counts.by[category] ?? 0) : counts.total };
  },
  incidents: async ({ code }, args, { loaders }) => {
    const page = pageRequest('grid-incidents', args, INCIDENT_ID);
    const [rows, counts] = await Promise.all([
      loaders.incidentPageByGrid.load({ parent: code, filter: null, ...page }),
      loaders.incidentCountsByGrid.load(code),
    ]);
    return { ...toConnection('grid-incidents', rows, page, (i) => i.id), totalCount: counts.total };
  },
};
