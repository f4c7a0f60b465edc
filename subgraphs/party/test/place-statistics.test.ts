import { serveSubgraphForTests } from '@hub/core/testing';
import type { DemoGridContents } from '@hub/demo';
import { describePlaceStatistics } from '@hub/demo/testing';
import { expect } from 'vitest';
import { subgraph } from '../src/server.ts';

const harness = serveSubgraphForTests(subgraph);

/** The generator's members of some grids' branches, every standing in schema order. */
function expected(of: readonly DemoGridContents[]) {
  const members = of.flatMap((g) => g.party.members);
  return {
    partyMemberCounts: {
      total: members.length,
      byStatus: ['EMPLOYED', 'FLOATING', 'RETIRED'].map((status) => ({ status, count: members.filter((m) => m.status === status).length })),
    },
  };
}

describePlaceStatistics('party members counted by grid, community, street and district', {
  harness,
  fields: 'partyMemberCounts { total byStatus { status count } }',
  grids: true,
  expected,
  // One per level: grids, communities, streets, the district.
  statements: 4,
  emptyPlaces: true,
  workerGrid: (g) => g.party.members.length > 0,
  district: ({ partyMemberCounts }) => {
    expect(partyMemberCounts.total).toBeGreaterThan(0);
    // Members in work and floating members report in to their communities instead of joining residential branches.
    expect(partyMemberCounts.byStatus).toEqual([
      { status: 'EMPLOYED', count: 0 },
      { status: 'FLOATING', count: 0 },
      { status: 'RETIRED', count: partyMemberCounts.total },
    ]);
  },
});
