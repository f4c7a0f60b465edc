import { randomUUID } from 'node:crypto';
import { callerFromClaims, DEMO_HUB_SECRET, DEMO_ROLES, maskPhone } from '@hub/core';
import { reachOf, type WakeRoute } from '@hub/gateway';
import { decodeJwt } from 'jose';
import { postGraphQL } from '@hub/core/testing';
import { departmentRuntimes } from '@hub/hub/departments';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { print } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  GroupRentalChangesDocument,
  RecordGroupRentalRemediationDocument,
  type GroupRentalChangesSubscription,
  type GroupRentalChangesSubscriptionVariables,
} from '../clients/__generated__/operations.ts';
import { followingFrom, StreamEnded } from './stream-markers.ts';
import { grids, idOf, residents } from './world.ts';

/**
 * Housing's non-case stream as a grid worker uses it (群租整治实时推送): the worker subscribes with the client kit's
 * typed document over the real `graphql-sse` and `graphql-ws` clients, the housing officer records stages, and the
 * worker gets their own grids' events only, each with the house and its residents from public security as masked
 * for them, resumes after a dropped connection from the last event id with nothing lost or doubled, and a refused
 * transition changes nothing and sends nothing.
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

type Edge = GroupRentalChangesSubscription['groupRentalChanges'];
type Payload = { data?: GroupRentalChangesSubscription | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };

const SUBSCRIPTION = print(GroupRentalChangesDocument);

/** Group rentals of the test district by grid and stage, the houses' residents with a phone first. */
const rentals = grids.flatMap((g) => g.housing.groupRentals.map((r) => ({ id: r.id, status: r.status, houseCode: r.houseCode, grid: g.grid.code })));
const livingIn = (houseCode: string) => residents.filter((r) => r.houseCode === houseCode);
const byStatus = (grid: string, status: string) => rentals.filter((r) => r.grid === grid && r.status === status);
// Grid A: a worker's grid with an identified rental lived in by someone with a phone, two interviewed ones and a
// rectified one (the marker); grid B: another grid with an identified rental.
const GRID_A = grids.find(
  ({ grid: { code } }) =>
    byStatus(code, 'IDENTIFIED').some((r) => livingIn(r.houseCode).some((p) => p.phone)) &&
    byStatus(code, 'INTERVIEWED').length >= 2 &&
    byStatus(code, 'RECTIFIED').length >= 1,
)!.grid.code;
const MARKER = byStatus(GRID_A, 'RECTIFIED')[0]!;
const GRID_B = rentals.find((r) => r.grid !== GRID_A && r.status === 'IDENTIFIED')!.grid;
const A1 = byStatus(GRID_A, 'IDENTIFIED').find((r) => livingIn(r.houseCode).some((p) => p.phone))!;
const [A2, A3] = byStatus(GRID_A, 'INTERVIEWED') as [(typeof rentals)[number], (typeof rentals)[number]];
const B1 = byStatus(GRID_B, 'IDENTIFIED')[0]!;

async function bearer(role: string, claims: Record<string, unknown> = {}) {
  return `Bearer ${await hub.tokenFor(role, { sub: `${role}-${randomUUID()}`, ...claims })}`;
}

let officer: string;
beforeAll(async () => {
  officer = await bearer('housing-officer');
});

/** Records a stage as the housing officer; answers the response. */
const record = (groupRentalId: string, step: 'INTERVIEW' | 'RECTIFY' | 'REINSPECT', extra: Record<string, unknown> = {}) =>
  postGraphQL(hub.gatewayUrl, RecordGroupRentalRemediationDocument, { input: { idempotencyKey: randomUUID(), groupRentalId, step: step as never, ...extra } }, { authorization: officer });

/** Records a stage that must be accepted; answers its event's sequence. */
async function recorded(groupRentalId: string, step: 'INTERVIEW' | 'RECTIFY' | 'REINSPECT', extra: Record<string, unknown> = {}) {
  const answer = await record(groupRentalId, step, extra);
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  return answer.data!.recordGroupRentalRemediation!.event.sequence;
}

