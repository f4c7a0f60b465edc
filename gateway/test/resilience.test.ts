import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitBreaker, type BreakerState } from '../src/resilience/breaker.ts';
import { resilienceFromEnv, type ResilienceOptions } from '../src/resilience/config.ts';
import { ResilientRemoteGraphQLDataSource, type FetchOutcome } from '../src/resilience/datasource.ts';
import { keepAliveFetcher } from '../src/resilience/fetcher.ts';

// @apollo/gateway exports the request kinds as a type only; a fetch outside any client request is a health check.
const HEALTH_CHECK = 'health check' as Extract<GraphQLDataSourceProcessOptions['kind'], 'health check'>;

/** A stand-in subgraph over real HTTP whose answer each test decides; it counts what reaches it. */
async function upstream(answer: (req: IncomingMessage, res: ServerResponse, hit: number) => void) {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(req, res, ++hits));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    url,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ok = (res: ServerResponse) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ data: { ping: 'pong' } }));
};

const FAST: ResilienceOptions = { timeoutMs: 200, timeoutMsBySubgraph: {}, retries: 2, backoffMs: 5, failureThreshold: 100, openMs: 100 };
// For tests whose outcome is not a timeout (they count requests, or name another reason): no attempt times out (and
// is retried) on a busy machine.
const PATIENT: ResilienceOptions = { ...FAST, timeoutMs: 10_000 };

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function dataSource(url: string, resilience: ResilienceOptions, onBreakerChange?: (state: BreakerState) => void) {
  const fetcher = keepAliveFetcher({ maxSockets: 4 });
  closers.push(() => fetcher.destroy());
  const outcomes: FetchOutcome[] = [];
  let shared = 0;
  const source = new ResilientRemoteGraphQLDataSource<{ caller: string }>({
    name: 'party',
    resilience,
    fetcher,
    // Stands in for the signed caller token the gateway sends.
    dataSource: { url, willSendRequest: ({ request, context }) => void request.http?.headers.set('x-hub-caller', context.caller ?? 'nobody') },
    onFetch: (outcome) => outcomes.push(outcome),
    onBreakerChange: (_service, state) => onBreakerChange?.(state),
    onShared: () => shared++,
  });
  const ask = (query: string, caller = 'u1') => source.process({ kind: HEALTH_CHECK, request: { query }, context: { caller } });
  return { source, ask, outcomes, shared: () => shared };
}

