import { randomUUID } from 'node:crypto';
import { postGraphQL } from '@hub/core/testing';
import { departmentRuntimes } from '@hub/hub/departments';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { DEMO_HUB_SECRET, encodeCursor } from '@hub/core';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AcceptCaseDocument, DispatchCaseDocument, IssueSupervisionNoticeDocument, ReportCaseDocument } from '../clients/__generated__/operations.ts';
import { followingFrom, StreamEnded } from './stream-markers.ts';
import { grids, idOf } from './world.ts';

/**
 * Subscriptions through the gateway, with the real client libraries: each event is read from the committed feed as
 * the subscriber (row scope, field policy), a dropped stream resumes from its last event id with nothing lost or
 * doubled, and the trail records each subscription's start and end.
 */
let hub: TestHub;
let streamUrl: string;
let wsUrl: string;
beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  streamUrl = hub.gatewayUrl.replace(/\/graphql$/, '/graphql/stream');
  wsUrl = hub.gatewayUrl.replace(/^http/, 'ws');
});
afterAll(async () => {
  await hub?.close();
});

const withResidents = grids.filter((g) => g.residents.length >= 1);
const GRID_A = withResidents[0]!.grid.code;
const GRID_B = withResidents[1]!.grid.code;
const residentOf = (code: string) => idOf(grids.find((g) => g.grid.code === code)!.residents[0]!.idNumber);

const SUBSCRIPTION = /* GraphQL */ `
  subscription Watch($after: String, $filter: CaseEventFilter) {
    caseEvents(after: $after, filter: $filter) {
      cursor
      node { sequence action toStatus case { id grid { code } } }
    }
  }
`;

interface EventPayload {
  data?: { caseEvents: { cursor: string; node: { sequence: string; action: string; toStatus: string; department?: string | null; case: { id: string; grid: { code: string } } } } };
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function bearer(role: string, claims: Record<string, unknown> = {}) {
  return `Bearer ${await hub.tokenFor(role, { sub: `${role}-${randomUUID()}`, ...claims })}`;
}

/** Reports a case in a grid as a grid worker of it; answers its id. */
async function report(gridCode: string): Promise<string> {
  const headers = { authorization: await bearer('grid-worker', { grids: [gridCode] }) };
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
        parties: [{ role: 'APPLICANT', residentId: residentOf(gridCode) }],
      },
    },
    headers,
  );
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  return answer.data!.reportCase!.case.id;
}

/**
 * Collects a stream's payloads; `until` resolves once a predicate over them holds (no fixed sleeps), and fails at once
 * if the stream ended with an error meanwhile (`fail`).
 */
