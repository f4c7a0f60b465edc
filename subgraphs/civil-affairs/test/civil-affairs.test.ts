import { DEMO_HUB_SECRET, maskPhone, residentKey } from '@hub/core';
import { errorCodes, serveSubgraphForTests } from '@hub/core/testing';
import { generateDemoWorld } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';

const world = generateDemoWorld(TEST_DEMO);
const contents = [...world.gridContents()];

const harness = serveSubgraphForTests(subgraph);

const gql = async (query: string, variables?: Record<string, unknown>) =>
  harness.gql(query, variables);

describe('the place hierarchy', () => {
  it('answers the district, its streets and their communities as generated', async () => {
    const response = await gql(`{ district { code name streets { code name kind communities { code name kind } } } }`);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      district: {
        code: world.district.code,
        name: world.district.name,
        streets: world.streets.map((s) => ({
          code: s.code,
          name: s.name,
          kind: s.kind,
          communities: world.communities
            .filter((c) => c.streetCode === s.code)
            .map((c) => ({ code: c.code, name: c.name, kind: c.kind })),
        })),
      },
    });
  });

  it('answers a grid with its community, street and workers (phones masked, residents by hub id)', async () => {
    const { grid, workers } = contents.find((c) => c.workers.length > 1)!;
    const response = await gql(
      `query ($code: ID!) { grid(code: $code) { code name sequence community { code name } street { code } workers { name phone role startedOn resident { id } } } }`,
      { code: grid.code },
    );
    const community = world.communities.find((c) => c.code === grid.communityCode)!;
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      grid: {
        code: grid.code,
        name: grid.name,
        sequence: grid.sequence,
        community: { code: community.code, name: community.name },
        street: { code: community.streetCode },
        workers: workers.map((w) => ({
          name: w.name,
          phone: maskPhone(w.phone),
          role: w.role,
          startedOn: w.startedOn,
          resident: { id: residentKey(w.idNumber, DEMO_HUB_SECRET) },
        })),
      },
    });
  });
});

describe('grid lists', () => {
  const street = world.streets[0]!;
  const streetGrids = world.grids.filter((g) => g.code.startsWith(street.code.slice(0, 9))).map((g) => g.code);

  it("pages through a street's grids in code order with the total", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const response = await gql(
        `query ($s: ID, $after: String) { grids(streetCode: $s, first: 3, after: $after) { totalCount edges { node { code } } pageInfo { hasNextPage endCursor } } }`,
        { s: street.code, after },
      );
      expect(response.errors).toBeUndefined();
      const page = (response.data as { grids: { totalCount: number; edges: { node: { code: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }).grids;
      expect(page.totalCount).toBe(streetGrids.length);
      seen.push(...page.edges.map((e) => e.node.code));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(streetGrids);
  });

  it('runs the same number of statements for a page of 100 grids as for 10', async () => {
    const measure = async (first: number) => {
      harness.database.statements.reset();
      const response = await gql(
        `query ($first: Int) { grids(first: $first) { edges { node { name community { name street { name district { name } } } workers { name } } } } }`,
        { first },
      );
      expect(response.errors).toBeUndefined();
      return harness.database.statements.count;
    };
    expect(world.grids.length).toBeGreaterThan(10);
    expect(await measure(100)).toBe(await measure(10));
  });
});

describe('bad input', () => {
  const known = world.grids[0]!.code;
  it.each([
    ['a grid code of the wrong length', `{ grid(code: "${known.slice(0, 14)}") { code } }`, 'INVALID_GRID_CODE'],
    ['a grid code with letters', `{ grid(code: "32031100100100A") { code } }`, 'INVALID_GRID_CODE'],
    ['a grid that does not exist', `{ grid(code: "${known.slice(0, 12)}999") { code } }`, 'NOT_FOUND'],
    ['a malformed street code', `{ grids(streetCode: "3203110010") { totalCount } }`, 'INVALID_PLACE_CODE'],
    ['an unknown community', `{ grids(communityCode: "320311001099") { totalCount } }`, 'NOT_FOUND'],
    ['a page size above the maximum', `{ grids(first: 501) { totalCount } }`, 'INVALID_PAGE_SIZE'],
    ['a negative page size', `{ grids(first: -1) { totalCount } }`, 'INVALID_PAGE_SIZE'],
    ['a malformed cursor', `{ grids(after: "!!") { totalCount } }`, 'INVALID_CURSOR'],
  ])('refuses %s', async (_, query, code) => {
    const response = await gql(query);
    expect(errorCodes(response)).toEqual([code]);
  });
});
