import { CASE_ID, checkDateRange, pageRequest, toConnection } from '@hub/core';
import type { GridResolvers } from '../__generated__/resolvers-types.ts';
import { caseCounts, sum } from '../statistics.ts';

export const Grid: GridResolvers = {
  // Civil affairs owns grids; here a grid is only the code that cases arose under.
  __resolveReference: ({ code }) => ({ code }),
  cases: async ({ code }, args, { loaders }) => {
    const page = pageRequest('grid-cases', args, CASE_ID);
    const filter = { status: args.status ?? null, category: args.category ?? null };
    const [rows, tally] = await Promise.all([
      loaders.casePageByGrid.load({ parent: code, filter, ...page }),
      loaders.caseTallyByGrid.load(code),
    ]);
    const matching = tally.cells.filter(
      (cell) => (!filter.status || cell.status === filter.status) && (!filter.category || cell.category === filter.category),
    );
    return { ...toConnection('grid-cases', rows, page, (c) => c.id), totalCount: sum(matching, (c) => c.count) };
  },
  caseFigures: (g, { from, to }, { loaders }) => {
    checkDateRange(from, to);
    return loaders.caseFiguresByGrid.load({ gridCode: g.code, period: { from: from ?? null, to: to ?? null } });
  },
  caseCounts: async ({ code }, { open }, { loaders }) => caseCounts(await loaders.caseTallyByGrid.load(code), open ?? false),
};