function collector() {
  const received: EventPayload[] = [];
  const waiters: { test: () => boolean; resolve: () => void; reject: (error: Error) => void }[] = [];
  let ended: { reason: unknown } | undefined;
  return {
    received,
    push(payload: EventPayload) {
      received.push(payload);
      for (const w of waiters.splice(0)) (w.test() ? w.resolve() : waiters.push(w));
    },
    fail(reason: unknown) {
      ended = { reason };
      for (const w of waiters.splice(0)) (w.test() ? w.resolve() : w.reject(new StreamEnded('it', reason)));
    },
    until(test: (received: EventPayload[]) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
      if (test(received)) return Promise.resolve();
      if (ended) return Promise.reject(new StreamEnded(what, ended.reason));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(received)}`)), timeoutMs);
        waiters.push({ test: () => test(received), resolve: () => (clearTimeout(timer), resolve()), reject: (error) => (clearTimeout(timer), reject(error)) });
      });
    },
  };
}

const caseIds = (received: EventPayload[]) => received.flatMap((p) => (p.data ? [p.data.caseEvents.node.case.id] : []));

/** Subscribes over SSE (distinct connections) with the graphql-sse client; the `last-event-id` header resumes. */
function sseSubscribe(authorization: string, variables: Record<string, unknown> = {}, lastEventId?: () => string | undefined, query = SUBSCRIPTION) {
  const events = collector();
  let failure: unknown;
  const client = createSseClient({
    url: streamUrl,
    retryAttempts: 0,
    headers: () => ({ authorization, ...(lastEventId?.() ? { 'last-event-id': lastEventId()! } : {}) }),
  });
  const done = new Promise<void>((resolve) => {
    client.subscribe<EventPayload['data']>({ query, variables }, {
      next: (payload) => events.push(payload as EventPayload),
      error: (error) => ((failure = error), events.fail(error), resolve()),
      complete: () => resolve(),
    });
  });
  return { events, done, failure: () => failure, dispose: () => client.dispose() };
}

/** Waits until the streams are admitted and following (`followingFrom`), with reports in grid A as markers. */
async function settled(...streams: { events: ReturnType<typeof collector> }[]) {
  return settledOn(() => report(GRID_A), ...streams);
}
/** `settled` with markers of the caller's making (a grid a filtered stream follows). */
function settledOn(mark: () => Promise<string>, ...streams: { events: ReturnType<typeof collector> }[]) {
  return followingFrom(mark, streams, {
    hadEvents: (s) => s.events.received.length > 0,
    until: (s, marker, ms) => s.events.until((r) => caseIds(r).includes(marker), `marker ${marker}`, ms),
  });
}

describe('GraphQL over SSE (graphql-sse client)', () => {
  it('delivers each committed event once, in feed order, within the subscriber row scope', async () => {
    const dispatcher = sseSubscribe(await bearer('dispatcher'));
    const gridWorker = sseSubscribe(await bearer('grid-worker', { grids: [GRID_A] }));
    const marker = await settled(dispatcher, gridWorker);
    const inA = await report(GRID_A);
    const inB = await report(GRID_B);
    const inA2 = await report(GRID_A);
    await dispatcher.events.until((r) => caseIds(r).includes(inA2), 'the dispatcher to see the last case');
    await gridWorker.events.until((r) => caseIds(r).includes(inA2), 'the grid worker to see the last case');
    const seenByDispatcher = caseIds(dispatcher.events.received);
    expect(seenByDispatcher.slice(seenByDispatcher.indexOf(marker))).toEqual([marker, inA, inB, inA2]);
    // The grid worker's stream holds their own grid's events only, as their feed does.
    const seenByWorker = caseIds(gridWorker.events.received);
    expect(seenByWorker.slice(seenByWorker.indexOf(marker))).toEqual([marker, inA, inA2]);
    for (const p of gridWorker.events.received) expect(p.data!.caseEvents.node.case.grid.code).toBe(GRID_A);
    const sequences = dispatcher.events.received.map((p) => Number(p.data!.caseEvents.node.sequence));
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
    expect(new Set(sequences).size).toBe(sequences.length);
    dispatcher.dispose();
    gridWorker.dispose();
  });

  it('serves many subscribers of one kind subscribing at once from one group, each getting every event', async () => {
    const streams = await Promise.all(Array.from({ length: 12 }, async () => sseSubscribe(await bearer('dispatcher'))));
    const marker = await settled(...streams);
    const next = await report(GRID_B);
    await Promise.all(streams.map((s) => s.events.until((r) => caseIds(r).includes(next), 'the next event on every stream')));
    for (const s of streams) {
      const seen = caseIds(s.events.received);
      expect(seen.slice(seen.indexOf(marker))).toEqual([marker, next]);
      s.dispose();
    }
  });

  it("times where each event's time went in the gateway (queued, read, written, per group and event) at /metrics", async () => {
    const counts = async () => {
      const text = await (await fetch(hub.gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
      const of = (stage: string) => Number(new RegExp(`^hub_gateway_subscription_delivery_seconds_count\\{[^}]*stage="${stage}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
      return { queued: of('queued'), read: of('read'), written: of('written') };
    };
    const stream = sseSubscribe(await bearer('dispatcher'));
    await settled(stream);
    const before = await counts();
    const next = await report(GRID_B);
    await stream.events.until((r) => caseIds(r).includes(next), 'the next event');
    // Timed as the group's read is delivered, before any member's client can have it: each stage counts it.
    const after = await counts();
    for (const stage of ['queued', 'read', 'written'] as const) expect(after[stage], stage).toBeGreaterThan(before[stage]);
    stream.dispose();
  });

  it('serves several subscriptions on one stream in single connection mode, each its own events', async () => {
    const client = createSseClient({ url: streamUrl, singleConnection: true, retryAttempts: 0, headers: { authorization: await bearer('dispatcher') } });
    const inA = collector();
    const inB = collector();
    const stops = [
      client.subscribe({ query: SUBSCRIPTION, variables: { filter: { gridCodes: [GRID_A] } } }, { next: (p) => inA.push(p as EventPayload), error: (e) => inA.fail(e), complete: () => {} }),
      client.subscribe({ query: SUBSCRIPTION, variables: { filter: { gridCodes: [GRID_B] } } }, { next: (p) => inB.push(p as EventPayload), error: (e) => inB.fail(e), complete: () => {} }),
    ];
    const marker = await settled({ events: inA });
    const b = await report(GRID_B);
    await inB.until((r) => caseIds(r).includes(b), 'the grid B subscription');
    expect(caseIds(inA.received)).not.toContain(b);
    expect(caseIds(inB.received)).not.toContain(marker);
    for (const stop of stops) stop();
    client.dispose();
  });

  it('filters by grid, and resumes after a dropped connection from Last-Event-ID with nothing lost or doubled', async () => {
    const authorization = await bearer('dispatcher');
    const first = sseSubscribe(authorization, { filter: { gridCodes: [GRID_B] } });
    await settledOn(() => report(GRID_B), first);
    const lastEventId = first.events.received.at(-1)!.data!.caseEvents.cursor;
    first.dispose();
    // Committed while no stream is open.
    const missed = [await report(GRID_B), await report(GRID_A), await report(GRID_B)];
    const resumed = sseSubscribe(authorization, { filter: { gridCodes: [GRID_B] } }, () => lastEventId);
    await resumed.events.until((r) => caseIds(r).includes(missed[2]!), 'the resumed stream to catch up');
    const after = await report(GRID_B);
    await resumed.events.until((r) => caseIds(r).includes(after), 'the resumed stream to follow');
    expect(caseIds(resumed.events.received)).toEqual([missed[0], missed[2], after]);
    resumed.dispose();
  });

  it('refuses a bad selection and a missing token with clear errors, and records start and end in the trail', async () => {
    const bad = await fetch(streamUrl, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json', authorization: await bearer('dispatcher') },
      body: JSON.stringify({ query: 'subscription { caseEvents { cursor nope } }' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const anonymous = await fetch(streamUrl, { method: 'POST', headers: { accept: 'text/event-stream', 'content-type': 'application/json' }, body: JSON.stringify({ query: SUBSCRIPTION }) });
    expect(anonymous.status).toBe(401);

    const subject = `auditee-${randomUUID()}`;
    const stream = sseSubscribe(`Bearer ${await hub.tokenFor('dispatcher', { sub: subject })}`);
    await settled(stream);
    stream.dispose();
    const audit = new pg.Client({ connectionString: hub.auditUrl });
    await audit.connect();
    try {
      const records = async () =>
        (await audit.query<{ operation_name: string; variables: { subscription?: string } }>('select operation_name, variables from audit_records where user_id = $1 order by seq', [subject])).rows;
      for (let i = 0; i < 200 && (await records()).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      expect((await records()).map((r) => [r.operation_name, r.variables.subscription])).toEqual([
        ['Watch', 'start'],
        ['Watch', 'end'],
      ]);
    } finally {
      await audit.end();
    }
  });

  it("records at its end the residents and categories its events disclosed, read as the subscriber", async () => {
    const subject = `disclosing-${randomUUID()}`;
    const query = /* GraphQL */ `
      subscription Parties($after: String) {
        caseEvents(after: $after) { cursor node { sequence case { id grid { code } parties { resident { id idNumber } } } } }
      }
    `;
    const stream = sseSubscribe(`Bearer ${await hub.tokenFor('dispatcher', { sub: subject })}`, {}, undefined, query);
    const marker = await settled(stream);
    stream.dispose();
    const payload = stream.events.received.find((p) => p.data?.caseEvents.node.case.id === marker) as unknown as { data: { caseEvents: { node: { case: { parties: { resident: { id: string; idNumber: string } }[] } } } } };
    const party = payload.data.caseEvents.node.case.parties[0]!.resident;
    expect(party.id).toBe(residentOf(GRID_A));
    // Masked for the dispatcher, as in a query's answer.
    expect(party.idNumber).toMatch(/\*/);
    const audit = new pg.Client({ connectionString: hub.auditUrl });
    await audit.connect();
    try {
      const end = async () =>
        (await audit.query<{ resident_ids: string[]; categories: string[] }>("select replace(resident_ids::text, '-', '')::text[] as resident_ids, categories from audit_records where user_id = $1 and variables->>'subscription' = 'end'", [subject])).rows[0];
      for (let i = 0; i < 200 && !(await end()); i++) await new Promise((r) => setTimeout(r, 50));
      const record = await end();
      expect(record?.resident_ids).toContain(party.id);
      expect(record?.categories).toContain('identity');
    } finally {
      await audit.end();
    }
  });

  it('caps the subscriptions one caller holds, and frees a place when one ends', async () => {
    const authorization = `Bearer ${await hub.tokenFor('dispatcher', { sub: `capped-${randomUUID()}` })}`;
    const open = (signal: AbortSignal) =>
      fetch(streamUrl, { method: 'POST', signal, headers: { accept: 'text/event-stream', 'content-type': 'application/json', authorization }, body: JSON.stringify({ query: SUBSCRIPTION }) });
    const controllers = Array.from({ length: 20 }, () => new AbortController());
    const admitted = await Promise.all(controllers.map((c) => open(c.signal)));
    expect(admitted.map((r) => r.status)).toEqual(controllers.map(() => 200));
    const refused = await open(new AbortController().signal);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { errors: { extensions: { code: string; limit: number } }[] }).errors[0]!.extensions).toMatchObject({ code: 'SUBSCRIPTION_LIMIT', limit: 20 });
    controllers[0]!.abort();
    // The gateway hears the client leave asynchronously: wait for the place to be given back.
    let again: Response | undefined;
    for (let i = 0; i < 100; i++) {
      const c = new AbortController();
      again = await open(c.signal);
      if (again.status === 200) {
        controllers.push(c);
        break;
      }
      await again.body?.cancel();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(again?.status).toBe(200);
    for (const c of controllers) c.abort();
  });

  it('ends a stream with TOKEN_EXPIRED when the token expires', async () => {
    const authorization = `Bearer ${await hub.tokenFor('dispatcher', { sub: `expiring-${randomUUID()}` }, { expiresIn: '3s' })}`;
    const stream = sseSubscribe(authorization);
    await stream.done;
    const last = stream.events.received.at(-1);
    expect(last?.errors?.[0]?.extensions?.code).toBe('TOKEN_EXPIRED');
  });
});

describe('the feed filter', () => {
  it('keeps only the events every condition holds for: departments, grids, statuses, actions, sources', async () => {
    const headers = { authorization: await bearer('administrator') };
    const page = async (filter: Record<string, unknown>) => {
      const answer = await postGraphQL<{ caseEvents: { edges: { node: { action: string; toStatus: string; department: string | null; case: { source: string; grid: { code: string } } } }[] } }>(
        hub.gatewayUrl,
        'query F($filter: CaseEventFilter) { caseEvents(first: 500, filter: $filter) { edges { node { action toStatus department case { source grid { code } } } } } }',
        { filter },
        headers,
      );
      expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
      return answer.data!.caseEvents.edges.map((e) => e.node);
    };
    const all = await page({});
    const referrals = await page({ sources: ['POLICE_REFERRAL'], actions: ['REPORT', 'ACCEPT'] });
    expect(referrals.length).toBeGreaterThan(0);
    expect(referrals.every((e) => e.case.source === 'POLICE_REFERRAL' && ['REPORT', 'ACCEPT'].includes(e.action))).toBe(true);
    expect(referrals.length).toBe(all.filter((e) => e.case.source === 'POLICE_REFERRAL' && ['REPORT', 'ACCEPT'].includes(e.action)).length);
    const housingDone = await page({ departments: ['HOUSING'], statuses: ['RESOLVED', 'CLOSED'] });
    expect(housingDone.length).toBe(all.filter((e) => e.department === 'HOUSING' && ['RESOLVED', 'CLOSED'].includes(e.toStatus)).length);
    expect(await page({ gridCodes: [] })).toEqual([]);
    const malformed = await postGraphQL(hub.gatewayUrl, 'query { caseEvents(filter: { gridCodes: ["12"] }) { edges { cursor } } }', {}, headers);
    expect(malformed.errors?.[0]?.extensions?.code).toBe('INVALID_GRID_CODE');
  });
});

const MY_WORK = /* GraphQL */ `
  subscription MyWork($after: String) {
    caseEvents: myWork(after: $after) {
      cursor
      node { sequence action toStatus department case { id grid { code } } }
    }
  }
`;

describe('myWork', () => {
  it("brings the centre a new report and the department the case dispatched to it, each once", async () => {
    const centre = await bearer('dispatcher');
    const centreWork = sseSubscribe(centre, {}, undefined, MY_WORK);
    const first = await settled(centreWork);
    const reportEvent = centreWork.events.received.find((p) => p.data?.caseEvents.node.case.id === first)!;
    expect(reportEvent.data!.caseEvents.node.action).toBe('REPORT');
    // From the report's cursor: the department's work after it, whenever its stream was admitted.
    const housingWork = sseSubscribe(await bearer('housing-officer'), { after: reportEvent.data!.caseEvents.cursor }, undefined, MY_WORK);
    const headers = { authorization: centre };
    const accepted = await postGraphQL(hub.gatewayUrl, AcceptCaseDocument, { input: { idempotencyKey: randomUUID(), caseId: first, expectedVersion: 1 } }, headers);
    expect(accepted.errors).toBeUndefined();
    const dueOn = new Date(Date.now() + 8 * 3_600_000 + 7 * 86_400_000).toISOString().slice(0, 10);
    const dispatched = await postGraphQL(hub.gatewayUrl, DispatchCaseDocument, { input: { idempotencyKey: randomUUID(), caseId: first, expectedVersion: 2, department: 'HOUSING', dueOn, note: '请住建部门处理' } }, headers);
    expect(dispatched.errors).toBeUndefined();
    await housingWork.events.until((r) => r.some((p) => p.data?.caseEvents.node.case.id === first), 'the dispatch in the department\'s work');
    const housingSaw = housingWork.events.received.filter((p) => p.data?.caseEvents.node.case.id === first).map((p) => p.data!.caseEvents.node.action);
    expect(housingSaw).toEqual(['DISPATCH']);
    for (const p of housingWork.events.received) expect(p.data!.caseEvents.node.department).toBe('HOUSING');
    await centreWork.events.until((r) => r.filter((p) => p.data?.caseEvents.node.case.id === first).length >= 2, "the acceptance in the centre's work");
    // The dispatch waits for the department, not the centre.
    const marker = await report(GRID_A);
    await centreWork.events.until((r) => caseIds(r).includes(marker), 'a later report');
    expect(centreWork.events.received.filter((p) => p.data?.caseEvents.node.case.id === first).map((p) => p.data!.caseEvents.node.action)).toEqual(['REPORT', 'ACCEPT']);
    centreWork.dispose();
    housingWork.dispose();
  });

  it('brings a supervision notice (督办单) to the unit it is addressed to, though the case keeps its status', async () => {
    const centre = { authorization: await bearer('dispatcher') };
    const caseId = await report(GRID_B);
    const accepted = await postGraphQL(hub.gatewayUrl, AcceptCaseDocument, { input: { idempotencyKey: randomUUID(), caseId, expectedVersion: 1 } }, centre);
    expect(accepted.errors).toBeUndefined();
    const dueOn = new Date(Date.now() + 8 * 3_600_000 + 7 * 86_400_000).toISOString().slice(0, 10);
    const dispatched = await postGraphQL(hub.gatewayUrl, DispatchCaseDocument, { input: { idempotencyKey: randomUUID(), caseId, expectedVersion: 2, department: 'HOUSING', dueOn, note: '请住建部门处理' } }, centre);
    expect(dispatched.errors).toBeUndefined();
    const from = dispatched.data!.dispatchCase!.event.sequence;
    // Subscribed from the dispatch on: what comes next is the notice, addressed to housing, the lead unit.
    const after = encodeCursor('case-events', from);
    const housingWork = sseSubscribe(await bearer('housing-officer'), { after }, undefined, MY_WORK);
    const policeWork = sseSubscribe(await bearer('police-officer'), { after }, undefined, MY_WORK);
    const centreWork = sseSubscribe(await bearer('dispatcher'), { after }, undefined, MY_WORK);
    const issued = await postGraphQL(
      hub.gatewayUrl,
      IssueSupervisionNoticeDocument,
      { input: { idempotencyKey: randomUUID(), caseId, expectedVersion: 3, kind: 'YELLOW', reason: '逾期未报到，黄牌督办' } },
      { authorization: await bearer('supervisor') },
    );
    expect(issued.errors, JSON.stringify(issued.errors)).toBeUndefined();
    expect(issued.data!.issueSupervisionNotice!.event.toStatus).toBe(issued.data!.issueSupervisionNotice!.event.fromStatus);
    await housingWork.events.until((r) => r.some((p) => p.data?.caseEvents.node.case.id === caseId), "the notice in the addressed unit's work");
    expect(housingWork.events.received.filter((p) => p.data?.caseEvents.node.case.id === caseId).map((p) => p.data!.caseEvents.node.action)).toEqual(['SUPERVISE']);
    // Neither another department nor the centre (the notice is not theirs to answer) gets it; a later event shows
    // their streams had moved past it.
    const marker = await report(GRID_A);
    await centreWork.events.until((r) => caseIds(r).includes(marker), "a later report in the centre's work");
    expect(caseIds(centreWork.events.received)).not.toContain(caseId);
    const accepted2 = await postGraphQL(hub.gatewayUrl, AcceptCaseDocument, { input: { idempotencyKey: randomUUID(), caseId: marker, expectedVersion: 1 } }, centre);
    expect(accepted2.errors).toBeUndefined();
    const dispatched2 = await postGraphQL(hub.gatewayUrl, DispatchCaseDocument, { input: { idempotencyKey: randomUUID(), caseId: marker, expectedVersion: 2, department: 'PUBLIC_SECURITY', dueOn, note: '请派出所处理' } }, centre);
    expect(dispatched2.errors, JSON.stringify(dispatched2.errors)).toBeUndefined();
    await policeWork.events.until((r) => caseIds(r).includes(marker), "a later dispatch in the police's work");
    expect(caseIds(policeWork.events.received)).not.toContain(caseId);
    for (const s of [housingWork, policeWork, centreWork]) s.dispose();
  });
});

describe('graphql-transport-ws (graphql-ws client)', () => {
  let client: WsClient;
  afterAll(async () => {
    await client?.dispose();
  });

  it('delivers events as the subscriber, with each cursor as lastEventId', async () => {
    client = createWsClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: await bearer('grid-worker', { grids: [GRID_A] }) } });
    const events = collector();
    const dispose = client.subscribe({ query: SUBSCRIPTION }, { next: (p) => events.push(p as EventPayload), error: (e) => events.fail(e), complete: () => {} });
    const marker = await settled({ events });
    const inB = await report(GRID_B);
    const inA = await report(GRID_A);
    await events.until((r) => caseIds(r).includes(inA), 'the WebSocket stream to follow');
    const seen = caseIds(events.received);
    expect(seen.slice(seen.indexOf(marker))).toEqual([marker, inA]);
    expect(seen).not.toContain(inB);
    const last = events.received.at(-1) as EventPayload & { extensions?: { lastEventId?: string } };
    expect(last.extensions?.lastEventId).toBe(last.data!.caseEvents.cursor);
    dispose();
  });

  it('closes a connection whose token is refused', async () => {
    const refused = createWsClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: 'Bearer not-a-token' } });
    const closed = await new Promise<number>((resolve) => {
      refused.on('closed', (event) => resolve((event as { code: number }).code));
      refused.subscribe({ query: SUBSCRIPTION }, { next: () => {}, error: () => {}, complete: () => {} });
    });
    expect(closed).toBe(4403);
    await refused.dispose();
  });
});

