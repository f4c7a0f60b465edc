import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AuditRecordInput } from '@hub/audit-trail';
import { encodeCursor, type RunningService } from '@hub/core';
import { postGraphQL } from '@hub/core/testing';
import { createGateway, DEFAULT_SUPERGRAPH, limitsFromEnv, readSupergraph } from '@hub/gateway';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ReportCaseDocument } from '../clients/__generated__/operations.ts';
import { grids, idOf } from './world.ts';

/*
 * An event is framed once per group of subscribers (`gateway/src/subscriptions/frames.ts`): the members of a group
 * are written the same bytes, with only their own operation id spliced in where the protocol names one. Through a
 * gateway of the test's own (a small buffer bound) over the real departments: subscribers of one group on every
 * transport each get the event under their own id, and a member that stops reading is dropped alone.
 */

let hub: TestHub;
let gateway: RunningService;
let streamUrl: string;
let wsUrl: string;
const records: AuditRecordInput[] = [];
const BUFFER_BYTES = 16 * 1024;

beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  gateway = await createGateway({
    supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
    urls: Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])),
    ...hub.gatewayAccess,
    audit: { write: async (record) => void records.push(record) },
    trustedDocuments: { mode: 'off', manifest: new Map() },
    explorer: false,
    limits: { ...limitsFromEnv(), maxCost: 10_000_000, maxAliases: 1_000 },
    subscriptions: { perCaller: 100, perGateway: 1_000, maxBufferedBytes: BUFFER_BYTES, recheckMs: 60_000, routedWakeups: true, readAhead: true },
  }).listen(0);
  streamUrl = new URL('/graphql/stream', gateway.url).toString();
  wsUrl = gateway.url.replace(/^http/, 'ws');
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await hub?.close();
});

const GRID = grids.filter((g) => g.residents.length >= 1)[0]!.grid.code;

const WATCH = /* GraphQL */ `
  subscription Watch($after: String) {
    caseEvents(after: $after) { cursor node { sequence action case { id grid { code } } } }
  }
`;

interface Result {
  data?: { caseEvents: { cursor: string; node: { sequence: string; case: { id: string } } } } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
  extensions?: { lastEventId?: string };
}

async function bearer(role: string) {
  return `Bearer ${await hub.tokenFor(role, { sub: `${role}-${randomUUID()}` })}`;
}

async function report(): Promise<string> {
  const answer = await postGraphQL(
    hub.gatewayUrl,
    ReportCaseDocument,
    {
      input: {
        idempotencyKey: randomUUID(),
        category: 'NEIGHBOURS',
        source: 'GRID_WORKER_REPORT',
        gridCode: GRID,
        summary: '楼道堆物影响通行',
        parties: [{ role: 'APPLICANT', residentId: idOf(grids.find((g) => g.grid.code === GRID)!.residents[0]!.idNumber) }],
      },
    },
    { authorization: `Bearer ${await hub.tokenFor('grid-worker', { sub: `grid-worker-${randomUUID()}`, grids: [GRID] })}` },
  );
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  return answer.data!.reportCase!.case.id;
}

/** Waits (no fixed sleep) until `test` holds, checking whenever `poke` is called and at least once a second. */
function waiter() {
  const waiters: (() => void)[] = [];
  return {
    poke: () => waiters.splice(0).forEach((w) => w()),
    async until(test: () => boolean, what: string, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!test()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 1_000).unref();
        });
      }
    },
  };
}

