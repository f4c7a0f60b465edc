import { errorCodes, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';

const grids = [...generateDemoWorld(TEST_DEMO).gridContents()];
const gridCodes = grids.map((g) => g.grid.code);
const harness = serveSubgraphForTests(subgraph);

const QUERY = `query ($gridCodes: [ID!]!, $first: Int, $after: String) { partyCommunityColumns(gridCodes: $gridCodes, first: $first, after: $after) {
  communityCodes firstGridCodes reportIns volunteers volunteerTeams hasNextPage endCursor } }`;
type Page = { communityCodes: string[]; firstGridCodes: string[]; reportIns: (number | null)[]; volunteers: (number | null)[]; volunteerTeams: number[]; hasNextPage: boolean; endCursor: string | null };
const ask = (variables: Record<string, unknown>, caller = testCaller('district-analyst', { purpose: 'statistics' })) =>
  harness.gql<{ partyCommunityColumns: Page | null }>(QUERY, variables, caller);

describe('partyCommunityColumns: party figures per community, a column page at a time', () => {
  it('pages community by community to the same answer as one page', async () => {
    const whole = (await ask({ gridCodes, first: 100 })).data!.partyCommunityColumns!;
    expect(whole.communityCodes).toEqual([...new Set(gridCodes.map((g) => g.slice(0, 12)))].sort());
    expect(whole.hasNextPage).toBe(false);
    const walked: Page[] = [];
    let after: string | null = null;
    do {
      const response = await ask({ gridCodes, first: 1, after });
      expect(response.errors).toBeUndefined();
      const page: Page = response.data!.partyCommunityColumns!;
      walked.push(page);
      after = page.hasNextPage ? page.endCursor : null;
    } while (after !== null);
    expect(walked.flatMap((p) => p.communityCodes)).toEqual(whole.communityCodes);
    expect(walked.flatMap((p) => p.volunteerTeams)).toEqual(whole.volunteerTeams);
    expect(walked.flatMap((p) => p.reportIns)).toEqual(whole.reportIns);
  });

  it('counts a grid worker’s community over their own grids only', async () => {
    const own = grids.reduce((a, b) => (b.party.volunteers.length > a.party.volunteers.length ? b : a));
    const community = gridCodes.filter((g) => g.startsWith(own.grid.communityCode));
    const response = await ask({ gridCodes: community }, testCaller('grid-worker', { grids: [own.grid.code] }));
    expect(response.errors).toBeUndefined();
    expect(response.data!.partyCommunityColumns).toMatchObject({
      communityCodes: [own.grid.communityCode],
      firstGridCodes: [community.sort()[0]],
      volunteerTeams: [new Set(own.party.volunteers.map((v) => v.team)).size],
    });
  });

  it('refuses bad grids, sizes and cursors with their codes', async () => {
    expect(errorCodes(await ask({ gridCodes: ['3203110010010'] }))).toEqual(['INVALID_GRID_CODE']);
    expect(errorCodes(await ask({ gridCodes, first: 5001 }))).toEqual(['INVALID_PAGE_SIZE']);
    const first = (await ask({ gridCodes, first: 1 })).data!.partyCommunityColumns!;
    const other = gridCodes.filter((g) => !g.startsWith(first.communityCodes[0]!));
    expect(errorCodes(await ask({ gridCodes: other, after: first.endCursor }))).toEqual(['INVALID_CURSOR']);
  });
});
