import { readFile } from 'node:fs/promises';
import { parseWake } from '@hub/core';
import { serveSubgraphForTests, testCaller, type GraphQLResponse } from '@hub/core/testing';
import { generateDemoWorld, type DemoGroupRental } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { asc, count, eq, max } from 'drizzle-orm';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupRentalEvents, groupRentalInspections, groupRentals } from '../src/db/schema.ts';
import { GROUP_RENTAL_FEED, startingEvent } from '../src/remediation/feed.ts';
import { subgraph } from '../src/server.ts';

const world = generateDemoWorld(TEST_DEMO);
const rentals = [...world.gridContents()].flatMap((g) => g.housing.groupRentals.map((r) => ({ ...r, gridCode: g.grid.code })));
const withStatus = (status: DemoGroupRental['status']) => rentals.filter((r) => r.status === status);

/** The district's day: after every demo date, so that any stage may be dated today. */
const TODAY = '2026-11-20';
const harness = serveSubgraphForTests(subgraph, { options: { clock: () => new Date(`${TODAY}T10:00:00+08:00`) } });
const OFFICER = testCaller('housing-officer', { purpose: 'housing-management' });

const RECORD = /* GraphQL */ `
  mutation ($input: RecordGroupRentalRemediationInput!) {
    recordGroupRentalRemediation(input: $input) {
      replayed
      groupRental { id status interviewedOn rectifiedOn inspections { id inspectedOn occupantCount result } }
      event { sequence action fromStatus toStatus occurredOn actorRole actorDepartment note inspection { id result } groupRental { id } }
    }
  }
`;

type Change = {
  replayed: boolean;
  groupRental: { id: string; status: string; interviewedOn: string | null; rectifiedOn: string | null; inspections: { id: string; inspectedOn: string; occupantCount: number; result: string }[] };
  event: { sequence: string; action: string; fromStatus: string | null; toStatus: string; occurredOn: string; actorRole: string | null; actorDepartment: string | null; note: string | null; inspection: { id: string; result: string } | null; groupRental: { id: string } };
};

let keys = 0;
const newKey = () => `test-key-${++keys}-${Date.now()}`;
const record = (input: Record<string, unknown>, caller = OFFICER) =>
  harness.gql<{ recordGroupRentalRemediation: Change | null }>(RECORD, { input: { idempotencyKey: newKey(), ...input } }, caller);

function changed(response: GraphQLResponse<{ recordGroupRentalRemediation: Change | null }>): Change {
  expect(response.errors).toBeUndefined();
  return response.data!.recordGroupRentalRemediation!;
}

/** The wake-ups the feed's channel delivered, as the gateway's stream would get them: only at commit. */
let listener: pg.PoolClient;
const wakes: { sequence: number; route?: Record<string, string | null> }[] = [];
beforeAll(async () => {
  listener = await harness.database.pool.connect();
  listener.on('notification', (message) => {
    const wake = message.payload ? parseWake(message.payload) : null;
    if (wake) wakes.push(wake);
  });
  await listener.query(`LISTEN ${GROUP_RENTAL_FEED.channel}`);
});
afterAll(() => listener?.release());

/** Waits until the listener has the wake-up of `sequence` (a notification arrives after the commit's answer). */
async function wakeOf(sequence: number) {
  await expect.poll(() => wakes.find((w) => w.sequence === sequence), { timeout: 10_000 }).toBeDefined();
  return wakes.find((w) => w.sequence === sequence)!;
}

/** Everything a refusal must leave as it was: the rental, its inspections, the feed, and no wake-up sent. */
async function stateOf(id: string) {
  const { db } = harness.database;
  const [[rental], inspections, [feed]] = await Promise.all([
    db.select().from(groupRentals).where(eq(groupRentals.id, id)),
    db.select().from(groupRentalInspections).where(eq(groupRentalInspections.groupRentalId, id)),
    db.select({ n: count() }).from(groupRentalEvents),
  ]);
  return { rental, inspections, events: feed!.n };
}

