import type { AuditRecordInput } from '@hub/audit-trail';
import type { RunningService } from '@hub/core';
import { createGateway, DEFAULT_SUPERGRAPH, readSupergraph } from '@hub/gateway';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sampleValue } from './prometheus.ts';
import { grids } from './world.ts';

/*
 * Rate limits through the real gateway over the real departments. Time is the gateway's injected clock, moved by the
 * test: buckets refill when the test says so, never while it sleeps. Budgets are small so that a few requests spend
 * them: a grid worker 30 cost units (refilled 1 a second), an analyst 10, other roles 300, an address without a token 5
 * requests.
 */

let hub: TestHub;
let gateway: RunningService;
let sizes: () => { callers: number; addresses: number };
let now = 1_000_000;
const records: AuditRecordInput[] = [];
const MAX_ENTRIES = 50;
const grid = grids[0]!.grid.code;

beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  const created = createGateway({
    supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
    urls: Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])),
    ...hub.gatewayAccess,
    audit: { write: async (record) => records.push(record) },
    trustedDocuments: { mode: 'off', manifest: new Map() },
    explorer: false,
    rateLimits: {
      roles: { 'grid-worker': { perMinute: 60, burst: 30 }, 'district-analyst': { perMinute: 60, burst: 10 } },
      otherRoles: { perMinute: 600, burst: 300 },
      unauthenticated: { perMinute: 60, burst: 5 },
      // The test client is the proxy: X-Forwarded-For names the address each request stands for.
      trustedProxies: ['127.0.0.1', '::1'],
      maxEntries: MAX_ENTRIES,
      clock: () => now,
      auditEveryMs: 60_000,
    },
  });
  sizes = created.rateLimitSizes;
  gateway = await created.listen(0);
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await hub?.close();
});

/** Costs 1: one grid object. */
const CHEAP = `{ grid(code: "${grid}") { name } }`;
/** Costs 102: the grid, the connection, and 50 × (an edge and its resident). */
const EXPENSIVE = `{ grid(code: "${grid}") { residents(first: 50) { edges { node { id } } } } }`;
const EXPENSIVE_COST = 102;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function send(path: string, init: { headers?: Record<string, string>; query?: string } = {}): Promise<Answer> {
  const url = new URL(path, gateway.url).toString();
  const response = init.query
    ? await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...init.headers }, body: JSON.stringify({ query: init.query }) })
    : await fetch(url, { headers: init.headers });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: JSON.parse(text) as Answer['body'] };
}

const tokens = new Map<string, string>();
async function bearer(sub: string, role: string): Promise<Record<string, string>> {
  const key = `${role}/${sub}`;
  if (!tokens.has(key)) tokens.set(key, await hub.tokenFor(role, { sub, ...(role === 'grid-worker' ? { grids: [grid] } : {}) }));
  return { authorization: `Bearer ${tokens.get(key)}` };
}

const ask = async (sub: string, query: string, role = 'grid-worker', headers: Record<string, string> = {}) =>
  send('/graphql', { headers: { ...(await bearer(sub, role)), ...headers }, query });

/** Asks until refused; the answers that were let through. */
async function untilRefused(sub: string, query: string, role = 'grid-worker'): Promise<{ admitted: number; refusal: Answer }> {
  for (let admitted = 0; admitted < 1000; admitted++) {
    const answer = await ask(sub, query, role);
    if (answer.status !== 200) return { admitted, refusal: answer };
    expect(answer.body.errors, JSON.stringify(answer.body)).toBeUndefined();
  }
  throw new Error('never refused');
}

const rateLimitedRecords = (userId: string | undefined) => records.filter((r) => r.userId === userId && r.errorCodes?.includes('RATE_LIMITED'));

