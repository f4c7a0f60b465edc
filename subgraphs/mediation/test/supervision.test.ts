import { createAuditWriter, type AuditWriter } from '@hub/audit-trail';
import { auditDatabase } from '@hub/audit-trail/db';
import { verifyAuditChain } from '@hub/audit-trail/verify';
import { createDepartmentAudit, createLogger, DEMO_HUB_SECRET, dropDatabase, ensureDatabase, residentKey, withDatabase, type Caller, type DepartmentAudit, type Logger } from '@hub/core';
import { errorCodes, serveSubgraphForTests, testCaller, uniqueDatabaseName } from '@hub/core/testing';
import pg from 'pg';
import { generateDemoWorld } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { caseEvents, cases, supervisionNotices } from '../src/db/schema.ts';
import { subgraph } from '../src/server.ts';
import { addDays, chinaToday, DEADLINE_STATUSES, supervisionCard } from '../src/workflow/deadlines.ts';
import { runSupervisionCheck, startSupervisionChecks, type SupervisionCheck } from '../src/workflow/supervision.ts';
import { inconsistentCases } from './invariants.ts';

/** The service's clock, which the tests move; the supervision check runs on the same one. */
let now = new Date('2027-03-01T01:00:00Z');
const GRACE_DAYS = 5;
const WARNING_DAYS = 3;
const at = (isoDate: string) => {
  now = new Date(`${isoDate}T02:00:00Z`); // 10:00 in Beijing
};

const world = [...generateDemoWorld(TEST_DEMO).gridContents()];
const home = world.find((g) => g.residents.length >= 2)!;
const [applicant, respondent] = home.residents.map((r) => residentKey(r.idNumber, DEMO_HUB_SECRET));

const harness = serveSubgraphForTests(subgraph, { options: { clock: () => now, redCardGraceDays: GRACE_DAYS, warningDays: WARNING_DAYS } });
const CENTRE = testCaller('dispatcher');
const HOUSING = testCaller('housing-officer');
const POLICE = testCaller('police-officer');
const SUPERVISOR = testCaller('supervisor');
/** An account of the urban management station, a unit outside the hub's departments (its `unit` claim). */
const URBAN: Caller = { ...testCaller('supervisor'), userId: 'station-urban-management', role: 'station-officer', department: null, scopes: ['case:read', 'case:report', 'case:respond'], unit: 'URBAN_MANAGEMENT' };

/** An audit trail of this file's own, on the test server: every notice the check issues is recorded there. */
let trailUrl = '';
let trail: AuditWriter;
let audit: DepartmentAudit;
beforeAll(async () => {
  trailUrl = withDatabase(inject('templateUrl'), uniqueDatabaseName('supervision_trail'));
  await ensureDatabase(trailUrl);
  const owner = auditDatabase.open(trailUrl, { max: 1 });
  try {
    await auditDatabase.migrate(owner);
  } finally {
    await owner.close();
  }
  trail = createAuditWriter(trailUrl);
  audit = createDepartmentAudit(trail, createLogger('mediation'));
});
afterAll(async () => {
  await audit?.close();
  await trail?.close();
  if (trailUrl) await dropDatabase(trailUrl);
});

/** The trail's records of the system's writes on case `caseId`, once every queued one is written. */
async function systemRecords(caseId: string) {
  await audit.settled();
  const client = new pg.Client({ connectionString: trailUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ user_id: string; role: string; department: string; operation_name: string; outcome: string; details: Record<string, unknown> }>(
      `select user_id, role, department, operation_name, outcome, details from audit_records where event_type = 'SYSTEM_WRITE' and details->>'caseId' = $1 order by seq`,
      [caseId],
    );
    return rows;
  } finally {
    await client.end();
  }
}

const check = (): SupervisionCheck => ({ db: harness.database.db, clock: () => now, redCardGraceDays: GRACE_DAYS, warningDays: WARNING_DAYS, audit });

let keys = 0;
const key = () => `supervision-test-${process.pid}-${++keys}`;

