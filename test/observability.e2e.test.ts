import { REQUEST_ID_HEADER } from '@hub/core';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ResidentProfileDocument } from '../clients/__generated__/operations.ts';
import { sampleValue } from './prometheus.ts';
import { grids, idOf } from './world.ts';

/*
 * Request ids and metrics: one id follows a request from the client through the gateway into every department's
 * log, and /metrics counts operations, subgraph fetches, errors and cache lookups.
 */
const lines: string[] = [];
let restoreStderr: () => void;
let previousLevel: string | undefined;
let hub: TestHub;

beforeAll(async () => {
  previousLevel = process.env.LOG_LEVEL;
  // Each service's per-request line is at debug level.
  process.env.LOG_LEVEL = 'debug';
  const write = process.stderr.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
    return true;
  }) as typeof process.stderr.write;
  restoreStderr = () => (process.stderr.write = write);
  hub = await bootTestHub(inject('hubTemplates'));
});
afterAll(async () => {
  await hub?.close();
  restoreStderr?.();
  if (previousLevel === undefined) delete process.env.LOG_LEVEL;
  else process.env.LOG_LEVEL = previousLevel;
});

const member = grids.flatMap((g) => g.party.members)[0]!;
const profile = (headers: Record<string, string> = {}) =>
  fetch(hub.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...hub.headers, ...headers },
    body: JSON.stringify({ query: print(ResidentProfileDocument), variables: { id: idOf(member.idNumber) } }),
  });
const logLinesOf = (requestId: string) =>
  lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { service: string; requestId?: string; message: string })
    .filter((line) => line.requestId === requestId);

describe('request ids', () => {
  it("follow a client's x-request-id into the gateway's and every department's JSON log lines", async () => {
    const response = await profile({ [REQUEST_ID_HEADER]: 'desk-7.req-0001' });
    expect(response.status).toBe(200);
    expect(response.headers.get(REQUEST_ID_HEADER)).toBe('desk-7.req-0001');
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    const services = new Set(logLinesOf('desk-7.req-0001').map((line) => line.service));
    // ResidentProfile asks all five departments.
    for (const service of ['gateway', 'public-security', 'civil-affairs', 'party', 'housing', 'mediation']) expect(services).toContain(service);
  });

  it('are made up by the gateway when the client sends none, and still reach the departments', async () => {
    const response = await profile();
    const requestId = response.headers.get(REQUEST_ID_HEADER)!;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    await response.json();
    expect(new Set(logLinesOf(requestId).map((line) => line.service))).toContain('party');
  });
});

describe('/metrics', () => {
  it('counts operations, subgraph fetches by department, errors by code and cache lookups, in Prometheus format', async () => {
    for (let i = 0; i < 3; i++) await (await profile()).json();
    await (await fetch(hub.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...hub.headers }, body: JSON.stringify({ query: '{ resident(id: "nope") { id } }' }) })).json();
    const response = await fetch(hub.gatewayUrl.replace(/\/graphql$/, '/metrics'));
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    const value = (name: string, labels: Record<string, string>) => sampleValue(text, name, { service: 'gateway', ...labels }) ?? Number.NaN;
    expect(value('hub_gateway_operations_total', { operation: 'ResidentProfile', outcome: 'ok' })).toBeGreaterThanOrEqual(3);
    expect(value('hub_gateway_operation_duration_seconds_count', { operation: 'ResidentProfile' })).toBeGreaterThanOrEqual(3);
    for (const subgraph of ['public-security', 'civil-affairs', 'party', 'housing', 'mediation']) {
      expect(value('hub_gateway_subgraph_fetches_total', { subgraph, outcome: 'ok' })).toBeGreaterThanOrEqual(3);
      expect(value('hub_gateway_subgraph_fetch_duration_seconds_bucket', { subgraph, le: '+Inf' })).toBeGreaterThanOrEqual(3);
      expect(value('hub_gateway_breaker_state', { subgraph })).toBe(0);
    }
    expect(value('hub_gateway_errors_total', { code: 'INVALID_RESIDENT_ID' })).toBeGreaterThanOrEqual(1);
    // The same operation again and again: parsed once, planned once, then found in the caches.
    expect(value('hub_gateway_cache_lookups_total', { cache: 'documents', result: 'hit' })).toBeGreaterThanOrEqual(2);
    expect(value('hub_gateway_cache_lookups_total', { cache: 'plans', result: 'hit' })).toBeGreaterThanOrEqual(2);
    expect(value('process_cpu_seconds_total', {})).toBeGreaterThan(0);
    expect(value('hub_http_requests_total', { route: '/graphql', status: '200' })).toBeGreaterThanOrEqual(4);
  });

  it("are served by each department too (its requests and its process's figures)", async () => {
    const text = await (await fetch(hub.subgraphs.party!.url.replace(/\/graphql$/, '/metrics'))).text();
    expect(sampleValue(text, 'hub_http_requests_total', { service: 'party', route: '/graphql', status: '200' })).toBeGreaterThan(0);
    expect(sampleValue(text, 'process_resident_memory_bytes', { service: 'party' })).toBeGreaterThan(0);
  });
});
