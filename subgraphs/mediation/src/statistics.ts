import { OPEN_CASE_STATUSES } from './db/resident-columns.ts';
import { caseCategory, caseLevel, caseStatus } from './db/schema.ts';
import type { CaseCounts } from './__generated__/resolvers-types.ts';
import type { CaseTally } from './loaders.ts';

const OPEN_STATUSES = new Set<string>(OPEN_CASE_STATUSES);

export const sum = (cells: CaseTally['cells'], of: (cell: CaseTally['cells'][number]) => number) =>
  cells.reduce((n, cell) => n + of(cell), 0);

/** `CaseCounts` of a grid or a place from its tally: every status and category in schema order, zeros included. */
export function caseCounts(tally: CaseTally, open: boolean): CaseCounts {
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
    byLevel: caseLevel.enumValues.map((level) => ({
      level,
      count: sum(cells.filter((c) => c.level === level), (c) => c.count),
    })),
  };
}