describe('a caller over budget', () => {
  it('gets 429 with Retry-After and a GraphQL error RATE_LIMITED, recorded in the audit trail once per run', async () => {
    const { admitted, refusal } = await untilRefused('gw-over', CHEAP);
    expect(admitted).toBe(30);
    expect(refusal.status).toBe(429);
    expect(refusal.retryAfter).toBe('1');
    expect(refusal.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1, cost: 1, budget: { perMinute: 60, burst: 30 } });
    expect(refusal.body.data).toBeUndefined();
    expect(rateLimitedRecords('gw-over')).toMatchObject([{ role: 'grid-worker', outcome: 'ERROR', errorCodes: ['RATE_LIMITED'] }]);

    // A run of refusals is one record: a flood does not become a flood of audit writes.
    for (let i = 0; i < 5; i++) expect((await ask('gw-over', CHEAP)).status).toBe(429);
    expect(rateLimitedRecords('gw-over')).toHaveLength(1);
    now += 60_000;
    expect((await ask('gw-over', CHEAP)).status).toBe(200);
  });

  it('leaves another caller of the same role unaffected', async () => {
    await untilRefused('gw-spender', CHEAP);
    const other = await ask('gw-bystander', CHEAP);
    expect(other.status).toBe(200);
    expect(other.body.data).toEqual({ grid: { name: grids[0]!.grid.name } });
  });

  it('is served again once the bucket has refilled, and not before', async () => {
    const { refusal } = await untilRefused('gw-refill', CHEAP);
    expect(refusal.retryAfter).toBe('1');
    now += 500;
    expect((await ask('gw-refill', CHEAP)).status).toBe(429);
    now += 500;
    expect((await ask('gw-refill', CHEAP)).status).toBe(200);
    expect((await ask('gw-refill', CHEAP)).status).toBe(429);
    // A full minute refills all 30.
    now += 60_000;
    expect((await untilRefused('gw-refill', CHEAP)).admitted).toBe(30);
  });
});

