import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CALLER_HEADER, DEMO_HUB_SECRET, DEMO_ROLES, signCallerToken, type Caller, type DemoRole, type RunningService } from '@hub/core';
import { testCaller } from '@hub/core/testing';
import { createGateway, DEFAULT_SUPERGRAPH, readSupergraph } from '@hub/gateway';
import { departmentRuntimes } from '@hub/hub/departments';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { ResidentProfileDocument } from '../clients/__generated__/operations.ts';
import { crossDepartmentOperations, type AnyDocument } from './cross-department-operations.ts';
import { sampleValue } from './prometheus.ts';
import { busiestGrid, grids, idOf, residents } from './world.ts';

/*
 * Every department answers the documents it has run before on its prepared path (packages/core/src/execution), not
 * through Apollo Server's pipeline. The answers must be the very bytes Apollo Server gives: each subgraph of the test
 * hub (prepared) gets a twin over the same database that runs Apollo Server alone, and a proxy in front of each pair
 * sends every fetch of the gateway to both and keeps both answers. Then the same for requests made to go wrong,
 * sent to each subgraph directly.
 */
let hub: TestHub;
let gateway: RunningService;
const references: Record<string, RunningService> = {};
const proxies: Server[] = [];

interface Exchange {
  subgraph: string;
  body: string;
  prepared: Answer;
  reference: Answer;
}
interface Answer {
  status: number;
  contentType: string | null;
  text: string;
}
const exchanges: Exchange[] = [];