/** The gateway's open subscriptions and groups, from its metrics. */
async function gauges(): Promise<{ subscriptions: number; groups: number; subscribing: number }> {
  const text = await (await fetch(new URL('/metrics', gateway.url))).text();
  const value = (what: string) => Number(new RegExp(`^hub_gateway_subscriptions\\{what="${what}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { subscriptions: value('subscriptions'), groups: value('groups'), subscribing: value('subscribing') };
}

/** A `graphql-transport-ws` socket spoken by hand, to see each message's operation id as it is on the wire. */
async function rawSocket(authorization: string) {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
  const messages: { id?: string; type: string; payload?: Result }[] = [];
  const wait = waiter();
  socket.on('message', (data, binary) => {
    // The protocol's messages are text frames; a binary one would be refused by browsers' clients.
    expect(binary).toBe(false);
    messages.push(JSON.parse(String(data)) as (typeof messages)[number]);
    wait.poke();
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization } }));
  await wait.until(() => messages.some((m) => m.type === 'connection_ack'), 'connection_ack');
  return {
    messages,
    until: wait.until,
    subscribe: (id: string, query: string, variables: Record<string, unknown>) => socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } })),
    /** Stops reading the socket: what the gateway writes piles up in its buffers. */
    pause: () => socket.pause(),
    close: () => socket.close(),
  };
}

/** Apollo's multipart subscription over a raw request: the parts' JSON as they come. */
function multipart(authorization: string, query: string, variables: Record<string, unknown>) {
  const parts: { payload?: Result | null }[] = [];
  const wait = waiter();
  let text = '';
  const request = http.request(gateway.url, { method: 'POST', headers: { accept: 'multipart/mixed;subscriptionSpec="1.0"', 'content-type': 'application/json', authorization } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
      const chunks = text.split('\r\n--graphql');
      text = chunks.pop()!;
      for (const c of chunks) {
        const body = c.split('\r\n\r\n')[1];
        if (body) parts.push(JSON.parse(body) as (typeof parts)[number]);
      }
      wait.poke();
    });
  });
  request.end(JSON.stringify({ query, variables }));
  return { parts, until: wait.until, close: () => request.destroy() };
}

describe('framing once per group', () => {
  it('gives each subscriber of one group, on every transport, the same event under its own operation id', async () => {
    const before = await gauges();
    const authorization = await bearer('dispatcher');
    // Two subscriptions of one caller on one socket: the same group, told apart only by their ids.
    const raw = await rawSocket(authorization);
    raw.subscribe('first', WATCH, {});
    raw.subscribe('second', WATCH, {});
    const received = new Map<string, Result[]>();
    const wait = waiter();
    const into = (name: string) => (result: unknown) => {
      received.set(name, [...(received.get(name) ?? []), result as Result]);
      wait.poke();
    };
    const ws = createWsClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: await bearer('dispatcher') } });
    const disposeWs = ws.subscribe({ query: WATCH }, { next: into('graphql-ws'), error: () => {}, complete: () => {} });
    const single = createSseClient({ url: streamUrl, singleConnection: true, retryAttempts: 0, headers: { authorization: await bearer('dispatcher') } });
    const disposeSingle = single.subscribe({ query: WATCH }, { next: into('single connection'), error: () => {}, complete: () => {} });
    const distinct = createSseClient({ url: streamUrl, retryAttempts: 0, headers: { authorization: await bearer('dispatcher') } });
    const disposeDistinct = distinct.subscribe({ query: WATCH }, { next: into('distinct connections'), error: () => {}, complete: () => {} });
    const parts = multipart(await bearer('dispatcher'), WATCH, {});
    const subscribers = 6;
    for (;;) {
      const now = await gauges();
      if (now.subscriptions - before.subscriptions >= subscribers && now.subscribing === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Same query, variables and caller class: one group, so one delivery (and one frame per transport) for all six.
    expect((await gauges()).groups - before.groups).toBe(1);

    const caseId = await report();
    const ofCase = (r: Result | null | undefined) => r?.data?.caseEvents.node.case.id === caseId;
    await raw.until(() => ['first', 'second'].every((id) => raw.messages.some((m) => m.id === id && m.type === 'next' && ofCase(m.payload))), 'the event on both raw subscriptions');
    await wait.until(() => ['graphql-ws', 'single connection', 'distinct connections'].every((name) => (received.get(name) ?? []).some(ofCase)), 'the event on every client');
    await parts.until(() => parts.parts.some((p) => ofCase(p.payload)), 'the event as a multipart part');

    const first = raw.messages.filter((m) => m.id === 'first' && m.type === 'next' && ofCase(m.payload));
    const second = raw.messages.filter((m) => m.id === 'second' && m.type === 'next' && ofCase(m.payload));
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    const event = first[0]!.payload!;
    expect(event.extensions?.lastEventId).toBe(event.data!.caseEvents.cursor);
    expect(second[0]!.payload).toEqual(event);
    // No message of the socket went out under an id it did not subscribe with.
    expect(new Set(raw.messages.filter((m) => m.type === 'next').map((m) => m.id))).toEqual(new Set(['first', 'second']));
    for (const name of ['graphql-ws', 'single connection']) expect(received.get(name)!.filter(ofCase)).toEqual([event]);
    // Distinct connections carry the cursor as the SSE `id:` line, not in the result.
    expect(received.get('distinct connections')!.filter(ofCase)).toEqual([{ data: event.data }]);
    expect(parts.parts.filter((p) => ofCase(p.payload)).map((p) => p.payload)).toEqual([event]);

    raw.close();
    disposeWs();
    disposeSingle();
    disposeDistinct();
    parts.close();
    await ws.dispose();
    single.dispose();
    distinct.dispose();
    // All six gone from the gateway before the next test counts its own.
    while ((await gauges()).subscriptions > before.subscriptions) await new Promise((r) => setTimeout(r, 100));
  }, 120_000);

  it('drops a member of a group that stops reading, alone, while the others of its group get every event', async () => {
    // Forty copies of each event's case: a socket nobody reads fills in a few pages of the seeded feed.
    const copies = Array.from({ length: 40 }, (_, i) => `c${i}: case { id category summary status receivedAt }`).join(' ');
    const FAT = `subscription Fat($after: String) { caseEvents(after: $after) { cursor node { sequence ${copies} } } }`;
    const after = encodeCursor('case-events', '0');
    const authorization = await bearer('dispatcher');
    const before = await gauges();
    // One caller, so one group: the slow member an SSE stream that is never read (a WebSocket nobody reads would be
    // ended by graphql-ws's keep-alive before that), the fast ones a socket and an SSE client that read.
    const slow = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = http.request(streamUrl, { method: 'POST', headers: { accept: 'text/event-stream', 'content-type': 'application/json', authorization } }, resolve);
      request.on('error', reject);
      request.end(JSON.stringify({ query: FAT, variables: { after } }));
    });
    expect(slow.statusCode).toBe(200);
    slow.pause();
    const fast = await rawSocket(authorization);
    fast.subscribe('fast', FAT, { after });
    const ends = () => records.filter((r) => r.variables?.subscription === 'end' && r.operationName === 'Fat');
    const fastSequences = () => fast.messages.filter((m) => m.id === 'fast' && m.type === 'next' && m.payload?.data).map((m) => Number(m.payload!.data!.caseEvents.node.sequence));
    // Each copy is the event's case under an alias.
    const caseOf = (r: Result | undefined) => (r?.data?.caseEvents.node as { c0?: { id: string } } | undefined)?.c0?.id;
    let marker = '';
    for (let i = 0; ends().length === 0 && i < 100; i++) {
      // More events until the gateway drops the slow one; the fast one gets each of them.
      marker = await report();
      await fast.until(() => fast.messages.some((m) => m.id === 'fast' && caseOf(m.payload) === marker), `event ${marker} on the fast socket`);
    }
    const end = ends();
    expect(end).toHaveLength(1);
    expect(end[0]!.errorCodes).toEqual(['SUBSCRIBER_TOO_SLOW']);
    // The fast member is still subscribed and still served: a later event reaches it, and it ended nowhere.
    const later = await report();
    await fast.until(() => fast.messages.some((m) => m.id === 'fast' && caseOf(m.payload) === later), 'an event after the drop on the fast socket');
    expect(fast.messages.filter((m) => m.id === 'fast' && (m.type === 'complete' || m.type === 'error'))).toEqual([]);
    expect((await gauges()).subscriptions - before.subscriptions).toBe(1);
    // Every event of the feed from the start, in order, none twice, on the fast socket.
    const sequences = fastSequences();
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(sequences.length);
    const feed: number[] = [];
    for (let cursor: string | null = null; ; ) {
      const page: { data?: { caseEvents: { edges: { node: { sequence: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } | null } = await postGraphQL(
        gateway.url,
        'query P($after: String) { caseEvents(first: 500, after: $after) { edges { node { sequence } } pageInfo { hasNextPage endCursor } } }',
        { after: cursor },
        { authorization },
      );
      feed.push(...page.data!.caseEvents.edges.map((e) => Number(e.node.sequence)));
      if (!page.data!.caseEvents.pageInfo.hasNextPage) break;
      cursor = page.data!.caseEvents.pageInfo.endCursor;
    }
    expect(sequences).toEqual(feed.filter((n) => n <= sequences.at(-1)!));
    slow.destroy();
    fast.close();
  }, 180_000);
});
