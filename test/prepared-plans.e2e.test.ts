import { postGraphQL } from '@hub/core/testing';
import { createGateway, DEFAULT_SUPERGRAPH, readSupergraph } from '@hub/gateway';
import type { RunningService } from '@hub/core';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  GridOverviewDocument,
  GridPartyMembersDocument,
  GroupRentalRemediationDocument,
  PoliceReferralsDocument,
  ResidentProfileDocument,
  WelfareCrossCheckDocument,
} from '../clients/__generated__/operations.ts';
import { busiestGrid, communityByCode, grids, idOf } from './world.ts';

/*
 * The hub's gateway runs an operation it has seen before from its prepared plan and answer shape, not through the
 * stock executor. Answers must be exactly those of a gateway that sends every request through the stock executor:
 * the first request (which prepares) and those after it, for an administrator and for a grid worker whose row scope
 * and masking change the data.
 */
let hub: TestHub;
let stock: RunningService;
beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  stock = await createGateway({
    supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
    urls: Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])),
    ...hub.gatewayAccess,
    preparedPlans: false,
  }).listen(0);
});
afterAll(async () => {
  await stock?.close();
  await hub?.close();
});

type Document = TypedDocumentNode<unknown, Record<string, unknown>>;
const streetCode = communityByCode.get(busiestGrid.grid.communityCode)!.streetCode;
const members = grids.flatMap((g) => g.party.members);
const otherGrid = grids.find((g) => g.grid.code !== busiestGrid.grid.code)!.grid.code;
const operations: [string, Document, Record<string, unknown>[]][] = [
  ['ResidentProfile', ResidentProfileDocument as Document, members.slice(0, 3).map((m) => ({ id: idOf(m.idNumber) }))],
  ['GridOverview', GridOverviewDocument as Document, [{ code: busiestGrid.grid.code }, { code: otherGrid }]],
  ['GroupRentalRemediation', GroupRentalRemediationDocument as Document, [{ streetCode, first: 50 }, { streetCode, first: 3 }]],
  ['GridPartyMembers', GridPartyMembersDocument as Document, [{ code: busiestGrid.grid.code, first: 50 }, { code: otherGrid, first: 5 }]],
  ['WelfareCrossCheck', WelfareCrossCheckDocument as Document, [{ streetCode, first: 50 }, { streetCode, first: 2 }]],
  ['PoliceReferrals', PoliceReferralsDocument as Document, [{ streetCode, first: 50 }, { streetCode, first: 1 }]],
];

describe('prepared plans', () => {
  it.each(operations)('answer %s exactly as the stock executor does, at the first request and after', async (_name, document, variableSets) => {
    const worker = { authorization: `Bearer ${await hub.tokenFor('grid-worker', { grids: [busiestGrid.grid.code] })}`, 'x-hub-purpose': 'grid-service' };
    for (const headers of [hub.headers, worker]) {
      for (let round = 0; round < 2; round++) {
        for (const variables of variableSets) {
          const prepared = await postGraphQL(hub.gatewayUrl, document, variables, headers);
          const alone = await postGraphQL(stock.url, document, variables, headers);
          expect(prepared).toEqual(alone);
          if (headers === hub.headers) expect(prepared.errors).toBeUndefined();
        }
      }
    }
  });

  it('answer ad-hoc operations with aliases, fragments, @include and a department’s errors exactly as the stock executor does', async () => {
    const grid = busiestGrid.grid.code;
    const query = `query Adhoc($code: ID!, $withStreet: Boolean!, $id: ID!) {
      g: grid(code: $code) { code ...Place community { street @include(if: $withStreet) { code name } } }
      resident(id: $id) { __typename id name }
      malformed: resident(id: "not-a-resident-id") { id }
    }
    fragment Place on Grid { __typename code n: name }`;
    for (const withStreet of [true, false, true]) {
      const variables = { code: grid, withStreet, id: idOf(members[0]!.idNumber) };
      const prepared = await postGraphQL(hub.gatewayUrl, query, variables, hub.headers);
      expect(prepared).toEqual(await postGraphQL(stock.url, query, variables, hub.headers));
      // The department's refusal of the malformed id, at its path, beside the rest of the answer.
      expect(prepared.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([['INVALID_RESIDENT_ID', ['malformed']]]);
      expect((prepared.data as { g: { code: string } }).g.code).toBe(grid);
    }
    // A variable the schema refuses: the same error from both, at every request.
    for (let round = 0; round < 2; round++) {
      const variables = { code: 42, withStreet: 'yes', id: idOf(members[0]!.idNumber) };
      const prepared = await postGraphQL(hub.gatewayUrl, query, variables, hub.headers);
      expect(prepared.errors?.length).toBeGreaterThan(0);
      expect(prepared).toEqual(await postGraphQL(stock.url, query, variables, hub.headers));
    }
  });
});
