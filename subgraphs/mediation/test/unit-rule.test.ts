import { DEMO_HUB_SECRET, encodeCursor, residentKey, type Caller } from '@hub/core';
import { errorCodes, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld, type DemoGridContents } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { caseEvents, caseParts, cases } from '../src/db/schema.ts';
import { subgraph } from '../src/server.ts';
import { addDays, chinaToday } from '../src/workflow/deadlines.ts';

/**
 * The unit row rule (db/case-scope.ts) on every read of a case or its events: a unit's worker sees the cases its
 * unit has or had a part in, and every other case is null (by id), absent (from lists, counts and the feed), as a
 * grid worker's cases outside their grids are. Each read path is asked by a unit with a part and by one without.
 */
const now = new Date('2026-11-26T02:00:00Z');
const today = chinaToday(now);
const harness = serveSubgraphForTests(subgraph, { options: { clock: () => now } });

const world = [...generateDemoWorld(TEST_DEMO).gridContents()];
const home: DemoGridContents = world.find((g) => g.mediation.committees.some((c) => c.type === 'COMMUNITY') && g.residents.length >= 2)!;
const GRID = home.grid.code;
const [applicant, respondent] = home.residents.map((r) => residentKey(r.idNumber, DEMO_HUB_SECRET));

const CENTRE = testCaller('dispatcher');
const GRID_WORKER = testCaller('grid-worker', { grids: [GRID] });
/** The demo role of the police station (派出所): public security's account acting for POLICE_STATION by its role. */
const STATION = testCaller('station-officer');
/** A station outside the hub (城管执法), co-handler of the case below. */
const URBAN: Caller = { ...testCaller('station-officer'), userId: 'station-urban', department: null, unit: 'URBAN_MANAGEMENT' };
/** A unit with no part in the case below. */
const HOUSING = testCaller('housing-officer');

let keys = 0;
const key = () => `unit-rule-${process.pid}-${++keys}`;

async function change(caller: Caller, mutation: string, input: Record<string, unknown>) {
  const response = await harness.gql<Record<string, { case: { id: string; version: number } }>>(
    `mutation ($input: ${mutation[0]!.toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { case { id version } } }`,
    { input: { idempotencyKey: key(), ...input } },
    caller,
  );
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data![mutation]!.case;
}

const gql = async <T>(caller: Caller, query: string, variables?: Record<string, unknown>) => {
  const response = await harness.gql<T>(query, variables, caller);
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!;
};

/**
 * The cases the unit has or had a part in, and those its department referred (a police or department referral), from
 * the database: what its worker must see.
 */
async function casesOfUnit(unit: string, where = sql`true`): Promise<string[]> {
  const db = harness.database.db;
  const withPart = await db.selectDistinct({ id: cases.id }).from(cases).innerJoin(caseParts, eq(caseParts.caseId, cases.id)).where(and(eq(caseParts.unitCode, unit), where));
  const department = departmentOf(unit);
  const referred =
    department === null
      ? []
      : await db
          .select({ id: cases.id })
          .from(cases)
          .innerJoin(caseEvents, and(eq(caseEvents.caseId, cases.id), eq(caseEvents.caseVersion, 1)))
          .where(and(eq(caseEvents.actorDepartment, department), inArray(cases.source, ['POLICE_REFERRAL', 'DEPARTMENT_REFERRAL']), where));
  return [...new Set([...withPart, ...referred].map((r) => r.id))].sort();
}

let caseId: string;
let feedStart: string;
let feedSequence: number;
beforeAll(async () => {
  const [last] = await harness.database.db.select({ s: sql<number>`coalesce(max(${caseEvents.sequence}), 0)`.mapWith(Number) }).from(caseEvents);
  feedStart = encodeCursor('case-events', String(last!.s));
  feedSequence = last!.s;
  const reported = await change(GRID_WORKER, 'reportCase', {
    category: 'NEIGHBOURS',
    source: 'GRID_WORKER_REPORT',
    gridCode: GRID,
    summary: '邻里因噪音发生推搡，需派出所介入',
    parties: [
      { role: 'APPLICANT', residentId: applicant },
      { role: 'RESPONDENT', residentId: respondent },
    ],
  });
  const accepted = await change(CENTRE, 'acceptCase', { caseId: reported.id, expectedVersion: reported.version });
  await change(CENTRE, 'dispatchCase', {
    caseId: reported.id,
    expectedVersion: accepted.version,
    leadUnit: 'POLICE_STATION',
    dueOn: addDays(today, 7),
    coHandlers: [{ unit: 'URBAN_MANAGEMENT', dueOn: addDays(today, 5) }],
  });
  caseId = reported.id;
});