async function expectRefused(id: string, input: Record<string, unknown>, code: string, caller = OFFICER) {
  const before = await stateOf(id);
  // The feed's last event before the refusal: an earlier change's wake-up may still be on its way (a loaded machine
  // delivers notifications late), so only wake-ups after it count.
  const [{ head }] = (await harness.database.db.select({ head: max(groupRentalEvents.sequence) }).from(groupRentalEvents)) as [{ head: number | null }];
  const response = await record({ groupRentalId: id, ...input }, caller);
  expect(response.errors?.map((e) => e.extensions?.code)).toEqual([code]);
  expect(response.data?.recordGroupRentalRemediation ?? null).toBeNull();
  expect(await stateOf(id)).toEqual(before);
  // A refused change announces nothing: a later change's wake-up is the next one the channel delivers (a compliant
  // re-inspection of a rectified rental, which may be recorded again and again).
  const probe = changed(await record({ groupRentalId: withStatus('RECTIFIED').at(-1)!.id, step: 'REINSPECT', result: 'COMPLIANT', occupantCount: 1 }));
  await wakeOf(Number(probe.event.sequence));
  expect(wakes.filter((w) => w.sequence > (head ?? 0)).map((w) => w.sequence)).toEqual([Number(probe.event.sequence)]);
  return response.errors![0]!;
}

