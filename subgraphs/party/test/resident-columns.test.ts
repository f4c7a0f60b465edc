import { DEMO_HUB_SECRET, residentKey } from '@hub/core';
import { serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';

const grids = [...generateDemoWorld(TEST_DEMO).gridContents()];
const harness = serveSubgraphForTests(subgraph);
const idOf = (idNumber: string) => residentKey(idNumber, DEMO_HUB_SECRET);

const QUERY = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on ResidentColumns { partyMemberStatuses } } }`;
const ask = (ids: string[], caller = testCaller('district-analyst', { purpose: 'statistics' })) =>
  harness.gql<{ _entities: { partyMemberStatuses: (string | null)[] }[] }>(QUERY, { reps: [{ __typename: 'ResidentColumns', page: 'p', ids }] }, caller);

describe("ResidentColumns.partyMemberStatuses: a page's member types (one named statement, planned generically after five runs)", () => {
  // Members of two grids, a resident who is no member, and a member again (a page may name anyone, in any order).
  const [a, b] = grids.filter((g) => g.party.members.length > 0);
  const membersA = a!.party.members.map((m) => ({ id: idOf(m.idNumber), status: m.status as string }));
  const membersB = b!.party.members.map((m) => ({ id: idOf(m.idNumber), status: m.status as string }));
  const nobody = residentKey('110101190001010000', DEMO_HUB_SECRET);
  const ids = [...membersA.map((m) => m.id), nobody, ...membersB.map((m) => m.id), membersA[0]!.id];

  it('answers every run alike, past the custom plans PostgreSQL makes of the first five', async () => {
    const expected = [...membersA.map((m) => m.status), null, ...membersB.map((m) => m.status), membersA[0]!.status];
    for (let run = 0; run < 8; run++) {
      const response = await ask(run % 2 === 0 ? ids : ids.slice().reverse());
      expect(response.errors).toBeUndefined();
      expect(response.data!._entities[0]!.partyMemberStatuses).toEqual(run % 2 === 0 ? expected : expected.slice().reverse());
    }
  });

  it("keeps a grid worker's page to their own grids, whatever runs before (one statement per scope's shape)", async () => {
    const worker = testCaller('grid-worker', { grids: [b!.grid.code] });
    for (let run = 0; run < 7; run++) {
      const response = await ask(ids, worker);
      expect(response.errors).toBeUndefined();
      expect(response.data!._entities[0]!.partyMemberStatuses).toEqual([...membersA.map(() => null), null, ...membersB.map((m) => m.status), null]);
    }
  });
});