describe('the unit row rule', () => {
  it('case(id): the lead and the co-handler see the case, a unit without a part gets null', async () => {
    const read = (caller: Caller) => gql<{ case: { id: string; timeline: { action: string }[] } | null }>(caller, `query ($id: ID!) { case(id: $id) { id timeline { action } } }`, { id: caseId });
    for (const caller of [STATION, URBAN, CENTRE]) expect((await read(caller)).case?.timeline.map((e) => e.action), caller.userId).toEqual(['REPORT', 'ACCEPT', 'DISPATCH']);
    expect((await read(HOUSING)).case).toBeNull();
    // A unit's worker whose token names no unit it may act for acts for none: it sees no case.
    expect((await read({ ...URBAN, unit: 'NOWHERE' })).case).toBeNull();
    expect((await read({ ...HOUSING, unit: 'URBAN_MANAGEMENT' })).case).toBeNull();
  });

  it('Grid.cases and Grid.caseCounts: exactly the cases of the grid the unit has or had a part in', async () => {
    const read = (caller: Caller) =>
      gql<{ _entities: { cases: { totalCount: number; edges: { node: { id: string } }[] }; caseCounts: { total: number } }[] }>(
        caller,
        `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { cases(first: 500) { totalCount edges { node { id } } } caseCounts { total } } } }`,
        { reps: [{ __typename: 'Grid', code: GRID }] },
      );
    for (const [caller, unit] of [[STATION, 'POLICE_STATION'], [HOUSING, 'HOUSING'], [URBAN, 'URBAN_MANAGEMENT']] as const) {
      const expected = await casesOfUnit(unit, eq(cases.gridCode, GRID));
      const [grid] = (await read(caller))._entities;
      expect(grid!.cases.edges.map((e) => e.node.id).sort(), unit).toEqual(expected);
      expect(grid!.cases.totalCount, unit).toBe(expected.length);
      expect(grid!.caseCounts.total, unit).toBe(expected.length);
      expect(expected.includes(caseId), unit).toBe(unit !== 'HOUSING');
    }
    const [all] = await harness.database.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(cases).where(eq(cases.gridCode, GRID));
    expect((await read(CENTRE))._entities[0]!.caseCounts.total).toBe(all!.n);
  });

  it('Resident.cases: a party’s cases, only those of the unit', async () => {
    const read = async (caller: Caller) =>
      (
        await gql<{ _entities: { cases: { id: string }[] }[] }>(caller, `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { cases { id } } } }`, {
          reps: [{ __typename: 'Resident', id: applicant }],
        })
      )._entities[0]!.cases.map((c) => c.id);
    expect(await read(STATION)).toContain(caseId);
    expect(await read(CENTRE)).toContain(caseId);
    const housing = await read(HOUSING);
    expect(housing).not.toContain(caseId);
    const ofHousing = new Set(await casesOfUnit('HOUSING'));
    for (const id of housing) expect(ofHousing.has(id), id).toBe(true);
  });

  it('House.cases, GroupRental.disputes, caseByIncident and Incident.mediationCase follow the same rule', async () => {
    const db = harness.database.db;
    const withHouse = await db.selectDistinct({ id: cases.id, house: cases.houseCode, unit: caseParts.unitCode }).from(cases).innerJoin(caseParts, eq(caseParts.caseId, cases.id)).where(isNotNull(cases.houseCode)).limit(1);
    const withIncident = await db.selectDistinct({ id: cases.id, incident: cases.incidentId, unit: caseParts.unitCode }).from(cases).innerJoin(caseParts, eq(caseParts.caseId, cases.id)).where(isNotNull(cases.incidentId)).limit(1);
    const withRental = await db.selectDistinct({ id: cases.id, rental: cases.groupRentalId, unit: caseParts.unitCode }).from(cases).innerJoin(caseParts, eq(caseParts.caseId, cases.id)).where(isNotNull(cases.groupRentalId)).limit(1);
    expect(withHouse.length + withIncident.length + withRental.length, 'the demo has cases about houses, incidents or group rentals, with parts').toBeGreaterThan(0);
    const unitCaller = (unit: string): Caller => ({ ...URBAN, userId: `unit-${unit}`, unit: unit === 'PUBLIC_SECURITY' || unit === 'HOUSING' || unit === 'CIVIL_AFFAIRS' || unit === 'PARTY' ? null : unit, department: departmentOf(unit) });
    const outsider = async (id: string) => {
      const units = new Set((await db.select({ unit: caseParts.unitCode }).from(caseParts).where(eq(caseParts.caseId, id))).map((r) => r.unit));
      return ['URBAN_MANAGEMENT', 'HEALTH', 'COURT'].find((u) => !units.has(u))!;
    };
    for (const { id, house, unit } of withHouse) {
      const read = async (caller: Caller) =>
        (await gql<{ _entities: { cases: { id: string }[] }[] }>(caller, `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on House { cases { id } } } }`, { reps: [{ __typename: 'House', code: house }] }))._entities[0]!.cases.map((c) => c.id);
      expect(await read(unitCaller(unit)), `${unit} on ${id}`).toContain(id);
      expect(await read(unitCaller(await outsider(id)))).not.toContain(id);
    }
    for (const { id, rental, unit } of withRental) {
      const read = async (caller: Caller) =>
        (await gql<{ _entities: { disputes: { id: string }[] }[] }>(caller, `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on GroupRental { disputes { id } } } }`, { reps: [{ __typename: 'GroupRental', id: rental }] }))._entities[0]!.disputes.map((c) => c.id);
      expect(await read(unitCaller(unit))).toContain(id);
      expect(await read(unitCaller(await outsider(id)))).not.toContain(id);
    }
    for (const { id, incident, unit } of withIncident) {
      const read = async (caller: Caller) => {
        const data = await gql<{ caseByIncident: { id: string } | null; _entities: { mediationCase: { id: string } | null }[] }>(
          caller,
          `query ($incident: ID!, $reps: [_Any!]!) { caseByIncident(incidentId: $incident) { id } _entities(representations: $reps) { ... on Incident { mediationCase { id } } } }`,
          { incident, reps: [{ __typename: 'Incident', id: incident }] },
        );
        return [data.caseByIncident?.id ?? null, data._entities[0]!.mediationCase?.id ?? null];
      };
      expect(await read(unitCaller(unit))).toEqual([id, id]);
      expect(await read(unitCaller(await outsider(id)))).toEqual([null, null]);
    }
  });

  it('the feed (caseEvents) and myWork: the events of the unit’s cases only, the whole timeline of each', async () => {
    const feed = async (caller: Caller, field = 'caseEvents') =>
      (await gql<Record<string, { edges: { node: { caseVersion: number; action: string; case: { id: string } } }[] }>>(caller, `query ($after: String) { ${field}(first: 500, after: $after) { edges { node { caseVersion action case { id } } } } }`, { after: feedStart }))[field]!.edges.map((e) => e.node);
    const ofCase = (events: { action: string; case: { id: string } }[]) => events.filter((e) => e.case.id === caseId).map((e) => e.action);
    expect(ofCase(await feed(STATION))).toEqual(['REPORT', 'ACCEPT', 'DISPATCH']);
    expect(ofCase(await feed(URBAN))).toEqual(['REPORT', 'ACCEPT', 'DISPATCH']);
    expect(ofCase(await feed(HOUSING))).toEqual([]);
    expect(ofCase(await feed(STATION, 'myWork'))).toEqual(['DISPATCH']);
    expect(ofCase(await feed(HOUSING, 'myWork'))).toEqual([]);
    // Everything a unit's worker reads from the feed since the start is of its unit's cases; the centre reads it all.
    const ofStation = new Set(await casesOfUnit('POLICE_STATION'));
    for (const e of await feed(STATION)) expect(ofStation.has(e.case.id), e.case.id).toBe(true);
    const all = await harness.database.db.select({ id: caseEvents.caseId }).from(caseEvents).where(sql`${caseEvents.sequence} > ${feedSequence}`);
    expect((await feed(CENTRE)).length).toBe(all.length);
    // Asking for another unit's events narrows within the rule, it does not widen it.
    const narrowed = (await gql<{ caseEvents: { edges: { node: { case: { id: string } } }[] } }>(HOUSING, `{ caseEvents(first: 500, unit: "POLICE_STATION") { edges { node { case { id } } } } }`)).caseEvents.edges;
    const ofHousing = new Set(await casesOfUnit('HOUSING'));
    for (const { node } of narrowed) expect(ofHousing.has(node.case.id)).toBe(true);
  });

  it('a unit that handed a case back still sees it; the unit it is re-dispatched to then sees its whole timeline', async () => {
    const [current] = await harness.database.db.select({ version: cases.version }).from(cases).where(eq(cases.id, caseId));
    const back = await change(STATION, 'handBackCase', { caseId, expectedVersion: current!.version, reason: 'WRONG_UNIT', note: '属住建职责，请改派' });
    const again = await change(CENTRE, 'dispatchCase', { caseId, expectedVersion: back.version, department: 'HOUSING', dueOn: addDays(today, 10) });
    const read = (caller: Caller) => gql<{ case: { version: number; timeline: { action: string }[] } | null }>(caller, `query ($id: ID!) { case(id: $id) { version timeline { action } } }`, { id: caseId });
    const actions = ['REPORT', 'ACCEPT', 'DISPATCH', 'HAND_BACK', 'DISPATCH'];
    expect((await read(STATION)).case?.timeline.map((e) => e.action)).toEqual(actions);
    expect((await read(HOUSING)).case).toMatchObject({ version: again.version, timeline: actions.map((action) => ({ action })) });
    // The station's worklist no longer holds it: it has no open part.
    const worklist = await gql<{ cases: { edges: { node: { id: string } }[] } }>(STATION, `{ cases(first: 500) { edges { node { id } } } }`);
    expect(worklist.cases.edges.map((e) => e.node.id)).not.toContain(caseId);
    expect(errorCodes(await harness.gql(`{ cases(first: 5) { totalCount } }`, undefined, { ...URBAN, unit: 'NOWHERE' }))).toEqual(['UNKNOWN_UNIT']);
  });

  it('shows a department the cases it referred, wherever they were sent; a grid worker’s report is no referral', async () => {
    const db = harness.database.db;
    const policeParts = db.select({ id: caseParts.caseId }).from(caseParts).where(inArray(caseParts.unitCode, ['PUBLIC_SECURITY', 'POLICE_STATION']));
    const [referral] = await db
      .select({ id: cases.id })
      .from(cases)
      .where(and(eq(cases.source, 'POLICE_REFERRAL'), sql`${cases.id} not in ${policeParts}`))
      .limit(1);
    expect(referral, 'a police referral the police were never sent').toBeDefined();
    const read = async (caller: Caller) => (await gql<{ case: { id: string } | null }>(caller, `query ($id: ID!) { case(id: $id) { id } }`, { id: referral!.id })).case?.id ?? null;
    expect(await read(testCaller('police-officer'))).toBe(referral!.id);
    expect(await read(STATION)).toBe(referral!.id);
    expect(await read(testCaller('civil-affairs-clerk'))).toBeNull();
    // The grid worker (a civil-affairs account) reported the case of this file: civil affairs' clerk does not see it.
    expect(await read(URBAN)).toBeNull();
    const ofClerk = (await gql<{ case: { id: string } | null }>(testCaller('civil-affairs-clerk'), `query ($id: ID!) { case(id: $id) { id } }`, { id: caseId })).case;
    expect(ofClerk).toBeNull();
  });

  it('leaves the centre, the supervision office, statistics and grid workers as they were', async () => {
    const ids = await harness.database.db.select({ id: cases.id }).from(cases).where(inArray(cases.gridCode, [GRID]));
    const read = async (caller: Caller) =>
      (await gql<{ _entities: { cases: { totalCount: number } }[] }>(caller, `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { cases(first: 1) { totalCount } } } }`, { reps: [{ __typename: 'Grid', code: GRID }] }))._entities[0]!.cases.totalCount;
    for (const caller of [CENTRE, testCaller('supervisor'), testCaller('district-analyst'), testCaller('mediator'), GRID_WORKER]) expect(await read(caller), caller.role).toBe(ids.length);
  });
});

/** The hub department whose accounts act for a unit of the built-in directory (null: a station outside the hub). */
function departmentOf(unit: string): string | null {
  const byUnit: Record<string, string> = {
    PUBLIC_SECURITY: 'public-security',
    POLICE_STATION: 'public-security',
    CIVIL_AFFAIRS: 'civil-affairs',
    PARTY: 'party',
    HOUSING: 'housing',
    MEDIATION: 'mediation',
    JUSTICE_OFFICE: 'mediation',
  };
  return byUnit[unit] ?? null;
}
