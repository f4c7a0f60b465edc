import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AuditRecordInput } from '@hub/audit-trail';
import { callerFromClaims, DEMO_ROLES, encodeCursor, type RunningService } from '@hub/core';
import { postGraphQL } from '@hub/core/testing';
import { createGateway, DEFAULT_SUPERGRAPH, limitsFromEnv, reachOf, readSupergraph, type WakeRoute } from '@hub/gateway';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { createClient as createSseClient } from 'graphql-sse';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ReportCaseDocument } from '../clients/__generated__/operations.ts';
import { grids, idOf } from './world.ts';

/*
 * The subscription server's bounds, through a gateway of the test's own over the real departments: a client that
 * stops reading is dropped (resumable) while others keep receiving, the periodic re-check of a subscriber's
 * credentials ends a stream whose role was taken away (the interval is configured short, nothing waits a minute), a
 * subscribe is charged to the caller's rate limit (the limiter's clock is the test's), and the routes wake-ups carry
 * never keep an event from a subscriber the feed gives it to.
 */

let hub: TestHub;
let gateway: RunningService;
let streamUrl: string;
/** The gateway's roles: a test takes one away to revoke its tokens. */
const roles: Record<string, (typeof DEMO_ROLES)[keyof typeof DEMO_ROLES]> = { ...DEMO_ROLES };
let now = 1_000_000;
const records: AuditRecordInput[] = [];
const BUFFER_BYTES = 16 * 1024;
/** A supervisor's budget: a few subscribes of the watch below, far from what one event's reads would cost. */
const SUPERVISOR_BURST = 2_000;

beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  gateway = await createGateway({
    supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
    urls: Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])),
    ...hub.gatewayAccess,
    identity: { ...hub.gatewayAccess.identity!, roles },
    audit: { write: async (record) => void records.push(record) },
    trustedDocuments: { mode: 'off', manifest: new Map() },
    explorer: false,
    // The slow client's selection is large on purpose: many aliases of a case and its parties per event.
    limits: { ...limitsFromEnv(), maxCost: 10_000_000, maxAliases: 1_000 },
    subscriptions: { perCaller: 100, perGateway: 1_000, maxBufferedBytes: BUFFER_BYTES, recheckMs: 200, routedWakeups: true, readAhead: true },
    rateLimits: {
      roles: { supervisor: { perMinute: 60, burst: SUPERVISOR_BURST } },
      otherRoles: { perMinute: 600_000, burst: 1_000_000 },
      unauthenticated: { perMinute: 600, burst: 100 },
      clock: () => now,
    },
  }).listen(0);
  streamUrl = new URL('/graphql/stream', gateway.url).toString();
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await hub?.close();
});

const withResidents = grids.filter((g) => g.residents.length >= 1);
const GRID_A = withResidents[0]!.grid.code;
const GRID_B = withResidents[1]!.grid.code;

const WATCH = /* GraphQL */ `
  subscription Watch($after: String) {
    caseEvents(after: $after) { cursor node { sequence case { id grid { code } } } }
  }
`;

interface Payload {
  data?: { caseEvents: { cursor: string; node: { sequence: string; case: { id: string } } } };
  errors?: { message: string; extensions?: { code?: string; lastEventId?: string } }[];
}

async function bearer(role: string, claims: Record<string, unknown> = {}) {
  return `Bearer ${await hub.tokenFor(role, { sub: `${role}-${randomUUID()}`, ...claims })}`;
}

/** Reports a case in a grid through the shared test gateway (writes wake every gateway following the feed). */
async function report(gridCode: string): Promise<string> {
  const answer = await postGraphQL(
    hub.gatewayUrl,
    ReportCaseDocument,
    {
      input: {
        idempotencyKey: randomUUID(),
        category: 'NEIGHBOURS',
        source: 'GRID_WORKER_REPORT',
        gridCode,
        summary: '楼道堆物影响通行',
        parties: [{ role: 'APPLICANT', residentId: idOf(grids.find((g) => g.grid.code === gridCode)!.residents[0]!.idNumber) }],
      },
    },
    { authorization: await bearer('grid-worker', { grids: [gridCode] }) },
  );
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  return answer.data!.reportCase!.case.id;
}