describe('recording remediation (群租整治登记)', () => {
  it('moves a rental through interview, rectification and re-inspection, each stage one feed event announced at commit', async () => {
    const rental = withStatus('IDENTIFIED')[0]!;
    const interviewed = changed(await record({ groupRentalId: rental.id, step: 'INTERVIEW', occurredOn: '2026-11-18', note: '房东电话13812345678已约谈' }));
    expect(interviewed.replayed).toBe(false);
    expect(interviewed.groupRental).toMatchObject({ id: rental.id, status: 'INTERVIEWED', interviewedOn: '2026-11-18', rectifiedOn: null });
    expect(interviewed.event).toMatchObject({
      action: 'INTERVIEW',
      fromStatus: 'IDENTIFIED',
      toStatus: 'INTERVIEWED',
      occurredOn: '2026-11-18',
      actorRole: 'housing-officer',
      actorDepartment: 'housing',
      // Numbers in notes are masked for everyone.
      note: '房东电话138****5678已约谈',
      inspection: null,
      groupRental: { id: rental.id },
    });
    expect(await wakeOf(Number(interviewed.event.sequence))).toEqual({ sequence: Number(interviewed.event.sequence), route: { gridCode: rental.gridCode, status: 'INTERVIEWED' } });

    const rectified = changed(await record({ groupRentalId: rental.id, step: 'RECTIFY' }));
    expect(rectified.groupRental).toMatchObject({ status: 'RECTIFIED', interviewedOn: '2026-11-18', rectifiedOn: TODAY });
    expect(Number(rectified.event.sequence)).toBeGreaterThan(Number(interviewed.event.sequence));

    const compliant = changed(await record({ groupRentalId: rental.id, step: 'REINSPECT', result: 'COMPLIANT', occupantCount: 2 }));
    expect(compliant.groupRental.status).toBe('RECTIFIED');
    expect(compliant.groupRental.inspections).toEqual([{ id: `${rental.id}01`, inspectedOn: TODAY, occupantCount: 2, result: 'COMPLIANT' }]);
    expect(compliant.event).toMatchObject({ action: 'REINSPECT', fromStatus: 'RECTIFIED', toStatus: 'RECTIFIED', inspection: { id: `${rental.id}01`, result: 'COMPLIANT' } });

    const relapsed = changed(await record({ groupRentalId: rental.id, step: 'REINSPECT', result: 'RELAPSED', occupantCount: 9 }));
    // A relapse opens it again and keeps the date it was rectified.
    expect(relapsed.groupRental).toMatchObject({ status: 'RELAPSED', rectifiedOn: TODAY });
    expect(relapsed.groupRental.inspections.map((i) => i.id)).toEqual([`${rental.id}01`, `${rental.id}02`]);
    expect(await wakeOf(Number(relapsed.event.sequence))).toMatchObject({ route: { gridCode: rental.gridCode, status: 'RELAPSED' } });

    // A relapsed rental is taken up again with another interview.
    const again = changed(await record({ groupRentalId: rental.id, step: 'INTERVIEW' }));
    expect(again.event).toMatchObject({ fromStatus: 'RELAPSED', toStatus: 'INTERVIEWED' });
  });

  it('refuses a step the stage does not allow, naming what is allowed, and changes nothing', async () => {
    const rental = withStatus('IDENTIFIED')[1]!;
    const error = await expectRefused(rental.id, { step: 'RECTIFY' }, 'INVALID_TRANSITION');
    expect(error.extensions).toMatchObject({ currentStatus: 'IDENTIFIED', action: 'RECTIFY', allowedActions: ['INTERVIEW'], allowedStatuses: ['INTERVIEWED'] });
    await expectRefused(rental.id, { step: 'REINSPECT', result: 'COMPLIANT', occupantCount: 1 }, 'INVALID_TRANSITION');
    const rectified = withStatus('RECTIFIED')[0]!;
    await expectRefused(rectified.id, { step: 'INTERVIEW' }, 'INVALID_TRANSITION');
  });

  it('refuses malformed and inconsistent input before anything is written', async () => {
    const rental = withStatus('INTERVIEWED')[0]!;
    await expectRefused(rental.id, { step: 'RECTIFY', idempotencyKey: 'short' }, 'INVALID_IDEMPOTENCY_KEY');
    await expectRefused('QZ1', { step: 'RECTIFY' }, 'INVALID_GROUP_RENTAL_ID');
    await expectRefused(`QZ${rental.gridCode}999`, { step: 'RECTIFY' }, 'NOT_FOUND');
    await expectRefused(rental.id, { step: 'RECTIFY', result: 'COMPLIANT' }, 'INVALID_INPUT');
    await expectRefused(withStatus('RECTIFIED')[0]!.id, { step: 'REINSPECT', result: 'COMPLIANT' }, 'INVALID_INPUT');
    await expectRefused(rental.id, { step: 'RECTIFY', occurredOn: '2026-11-21' }, 'INVALID_DATE');
    await expectRefused(rental.id, { step: 'RECTIFY', occurredOn: '2026-01-01' }, 'INVALID_DATE');
    await expectRefused(rental.id, { step: 'RECTIFY', note: '很'.repeat(501) }, 'INPUT_TOO_LONG');
    // Not before the stage it follows.
    const fresh = withStatus('IDENTIFIED')[4]!;
    changed(await record({ groupRentalId: fresh.id, step: 'INTERVIEW', occurredOn: '2026-11-18' }));
    await expectRefused(fresh.id, { step: 'RECTIFY', occurredOn: '2026-11-17' }, 'INVALID_DATE');
  });

  it('answers a retry with the first answer, and refuses the key with another input', async () => {
    const rental = withStatus('INTERVIEWED')[1]!;
    const input = { idempotencyKey: newKey(), groupRentalId: rental.id, step: 'RECTIFY', note: '已拆除隔断' };
    const first = changed(await harness.gql(RECORD, { input }, OFFICER));
    const [retry, twin] = await Promise.all([harness.gql(RECORD, { input }, OFFICER), harness.gql(RECORD, { input }, OFFICER)]);
    for (const again of [changed(retry as never), changed(twin as never)]) {
      expect(again.replayed).toBe(true);
      expect(again.event).toEqual(first.event);
    }
    const { db } = harness.database;
    expect(await db.select({ n: count() }).from(groupRentalEvents).where(eq(groupRentalEvents.groupRentalId, rental.id))).toEqual([{ n: 2 }]);
    // Another caller's key of the same text is their own.
    const other = testCaller('housing-officer', { userId: 'test-housing-officer-2', purpose: 'housing-management' });
    const theirs = await harness.gql<{ recordGroupRentalRemediation: Change | null }>(RECORD, { input: { ...input, step: 'REINSPECT', result: 'COMPLIANT', occupantCount: 3 } }, other);
    expect(changed(theirs).event.action).toBe('REINSPECT');
    const reused = await expectRefused(rental.id, { ...input, step: 'REINSPECT', result: 'COMPLIANT', occupantCount: 3 }, 'IDEMPOTENCY_KEY_REUSED');
    expect(reused.extensions?.firstAction).toBe('RECTIFY');
  });

  it("lets a grid worker record the rentals of their own grids only", async () => {
    const [mine, theirs] = [withStatus('IDENTIFIED')[2]!, withStatus('IDENTIFIED').find((r) => r.gridCode !== withStatus('IDENTIFIED')[2]!.gridCode)!];
    const worker = testCaller('grid-worker', { grids: [mine.gridCode], purpose: 'grid-service' });
    const own = changed(await record({ groupRentalId: mine.id, step: 'INTERVIEW' }, worker));
    expect(own.event).toMatchObject({ actorRole: 'grid-worker', actorDepartment: 'civil-affairs', toStatus: 'INTERVIEWED' });
    // Another grid's rental is as absent for writing as for reading.
    await expectRefused(theirs.id, { step: 'INTERVIEW' }, 'NOT_FOUND', worker);
    // A role without grouprental:write is refused by the field policy, before the department runs anything.
    await expectRefused(theirs.id, { step: 'INTERVIEW' }, 'FORBIDDEN', testCaller('mediator', { purpose: 'case-handling' }));
  });
});