async function mutate(caller: Caller, field: string, type: string, input: Record<string, unknown>) {
  return harness.gql<Record<string, { case: { id: string; version: number; card: string | null }; event: { action: string; supervisionNotice: { id: string; kind: string } | null } }>>(
    `mutation ($input: ${type}!) { ${field}(input: $input) { case { id version card } event { action supervisionNotice { id kind } } } }`,
    { input: { idempotencyKey: key(), ...input } },
    caller,
  );
}

/** A new case, reported by the centre: version 1, on the acceptance limit. */
async function reportedCase(): Promise<string> {
  const report = await mutate(CENTRE, 'reportCase', 'ReportCaseInput', {
    category: 'PROPERTY_MANAGEMENT',
    source: 'PARTY_APPLICATION',
    gridCode: home.grid.code,
    summary: '小区电梯长期故障，物业未维修',
    parties: [
      { role: 'APPLICANT', residentId: applicant },
      { role: 'RESPONDENT', residentId: respondent },
    ],
  });
  return report.data!.reportCase!.case.id;
}

/** A new case dispatched to housing (or the lead `leadUnit`) with a deadline `dueOn` days from now. */
async function dispatchedCase(dueInDays: number, leadUnit?: string): Promise<{ id: string; version: number; dueOn: string }> {
  const id = await reportedCase();
  await mutate(CENTRE, 'acceptCase', 'AcceptCaseInput', { caseId: id, expectedVersion: 1 });
  const dueOn = addDays(chinaToday(now), dueInDays);
  const lead = leadUnit === undefined ? { department: 'HOUSING' } : { leadUnit };
  const dispatched = await mutate(CENTRE, 'dispatchCase', 'DispatchCaseInput', { caseId: id, expectedVersion: 2, ...lead, dueOn });
  expect(dispatched.errors).toBeUndefined();
  return { id, version: 3, dueOn };
}

/** Runs the check until it has nothing left to issue (the demo's own overdue cases come first on a first run). */
async function drain() {
  const issued: Awaited<ReturnType<typeof runSupervisionCheck>>['issued'] = [];
  for (let i = 0; i < 20; i++) {
    const run = await runSupervisionCheck(check());
    if (run.issued.length === 0 && run.deferred === 0) return issued;
    issued.push(...run.issued);
  }
  throw new Error('the supervision check kept issuing');
}

const NOTICES = /* GraphQL */ `query ($id: ID!) { case(id: $id) { version card overdueDays
  supervisionNotices { id kind issuer issuedBy unit { code } department dueOn reason reply { by text } accountabilityNotes { by note } }
  timeline { action actor { userId } supervisionNotice { id kind } } } }`;
type Notices = {
  case: {
    version: number;
    card: string | null;
    overdueDays: number;
    supervisionNotices: { id: string; kind: string; issuer: string; issuedBy: string | null; unit: { code: string } | null; department: string | null; dueOn: string; reason: string; reply: { by: string; text: string } | null; accountabilityNotes: { by: string; note: string }[] }[];
    timeline: { action: string; actor: { userId: string }; supervisionNotice: { id: string; kind: string } | null }[];
  };
};
const read = async (id: string) => (await harness.gql<Notices>(NOTICES, { id }, SUPERVISOR)).data!.case;