/** Payloads as they arrive, and a wait for a condition on them (no fixed sleeps). */
function collector() {
  const received: Payload[] = [];
  const waiters: (() => void)[] = [];
  return {
    received,
    push(payload: Payload) {
      received.push(payload);
      for (const w of waiters.splice(0)) w();
    },
    async until(test: (received: Payload[]) => boolean, what: string, timeoutMs = 30_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!test(received)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(received.slice(-3))}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 1_000).unref();
        });
      }
    },
  };
}
const caseIds = (received: Payload[]) => received.flatMap((p) => (p.data ? [p.data.caseEvents.node.case.id] : []));

function sseSubscribe(authorization: string, variables: Record<string, unknown> = {}, query = WATCH) {
  const events = collector();
  let failure: unknown;
  const client = createSseClient({ url: streamUrl, retryAttempts: 0, headers: { authorization } });
  const done = new Promise<void>((resolve) => {
    client.subscribe({ query, variables }, { next: (p) => events.push(p as Payload), error: (e) => ((failure = e), resolve()), complete: () => resolve() });
  });
  return { events, done, failure: () => failure, dispose: () => client.dispose() };
}

/** Frames of a raw SSE response, read as they come (or not read at all, by a client that pauses it). */
function rawStream(authorization: string, query: string, variables: Record<string, unknown>) {
  let text = '';
  const waiters: (() => void)[] = [];
  let request!: http.ClientRequest;
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    request = http.request(streamUrl, { method: 'POST', headers: { accept: 'text/event-stream', 'content-type': 'application/json', authorization } }, resolve);
    request.on('error', reject);
    request.end(JSON.stringify({ query, variables }));
  });
  return {
    response,
    /** Starts (or resumes) reading the body. */
    read: async () => {
      const res = await response;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => ((text += chunk), waiters.splice(0).forEach((w) => w())));
      res.on('end', () => waiters.splice(0).forEach((w) => w()));
      res.resume();
    },
    text: () => text,
    async until(test: (text: string) => boolean, what: string, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!test(text)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; read ${text.length} characters`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 1_000).unref();
        });
      }
    },
    close: () => request.destroy(),
  };
}

const framesOf = (text: string) =>
  text
    .split('\n\n')
    .filter((f) => f.includes('event: next'))
    .map((f) => ({ id: /^id: (.*)$/m.exec(f)?.[1] ?? null, payload: JSON.parse(/^data: (.*)$/m.exec(f)![1]!) as Payload }));

describe('a slow client', () => {
  it('is dropped with a resumable SUBSCRIBER_TOO_SLOW once it leaves more than the bound unread, while others keep receiving', async () => {
    // Forty copies of each event's case (mediation's own fields, cheap to read): a client that does not read fills the
    // sockets in a few pages.
    const copies = Array.from({ length: 40 }, (_, i) => `c${i}: case { id category summary status receivedAt }`).join(' ');
    const FAT = `subscription Fat($after: String) { caseEvents(after: $after) { cursor node { sequence ${copies} } } }`;
    const authorization = await bearer('dispatcher');
    // From the first event of the feed: the whole seeded feed is owed to it at once.
    const slow = rawStream(authorization, FAT, { after: encodeCursor('case-events', '0') });
    const res = await slow.response;
    expect(res.statusCode).toBe(200);
    // Never read until the server gives up on it.
    res.pause();
    const fast = sseSubscribe(await bearer('dispatcher'));
    const audit = () => records.find((r) => r.variables?.subscription === 'end' && r.operationName === 'Fat');
    const marker = await report(GRID_A);
    await fast.events.until((r) => caseIds(r).includes(marker), 'the fast subscriber to receive while the slow one stalls');
    for (let i = 0; !audit() && i < 100; i++) {
      // More events for the slow one until the gateway drops it; the fast one gets every one.
      const next = await report(GRID_B);
      await fast.events.until((r) => caseIds(r).includes(next), `event ${next} on the fast stream`);
    }
    expect(audit()?.errorCodes).toEqual(['SUBSCRIBER_TOO_SLOW']);
    // The slow client reads what was sent before the drop: the events in order, then the error naming its resume point.
    await slow.read();
    await slow.until((t) => t.includes('event: complete'), 'the end of the slow stream');
    const frames = framesOf(slow.text());
    const last = frames.at(-1)!;
    expect(last.payload.errors?.[0]?.extensions?.code).toBe('SUBSCRIBER_TOO_SLOW');
    const events = frames.filter((f) => f.payload.data);
    expect(last.payload.errors?.[0]?.extensions?.lastEventId).toBe(events.at(-1)!.id);
    // Bounded: it was dropped long before the feed was all written to it.
    const sequences = events.map((f) => Number(f.payload.data!.caseEvents.node.sequence));
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    // Resuming from the last event id brings the rest, none lost, none twice (with a light selection of the same feed).
    const resumed = rawStream(authorization, WATCH, { after: last.payload.errors![0]!.extensions!.lastEventId });
    await resumed.read();
    const end = await report(GRID_A);
    await resumed.until((t) => t.includes(end), 'the resumed stream to reach a new event');
    const rest = framesOf(resumed.text()).filter((f) => f.payload.data).map((f) => Number(f.payload.data!.caseEvents.node.sequence));
    const all = [...sequences, ...rest];
    expect(all).toEqual([...all].sort((a, b) => a - b));
    expect(new Set(all).size).toBe(all.length);
    // Dropped before the feed was written out to it: the resumed stream caught up on more than the last report.
    expect(rest.length).toBeGreaterThan(1);
    // Nothing between the two: the whole feed up to the last report, as an unfiltered reader of it sees it.
    const feed: number[] = [];
    for (let after: string | null = null; ; ) {
      const page: { data?: { caseEvents: { edges: { node: { sequence: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } | null } = await postGraphQL(
        gateway.url,
        'query P($after: String) { caseEvents(first: 500, after: $after) { edges { node { sequence } } pageInfo { hasNextPage endCursor } } }',
        { after },
        { authorization },
      );
      feed.push(...page.data!.caseEvents.edges.map((e) => Number(e.node.sequence)));
      if (!page.data!.caseEvents.pageInfo.hasNextPage) break;
      after = page.data!.caseEvents.pageInfo.endCursor;
    }
    expect(all).toEqual(feed.filter((n) => n <= all.at(-1)!));
    resumed.close();
    slow.close();
    fast.dispose();
  }, 120_000);
});

describe('the periodic re-check', () => {
  it('ends a stream with the refusal and its resume point when the role is taken away', async () => {
    const subject = `rechecked-${randomUUID()}`;
    // A mediator sees every case of the grid (a department's worker sees only its unit's: db/case-scope.ts).
    const stream = sseSubscribe(`Bearer ${await hub.tokenFor('mediator', { sub: subject })}`);
    const marker = await report(GRID_A);
    await stream.events.until((r) => caseIds(r).includes(marker), 'the stream to follow');
    const saved = roles.mediator!;
    delete roles.mediator;
    try {
      await stream.done;
    } finally {
      roles.mediator = saved;
    }
    const last = stream.events.received.at(-1)!;
    expect(last.errors?.[0]?.extensions?.code).toBe('TOKEN_ROLE_UNKNOWN');
    const delivered = stream.events.received.filter((p) => p.data);
    expect(last.errors?.[0]?.extensions?.lastEventId).toBe(delivered.at(-1)!.data!.caseEvents.cursor);
    const end = () => records.find((r) => r.userId === subject && r.variables?.subscription === 'end');
    await stream.events.until(() => end() !== undefined, 'the end record');
    expect(end()!.errorCodes).toEqual(['TOKEN_ROLE_UNKNOWN']);
  });
});

describe('the rate limit', () => {
  it('charges a subscribe its selection as the caller, refuses one over budget with 429, and charges nothing per event', async () => {
    const authorization = await bearer('supervisor');
    const admitted: ReturnType<typeof rawStream>[] = [];
    let refused: { status: number; body: { errors: { extensions: { code: string; cost: number; retryAfterSeconds: number } }[] } } | undefined;
    for (let i = 0; i < 50 && !refused; i++) {
      const stream = rawStream(authorization, WATCH, {});
      const res = await stream.response;
      if (res.statusCode === 200) {
        admitted.push(stream);
        continue;
      }
      let body = '';
      for await (const chunk of res) body += String(chunk);
      refused = { status: res.statusCode!, body: JSON.parse(body) };
    }
    expect(refused?.status).toBe(429);
    const error = refused!.body.errors[0]!.extensions;
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    // Each admitted subscribe took its cost from the budget; the refused one found less than its cost left.
    expect(admitted.length).toBeGreaterThanOrEqual(1);
    expect(admitted.length * error.cost).toBeLessThanOrEqual(SUPERVISOR_BURST);
    expect((admitted.length + 1) * error.cost).toBeGreaterThan(SUPERVISOR_BURST);
    // The budget is spent, yet events keep coming: a wake-up's reads are not charged to anyone.
    const first = admitted[0]!;
    await first.read();
    const ids = [await report(GRID_A), await report(GRID_B), await report(GRID_A)];
    await first.until((t) => ids.every((id) => t.includes(id)), 'the events after the budget was spent');
    // Once the budget refills (the limiter's clock moved), a subscribe is admitted again.
    now += 60_000;
    const again = rawStream(authorization, WATCH, {});
    expect((await again.response).statusCode).toBe(200);
    for (const s of [...admitted, again]) s.close();
  });
});

describe('wake-up routes', () => {
  it('wake every group the feed gives an event to, and not the groups of other grids', async () => {
    // The feed as the routes describe it, read with every event's columns.
    const admin = { authorization: await bearer('administrator') };
    const FEED = `query F($after: String, $filter: CaseEventFilter) { caseEvents(first: 500, after: $after, filter: $filter) {
      edges { node { action fromStatus toStatus department unit { code } case { grid { code } } } } pageInfo { hasNextPage endCursor } } }`;
    type Node = { action: string; fromStatus: string | null; toStatus: string; department: string | null; unit: { code: string } | null; case: { grid: { code: string } } };
    const feed = async (authorization: string, filter?: Record<string, unknown>) => {
      const routes: WakeRoute[] = [];
      let after: string | null = null;
      for (;;) {
        const answer: { data?: { caseEvents: { edges: { node: Node }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } | null; errors?: unknown } = await postGraphQL(gateway.url, FEED, { after, filter }, { authorization });
        expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
        for (const { node } of answer.data!.caseEvents.edges) {
          routes.push({ gridCode: node.case.grid.code, department: node.department, unitCode: node.unit?.code ?? null, action: node.action, fromStatus: node.fromStatus, toStatus: node.toStatus });
        }
        if (!answer.data!.caseEvents.pageInfo.hasNextPage) return routes;
        after = answer.data!.caseEvents.pageInfo.endCursor;
      }
    };
    const everything = await feed(admin.authorization);
    expect(everything.length).toBeGreaterThan(0);
    const someUnit = everything.find((r) => r.unitCode !== null)?.unitCode;
    const cases: { role: string; claims?: Record<string, unknown>; filter?: Record<string, unknown> }[] = [
      { role: 'dispatcher' },
      { role: 'grid-worker', claims: { grids: [GRID_A] } },
      { role: 'dispatcher', filter: { gridCodes: [GRID_B], statuses: ['REPORTED', 'ACCEPTED', 'DISPATCHED'] } },
      { role: 'dispatcher', filter: { departments: ['HOUSING'], actions: ['DISPATCH', 'RESOLVE', 'SUPERVISE'] } },
      { role: 'dispatcher', filter: { sources: ['POLICE_REFERRAL'], severities: ['MAJOR'] } },
      ...(someUnit ? [{ role: 'dispatcher', filter: { units: [someUnit] } }] : []),
    ];
    for (const { role, claims, filter } of cases) {
      const token = await bearer(role, claims);
      const reaches = reachOf('caseEvents', { filter: filter ?? null }, callerFromClaims(decodeJwt(token.slice(7)), DEMO_ROLES));
      const given = await feed(token, filter);
      // Every event the feed gives this subscriber wakes it.
      for (const route of given) expect(reaches(route), `${role} ${JSON.stringify(filter)} ${JSON.stringify(route)}`).toBe(true);
      if (role === 'grid-worker') {
        // And the events of other grids do not.
        const elsewhere = everything.filter((r) => r.gridCode !== GRID_A);
        expect(elsewhere.length).toBeGreaterThan(0);
        expect(elsewhere.filter((r) => reaches(r))).toEqual([]);
      }
    }
  });
});