describe('subgraph fetches', () => {
  it('retry a read that found the subgraph failing, and answer once it recovers', async () => {
    const server = await upstream((_req, res, hit) => (hit < 3 ? ((res.statusCode = 503), res.end()) : ok(res)));
    closers.push(server.close);
    const { ask, outcomes } = dataSource(server.url, PATIENT);
    const response = await ask('{ ping }');
    expect(response).toMatchObject({ data: { ping: 'pong' } });
    expect(server.hits()).toBe(3);
    expect(outcomes).toMatchObject([{ service: 'party', outcome: 'ok', attempts: 3 }]);
  });

  it('never retry a mutation: it may have run', async () => {
    const server = await upstream((_req, res) => ((res.statusCode = 502), res.end()));
    closers.push(server.close);
    const { ask, outcomes } = dataSource(server.url, PATIENT);
    const response = await ask('mutation { recordVisit }');
    expect(server.hits()).toBe(1);
    expect(response.errors).toEqual([
      {
        message: 'The party department is unavailable; its part of this answer is missing',
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', service: 'party', reason: 'server-error' },
      },
    ]);
    expect(outcomes).toMatchObject([{ outcome: 'server-error', attempts: 1 }]);
  });

  it('give up on an attempt after the subgraph timeout, and name no address in the answer', async () => {
    const server = await upstream(() => {
      // never answers
    });
    closers.push(server.close);
    const { ask } = dataSource(server.url, { ...FAST, retries: 1, timeoutMsBySubgraph: { party: 100 } });
    const started = Date.now();
    const response = await ask('{ ping }');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(server.hits()).toBe(2);
    expect(response.errors?.[0]?.extensions).toEqual({ code: 'SUBGRAPH_UNAVAILABLE', service: 'party', reason: 'timeout' });
    expect(JSON.stringify(response)).not.toContain('127.0.0.1');
  });

  it('report an unreachable subgraph without its address or the socket error', async () => {
    const server = await upstream((_req, res) => ok(res));
    await server.close();
    const { ask } = dataSource(server.url, { ...FAST, retries: 0 });
    const response = await ask('{ ping }');
    expect(response.errors?.[0]?.extensions).toEqual({ code: 'SUBGRAPH_UNAVAILABLE', service: 'party', reason: 'unreachable' });
    expect(JSON.stringify(response)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
  });

  it('answer a refusal (4xx) as refused, not as an outage, and not retry it', async () => {
    const server = await upstream((_req, res) => ((res.statusCode = 401), res.end('{"code":"INTERNAL_TOKEN_INVALID"}')));
    closers.push(server.close);
    const { ask, source } = dataSource(server.url, { ...PATIENT, failureThreshold: 1 });
    const response = await ask('{ ping }');
    expect(server.hits()).toBe(1);
    expect(response.errors?.[0]?.extensions).toEqual({ code: 'SUBGRAPH_REQUEST_REFUSED', service: 'party', status: 401 });
    expect(source.breaker.state).toBe('closed');
  });

  it("pass on a subgraph's refusal of the client's own input (a bad Date variable) as BAD_USER_INPUT, not as refused", async () => {
    const refusal = { errors: [{ message: 'Variable "$f" got invalid value "2026-13-45"; Expected type "Date".', locations: [{ line: 1, column: 7 }], extensions: { code: 'BAD_USER_INPUT' } }] };
    const server = await upstream((_req, res) => {
      res.statusCode = 400;
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(refusal));
    });
    closers.push(server.close);
    const { ask, source, outcomes } = dataSource(server.url, { ...PATIENT, failureThreshold: 1 });
    const response = await ask('query($f: Date) { figures(from: $f) { n } }');
    expect(server.hits()).toBe(1);
    expect(response.errors).toEqual([{ message: refusal.errors[0]!.message, extensions: { code: 'BAD_USER_INPUT', service: 'party' } }]);
    expect(outcomes).toMatchObject([{ outcome: 'refused', attempts: 1 }]);
    expect(source.breaker.state).toBe('closed');
  });

  it("pass on a subgraph's refusal of a literal of its scalar, and no other validation failure", async () => {
    const thrown = { message: 'Date must be a string YYYY-MM-DD', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
    const literal = { message: 'Expected value of type "Date", found 20260101.', locations: [{ line: 1, column: 17 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
    const other = { message: 'Cannot query field "nope" on type "Query".', locations: [{ line: 1, column: 3 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
    let answer: unknown = { errors: [thrown] };
    const server = await upstream((_req, res) => {
      res.statusCode = 400;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer));
    });
    closers.push(server.close);
    const { ask } = dataSource(server.url, PATIENT);
    expect((await ask('{ figures(from: 20260101) { n } }')).errors).toEqual([{ message: thrown.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', service: 'party' } }]);
    answer = { errors: [literal] };
    expect((await ask('{ figures(from: 20260102) { n } }')).errors).toEqual([{ message: literal.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', service: 'party' } }]);
    answer = { errors: [other] };
    expect((await ask('{ nope }')).errors?.[0]?.extensions).toEqual({ code: 'SUBGRAPH_REQUEST_REFUSED', service: 'party', status: 400 });
  });

  it('still answer a 400 whose errors are not all about the input as refused', async () => {
    const server = await upstream((_req, res) => {
      res.statusCode = 400;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ errors: [{ message: 'x', extensions: { code: 'BAD_USER_INPUT' } }, { message: 'y', locations: [{ line: 1, column: 3 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] }));
    });
    closers.push(server.close);
    const { ask } = dataSource(server.url, PATIENT);
    const response = await ask('{ ping }');
    expect(response.errors?.[0]?.extensions).toEqual({ code: 'SUBGRAPH_REQUEST_REFUSED', service: 'party', status: 400 });
  });

  it('open the breaker after consecutive failures, stop asking, probe once after the open time, close on success', async () => {
    let down = true;
    const server = await upstream((_req, res) => (down ? ((res.statusCode = 503), res.end()) : ok(res)));
    closers.push(server.close);
    const states: BreakerState[] = [];
    const { ask, source } = dataSource(server.url, { ...FAST, retries: 0, failureThreshold: 3, openMs: 150 }, (s) => states.push(s));
    for (let i = 0; i < 3; i++) await ask('{ ping }');
    expect(source.breaker.state).toBe('open');
    expect(server.hits()).toBe(3);
    const refused = await ask('{ ping }');
    expect(server.hits()).toBe(3);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', reason: 'circuit-open' });

    // The probe after the open time finds it still down: open again, without a second try.
    await new Promise((resolve) => setTimeout(resolve, 170));
    await ask('{ ping }');
    expect(server.hits()).toBe(4);
    expect(source.breaker.state).toBe('open');

    down = false;
    await new Promise((resolve) => setTimeout(resolve, 170));
    expect(await ask('{ ping }')).toMatchObject({ data: { ping: 'pong' } });
    expect(source.breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });
});

describe('identical reads in flight', () => {
  const slow = (hits: { count: number }) => (_req: IncomingMessage, res: ServerResponse) => {
    hits.count++;
    setTimeout(() => ok(res), 100);
  };

  it('share one subgraph request for one caller, each with its own copy of the answer', async () => {
    const hits = { count: 0 };
    const server = await upstream(slow(hits));
    closers.push(server.close);
    const { ask, shared } = dataSource(server.url, PATIENT);
    const [a, b] = await Promise.all([ask('{ ping }'), ask('{ ping }')]);
    expect(hits.count).toBe(1);
    expect(shared()).toBe(1);
    expect(a).toMatchObject({ data: { ping: 'pong' } });
    expect(b).toMatchObject({ data: { ping: 'pong' } });
    // The gateway merges later fetches into these objects: two requests must never hold the same one.
    expect(a.data).not.toBe(b.data);
  });

  it('are not shared between callers, nor are mutations', async () => {
    const hits = { count: 0 };
    const server = await upstream(slow(hits));
    closers.push(server.close);
    const { ask, shared } = dataSource(server.url, PATIENT);
    await Promise.all([ask('{ ping }', 'u1'), ask('{ ping }', 'u2')]);
    expect(hits.count).toBe(2);
    await Promise.all([ask('mutation { ping }'), ask('mutation { ping }')]);
    expect(hits.count).toBe(4);
    expect(shared()).toBe(0);
  });
});

describe('the circuit breaker', () => {
  it('lets one probe through in half-open state, and no second until it is told the outcome', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 1_000, now: () => now });
    breaker.failed();
    expect(breaker.state).toBe('closed');
    breaker.failed();
    expect(breaker.tryAcquire()).toBe(false);
    now = 1_000;
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(false);
    breaker.succeeded();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('counts only consecutive failures: a success in between starts again', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 1_000 });
    breaker.failed();
    breaker.succeeded();
    breaker.failed();
    expect(breaker.state).toBe('closed');
  });
});

describe('resilience settings', () => {
  it('come from the environment, per subgraph where named, and refuse nonsense', () => {
    const settings = resilienceFromEnv({ HUB_SUBGRAPH_TIMEOUT_MS: '3000', MEDIATION_TIMEOUT_MS: '500', HUB_SUBGRAPH_RETRIES: '0', HUB_BREAKER_OPEN_MS: '2000' });
    expect(settings).toMatchObject({ timeoutMs: 3000, timeoutMsBySubgraph: { mediation: 500 }, retries: 0, openMs: 2000, failureThreshold: 5 });
    expect(() => resilienceFromEnv({ HUB_BREAKER_FAILURES: '0' })).toThrow(/HUB_BREAKER_FAILURES must be an integer of at least 1/);
    expect(() => resilienceFromEnv({ HUB_SUBGRAPH_TIMEOUT_MS: 'soon' })).toThrow(/HUB_SUBGRAPH_TIMEOUT_MS/);
  });
});
