import { checkDateRange, pageRequest, toConnection } from '@hub/core';
import { caseCategory, caseStatus } from '../db/schema.ts';
import type { GridResolvers } from '../__generated__/resolvers-types.ts';
import type { CaseTally } from '../loaders.ts';
import { CASE_ID } from './ids.ts';

/** Statuses of a case not yet settled: still to be handled by someone. */
const OPEN_STATUSES = new Set<string>(['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'ESCALATED']);

const sum = (cells: CaseTally['cells'], of: (cell: CaseTally['cells'][number]) => number) =>
  cells.reduce((n, cell) => n + of(cell), 0);

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
  caseCounts: async ({ code }, { open }, { loaders }) => {
    const tally = await loaders.caseTallyByGrid.load(code);
    const cells = open ? tally.cells.filter((c) => OPEN_STATUSES.has(c.status)) : tally.cells;
    return {
      total: sum(cells, (c) => c.count),
      overdue: sum(cells, (c) => c.overdue),
      byStatus: caseStatus.enumValues.map((status) => ({
        status,
        count: sum(cells.filter((c) => c.status === status), (c) => c.count),
      })),
      byCategory: caseCategory.enumValues.map((category) => ({
        category,
        count: sum(cells.filter((c) => c.category === category), (c) => c.count),
      })),
    };
  },
};