describe("Apollo's multipart HTTP subscriptions (Apollo Client)", () => {
  it('delivers events on /graphql as the subscriber, within their row scope', async () => {
    const authorization = await bearer('grid-worker', { grids: [GRID_A] });
    const client = new ApolloClient({ link: new HttpLink({ uri: hub.gatewayUrl, headers: { authorization } }), cache: new InMemoryCache() });
    const events = collector();
    const subscription = client.subscribe<EventPayload['data']>({ query: gql(SUBSCRIPTION) }).subscribe({
      next: (result) => events.push({ data: result.data ?? undefined, ...(result.error ? { errors: [{ message: result.error.message }] } : {}) } as EventPayload),
      error: (error) => events.fail(error),
    });
    const marker = await settled({ events });
    const inB = await report(GRID_B);
    const inA = await report(GRID_A);
    await events.until((r) => caseIds(r).includes(inA), 'the multipart stream to follow');
    const seen = caseIds(events.received);
    expect(seen.slice(seen.indexOf(marker))).toEqual([marker, inA]);
    expect(seen).not.toContain(inB);
    subscription.unsubscribe();
    client.stop();
  });

  it('refuses a subscription without a token before the stream opens', async () => {
    const response = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { accept: 'multipart/mixed;boundary=graphql;subscriptionSpec=1.0,application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ query: SUBSCRIPTION }),
    });
    expect(response.status).toBe(401);
  });
});

