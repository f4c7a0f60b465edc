import { serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld, type DemoGridContents } from '@hub/demo';
import { demoPlaces, EMPTY_PLACES, TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';

const world = generateDemoWorld(TEST_DEMO);
const grids: DemoGridContents[] = [...world.gridContents()];
const places = demoPlaces(world, grids);

const harness = serveSubgraphForTests(subgraph);

const COUNTS = 'partyMemberCounts { total byStatus { status count } }';
const MEMBER_COUNTS = /* GraphQL */ `
  query ($reps: [_Any!]!) {
    _entities(representations: $reps) {
      ... on Grid { code ${COUNTS} }
      ... on Community { code ${COUNTS} }
      ... on Street { code ${COUNTS} }
      ... on District { code ${COUNTS} }
    }
  }
`;
type Counts = { total: number; byStatus: { status: string; count: number }[] };
type Answer = { _entities: ({ code: string; partyMemberCounts: Counts | null } | null)[] };

const ask = async (reps: { __typename: string; code: string }[], caller = testCaller('district-analyst', { purpose: 'statistics' })) => {
  harness.database.statements.reset();
  const response = await harness.gql<Answer>(MEMBER_COUNTS, { reps }, caller);
  expect(response.errors).toBeUndefined();
  return { entities: response.data!._entities, statements: harness.database.statements.count };
};

/** The generator's members of some grids' branches, every standing in schema order. */
function expected(of: DemoGridContents[]): Counts {
  const members = of.flatMap((g) => g.party.members);
  return {
    total: members.length,
    byStatus: ['EMPLOYED', 'FLOATING', 'RETIRED'].map((status) => ({ status, count: members.filter((m) => m.status === status).length })),
  };
}

const repOf = (p: { typename: string; code: string }) => ({ __typename: p.typename, code: p.code });
const gridReps = grids.map((g) => ({ __typename: 'Grid', code: g.grid.code }));

describe('party members counted by grid, community, street and district', () => {
  it("equals the generator's members of each place's grids, at every level, every standing listed", async () => {
    const { entities } = await ask([...gridReps, ...places.map(repOf)]);
    expect(entities).toEqual([
      ...grids.map((g) => ({ code: g.grid.code, partyMemberCounts: expected([g]) })),
      ...places.map((p) => ({ code: p.code, partyMemberCounts: expected(p.grids) })),
    ]);
    const district = entities.at(-1)!.partyMemberCounts!;
    expect(district.total).toBe(grids.reduce((n, g) => n + g.party.members.length, 0));
    expect(district.byStatus.every((s) => s.count > 0)).toBe(true);
  });

  it('counts zeros, every standing listed, for well-formed codes that hold nothing', async () => {
    const { entities } = await ask(EMPTY_PLACES.map(repOf));
    expect(entities).toEqual(EMPTY_PLACES.map((p) => ({ code: p.code, partyMemberCounts: expected([]) })));
  });

  it('runs one statement per level, whatever the number of places', async () => {
    const one = await ask([gridReps[0]!, ...places.filter((p, i, all) => all.findIndex((q) => q.typename === p.typename) === i).map(repOf)]);
    expect(one.statements).toBe(4);
    expect((await ask([...gridReps, ...places.map(repOf)])).statements).toBe(one.statements);
  });

  it("counts only a grid worker's own grids, at every level", async () => {
    const own = grids.find((g) => g.party.members.length > 0)!;
    const worker = testCaller('grid-worker', { grids: [own.grid.code], purpose: 'grid-service' });
    const { entities } = await ask(places.map(repOf), worker);
    expect(entities).toEqual(places.map((p) => ({ code: p.code, partyMemberCounts: expected(p.grids.filter((g) => g === own)) })));
    expect(entities.at(-1)!.partyMemberCounts!.total).toBe(own.party.members.length);
  });
});
