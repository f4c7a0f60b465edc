import { postGraphQL } from '@hub/core/testing';
import { createGateway, DEFAULT_SUPERGRAPH, readSupergraph } from '@hub/gateway';
import type { RunningService } from '@hub/core';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createServer, type Server } from 'node:http';
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

/**
 * The prepared executor sends each distinct entity representation of a fetch once (GridPartyMembers' members of a grid
 * mostly live in it, so civil affairs is asked for the same grid several times by the stock executor). A department's
 * error at such a shared copy must reach every entity it stands for, as the stock executor tells it: a proxy in front
 * of civil affairs fails every Grid representation of one grid, for both gateways, and the answers must be equal.
 */
describe('a representation sent once for several entities', () => {
  const failing = busiestGrid.grid.code;
  let proxy: Server;
  let proxyUrl: string;
  let prepared: RunningService;
  let alone: RunningService;
  /** Per gateway, the Grid representations of each civil-affairs `_entities` request: [sent, distinct]. */
  const sent: Record<string, [number, number][]> = { prepared: [], alone: [] };
  beforeAll(async () => {
    const target = hub.subgraphs['civil-affairs']!.url;
    proxy = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string' && name !== 'host' && name !== 'content-length' && name !== 'connection') headers[name] = value;
      const upstream = await fetch(target, { method: 'POST', headers, body });
      let text = await upstream.text();
      const representations = (JSON.parse(body) as { variables?: { representations?: { __typename: string; code?: string }[] } }).variables?.representations;
      if (representations?.some((r) => r.__typename === 'Grid')) {
        const grids = representations.filter((r) => r.__typename === 'Grid').map((r) => r.code);
        sent[req.url === '/prepared' ? 'prepared' : 'alone']!.push([grids.length, new Set(grids).size]);
        const answer = JSON.parse(text) as { data?: { _entities: unknown[] }; errors?: unknown[] };
        representations.forEach((r, i) => {
          if (r.__typename !== 'Grid' || r.code !== failing || !answer.data) return;
          answer.data._entities[i] = null;
          (answer.errors ??= []).push({ message: `grid ${failing} is being rebuilt`, path: ['_entities', i], extensions: { code: 'GRID_UNAVAILABLE' } });
        });
        text = JSON.stringify(answer);
      }
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(text);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    const urls = (path: string) => ({ ...Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])), 'civil-affairs': `${proxyUrl}${path}` });
    prepared = await createGateway({ supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH), urls: urls('/prepared'), ...hub.gatewayAccess }).listen(0);
    alone = await createGateway({ supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH), urls: urls('/alone'), ...hub.gatewayAccess, preparedPlans: false }).listen(0);
  });
  afterAll(async () => {
    await prepared?.close();
    await alone?.close();
    proxy?.closeAllConnections();
    proxy?.close();
  });

  it('tells its error at each of them, in order, as the stock executor does', async () => {
    for (let round = 0; round < 2; round++) {
      const variables = { code: failing, first: 50 };
      const ours = await postGraphQL(prepared.url, GridPartyMembersDocument as Document, variables, hub.headers);
      expect(ours).toEqual(await postGraphQL(alone.url, GridPartyMembersDocument as Document, variables, hub.headers));
      const paths = (ours.errors ?? []).map((e) => e.path?.join('.'));
      // One error per member living in the failing grid, each at that member's place.
      expect(paths.length).toBeGreaterThan(1);
      expect(new Set(paths).size).toBe(paths.length);
    }
    // The stock executor sent the failing grid once per member; ours, once prepared (its first request runs the stock
    // executor), once per fetch.
    expect(sent.alone!.at(-1)![0]).toBeGreaterThan(sent.alone!.at(-1)![1]);
    expect(sent.prepared!.at(-1)).toEqual([sent.alone!.at(-1)![1], sent.alone!.at(-1)![1]]);
  });
});