describe('the group-rental feed (groupRentalEvents)', () => {
  const FEED = /* GraphQL */ `
    query ($after: String, $first: Int, $filter: GroupRentalEventFilter) {
      groupRentalEvents(after: $after, first: $first, filter: $filter) {
        edges { cursor node { sequence action fromStatus toStatus occurredOn groupRental { id grid { code } } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  `;
  type Page = { groupRentalEvents: { edges: { cursor: string; node: { sequence: string; action: string; fromStatus: string | null; toStatus: string; occurredOn: string; groupRental: { id: string; grid: { code: string } } } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
  const read = async (variables: Record<string, unknown>, caller = OFFICER) => {
    const response = await harness.gql<Page>(FEED, variables, caller);
    expect(response.errors).toBeUndefined();
    return response.data!.groupRentalEvents;
  };
  async function readAll(variables: Record<string, unknown>, caller = OFFICER) {
    const nodes: Page['groupRentalEvents']['edges'][number]['node'][] = [];
    let after: string | null = null;
    for (;;) {
      const page = await read({ ...variables, after, first: 50 }, caller);
      nodes.push(...page.edges.map((e) => e.node));
      if (!page.pageInfo.hasNextPage) return { nodes, endCursor: page.pageInfo.endCursor };
      after = page.pageInfo.endCursor;
    }
  }

  it('starts with every rental of the register at its stage, in feed order, and keeps the cursor at its end', async () => {
    const { nodes, endCursor } = await readAll({ filter: { actions: ['IDENTIFY'] } });
    expect(nodes.map((n) => n.groupRental.id).sort()).toEqual(rentals.map((r) => r.id).sort());
    const byId = new Map(rentals.map((r) => [r.id, r]));
    for (const n of nodes) {
      const expected = startingEvent(byId.get(n.groupRental.id)!);
      expect(n).toMatchObject({ action: 'IDENTIFY', fromStatus: null, toStatus: expected.toStatus, occurredOn: expected.occurredOn });
    }
    const sequences = nodes.map((n) => Number(n.sequence));
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    const atEnd = await read({ after: endCursor, filter: { actions: ['IDENTIFY'] } });
    expect(atEnd).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor } });
  });

  it("gives a grid worker their own grids' events only, and filters by grid, stage and action", async () => {
    const grid = withStatus('IDENTIFIED')[3]!.gridCode;
    const worker = testCaller('grid-worker', { grids: [grid], purpose: 'grid-service' });
    const mine = await readAll({}, worker);
    expect(mine.nodes.length).toBeGreaterThan(0);
    expect(new Set(mine.nodes.map((n) => n.groupRental.grid.code))).toEqual(new Set([grid]));
    // A filter naming another grid cannot widen the row scope.
    const other = rentals.find((r) => r.gridCode !== grid)!.gridCode;
    expect((await readAll({ filter: { gridCodes: [other] } }, worker)).nodes).toEqual([]);
    const relapsed = await readAll({ filter: { statuses: ['RELAPSED'], actions: ['IDENTIFY'] } });
    expect(relapsed.nodes.map((n) => n.groupRental.id).sort()).toEqual(withStatus('RELAPSED').map((r) => r.id).sort());
    const response = await harness.gql(FEED, { filter: { gridCodes: ['123'] } }, OFFICER);
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['INVALID_GRID_CODE']);
    const badCursor = await harness.gql(FEED, { after: 'nonsense' }, OFFICER);
    expect(badCursor.errors?.map((e) => e.extensions?.code)).toEqual(['INVALID_CURSOR']);
  });

  it('the migration gives every rental already on the register the same starting event as the demo', async () => {
    const sql = await readFile(new URL('../src/db/migrations/0003_group_rental_events.sql', import.meta.url), 'utf8');
    const backfill = sql.split('--> statement-breakpoint').at(-1)!;
    const client = await harness.database.pool.connect();
    try {
      await client.query('begin');
      await client.query('delete from group_rental_events');
      await client.query(backfill);
      const { rows } = await client.query<{ id: string; grid: string; action: string; from: string | null; to: string; on: string; at: Date }>(
        `select group_rental_id as id, grid_code as grid, action, from_status as "from", to_status as "to", occurred_on::text as "on", at from group_rental_events order by sequence`,
      );
      // Rentals as the register holds them now (this file's changes included), each once, in id order.
      const registered = await harness.database.db.select().from(groupRentals).orderBy(asc(groupRentals.id));
      const inspections = await harness.database.db.select().from(groupRentalInspections);
      expect(rows.map((r) => r.id)).toEqual(registered.map((r) => r.id));
      for (const [i, r] of registered.entries()) {
        const expected = startingEvent({ ...r, inspections: inspections.filter((x) => x.groupRentalId === r.id) });
        expect(rows[i]).toEqual({ id: r.id, grid: r.gridCode, action: 'IDENTIFY', from: null, to: r.status, on: expected.occurredOn, at: expected.at });
      }
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});
