import { serveSubgraphForTests } from '@hub/core/testing';
import { generateDemoWorld, type DemoCase, type DemoGridContents } from '@hub/demo';
import { describePlaceStatistics, TEST_DEMO } from '@hub/demo/testing';
import { expect } from 'vitest';
import { caseCategory, caseStatus } from '../src/db/schema.ts';
import { subgraph } from '../src/server.ts';
import { chinaToday, isOverdue } from '../src/workflow/deadlines.ts';

const allCases: DemoCase[] = [...generateDemoWorld(TEST_DEMO).gridContents()].flatMap((g) => g.mediation.cases);
const OPEN = new Set(['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'ESCALATED']);

const harness = serveSubgraphForTests(subgraph);

const COUNTS = 'total overdue byStatus { status count } byCategory { category count }';

/** The generator's cases of some grids, counted as `CaseCounts` counts them: every status and category, zeros included. */
function expected(of: readonly DemoGridContents[], open = false) {
  const codes = new Set(of.map((g) => g.grid.code));
  const list = allCases.filter((c) => codes.has(c.gridCode) && (!open || OPEN.has(c.status)));
  const today = chinaToday(new Date());
  return {
    total: list.length,
    overdue: list.filter((c) => isOverdue(c, today)).length,
    byStatus: caseStatus.enumValues.map((status) => ({ status, count: list.filter((c) => c.status === status).length })),
    byCategory: caseCategory.enumValues.map((category) => ({ category, count: list.filter((c) => c.category === category).length })),
  };
}

describePlaceStatistics('case counts of grids, communities, streets and the district', {
  harness,
  fields: `all: caseCounts { ${COUNTS} } open: caseCounts(open: true) { ${COUNTS} }`,
  grids: true,
  expected: (of) => ({ all: expected(of), open: expected(of, true) }),
  // One per level: grids, communities, streets, the district.
  statements: 4,
  emptyPlaces: true,
  workerGrid: (g) => g.mediation.cases.length > 0,
  district: ({ all, open }) => {
    expect(all.total).toBe(allCases.length);
    expect(open.total).toBeGreaterThan(0);
    expect(open.total).toBeLessThan(all.total);
  },
});