describe('cost-aware budgets', () => {
  it('drain faster for expensive queries than for cheap ones: the charge is the cost the limits measure', async () => {
    const cheap = await untilRefused('gw-cheap', CHEAP);
    const expensive = await untilRefused('gw-expensive', EXPENSIVE);
    expect(cheap.admitted).toBe(30);
    // Dearer than the whole bucket: it runs on a full one only, and leaves the bucket 72 units in debt.
    expect(expensive.admitted).toBe(1);
    expect(expensive.refusal.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', cost: EXPENSIVE_COST });
    const afterExpensive = await ask('gw-expensive', CHEAP);
    expect(afterExpensive.status).toBe(429);
    expect(afterExpensive.retryAfter).toBe(String(EXPENSIVE_COST - 30 + 1));
  });

  it('are set per role: the same expensive query runs twice for a police officer (300 units), once for a grid worker (30)', async () => {
    expect((await untilRefused('police-1', EXPENSIVE, 'police-officer')).admitted).toBe(2);
    expect((await untilRefused('gw-role', EXPENSIVE)).admitted).toBe(1);
  });

  it('charge a dataset export a unit per row, and refuse the next export while the caller is in debt', async () => {
    const analyst = { ...(await bearer('analyst-1', 'district-analyst')), 'x-hub-purpose': 'statistics' };
    const url = new URL(`/datasets/residents-by-grid.csv?grid=${grid}`, gateway.url).toString();
    const first = await fetch(url, { headers: analyst });
    expect(first.status).toBe(200);
    const rows = (await first.text()).trim().split('\n').length - 1;
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeGreaterThan(10);
    const again = await send(`/datasets/residents-by-grid.csv?grid=${grid}`, { headers: analyst });
    expect(again.status).toBe(429);
    expect(again.body).toEqual({ errors: [{ message: expect.stringMatching(/Too many requests/), extensions: { code: 'RATE_LIMITED', retryAfterSeconds: rows - 8, budget: expect.any(Object) } }] });
    // 1 to be admitted and a unit per row: 10 - 1 - rows left, so one more unit is rows - 8 seconds away at 1 a second.
    expect(again.retryAfter).toBe(String(rows - 8));
    expect(rateLimitedRecords('analyst-1')).toMatchObject([{ eventType: 'REQUEST_REFUSED', operationName: 'GET /datasets/residents-by-grid.csv', outcome: 'DENIED' }]);
    const graphql = await ask('analyst-1', CHEAP, 'district-analyst');
    expect(graphql.status).toBe(429);
  });
});

describe('requests without a valid token', () => {
  const from = (address: string, headers: Record<string, string> = {}) => ({ 'x-forwarded-for': address, ...headers });

  it('are limited per client address: 429 once the address has spent its budget, other addresses unaffected', async () => {
    for (let i = 0; i < 5; i++) {
      const refused = await send('/graphql', { headers: from('203.0.113.7'), query: CHEAP });
      expect(refused.status).toBe(401);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('TOKEN_MISSING');
    }
    const tokenRecords = () => records.filter((r) => r.eventType === 'TOKEN_REFUSED').length;
    const before = tokenRecords();
    const limited = await send('/graphql', { headers: from('203.0.113.7'), query: CHEAP });
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).toBe('1');
    // A GraphQL error body before GraphQL ran, as the refusal of an operation reads, with the same Retry-After.
    expect(limited.body).toEqual({ errors: [{ message: expect.stringMatching(/this address/), extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 1, budget: { perMinute: expect.any(Number), burst: 5 } } }] });
    // A forged token from there is refused by the limit before its check is reported again.
    expect((await send('/graphql', { headers: from('203.0.113.7', { authorization: 'Bearer forged.token.here' }), query: CHEAP })).status).toBe(429);
    expect(tokenRecords()).toBe(before);
    expect(rateLimitedRecords(undefined).filter((r) => r.operationName === 'POST /graphql')).toHaveLength(1);

    expect((await send('/graphql', { headers: from('203.0.113.8'), query: CHEAP })).status).toBe(401);
    // A valid token from the spent address is its caller's own budget, not the address's.
    expect((await ask('gw-behind-nat', CHEAP, 'grid-worker', from('203.0.113.7'))).status).toBe(200);
    now += 1_000;
    expect((await send('/graphql', { headers: from('203.0.113.7'), query: CHEAP })).status).toBe(401);
  });

  it('take X-Forwarded-For from trusted proxies only, by the hop the proxy appended', async () => {
    // The client wrote "198.51.100.1" itself; the proxy appended the address it saw.
    for (let i = 0; i < 5; i++) await send('/graphql', { headers: from(`198.51.100.${i + 1}, 203.0.113.20`), query: CHEAP });
    expect((await send('/graphql', { headers: from('198.51.100.99, 203.0.113.20'), query: CHEAP })).status).toBe(429);
  });

  it('hold a bounded table of addresses under a flood of distinct ones', async () => {
    for (let i = 0; i < 4 * MAX_ENTRIES; i++) {
      expect((await send('/graphql', { headers: from(`192.0.2.${i % 250}, 10.9.${Math.floor(i / 250)}.${i % 250}`), query: CHEAP })).status).toBe(401);
    }
    expect(sizes().addresses).toBeLessThanOrEqual(MAX_ENTRIES);
    expect(sizes().callers).toBeLessThanOrEqual(MAX_ENTRIES);
  });

  it('limit readiness probes too: each asks every department', async () => {
    for (let i = 0; i < 5; i++) expect((await send('/ready', { headers: from('203.0.113.30') })).status).toBe(200);
    const limited = await send('/ready', { headers: from('203.0.113.30') });
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).not.toBeNull();
    expect(limited.body).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED' } }] });
  });
});

it('counts every refusal in the metrics', async () => {
  const metrics = await (await fetch(new URL('/metrics', gateway.url))).text();
  expect(sampleValue(metrics, 'hub_gateway_rate_limited_total', { limit: 'caller', route: 'graphql' })).toBeGreaterThan(0);
  expect(sampleValue(metrics, 'hub_gateway_rate_limited_total', { limit: 'address', route: 'graphql' })).toBeGreaterThan(0);
  expect(sampleValue(metrics, 'hub_gateway_rate_limited_total', { limit: 'caller', route: 'datasets' })).toBeGreaterThan(0);
  expect(sampleValue(metrics, 'hub_gateway_rate_limit_buckets', { kind: 'addresses' })).toBeLessThanOrEqual(MAX_ENTRIES);
});