// Last: it stops the hub's own mediation service and serves it again only for its own duration.
describe('a restart of the mediation subgraph', () => {
  it('loses no event: what committed while the wake-up stream was down arrives on reconnection, once', async () => {
    const stream = sseSubscribe(await bearer('dispatcher'));
    await settled(stream);
    const port = Number(new URL(hub.subgraphs.mediation!.url).port);
    await hub.stopSubgraph('mediation');
    // An event committed with no wake-up sent (as if its notification were lost): only the feed knows it.
    const db = new pg.Client({ connectionString: hub.databaseUrls.mediation });
    await db.connect();
    let silent: { sequence: string; case_id: string };
    try {
      const { rows } = await db.query<{ sequence: string; case_id: string }>(
        `insert into case_events (case_id, case_version, action, from_status, to_status, at, actor_user_id, actor_role, grid_code, department, details)
         select case_id, case_version + 1000, 'ADD_RECORD', to_status, to_status, now(), 'test-silent', 'dispatcher', grid_code, department, '{}'::jsonb
         from case_events order by sequence desc limit 1
         returning sequence::text, case_id`,
      );
      silent = rows[0]!;
    } finally {
      await db.end();
    }
    const mediation = departmentRuntimes.find((r) => r.name === 'mediation')!;
    const connected = await mediation.connect(hub.databaseUrls.mediation!);
    const restarted = await connected.serve(port, DEMO_HUB_SECRET, hub.internalKeys.publicKey);
    try {
      await stream.events.until((r) => r.some((p) => p.data?.caseEvents.node.sequence === silent.sequence), 'the silent event after the restart');
      const after = await report(GRID_A);
      await stream.events.until((r) => caseIds(r).includes(after), 'a new event after the restart');
      const sequences = stream.events.received.map((p) => p.data!.caseEvents.node.sequence);
      expect(new Set(sequences).size).toBe(sequences.length);
      expect(sequences.filter((q) => q === silent.sequence)).toHaveLength(1);
    } finally {
      stream.dispose();
      await restarted.close();
    }
  });
});
