import { request as httpRequest } from 'node:http';
import { CALLER_HEADER, departments, signCallerToken } from '@hub/core';
import { testCaller } from '@hub/core/testing';
import { createGateway, DEFAULT_SUPERGRAPH, limitsFromEnv, readSupergraph } from '@hub/gateway';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { corpus, type Expected, type HostileRequest } from './hostile/corpus.ts';

/**
 * Every request of the hostile corpus, as raw bytes, to the gateway and to every subgraph directly: each is answered
 * with the status its entry expects, a JSON body with a stable code, never a 5xx, never a stack trace; and each
 * service still answers a plain query after the whole corpus.
 */
let hub: TestHub;
let production: { url: string; close(): Promise<void> };
beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  production = await createGateway({
    supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
    urls: Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])),
    ...hub.gatewayAccess,
    audit: { write: async () => {} },
    limits: limitsFromEnv({ NODE_ENV: 'production' }),
    trustedDocuments: { mode: 'off', manifest: new Map() },
    explorer: false,
  }).listen(0);
});
afterAll(async () => {
  await production?.close();
  await hub?.close();
});

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** The request exactly as the corpus gives it: node:http sends duplicate headers, wrong lengths and invalid UTF-8 as they are. */
function send(url: string, hostile: HostileRequest, credentials: Record<string, string>): Promise<Answer> {
  const target = new URL(url);
  const body = typeof hostile.body === 'function' ? hostile.body() : hostile.body;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: hostile.method ?? 'POST',
        path: hostile.path ?? target.pathname,
        headers: { ...(hostile.auth === 'none' ? {} : credentials), ...hostile.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    // A server may answer (413, 431) and close before the whole body is written; its answer is what counts.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    req.setTimeout(60_000, () => req.destroy(new Error('no answer in 60 s')));
    req.end(body);
  });
}

const asList = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T]);

/** What is wrong with an answer, in words; empty when it is what the entry expects. */
function problems(expected: Expected, answer: Answer): string[] {
  const found: string[] = [];
  if (answer.status >= 500) found.push(`a server error, ${answer.status}`);
  if (!asList(expected.status).includes(answer.status)) found.push(`status ${answer.status}, expected ${asList(expected.status).join(' or ')}`);
  if (!/^application\/(graphql-response\+)?json\b/.test(answer.contentType)) found.push(`content type "${answer.contentType}"`);
  if (/\bat .+:\d+:\d+\)?|node_modules|stacktrace|\/work\//i.test(answer.text)) found.push('a stack trace or a path in the body');
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    return [...found, `a body that is not JSON: ${answer.text.slice(0, 120)}`];
  }
  const errors = body.errors as { message?: unknown; extensions?: { code?: unknown } }[] | undefined;
  const codes = (errors ?? []).map((e) => e.extensions?.code);
  if (errors !== undefined) {
    if (!Array.isArray(errors) || errors.length === 0) found.push('an empty errors list');
    else if (errors.some((e) => typeof e.message !== 'string' || typeof e.extensions?.code !== 'string')) found.push(`an error without a message or code: ${answer.text.slice(0, 200)}`);
    if (codes.includes('INTERNAL_SERVER_ERROR')) found.push(`INTERNAL_SERVER_ERROR: ${answer.text.slice(0, 200)}`);
  }
  const wanted = 'code' in expected && expected.code !== undefined ? asList(expected.code) : undefined;
  switch (expected.body) {
    case 'data':
      if (errors !== undefined || body.data === undefined || body.data === null) found.push(`not an answer: ${answer.text.slice(0, 200)}`);
      break;
    case 'graphql':
      if (errors === undefined) found.push(`not a GraphQL error body: ${answer.text.slice(0, 200)}`);
      else if (wanted && !wanted.includes(codes[0] as string)) found.push(`code ${String(codes[0])}, expected ${wanted.join(' or ')}`);
      break;
    case 'http':
      // Refused before GraphQL saw it, in the same GraphQL error body, with no `data`.
      if (errors === undefined || 'data' in body) found.push(`not a GraphQL error body: ${answer.text.slice(0, 200)}`);
      else if (wanted && !wanted.includes(codes[0] as string)) found.push(`code ${String(codes[0])}, expected ${wanted.join(' or ')}`);
      break;
    case 'json':
      if (errors === undefined && (body.data === undefined || body.data === null)) found.push(`neither data nor errors: ${answer.text.slice(0, 200)}`);
      break;
  }
  return found;
}

const CONTROL: HostileRequest = { name: 'control', category: 'control', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}', gateway: { status: 200, body: 'data' } };

/**
 * A valid internal token for this very request, as the gateway would sign it: over the body a POST carries, or the
 * query string of a request without one. What is hostile is the request, not its credentials.
 */
