import { serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld, type DemoCase, type DemoGridContents } from '@hub/demo';
import { demoPlaces, EMPTY_PLACES, TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { caseCategory, caseStatus } from '../src/db/schema.ts';
import { subgraph } from '../src/server.ts';
import { chinaToday, isOverdue } from '../src/today.ts';

const world = generateDemoWorld(TEST_DEMO);
const grids: DemoGridContents[] = [...world.gridContents()];
const places = demoPlaces(world, grids);
const allCases: DemoCase[] = grids.flatMap((g) => g.mediation.cases);
const OPEN = new Set(['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'ESCALATED']);

const harness = serveSubgraphForTests(subgraph);

const COUNTS = 'total overdue byStatus { status count } byCategory { category count }';
const FIELDS = `code all: caseCounts { ${COUNTS} } open: caseCounts(open: true) { ${COUNTS} }`;
const CASE_COUNTS = /* GraphQL */ `
  query ($reps: [_Any!]!) {
    _entities(representations: $reps) {
      ... on Grid { ${FIELDS} }
      ... on Community { ${FIELDS} }
      ... on Street { ${FIELDS} }
      ... on District { ${FIELDS} }
    }
  }
`;
type Counts = { total: number; overdue: number; byStatus: { status: string; count: number }[]; byCategory: { category: string; count: number }[] };
type Answer = { _entities: ({ code: string; all: Counts | null; open: Counts | null } | null)[] };

const ask = async (reps: { __typename: string; code: string }[], caller = testCaller('district-analyst', { purpose: 'statistics' })) => {
  harness.database.statements.reset();
  const response = await harness.gql<Answer>(CASE_COUNTS, { reps }, caller);
  expect(response.errors).toBeUndefined();
  return { entities: response.data!._entities, statements: harness.database.statements.count };
};

/** The generator's cases of some grids, counted as `CaseCounts` counts them: every status and category, zeros included. */
function expected(of: DemoGridContents[], open = false): Counts {
  const codes = new Set(of.map((g) => g.grid.code));
  const list = allCases.filter((c) => codes.has(c.gridCode) && (!open || OPEN.has(c.status)));
  const today = chinaToday();
  return {
    total: list.length,
    overdue: list.filter((c) => isOverdue(c, today)).length,
    byStatus: caseStatus.enumValues.map((status) => ({ status, count: list.filter((c) => c.status === status).length })),
    byCategory: caseCategory.enumValues.map((category) => ({ category, count: list.filter((c) => c.category === category).length })),
  };
}

const repOf = (p: { typename: string; code: string }) => ({ __typename: p.typename, code: p.code });
const gridReps = grids.map((g) => ({ __typename: 'Grid', code: g.grid.code }));
const both = (of: DemoGridContents[]) => ({ all: expected(of), open: expected(of, true) });

describe('case counts of communities, streets and the district', () => {
  it("equal the generator's cases of each place's grids, at every level, all and open", async () => {
    const { entities } = await ask([...gridReps, ...places.map(repOf)]);
    expect(entities).toEqual([
      ...grids.map((g) => ({ code: g.grid.code, ...both([g]) })),
      ...places.map((p) => ({ code: p.code, ...both(p.grids) })),
    ]);
    const district = entities.at(-1)!;
    expect(district.all!.total).toBe(allCases.length);
    expect(district.open!.total).toBeGreaterThan(0);
    expect(district.open!.total).toBeLessThan(district.all!.total);
  });

  it('counts zeros, every status and category listed, for well-formed codes that hold nothing', async () => {
    const { entities } = await ask(EMPTY_PLACES.map(repOf));
    expect(entities).toEqual(EMPTY_PLACES.map((p) => ({ code: p.code, ...both([]) })));
    expect(entities[0]!.all!.byCategory.length).toBe(caseCategory.enumValues.length);
  });

  it('runs one statement per level, whatever the number of places', async () => {
    const firstOfEachLevel = places.filter((p, i, all) => all.findIndex((q) => q.typename === p.typename) === i);
    const one = await ask([gridReps[0]!, ...firstOfEachLevel.map(repOf)]);
    expect(one.statements).toBe(4);
    expect((await ask([...gridReps, ...places.map(repOf)])).statements).toBe(one.statements);
  });

  it("counts only a grid worker's own grids, at every level", async () => {
    const own = grids.find((g) => g.mediation.cases.length > 0)!;
    const worker = testCaller('grid-worker', { grids: [own.grid.code], purpose: 'grid-service' });
    const { entities } = await ask(places.map(repOf), worker);
    expect(entities).toEqual(places.map((p) => ({ code: p.code, ...both(p.grids.filter((g) => g === own)) })));
    expect(entities.at(-1)!.all!.total).toBe(own.mediation.cases.length);
  });
});