/** A stream's payloads; `until` waits for a condition over them (no fixed sleeps), failing at once if the stream ended with an error (`fail`). */
function collector() {
  const received: Payload[] = [];
  const waiters: { test: () => boolean; resolve: () => void; reject: (error: Error) => void }[] = [];
  let ended: { reason: unknown } | undefined;
  return {
    received,
    edges: () => received.flatMap((p) => (p.data ? [p.data.groupRentalChanges] : [])),
    push(payload: Payload) {
      received.push(payload);
      for (const w of waiters.splice(0)) (w.test() ? w.resolve() : waiters.push(w));
    },
    fail(reason: unknown) {
      ended = { reason };
      for (const w of waiters.splice(0)) (w.test() ? w.resolve() : w.reject(new StreamEnded('it', reason)));
    },
    until(test: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
      if (test()) return Promise.resolve();
      if (ended) return Promise.reject(new StreamEnded(what, ended.reason));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(received)}`)), timeoutMs);
        waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()), reject: (error) => (clearTimeout(timer), reject(error)) });
      });
    },
  };
}
type Stream = ReturnType<typeof collector>;
const sequences = (s: Stream) => s.edges().map((e) => e.node.sequence);
const hasSequence = (s: Stream, sequence: string) => () => sequences(s).includes(sequence);

/** Over SSE with the graphql-sse client (distinct connections); `lastEventId` resumes. */
function overSse(authorization: string, variables: GroupRentalChangesSubscriptionVariables = {}, lastEventId?: string) {
  const events = collector();
  const client = createSseClient({ url: streamUrl, retryAttempts: 0, headers: { authorization, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) } });
  client.subscribe<GroupRentalChangesSubscription>({ query: SUBSCRIPTION, variables }, { next: (p) => events.push(p as Payload), error: (e) => events.fail(e), complete: () => {} });
  return { events, dispose: () => client.dispose() };
}

/** Over graphql-transport-ws with the graphql-ws client. */
function overWs(authorization: string, variables: GroupRentalChangesSubscriptionVariables = {}) {
  const events = collector();
  const client = createWsClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization } });
  client.subscribe<GroupRentalChangesSubscription>({ query: SUBSCRIPTION, variables }, { next: (p) => events.push(p as Payload), error: (e) => events.fail(e), complete: () => {} });
  return { events, dispose: () => client.dispose() };
}

/**
 * Waits until the streams follow the feed (`followingFrom`): a compliant re-inspection of a rectified rental of grid A
 * (it stays rectified, so it can be recorded any number of times) as the marker. Answers the last marker's sequence.
 */
function settled(...streams: Stream[]) {
  return followingFrom(() => recorded(MARKER.id, 'REINSPECT', { result: 'COMPLIANT', occupantCount: 1 }), streams, {
    hadEvents: (s) => s.received.length > 0,
    until: (s, marker, ms) => s.until(hasSequence(s, marker), `marker ${marker}`, ms),
  });
}

describe('groupRentalChanges, as the grid worker follows it', () => {
  it("delivers the worker's own grids' stages only, over SSE and WebSocket alike, with the house and its residents as masked for them", async () => {
    const worker = await bearer('grid-worker', { grids: [GRID_A] });
    const sse = overSse(worker);
    const ws = overWs(worker);
    const marker = await settled(sse.events, ws.events);
    const interviewA = await recorded(A1.id, 'INTERVIEW', { note: '房东电话13912345678，已约谈' });
    const interviewB = await recorded(B1.id, 'INTERVIEW');
    const rectifyA = await recorded(A3.id, 'RECTIFY');
    for (const s of [sse.events, ws.events]) await s.until(hasSequence(s, rectifyA), 'the rectification in grid A');
    for (const s of [sse.events, ws.events]) {
      const seen = sequences(s);
      expect(seen.slice(seen.indexOf(marker))).toEqual([marker, interviewA, rectifyA]);
      expect(seen).not.toContain(interviewB);
      for (const e of s.edges()) expect(e.node.groupRental.grid.code).toBe(GRID_A);
    }
    // Both transports delivered the same payloads.
    expect(ws.events.edges()).toEqual(sse.events.edges());

    const event = sse.events.edges().find((e) => e.node.sequence === interviewA)!;
    expect(event.node).toMatchObject({ action: 'INTERVIEW', fromStatus: 'IDENTIFIED', toStatus: 'INTERVIEWED', note: '房东电话139****5678，已约谈', inspection: null });
    expect(event.node.groupRental).toMatchObject({ id: A1.id, status: 'INTERVIEWED' });
    // The grid from civil affairs, the people living there from public security: as the same worker's query answers
    // them, phones masked (no purpose declared).
    const asQuery = await postGraphQL<{ house: Edge['node']['groupRental']['house'] }>(
      hub.gatewayUrl,
      `query ($code: ID!) { house(code: $code) { code address occupants { id name phone } } }`,
      { code: A1.houseCode },
      { authorization: worker },
    );
    expect(asQuery.errors).toBeUndefined();
    expect(event.node.groupRental.house).toEqual(asQuery.data!.house);
    expect(event.node.groupRental.grid.name).toBe(grids.find((g) => g.grid.code === GRID_A)!.grid.name);
    const withPhone = livingIn(A1.houseCode).find((p) => p.phone)!;
    const occupant = event.node.groupRental.house.occupants!.find((o) => o.id === idOf(withPhone.idNumber))!;
    expect(occupant).toEqual({ id: idOf(withPhone.idNumber), name: withPhone.name, phone: maskPhone(withPhone.phone!) });
    sse.dispose();
    await ws.dispose();
  });

  it('sends nothing for a refused transition, which changes nothing', async () => {
    const worker = await bearer('grid-worker', { grids: [GRID_A] });
    const stream = overSse(worker);
    const marker = await settled(stream.events);
    const subject = `officer-${randomUUID()}`;
    const refused = await postGraphQL(
      hub.gatewayUrl,
      RecordGroupRentalRemediationDocument,
      { input: { idempotencyKey: randomUUID(), groupRentalId: A2.id, step: 'REINSPECT', result: 'COMPLIANT', occupantCount: 2 } },
      { authorization: `Bearer ${await hub.tokenFor('housing-officer', { sub: subject })}` },
    );
    expect(refused.errors?.map((e) => [e.extensions?.code, e.extensions?.currentStatus])).toEqual([['INVALID_TRANSITION', 'INTERVIEWED']]);
    expect(refused.data?.recordGroupRentalRemediation ?? null).toBeNull();
    const next = await settled(stream.events);
    // Nothing between the two markers: the refusal wrote no event and woke no one.
    const seen = sequences(stream.events);
    expect(seen.slice(seen.indexOf(marker))).toEqual([marker, next]);
    const rental = await postGraphQL<{ groupRentals: { edges: { node: { id: string; status: string; rectifiedOn: string | null; inspections: { id: string }[] } }[] } }>(
      hub.gatewayUrl,
      `query ($grid: ID!) { groupRentals(gridCode: $grid, first: 500) { edges { node { id status rectifiedOn inspections { id } } } } }`,
      { grid: GRID_A },
      { authorization: officer },
    );
    expect(rental.data!.groupRentals.edges.find((e) => e.node.id === A2.id)!.node).toEqual({ id: A2.id, status: 'INTERVIEWED', rectifiedOn: null, inspections: [] });
    // The gateway records the refused write in the trail, as it does every write.
    const audit = new pg.Client({ connectionString: hub.auditUrl });
    await audit.connect();
    try {
      const trail = async () =>
        (await audit.query<{ event_type: string; operation_name: string; outcome: string; error_codes: string[] }>('select event_type, operation_name, outcome, error_codes from audit_records where user_id = $1 order by seq', [subject])).rows;
      await expect.poll(trail, { timeout: 10_000 }).toEqual([{ event_type: 'WRITE', operation_name: 'RecordGroupRentalRemediation', outcome: 'ERROR', error_codes: ['INVALID_TRANSITION'] }]);
    } finally {
      await audit.end();
    }
    stream.dispose();
  });

  it('resumes after a dropped connection from the last event id, over SSE (Last-Event-ID) and WebSocket (after), nothing lost or doubled', async () => {
    const worker = await bearer('grid-worker', { grids: [GRID_A] });
    const filter = { statuses: ['INTERVIEWED', 'RECTIFIED', 'RELAPSED'] as never };
    const first = overSse(worker, { filter });
    await settled(first.events);
    const lastEventId = first.events.edges().at(-1)!.cursor;
    first.dispose();
    // Committed while no stream is open: two in the worker's grid, one elsewhere.
    const missed = [await recorded(A2.id, 'RECTIFY'), await recorded(B1.id, 'RECTIFY'), await recorded(A2.id, 'REINSPECT', { result: 'RELAPSED', occupantCount: 8 })];
    const resumedSse = overSse(worker, { filter }, lastEventId);
    const resumedWs = overWs(worker, { filter, after: lastEventId });
    for (const s of [resumedSse.events, resumedWs.events]) await s.until(hasSequence(s, missed[2]!), 'the resumed stream to catch up');
    const after = await settled(resumedSse.events, resumedWs.events);
    for (const s of [resumedSse.events, resumedWs.events]) expect(sequences(s)).toEqual([missed[0], missed[2], after]);
    resumedSse.dispose();
    await resumedWs.dispose();
  });

  it('is refused to a role without housing:read, before the stream opens', async () => {
    const response = await fetch(streamUrl, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json', authorization: await bearer('dispatcher') },
      body: JSON.stringify({ query: SUBSCRIPTION }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors.map((e) => e.extensions.code)).toContain('FORBIDDEN');
  });

  it("wakes a subscriber for every event its feed gives it, and a grid worker for no other grid's", async () => {
    // The routes as housing announces them ({ gridCode, status }), read from the whole feed.
    const admin = await bearer('administrator');
    type Node = { toStatus: string; groupRental: { grid: { code: string } } };
    const routesOf = async (authorization: string, filter?: Record<string, unknown>) => {
      const routes: WakeRoute[] = [];
      let after: string | null = null;
      for (;;) {
        const answer: { data?: { groupRentalEvents: { edges: { node: Node }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } | null; errors?: unknown } = await postGraphQL(
          hub.gatewayUrl,
          `query ($after: String, $filter: GroupRentalEventFilter) { groupRentalEvents(first: 500, after: $after, filter: $filter) {
            edges { node { toStatus groupRental { grid { code } } } } pageInfo { hasNextPage endCursor } } }`,
          { after, filter },
          { authorization },
        );
        expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
        for (const { node } of answer.data!.groupRentalEvents.edges) routes.push({ gridCode: node.groupRental.grid.code, status: node.toStatus });
        if (!answer.data!.groupRentalEvents.pageInfo.hasNextPage) return routes;
        after = answer.data!.groupRentalEvents.pageInfo.endCursor;
      }
    };
    const everything = await routesOf(admin);
    const cases: { role: string; claims?: Record<string, unknown>; filter?: Record<string, unknown> }[] = [
      { role: 'housing-officer' },
      { role: 'grid-worker', claims: { grids: [GRID_A] } },
      { role: 'housing-officer', filter: { gridCodes: [GRID_B], statuses: ['INTERVIEWED', 'RECTIFIED'] } },
      { role: 'grid-worker', claims: { grids: [GRID_A, GRID_B] }, filter: { statuses: ['RELAPSED'], actions: ['REINSPECT'] } },
    ];
    for (const { role, claims, filter } of cases) {
      const token = await bearer(role, claims);
      const reaches = reachOf('groupRentalChanges', { filter: filter ?? null }, callerFromClaims(decodeJwt(token.slice(7)), DEMO_ROLES));
      const given = await routesOf(token, filter);
      expect(given.length, `${role} ${JSON.stringify(filter)}`).toBeGreaterThan(0);
      for (const route of given) expect(reaches(route), `${role} ${JSON.stringify(filter)} ${JSON.stringify(route)}`).toBe(true);
      if (role === 'grid-worker') {
        const elsewhere = everything.filter((r) => !(claims!.grids as string[]).includes(r.gridCode!));
        expect(elsewhere.length).toBeGreaterThan(0);
        expect(elsewhere.filter((r) => reaches(r))).toEqual([]);
      }
    }
  });
});

// Last: it stops the hub's own housing service and serves it again only for its own duration.
describe('a restart of the housing subgraph', () => {
  it("loses nothing: the gateway follows housing's wake-up stream again and reads what committed meanwhile, once", async () => {
    const stream = overSse(await bearer('grid-worker', { grids: [GRID_A] }));
    await settled(stream.events);
    const port = Number(new URL(hub.subgraphs.housing!.url).port);
    await hub.stopSubgraph('housing');
    // Committed while housing is down, so no wake-up ever announces it: only the feed has it.
    const db = new pg.Client({ connectionString: hub.databaseUrls.housing });
    await db.connect();
    let silent: string;
    try {
      const { rows } = await db.query<{ sequence: string }>(
        `insert into group_rental_events (group_rental_id, grid_code, action, from_status, to_status, occurred_on, at, actor_user_id, actor_role, note)
         values ($1, $2, 'REINSPECT', 'RECTIFIED', 'RECTIFIED', current_date, now(), 'test-silent', 'housing-officer', null) returning sequence::text`,
        [MARKER.id, GRID_A],
      );
      silent = rows[0]!.sequence;
    } finally {
      await db.end();
    }
    const housing = departmentRuntimes.find((r) => r.name === 'housing')!;
    const restarted = await (await housing.connect(hub.databaseUrls.housing!)).serve(port, DEMO_HUB_SECRET, hub.internalKeys.publicKey);
    try {
      await stream.events.until(hasSequence(stream.events, silent), 'the silent event after the restart');
      const next = await settled(stream.events);
      const seen = sequences(stream.events);
      expect(seen.slice(seen.indexOf(silent))).toEqual([silent, next]);
      expect(new Set(seen).size).toBe(seen.length);
    } finally {
      stream.dispose();
      await restarted.close();
    }
  });
});