async function internalToken(subgraph: string, hostile: HostileRequest): Promise<Record<string, string>> {
  const body = (hostile.method ?? 'POST') === 'POST' ? ((typeof hostile.body === 'function' ? hostile.body() : hostile.body) ?? '') : new URL(hostile.path ?? '/graphql', 'http://subgraph').search.slice(1);
  return { [CALLER_HEADER]: await signCallerToken(testCaller('administrator'), subgraph, hub.internalKeys.privateKey, { body }) };
}

describe('the hostile corpus', () => {
  it('holds at least 60 requests over every category, a few of them legitimate', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    expect(new Set(corpus.map((r) => r.name)).size).toBe(corpus.length);
    expect(new Set(corpus.map((r) => r.category)).size).toBeGreaterThanOrEqual(12);
    expect(corpus.filter((r) => r.category === 'control').length).toBeGreaterThanOrEqual(3);
  });
});

describe('at the gateway', () => {
  it.each(corpus.map((r) => [r.name, r] as const))('%s', async (_, hostile) => {
    const found = problems(hostile.gateway, await send(hub.gatewayUrl, hostile, hub.headers));
    expect(found, found.join('; ')).toEqual([]);
  });

  it('still answers, and its health is ok, after the whole corpus', async () => {
    expect(problems(CONTROL.gateway, await send(hub.gatewayUrl, CONTROL, hub.headers))).toEqual([]);
    expect((await fetch(hub.gatewayUrl.replace(/\/graphql$/, '/health'))).status).toBe(200);
  });
});

describe('at a production gateway', () => {
  const introspection: [string, string][] = [
    ['__schema', '{ __schema { types { name } } }'],
    ['__type', '{ __type(name: "Query") { fields { name } } }'],
    ['__schema in a fragment', '{ ...F } fragment F on Query { __schema { queryType { name } } }'],
  ];
  it.each(introspection)('refuses introspection (%s) with 400 and a validation code', async (_, query) => {
    const hostile: HostileRequest = { ...CONTROL, body: JSON.stringify({ query }), gateway: { status: 400, body: 'graphql', code: 'GRAPHQL_VALIDATION_FAILED' } };
    expect(problems(hostile.gateway, await send(production.url, hostile, hub.headers))).toEqual([]);
  });

  it('names no field of the schema in a validation error ("Did you mean …?")', async () => {
    const answer = await send(production.url, { ...CONTROL, body: JSON.stringify({ query: '{ distric { name } }' }) }, hub.headers);
    expect(problems({ status: 400, body: 'graphql', code: 'GRAPHQL_VALIDATION_FAILED' }, answer)).toEqual([]);
    expect(answer.text).not.toMatch(/did you mean|district/i);
  });

  it('still serves __typename', async () => {
    expect(problems(CONTROL.gateway, await send(production.url, CONTROL, hub.headers))).toEqual([]);
  });
});

describe("a department's scalar the client got wrong (GraphQL over HTTP: a request error)", () => {
  const QUERY = 'query($f: Date) { grids(first: 1) { totalCount } caseFiguresByDepartment(from: $f) { __typename } }';
  it.each([
    ['application/graphql-response+json', 'application/graphql-response+json'],
    ['application/json', 'application/json'],
    ['no Accept', undefined],
  ])('is 400 with no data for %s, though another department answered its part', async (_, accept) => {
    const response = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}), ...hub.headers },
      body: JSON.stringify({ query: QUERY, variables: { f: '2026-13-45' } }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('data');
    expect(body.errors).toEqual([{ message: expect.stringMatching(/\$f/), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', service: 'mediation' }) }]);
  });

  it('answers the same query with a good Date in full', async () => {
    const response = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...hub.headers },
      body: JSON.stringify({ query: QUERY, variables: { f: '2026-01-01' } }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
  });
});

describe.each(departments.map((d) => d.name))('at the %s subgraph, directly', (name) => {
  const cases = corpus.filter((r) => r.subgraph !== 'skip');
  it.each(cases.map((r) => [r.name, r] as const))('%s', async (_, hostile) => {
    const expected = hostile.subgraph === undefined || hostile.subgraph === 'skip' ? hostile.gateway : hostile.subgraph;
    const found = problems(expected, await send(hub.subgraphs[name]!.url, hostile, await internalToken(name, hostile)));
    expect(found, found.join('; ')).toEqual([]);
  });

  it('still answers, and its health is ok, after the whole corpus', async () => {
    expect(problems(CONTROL.gateway, await send(hub.subgraphs[name]!.url, CONTROL, await internalToken(name, CONTROL)))).toEqual([]);
    expect((await fetch(hub.subgraphs[name]!.url.replace(/\/graphql$/, '/health'))).status).toBe(200);
  });
});
