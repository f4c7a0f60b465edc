import { SCOPES, type Scope, type StatementCounter } from '@hub/core';
import { testCaller, type SubgraphUnderTest } from '@hub/core/testing';
import { describe, expect, it } from 'vitest';
import { generateDemoWorld } from './index.ts';
import { demoPlaces, EMPTY_PLACES, TEST_DEMO } from './testing.ts';
import type { DemoGridContents } from './types.ts';

type Rep = { __typename: string; code: string };
type Entity<A> = ({ code: string } & A) | null;

export interface PlaceStatisticsSpec<A extends object> {
  /** The subgraph under test (`serveSubgraphForTests`), asked as the gateway asks for entities. */
  harness: { readonly database: { statements: StatementCounter }; gql: SubgraphUnderTest<Record<string, unknown>>['gql'] };
  /** What a place answers after its code, aliases allowed: `population { total registered }`. */
  fields: string;
  /** Whether grids answer the same fields (then asked and checked alongside the places). */
  grids: boolean;
  /** The answer (all but `code`) the generator's records of these grids make. */
  expected(of: readonly DemoGridContents[]): A;
  /** Statements for one place of each level (and a grid, unless `statementsWithoutGrids`): many places run no more. */
  statements: number;
  /** Count the statements of places alone (where a grid's figures take statements of their own). */
  statementsWithoutGrids?: boolean;
  /** Whether well-formed codes of places that hold nothing count zeros (a subgraph that looks places up refuses them). */
  emptyPlaces: boolean;
  /** A grid with records of every kind counted, whose grid worker sees only it. */
  workerGrid(grid: DemoGridContents): boolean;
  /** More checks of the district's answer: that the test district is not trivially empty. */
  district?(answer: A): void;
}

/**
 * The statistics of places above the grid every department counts (its `place-statistics.test.ts` calls this with
 * its own fields and expectations): equal to the generator's records of each place's grids at every level, zeros for
 * places that hold nothing, a statement count that does not grow with the places asked, and a grid worker's own
 * grids only. Returns the `ask` it uses, for a department's further tests.
 */
export function describePlaceStatistics<A extends object>(title: string, spec: PlaceStatisticsSpec<A>) {
  const world = generateDemoWorld(TEST_DEMO);
  const grids = [...world.gridContents()];
  const places = demoPlaces(world, grids);
  const query = /* GraphQL */ `
    query ($reps: [_Any!]!) {
      _entities(representations: $reps) {
        ${spec.grids ? `... on Grid { code ${spec.fields} }` : ''}
        ... on Community { code ${spec.fields} }
        ... on Street { code ${spec.fields} }
        ... on District { code ${spec.fields} }
      }
    }
  `;
  const ask = async (reps: Rep[], caller = testCaller('district-analyst', { purpose: 'statistics' })) => {
    spec.harness.database.statements.reset();
    const response = await spec.harness.gql<{ _entities: Entity<A>[] }>(query, { reps }, caller);
    expect(response.errors).toBeUndefined();
    return { entities: response.data!._entities, statements: spec.harness.database.statements.count };
  };
  const repOf = (p: { typename: string; code: string }): Rep => ({ __typename: p.typename, code: p.code });
  const gridReps: Rep[] = spec.grids ? grids.map((g) => ({ __typename: 'Grid', code: g.grid.code })) : [];
  const answerOf = (code: string, of: readonly DemoGridContents[]) => ({ code, ...spec.expected(of) });
  const firstOfEachLevel = places.filter((p, i, all) => all.findIndex((q) => q.typename === p.typename) === i);

  describe(title, () => {
    it("equal the generator's records of each place's grids, at every level", async () => {
      expect(places.map((p) => p.typename)).toEqual(expect.arrayContaining(['Community', 'Street', 'District']));
      const { entities } = await ask([...gridReps, ...places.map(repOf)]);
      expect(entities).toEqual([
        ...(spec.grids ? grids.map((g) => answerOf(g.grid.code, [g])) : []),
        ...places.map((p) => answerOf(p.code, p.grids)),
      ]);
      spec.district?.(entities.at(-1)! as A);
    });

    if (spec.emptyPlaces) {
      it('count zeros for well-formed codes that hold nothing', async () => {
        const { entities } = await ask(EMPTY_PLACES.map(repOf));
        expect(entities).toEqual(EMPTY_PLACES.map((p) => answerOf(p.code, [])));
      });
    }

    it('run the same statements for every place as for one of each level', async () => {
      const grids = spec.statementsWithoutGrids ? [] : gridReps;
      const one = await ask([...grids.slice(0, 1), ...firstOfEachLevel.map(repOf)]);
      expect(one.statements).toBe(spec.statements);
      expect((await ask([...grids, ...places.map(repOf)])).statements).toBe(one.statements);
    });

    it("count only a grid worker's own grids, at every level", async () => {
      const own = grids.find(spec.workerGrid)!;
      // Every scope, so the field policy (which refuses a grid worker some counts, as the gateway does) leaves the
      // row scope alone to be tested: own grids only.
      const worker = testCaller('grid-worker', { grids: [own.grid.code], purpose: 'grid-service', scopes: Object.keys(SCOPES) as Scope[] });
      const { entities } = await ask(places.map(repOf), worker);
      expect(entities).toEqual(places.map((p) => answerOf(p.code, p.grids.filter((g) => g === own))));
      expect(entities.at(-1)).toEqual(answerOf(world.district.code, [own]));
    });
  });
  return { ask, repOf, places, grids };
}