describe('the supervision check (督办)', () => {
  it('warns before the time limit, issues the yellow and then the red card, each once, on the timeline', async () => {
    at('2027-03-01');
    const c = await dispatchedCase(10); // due 2027-03-11
    await drain();
    expect((await read(c.id)).supervisionNotices).toEqual([]);
    at('2027-03-08'); // three days left: the warning
    expect((await drain()).filter((n) => n.caseId === c.id)).toEqual([{ caseId: c.id, kind: 'WARNING', dueOn: c.dueOn }]);
    expect(await drain()).toEqual([]);
    at('2027-03-11'); // the last day: nothing new
    expect((await drain()).filter((n) => n.caseId === c.id)).toEqual([]);
    at('2027-03-12'); // a day past: yellow, as the computed card says
    expect((await drain()).filter((n) => n.caseId === c.id)).toEqual([{ caseId: c.id, kind: 'YELLOW', dueOn: c.dueOn }]);
    expect((await read(c.id)).card).toBe('YELLOW');
    at('2027-03-17'); // 6 days past: red
    expect((await drain()).filter((n) => n.caseId === c.id)).toEqual([{ caseId: c.id, kind: 'RED', dueOn: c.dueOn }]);
    const seen = await read(c.id);
    expect(seen.card).toBe('RED');
    expect(seen.supervisionNotices.map((n) => [n.kind, n.issuer, n.issuedBy, n.unit?.code, n.department, n.dueOn])).toEqual([
      ['WARNING', 'SYSTEM', null, 'HOUSING', 'HOUSING', c.dueOn],
      ['YELLOW', 'SYSTEM', null, 'HOUSING', 'HOUSING', c.dueOn],
      ['RED', 'SYSTEM', null, 'HOUSING', 'HOUSING', c.dueOn],
    ]);
    expect(seen.supervisionNotices[2]!.reason).toContain('红牌');
    expect(seen.timeline.slice(-3).map((e) => [e.action, e.actor.userId, e.supervisionNotice?.kind])).toEqual([
      ['SUPERVISE', 'system:supervision', 'WARNING'],
      ['SUPERVISE', 'system:supervision', 'YELLOW'],
      ['SUPERVISE', 'system:supervision', 'RED'],
    ]);
    expect(seen.version).toBe(c.version + 3);
    // Each notice the timer issued is the system's write in the audit trail, once, naming the case and the notice.
    const records = await systemRecords(c.id);
    expect(records).toEqual(
      seen.supervisionNotices.map((n) => ({
        user_id: 'system',
        role: 'system',
        department: 'mediation',
        operation_name: 'issueSupervisionNotice',
        outcome: 'SUCCESS',
        details: { subgraph: 'mediation', actor: 'system:supervision', caseId: c.id, notice: { id: Number(n.id), kind: n.kind, unit: 'HOUSING', dueOn: c.dueOn, reason: n.reason } },
      })),
    );
    expect(await verifyAuditChain(trailUrl)).toMatchObject({ ok: true });
    // A new deadline starts afresh: the notices of the old one stay, the new one earns its own.
    const redispatched = await mutate(CENTRE, 'dispatchCase', 'DispatchCaseInput', { caseId: c.id, expectedVersion: seen.version, department: 'HOUSING', dueOn: addDays(chinaToday(now), 2) });
    expect(redispatched.errors).toBeUndefined();
    expect((await drain()).filter((n) => n.caseId === c.id).map((n) => n.kind)).toEqual(['WARNING']);
    expect(await inconsistentCases(harness.database.db)).toEqual([]);
  });

  it('leaves every case with a computed card holding the issued notice of that card', async () => {
    at('2027-04-20');
    await drain();
    const today = chinaToday(now);
    const open = await harness.database.db.select().from(cases).where(inArray(cases.status, [...DEADLINE_STATUSES]));
    const carded = open.filter((c) => supervisionCard(c, today, GRACE_DAYS) !== null);
    expect(carded.length).toBeGreaterThan(0);
    const notices = await harness.database.db.select().from(supervisionNotices).where(inArray(supervisionNotices.caseId, carded.map((c) => c.id)));
    for (const c of carded) {
      expect(notices.some((n) => n.caseId === c.id && n.dueOn === c.dueOn && n.kind === supervisionCard(c, today, GRACE_DAYS)), c.id).toBe(true);
    }
  });

  it('issues each notice once when two replicas check at the same moment', async () => {
    at('2027-05-01');
    await drain();
    const fresh = await Promise.all(Array.from({ length: 6 }, () => dispatchedCase(2)));
    const ids = fresh.map((c) => c.id);
    const [a, b] = await Promise.all([runSupervisionCheck(check()), runSupervisionCheck(check())]);
    const issued = [...a.issued, ...b.issued].filter((n) => ids.includes(n.caseId));
    await drain();
    const notices = await harness.database.db.select().from(supervisionNotices).where(inArray(supervisionNotices.caseId, ids));
    expect(notices.map((n) => `${n.caseId}:${n.kind}`).sort()).toEqual(ids.map((id) => `${id}:WARNING`).sort());
    expect(issued.length).toBeLessThanOrEqual(ids.length);
    const events = await harness.database.db.select().from(caseEvents).where(and(inArray(caseEvents.caseId, ids), eq(caseEvents.action, 'SUPERVISE')));
    expect(events).toHaveLength(ids.length);
    // Recorded once each in the trail: the replica that replayed the other's notice records nothing.
    for (const id of ids) expect((await systemRecords(id)).map((r) => (r.details.notice as { kind: string }).kind)).toEqual(['WARNING']);
    expect(await inconsistentCases(harness.database.db)).toEqual([]);
  });

  it('takes the unit’s reply once, from that unit, and the supervision office’s notes and notices', async () => {
    at('2027-06-01');
    await drain();
    const c = await dispatchedCase(0);
    at('2027-06-02');
    await drain();
    let seen = await read(c.id);
    const yellow = seen.supervisionNotices.find((n) => n.kind === 'YELLOW')!;
    expect(yellow).toBeDefined();
    const reply = (caller: Caller, version: number, noticeId = yellow.id) =>
      mutate(caller, 'replyToSupervisionNotice', 'ReplyToSupervisionNoticeInput', { caseId: c.id, expectedVersion: version, noticeId, text: '已约物业现场维修，预计两日内完成' });
    expect(errorCodes(await reply(POLICE, seen.version))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await reply(CENTRE, seen.version))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await reply(HOUSING, seen.version, '999999'))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await reply(HOUSING, seen.version, 'x'))).toEqual(['INVALID_INPUT']);
    expect((await reply(HOUSING, seen.version)).errors).toBeUndefined();
    expect(errorCodes(await reply(HOUSING, seen.version + 1))).toEqual(['ALREADY_REPLIED']);
    for (const note of ['承办人逾期未报到，已通报', '已约谈承办科室负责人']) {
      seen = await read(c.id);
      const noted = await mutate(SUPERVISOR, 'addAccountabilityNote', 'AddAccountabilityNoteInput', { caseId: c.id, expectedVersion: seen.version, noticeId: yellow.id, note });
      expect(noted.errors).toBeUndefined();
    }
    expect(errorCodes(await mutate(HOUSING, 'addAccountabilityNote', 'AddAccountabilityNoteInput', { caseId: c.id, expectedVersion: seen.version + 1, noticeId: yellow.id, note: '自查' }))).toEqual(['FORBIDDEN']);
    seen = await read(c.id);
    // The office's own notice: another kind for the same limit is taken, the same kind again is refused.
    const manual = await mutate(SUPERVISOR, 'issueSupervisionNotice', 'IssueSupervisionNoticeInput', { caseId: c.id, expectedVersion: seen.version, kind: 'YELLOW', reason: '再次督办' });
    expect(errorCodes(manual)).toEqual(['ALREADY_ISSUED']);
    const red = await mutate(SUPERVISOR, 'issueSupervisionNotice', 'IssueSupervisionNoticeInput', { caseId: c.id, expectedVersion: seen.version, kind: 'RED', reason: '群众多次反映，直接红牌督办' });
    expect(red.errors).toBeUndefined();
    expect(red.data!.issueSupervisionNotice!.event.supervisionNotice?.kind).toBe('RED');
    seen = await read(c.id);
    expect(seen.supervisionNotices.find((n) => n.id === yellow.id)).toMatchObject({
      reply: { by: HOUSING.userId, text: '已约物业现场维修，预计两日内完成' },
      accountabilityNotes: [
        { by: SUPERVISOR.userId, note: '承办人逾期未报到，已通报' },
        { by: SUPERVISOR.userId, note: '已约谈承办科室负责人' },
      ],
    });
    expect(seen.supervisionNotices.at(-1)).toMatchObject({ kind: 'RED', issuer: 'SUPERVISION_OFFICE', issuedBy: SUPERVISOR.userId });
    expect(seen.timeline.slice(-5).map((e) => [e.action, e.supervisionNotice?.kind])).toEqual([
      ['SUPERVISE', 'YELLOW'],
      ['REPLY_SUPERVISION', 'YELLOW'],
      ['NOTE_ACCOUNTABILITY', 'YELLOW'],
      ['NOTE_ACCOUNTABILITY', 'YELLOW'],
      ['SUPERVISE', 'RED'],
    ]);
    // The system check does not issue a second red card for the same limit.
    at('2027-06-10');
    expect((await drain()).filter((n) => n.caseId === c.id)).toEqual([]);
  });

  it('addresses a notice to the lead unit, a station outside the hub too, which alone replies, after its part ended too; the centre’s before dispatch', async () => {
    at('2027-06-20');
    await drain();
    const c = await dispatchedCase(0, 'URBAN_MANAGEMENT');
    // The acceptance limit (3 days) is not warned the day it is set, only within its last two days, to the centre.
    const reported = await reportedCase();
    expect((await drain()).filter((n) => n.caseId === reported)).toEqual([]);
    at('2027-06-21');
    const issued = await drain();
    expect(issued.filter((n) => n.caseId === c.id).map((n) => n.kind)).toEqual(['YELLOW']);
    expect(issued.filter((n) => n.caseId === reported).map((n) => n.kind)).toEqual(['WARNING']);
    expect((await read(reported)).supervisionNotices.map((n) => [n.kind, n.unit, n.department])).toEqual([['WARNING', null, null]]);
    const seen = await read(c.id);
    const yellow = seen.supervisionNotices.find((n) => n.kind === 'YELLOW')!;
    expect([yellow.unit?.code, yellow.department]).toEqual(['URBAN_MANAGEMENT', null]);
    const reply = (caller: Caller) =>
      mutate(caller, 'replyToSupervisionNotice', 'ReplyToSupervisionNoticeInput', { caseId: c.id, expectedVersion: seen.version, noticeId: yellow.id, text: '已安排执法队员到场处置' });
    expect(errorCodes(await reply(HOUSING))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await reply(CENTRE))).toEqual(['FORBIDDEN']);
    // The applicant withdraws: the station's part ends with the dispatch, and it still answers the notice it got.
    const withdrawn = await mutate(CENTRE, 'withdrawCase', 'WithdrawCaseInput', { caseId: c.id, expectedVersion: seen.version, kind: 'WITHDRAWN', by: 'APPLICANT', reason: '申请人已与对方自行协商解决' });
    expect(withdrawn.errors).toBeUndefined();
    const parts = await harness.gql<{ case: { parts: { unit: { code: string }; status: string }[] } }>(`query ($id: ID!) { case(id: $id) { parts { unit { code } status } } }`, { id: c.id }, SUPERVISOR);
    expect(parts.data!.case.parts).toEqual([{ unit: { code: 'URBAN_MANAGEMENT' }, status: 'SUPERSEDED' }]);
    const version = seen.version + 1;
    const replyNow = (caller: Caller) =>
      mutate(caller, 'replyToSupervisionNotice', 'ReplyToSupervisionNoticeInput', { caseId: c.id, expectedVersion: version, noticeId: yellow.id, text: '已安排执法队员到场处置' });
    expect(errorCodes(await replyNow(HOUSING))).toEqual(['FORBIDDEN']);
    expect((await replyNow(URBAN)).errors).toBeUndefined();
    expect((await read(c.id)).supervisionNotices.find((n) => n.id === yellow.id)!.reply).toMatchObject({ by: URBAN.userId });
    expect(await inconsistentCases(harness.database.db)).toEqual([]);
  });

  it('runs in the service on a timer with the service’s clock', async () => {
    at('2027-07-01');
    await drain();
    const c = await dispatchedCase(1);
    const logged: string[] = [];
    const logger = { debug: () => {}, info: (m: string) => logged.push(m), warn: () => {}, error: (m: string) => logged.push(m) } as unknown as Logger;
    const job = startSupervisionChecks(check(), logger, 20);
    try {
      await vi.waitFor(async () => {
        const [row] = await harness.database.db.select().from(supervisionNotices).where(eq(supervisionNotices.caseId, c.id));
        expect(row?.kind).toBe('WARNING');
      }, { timeout: 30_000, interval: 50 });
    } finally {
      job.stop();
    }
    expect(logged).toContain('supervision check');
    expect(logged).not.toContain('supervision check failed');
  });
});
