import { ErrorCode, forbiddenArgument, INCIDENT_ID, pageWithTotal, RESIDENT_KEY, totalOf } from '@hub/core';
import { GraphQLError } from 'graphql';
import { HOUSEHOLD_ID } from '../keys.ts';
import type { GridResolvers } from '../__generated__/resolvers-types.ts';
import { KEY_PERSON_ID } from '../keys.ts';
import { populationCounts, residenceSeparationCounts, specialGroupCounts } from '../statistics.ts';

export const Grid: GridResolvers = {
  // Civil affairs owns grids; here a grid is only the code that residents are registered under.
  __resolveReference: ({ code }) => ({ code }),
  residents: ({ code }, args, { loaders }) => {
    const filter = { type: args.populationType ?? null, status: args.residenceStatus ?? null };
    // Without a status the list is the grid's population (实有人口), so its total is the population's.
    const total = () =>
      !filter.status
        ? loaders.populationByGrid.load(code).then((counts) => totalOf(counts, filter.type))
        : !filter.type
          ? loaders.residenceStatusByGrid.load(code).then((counts) => totalOf(counts, filter.status))
          : loaders.populationOfStatusByGrid(filter.status).load(code).then((counts) => totalOf(counts, filter.type));
    return pageWithTotal({ kind: 'grid-residents', keyPattern: RESIDENT_KEY, keyOf: (r) => r.id }, args, (page) =>
      Promise.all([loaders.residentPageByGrid.load({ parent: code, filter, ...page }), total()]),
    );
  },
  population: async ({ code }, _, { loaders }) => populationCounts(await loaders.populationByGrid.load(code)),
  // Counts by category beside the grid's key-person list would tell each one's category in a small grid, and
  // suppressing small counts would not do: the total is known from the list, so the rest follows by subtraction.
  specialGroups: async ({ code }, _, { loaders, masks }) => {
    if (!masks.disclosure.keyPersonCategory) throw new GraphQLError("Special-group counts tell the key persons' categories: they need keyperson:read and the purpose public-safety", { extensions: { code: ErrorCode.FORBIDDEN } });
    return specialGroupCounts(await loaders.specialGroupCountsByGrid.load(code));
  },
  residenceSeparation: async ({ code }, _, { loaders }) => residenceSeparationCounts(await loaders.residenceStatusByGrid.load(code)),
  households: ({ code }, args, { loaders }) =>
    pageWithTotal({ kind: 'grid-households', keyPattern: HOUSEHOLD_ID, keyOf: (h) => h.id }, args, (page) =>
      Promise.all([
        loaders.householdPageByGrid.load({ parent: code, filter: args.basis ?? null, ...page }),
        loaders.householdCountsByGrid.load(code).then((counts) => totalOf(counts, args.basis)),
      ]),
    ),
  keyPersons: ({ code }, args, { loaders, masks }) => {
    // A filtered list would tell the category its rows withhold.
    if (args.category && !masks.disclosure.keyPersonCategory) {
      throw forbiddenArgument('category', 'Filtering key persons by category needs keyperson:read and the purpose public-safety');
    }
    return pageWithTotal({ kind: 'grid-key-persons', keyPattern: KEY_PERSON_ID, keyOf: (k) => k.id }, args, (page) =>
      Promise.all([
        loaders.keyPersonPageByGrid.load({ parent: code, filter: args.category ?? null, ...page }),
        args.category
          ? loaders.specialGroupCountsByGrid.load(code).then((counts) => counts[args.category!] ?? 0)
          : loaders.keyPersonCountsByGrid.load(code).then((counts) => counts.total),
      ]),
    );
  },
  incidents: ({ code }, args, { loaders }) =>
    pageWithTotal({ kind: 'grid-incidents', keyPattern: INCIDENT_ID, keyOf: (i) => i.id }, args, (page) =>
      Promise.all([
        loaders.incidentPageByGrid.load({ parent: code, filter: null, ...page }),
        loaders.incidentCountsByGrid.load(code).then((counts) => counts.total),
      ]),
    ),
};