async function answerOf(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

/** A proxy that sends each request to the prepared subgraph, then the same bytes (same token) to its Apollo twin. */
function teeProxy(subgraph: string, prepared: string, reference: string): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    // The departments' GET streams (the feed wake-ups) go to the prepared one alone, as they are.
    if (req.method !== 'POST') {
      const upstream = request(new URL(req.url ?? '/', prepared), { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string' && key !== 'host' && key !== 'content-length' && key !== 'connection') headers[key] = value;
    // One after the other: a twin reads the database as the first left it.
    const first = await answerOf(prepared, body, headers);
    const second = await answerOf(reference, body, headers);
    exchanges.push({ subgraph, body, prepared: first, reference: second });
    res.statusCode = first.status;
    if (first.contentType) res.setHeader('content-type', first.contentType);
    res.end(first.text);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` })));
}

/** Masked errors carry a random id each: the one thing two answers to the same request may not share. */
const unmasked = (text: string) => text.replace(/Internal error \([0-9a-z]+\)/g, 'Internal error (…)').replace(/"errorId":"[0-9a-z]+"/g, '"errorId":"…"');

async function departmentsTotal(metric: string): Promise<number> {
  let total = 0;
  for (const s of Object.values(hub.subgraphs)) total += sampleValue(await (await fetch(s.url.replace(/\/graphql$/, '/metrics'))).text(), metric) ?? 0;
  return total;
}
const preparedAnswers = () => departmentsTotal('hub_prepared_answers_total');
/** Prepared answers executed by graphql-jit's compiled code (queries), not graphql-js. */
const compiledAnswers = () => departmentsTotal('hub_compiled_answers_total');

beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  const urls: Record<string, string> = {};
  for (const runtime of departmentRuntimes) {
    if (!hub.subgraphs[runtime.name]) continue;
    const connected = await runtime.connect(hub.databaseUrls[runtime.name]!);
    references[runtime.name] = await connected.serve(0, DEMO_HUB_SECRET, hub.internalKeys.publicKey, undefined, { executor: 'apollo' });
    const proxy = await teeProxy(runtime.name, hub.subgraphs[runtime.name]!.url, references[runtime.name]!.url);
    proxies.push(proxy.server);
    urls[runtime.name] = proxy.url;
  }
  gateway = await createGateway({ supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH), urls, ...hub.gatewayAccess }).listen(0);
});
afterAll(async () => {
  await gateway?.close();
  for (const proxy of proxies) await new Promise((resolve) => proxy.close(resolve));
  for (const reference of Object.values(references)) await reference.close();
  await hub?.close();
});

const operations = crossDepartmentOperations;

async function askGateway(document: AnyDocument, variables: Record<string, unknown>, headers: Record<string, string>) {
  const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: print(document), variables }) });
  return (await response.json()) as { data?: unknown; errors?: unknown[] };
}

function expectSameAnswers(from: number) {
  const seen = exchanges.slice(from);
  expect(seen.length).toBeGreaterThan(0);
  for (const exchange of seen) {
    const what = `${exchange.subgraph} ${exchange.body.slice(0, 300)}`;
    expect(exchange.prepared.status, what).toBe(exchange.reference.status);
    expect(exchange.prepared.contentType, what).toBe(exchange.reference.contentType);
    expect(unmasked(exchange.prepared.text), what).toBe(unmasked(exchange.reference.text));
  }
}

describe("the gateway's fetches", () => {
  it.each(operations)('%s: every department answers the second time from its prepared documents, byte for byte as Apollo Server', async (_name, document, variables) => {
    const from = exchanges.length;
    const first = await askGateway(document, variables, hub.headers);
    expect(first.errors).toBeUndefined();
    const preparedBefore = await preparedAnswers();
    const compiledBefore = await compiledAnswers();
    const fetchesBefore = exchanges.length;
    const second = await askGateway(document, variables, hub.headers);
    expect(second).toEqual(first);
    // Each fetch of the second run met a document its department had run in the first, and ran its compiled code.
    expect((await preparedAnswers()) - preparedBefore).toBe(exchanges.length - fetchesBefore);
    expect((await compiledAnswers()) - compiledBefore).toBe(exchanges.length - fetchesBefore);
    expectSameAnswers(from);
  });

  it('answer a caller of another class (a grid worker: own grid only, another purpose) from the same prepared documents', async () => {
    const grid = busiestGrid.grid.code;
    const headers = { authorization: `Bearer ${await hub.tokenFor('grid-worker', { grids: [grid], department: 'civil-affairs' })}`, 'x-hub-purpose': 'grid-service' };
    const outsider = residents.find((r) => r.gridCode !== grid)!;
    const ask = async () => {
      const answers = [];
      for (const [, document, variables] of operations) answers.push(await askGateway(document, variables, headers));
      answers.push(await askGateway(ResidentProfileDocument as AnyDocument, { id: idOf(outsider.idNumber) }, headers));
      return answers;
    };
    const from = exchanges.length;
    const first = await ask();
    const preparedBefore = await preparedAnswers();
    const fetchesBefore = exchanges.length;
    expect(await ask()).toEqual(first);
    expect((await preparedAnswers()) - preparedBefore).toBe(exchanges.length - fetchesBefore);
    expectSameAnswers(from);
  });
});

/** The caller a gateway would sign for a role and purpose; a grid worker answers for the busiest grid. */
const callerOf = (role: DemoRole, purpose: string): Caller =>
  testCaller(role, { userId: `direct-${role}`, purpose: purpose as Caller['purpose'], grids: DEMO_ROLES[role].ownGridsOnly ? [busiestGrid.grid.code] : [] });

/** The same body to the prepared subgraph twice (the first prepares it) and to its twin, each with a token of its own. */
async function askBoth(subgraph: string, caller: Caller, request: Record<string, unknown>, headers: Record<string, string> = {}) {
  const body = JSON.stringify(request);
  const signed = async () => ({ 'content-type': 'application/json', ...headers, [CALLER_HEADER]: await signCallerToken(caller, subgraph, hub.internalKeys.privateKey, { body }) });
  const first = await answerOf(hub.subgraphs[subgraph]!.url, body, await signed());
  const preparedBefore = await preparedAnswers();
  const compiledBefore = await compiledAnswers();
  const second = await answerOf(hub.subgraphs[subgraph]!.url, body, await signed());
  const viaPrepared = (await preparedAnswers()) - preparedBefore;
  const viaCompiled = (await compiledAnswers()) - compiledBefore;
  const reference = await answerOf(references[subgraph]!.url, body, await signed());
  for (const answer of [first, second]) {
    expect(answer.status).toBe(reference.status);
    expect(answer.contentType).toBe(reference.contentType);
    expect(unmasked(answer.text)).toBe(unmasked(reference.text));
  }
  return { reference, viaPrepared, viaCompiled, json: JSON.parse(reference.text) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
}

describe('requests made to go wrong, asked of a department directly', () => {
  const officer = callerOf('police-officer', 'public-safety');
  const partyWorker = callerOf('party-affairs-worker', 'party-affairs');
  const resident = idOf(residents[0]!.idNumber);
  const codes = (json: { errors?: { extensions?: { code?: string } }[] }) => (json.errors ?? []).map((e) => e.extensions?.code);

  it('fields the caller may not read: null and FORBIDDEN from the policy, on the prepared path too', async () => {
    const asked = await askBoth(
      'public-security',
      partyWorker,
      { query: 'query Probe($id: ID!) { resident(id: $id) { id } incident(id: "0") { id } }', variables: { id: resident } },
    );
    expect(asked.viaPrepared).toBe(1);
    expect(codes(asked.json)).toContain('FORBIDDEN');
  });

  it('a resolver that throws inside a list: _entities of residents inside, outside and missing from a grid worker\'s grids', async () => {
    const worker = callerOf('grid-worker', 'grid-service');
    const inside = residents.find((r) => r.gridCode === busiestGrid.grid.code)!;
    const outside = residents.find((r) => r.gridCode !== busiestGrid.grid.code)!;
    const representations = [inside, outside, inside].map((r) => ({ __typename: 'Resident', id: idOf(r.idNumber) }));
    representations.splice(2, 0, { __typename: 'Resident', id: 'f'.repeat(32) });
    const asked = await askBoth('public-security', worker, {
      query: 'query Probe($representations: [_Any!]!) { _entities(representations: $representations) { ... on Resident { id name idNumber } ... on Resident { id sex birthDate } } }',
      variables: { representations },
    });
    expect(asked.viaPrepared).toBe(1);
    expect(asked.viaCompiled).toBe(1);
    expect(codes(asked.json)).toContain('OUTSIDE_SCOPE');
    expect((asked.json.data as { _entities: unknown[] })._entities.filter((entity) => entity === null).length).toBeGreaterThanOrEqual(2);
  });

  it('a request whose client goes away mid-answer: the department finishes it and answers the next as Apollo would', async () => {
    const body = JSON.stringify({ query: 'query Probe($id: ID!) { resident(id: $id) { id name sex birthDate } }', variables: { id: resident } });
    await askBoth('public-security', officer, JSON.parse(body) as Record<string, unknown>);
    const before = await preparedAnswers();
    const token = await signCallerToken(officer, 'public-security', hub.internalKeys.privateKey, { body });
    await new Promise<void>((resolve) => {
      const sent = request(hub.subgraphs['public-security']!.url, { method: 'POST', headers: { 'content-type': 'application/json', [CALLER_HEADER]: token } });
      sent.on('error', () => resolve());
      // Gone as soon as the whole request is out: the answer has nowhere to go.
      sent.on('finish', () => {
        sent.destroy();
        resolve();
      });
      sent.end(body);
    });
    await vi.waitFor(async () => expect(await preparedAnswers()).toBe(before + 1), { timeout: 30_000, interval: 50 });
    const asked = await askBoth('public-security', officer, JSON.parse(body) as Record<string, unknown>);
    expect(asked.viaCompiled).toBe(1);
    expect(asked.reference.status).toBe(200);
  });

  it('variables that do not coerce: Apollo Server refuses them (400 BAD_USER_INPUT), also for a prepared document', async () => {
    const query = 'query Probe($id: ID!) { resident(id: $id) { id } }';
    await askBoth('public-security', officer, { query, variables: { id: resident } });
    const asked = await askBoth('public-security', officer, { query, variables: { id: { not: 'an id' } } });
    expect(asked.reference.status).toBe(400);
    expect(asked.viaPrepared).toBe(0);
    expect(asked.viaCompiled).toBe(0);
    expect(codes(asked.json)).toEqual(['BAD_USER_INPUT']);
  });

  it('a representation naming no entity type: refused 400 INVALID_REPRESENTATION, also for a prepared document', async () => {
    const query = 'query Probe($representations: [_Any!]!) { _entities(representations: $representations) { ... on Resident { id } } }';
    await askBoth('public-security', officer, { query, variables: { representations: [{ __typename: 'Resident', id: resident }] } });
    const asked = await askBoth('public-security', officer, { query, variables: { representations: [{ __typename: 'Nothing', id: resident }] } });
    expect(asked.reference.status).toBe(400);
    expect(asked.viaPrepared).toBe(0);
    expect(codes(asked.json)).toEqual(['INVALID_REPRESENTATION']);
  });

  it('a document that does not validate, or names no operation of it, never becomes prepared', async () => {
    const invalid = await askBoth('public-security', officer, { query: '{ resident(id: "1") { noSuchField } }' });
    expect(invalid.viaPrepared).toBe(0);
    expect(codes(invalid.json)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const unnamed = await askBoth('public-security', officer, { query: 'query A { __typename } query B { __typename }', operationName: 'C' });
    expect(unnamed.viaPrepared).toBe(0);
    expect(codes(unnamed.json)).toEqual(['OPERATION_RESOLUTION_FAILURE']);
  });

  it('an operation picked by name out of several, and errors a resolver raises with their codes, on the prepared path', async () => {
    const asked = await askBoth('public-security', officer, {
      query: 'query A { __typename } query B($n: String!) { residentByIdNumber(idNumber: $n) { id } }',
      operationName: 'B',
      variables: { n: 'not an ID number' },
    });
    expect(asked.viaPrepared).toBe(1);
    expect(asked.json.errors?.length).toBeGreaterThan(0);
  });

  it('introspection and the federation _service field, which composition reads', async () => {
    const service = await askBoth('party', officer, { query: '{ _service { sdl } }' });
    expect(service.viaPrepared).toBe(1);
    const typename = await askBoth('housing', officer, { query: '{ __schema { queryType { name } } }' });
    expect(typename.viaPrepared).toBe(1);
  });

  it('a client that asks for application/graphql-response+json is answered by Apollo Server, in that type', async () => {
    const asked = await askBoth('mediation', officer, { query: '{ __typename }' }, { accept: 'application/graphql-response+json' });
    expect(asked.viaPrepared).toBe(0);
    expect(asked.reference.contentType).toBe('application/graphql-response+json; charset=utf-8');
  });
});
