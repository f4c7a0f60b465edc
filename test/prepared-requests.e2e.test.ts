import { request } from 'node:http';
import type { AuditRecordInput } from '@hub/audit-trail';
import type { RunningService } from '@hub/core';
import { createGateway, DEFAULT_LIMITS, DEFAULT_MANIFEST, DEFAULT_RATE_LIMITS, DEFAULT_SUPERGRAPH, readManifest, readSupergraph, type GatewayOptions } from '@hub/gateway';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { Kind, parse, print, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { crossDepartmentOperations } from './cross-department-operations.ts';
import { sampleValue } from './prometheus.ts';
import { busiestGrid, communityByCode, grids, idOf } from './world.ts';

/*
 * The gateway answers a query text Apollo Server has run once for a caller class on its prepared path
 * (gateway/src/execution/prepared-requests.ts), without Apollo Server's pipeline. The condition for that path is
 * that nobody can tell: a twin gateway over the same departments with the path switched off (Apollo Server alone)
 * must answer every request with the same status, the same headers (but the request id and date) and the same bytes,
 * and write the same audit records. Both gateways get each request in turn; the prepared one's metric says which of
 * its answers took the path.
 */
let hub: TestHub;
let prepared: RunningService;
let twin: RunningService;
let now = 1_000_000;
const trails = { prepared: [] as AuditRecordInput[], twin: [] as AuditRecordInput[] };
let auditDown = false;

const streetCode = communityByCode.get(busiestGrid.grid.communityCode)!.streetCode;
const otherGrid = grids.find((g) => g.grid.code !== busiestGrid.grid.code)!.grid.code;
const member = grids.flatMap((g) => g.party.members)[0]!;
/** A police officer's budget: a few of the operations below, then RATE_LIMITED. */
const OFFICER_BURST = 400;

function gatewayOptions(trail: AuditRecordInput[]): GatewayOptions {
  return {
    supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
    urls: Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])),
    ...hub.gatewayAccess,
    audit: {
      write: async (record) => {
        if (auditDown) throw new Error('audit database unreachable');
        trail.push(record);
      },
    },
    explorer: false,
    limits: { ...DEFAULT_LIMITS, maxCost: 3_000 },
    rateLimits: { ...DEFAULT_RATE_LIMITS, roles: { ...DEFAULT_RATE_LIMITS.roles, 'police-officer': { perMinute: 1, burst: OFFICER_BURST } }, clock: () => now },
  };
}

beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  prepared = await createGateway(gatewayOptions(trails.prepared)).listen(0);
  twin = await createGateway({ ...gatewayOptions(trails.twin), preparedRequests: false }).listen(0);
});
afterAll(async () => {
  await prepared?.close();
  await twin?.close();
  await hub?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** Headers that differ between any two answers, whichever path gave them. */
const PER_ANSWER = new Set(['x-request-id', 'date', 'connection', 'keep-alive']);

async function answerOf(url: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(url, init);
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) if (!PER_ANSWER.has(name)) headers[name] = value;
  return { status: response.status, headers, text: await response.text() };
}

const preparedCount = async () => sampleValue(await (await fetch(prepared.url.replace(/\/graphql$/, '/metrics'))).text(), 'hub_gateway_prepared_requests_total') ?? 0;

/** Masked errors carry a random id each: the one thing two answers to the same request may not share. */
const unmasked = (text: string) => text.replace(/Internal error \([0-9a-z]+\)/g, 'Internal error (…)').replace(/"errorId":"[0-9a-z]+"/g, '"errorId":"…"');

/** The same request to the prepared gateway, then its twin; both answers must be one. Returns it and whether it took the path. */
async function askBoth(init: RequestInit, path = ''): Promise<{ answer: Answer; viaPrepared: boolean }> {
  const before = await preparedCount();
  const recorded = { prepared: trails.prepared.length, twin: trails.twin.length };
  const first = await answerOf(prepared.url + path, init);
  const viaPrepared = (await preparedCount()) - before === 1;
  const second = await answerOf(twin.url + path, init);
  const what = String(init.body ?? path).slice(0, 300);
  expect(first.status, what).toBe(second.status);
  expect(first.headers, what).toEqual(second.headers);
  expect(unmasked(first.text), what).toBe(unmasked(second.text));
  expect(trails.prepared.slice(recorded.prepared), what).toEqual(trails.twin.slice(recorded.twin));
  return { answer: first, viaPrepared };
}

const post = (body: unknown, headers: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

const codes = (answer: Answer) => ((JSON.parse(answer.text) as { errors?: { extensions?: { code?: string } }[] }).errors ?? []).map((e) => e.extensions?.code);

/** The manifest's queries (the departmental apps' persisted documents) with variables found in the test district. */
function manifestQueries(): [name: string, query: string, variables: Record<string, unknown>][] {
  const byVariable: Record<string, unknown> = {
    code: busiestGrid.grid.code,
    gridCode: busiestGrid.grid.code,
    gridCodes: [busiestGrid.grid.code, otherGrid],
    streetCode,
    id: idOf(member.idNumber),
    first: 20,
    period: '2026-01',
    list: 'OVERDUE',
  };
  const found: [string, string, Record<string, unknown>][] = [];
  for (const query of readManifest(DEFAULT_MANIFEST).values()) {
    const operation = parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    if (!operation || operation.operation !== 'query' || !operation.name) continue;
    const variables: Record<string, unknown> = {};
    let complete = true;
    for (const definition of operation.variableDefinitions ?? []) {
      const name = definition.variable.name.value;
      if (name in byVariable) variables[name] = byVariable[name];
      else if (definition.type.kind === Kind.NON_NULL_TYPE) complete = false;
    }
    if (complete) found.push([operation.name.value, query, variables]);
  }
  return found;
}

/** Caller classes: the administrator, a grid worker (own grid, masked), an officer and a party worker (fields refused). */
async function callerClasses(): Promise<[string, Record<string, string>][]> {
  return [
    ['administrator', { ...hub.headers, 'x-hub-purpose': 'case-handling' }],
    ['grid worker', { authorization: `Bearer ${await hub.tokenFor('grid-worker', { grids: [busiestGrid.grid.code], department: 'civil-affairs' })}`, 'x-hub-purpose': 'grid-service' }],
    ['party-affairs worker', { authorization: `Bearer ${await hub.tokenFor('party-affairs-worker')}`, 'x-hub-purpose': 'party-affairs' }],
  ];
}

describe("the gateway's prepared path answers as Apollo Server alone", () => {
  it("the six operations and the apps' persisted queries, for several caller classes, the second time on the prepared path", async () => {
    const documents = [
      ...crossDepartmentOperations.map(([name, document, variables]) => [name, print(document), variables] as [string, string, Record<string, unknown>]),
      ...manifestQueries(),
    ];
    expect(documents.length).toBeGreaterThan(12);
    let forbidden = 0;
    for (const [who, headers] of await callerClasses()) {
      for (const [name, query, variables] of documents) {
        const body = { query, operationName: name, variables };
        const first = await askBoth(post(body, headers));
        const second = await askBoth(post(body, headers));
        // Whatever Apollo refuses (a persisted query the class may not run) never becomes prepared.
        if (first.answer.status === 200) expect(second.viaPrepared, `${who} ${name}`).toBe(true);
        expect(second.answer.text).toBe(first.answer.text);
        if (codes(second.answer).includes('FORBIDDEN')) forbidden++;
      }
    }
    // The party worker is refused fields of the residents' identities: the policy's answers were compared too.
    expect(forbidden).toBeGreaterThan(0);
  }, 600_000);

  const [, residentProfile, profileVariables] = crossDepartmentOperations[0]!;
  const profile = () => ({ query: print(residentProfile), variables: profileVariables });

  it('variables that do not coerce: 400 BAD_USER_INPUT from Apollo, for a prepared document too', async () => {
    await askBoth(post(profile(), hub.headers));
    const asked = await askBoth(post({ ...profile(), variables: { id: { not: 'an id' } } }, hub.headers));
    expect(asked.answer.status).toBe(400);
    expect(asked.viaPrepared).toBe(false);
    expect(codes(asked.answer)).toEqual(['BAD_USER_INPUT']);
  });

  it('an operation name the document does not hold, a GET, a batch, another Accept: Apollo answers them', async () => {
    await askBoth(post(profile(), hub.headers));
    const unknown = await askBoth(post({ ...profile(), operationName: 'Nothing' }, hub.headers));
    expect(unknown.viaPrepared).toBe(false);
    expect(unknown.answer.status).toBe(400);
    const search = `?query=${encodeURIComponent(profile().query)}&variables=${encodeURIComponent(JSON.stringify(profileVariables))}`;
    const get = await askBoth({ method: 'GET', headers: { ...hub.headers, 'apollo-require-preflight': 'true' } }, search);
    expect(get.viaPrepared).toBe(false);
    const batch = await askBoth(post([profile(), profile()], hub.headers));
    expect(batch.viaPrepared).toBe(false);
    const graphqlResponse = await askBoth(post(profile(), { ...hub.headers, accept: 'application/graphql-response+json' }));
    expect(graphqlResponse.viaPrepared).toBe(false);
    expect(graphqlResponse.answer.headers['content-type']).toBe('application/graphql-response+json; charset=utf-8');
  });

  it('a limits refusal: a page too costly for a prepared document is refused by Apollo, 400 QUERY_TOO_COSTLY', async () => {
    const [, document] = crossDepartmentOperations.find(([name]) => name === 'GridPartyMembers')!;
    const body = (first: number) => ({ query: print(document), variables: { code: busiestGrid.grid.code, first } });
    const fits = await askBoth(post(body(5), hub.headers));
    expect(fits.answer.status).toBe(200);
    const refused = await askBoth(post(body(500), hub.headers));
    expect(refused.viaPrepared).toBe(false);
    expect(refused.answer.status).toBe(400);
    expect(codes(refused.answer)).toEqual(['QUERY_TOO_COSTLY']);
  });

  it('a caller whose budget runs out: the prepared path charges as Apollo does, and the refusal is Apollo’s (429, Retry-After)', async () => {
    const headers = { authorization: `Bearer ${await hub.tokenFor('police-officer', { sub: 'officer-budget' })}`, 'x-hub-purpose': 'public-safety' };
    let limited: Answer | undefined;
    let viaPrepared = 0;
    for (let i = 0; i < OFFICER_BURST && !limited; i++) {
      const asked = await askBoth(post(profile(), headers));
      if (asked.viaPrepared) viaPrepared++;
      if (asked.answer.status === 429) limited = asked.answer;
    }
    expect(viaPrepared).toBeGreaterThan(0);
    expect(limited).toBeDefined();
    expect(codes(limited!)).toEqual(['RATE_LIMITED']);
    expect(limited!.headers['retry-after']).toBeDefined();
  });

  it('a client gone mid-answer: the prepared path finishes, audits, and answers the next request as Apollo would', async () => {
    const body = JSON.stringify(profile());
    await askBoth({ method: 'POST', headers: { 'content-type': 'application/json', ...hub.headers }, body });
    const before = await preparedCount();
    const audited = trails.prepared.length;
    await new Promise<void>((resolve) => {
      const sent = request(prepared.url, { method: 'POST', headers: { 'content-type': 'application/json', ...hub.headers } });
      sent.on('error', () => resolve());
      sent.on('finish', () => {
        sent.destroy();
        resolve();
      });
      sent.end(body);
    });
    await vi.waitFor(async () => expect(await preparedCount()).toBe(before + 1), { timeout: 30_000, interval: 50 });
    expect(trails.prepared.length).toBe(audited + 1);
    // The twin heard nothing of it: its trail is brought level before the comparisons go on.
    trails.twin.push(trails.prepared.at(-1)!);
    const next = await askBoth({ method: 'POST', headers: { 'content-type': 'application/json', ...hub.headers }, body });
    expect(next.viaPrepared).toBe(true);
  });

  it('the audit trail unavailable: the answer is withheld, 503 AUDIT_UNAVAILABLE, on the prepared path too', async () => {
    await askBoth(post(profile(), hub.headers));
    auditDown = true;
    try {
      const asked = await askBoth(post(profile(), hub.headers));
      expect(asked.viaPrepared).toBe(true);
      expect(asked.answer.status).toBe(503);
      expect(codes(asked.answer)).toEqual(['AUDIT_UNAVAILABLE']);
    } finally {
      auditDown = false;
    }
  });

  it('a department down: the same partial answer and error from both paths', async () => {
    const [, document, variables] = crossDepartmentOperations.find(([name]) => name === 'GridOverview')!;
    const body = { query: print(document), variables };
    await askBoth(post(body, hub.headers));
    await hub.stopSubgraph('party');
    const asked = await askBoth(post(body, hub.headers));
    expect(asked.viaPrepared).toBe(true);
    expect(asked.answer.text).toContain('errors');
  });
});
