import { DEMO_HUB_SECRET, residentKey, type Caller, type DemoRole } from '@hub/core';
import { errorCodes, type GraphQLResponse, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld, type DemoGridContents } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { and, count, eq, inArray, isNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { CaseAction, CaseStatus } from '../src/__generated__/resolvers-types.ts';
import { caseEvents, cases } from '../src/db/schema.ts';
import { subgraph } from '../src/server.ts';
import { addDays, chinaToday } from '../src/workflow/deadlines.ts';
import { allowedActions, legalPairs } from '../src/workflow/machine.ts';
import { inconsistentCases } from './invariants.ts';

/** The workflow's clock: tests move it. */
let now = new Date('2026-11-26T02:00:00Z');
const GRACE_DAYS = 5;

const world = [...generateDemoWorld(TEST_DEMO).gridContents()];
const home: DemoGridContents = world.find((g) => g.mediation.committees.some((c) => c.type === 'COMMUNITY') && g.residents.length >= 2)!;
const other = world.find((g) => g.grid.code !== home.grid.code)!;
const GRID = home.grid.code;
const [applicant, respondent] = home.residents.map((r) => residentKey(r.idNumber, DEMO_HUB_SECRET));
const mediatorOfHome = home.mediation.mediators.find((m) => home.mediation.committees.some((c) => c.type === 'COMMUNITY' && c.organizationId === m.committeeId))!;

const harness = serveSubgraphForTests(subgraph, { options: { clock: () => now, redCardGraceDays: GRACE_DAYS } });

const as = (role: DemoRole, overrides: Partial<Caller> = {}) => testCaller(role, overrides);
const CENTRE = as('dispatcher');
const HOUSING = as('housing-officer');
const POLICE = as('police-officer');
const SUPERVISOR = as('supervisor');
/** The mediation committee's mediator: the unit a case dispatched to MEDIATION is handled by. */
const MEDIATOR = as('mediator');
const GRID_WORKER = as('grid-worker', { grids: [GRID] });
const ADMIN = as('administrator');

async function gql<T = Record<string, unknown>>(caller: Caller, query: string, variables?: Record<string, unknown>) {
  return harness.gql<T>(query, variables, caller);
}

const CHANGE = /* GraphQL */ `
  replayed
  case { id status version dueOn assignedDepartment overdue overdueDays card acceptedAt resolvedAt closedAt escalatedAt outcome }
  event { sequence caseVersion action fromStatus toStatus note dueOn outcome recordKind satisfied satisfaction actor { userId role department } supervisionNotice { id kind } }
`;

type Change = {
  replayed: boolean;
  case: {
    id: string;
    status: CaseStatus;
    version: number;
    dueOn: string;
    assignedDepartment: string | null;
    overdue: boolean;
    overdueDays: number;
    card: 'YELLOW' | 'RED' | null;
    acceptedAt: string | null;
    resolvedAt: string | null;
    closedAt: string | null;
    escalatedAt: string | null;
    outcome: string | null;
  };
  event: {
    sequence: string;
    caseVersion: number;
    action: CaseAction;
    fromStatus: CaseStatus | null;
    toStatus: CaseStatus;
    note: string | null;
    dueOn: string | null;
    actor: { userId: string; role: string; department: string | null };
    supervisionNotice: { id: string; kind: string } | null;
  };
};

const MUTATION_OF: Record<CaseAction, [string, string]> = {
  REPORT: ['reportCase', 'ReportCaseInput'],
  ACCEPT: ['acceptCase', 'AcceptCaseInput'],
  REJECT: ['rejectCase', 'RejectCaseInput'],
  DISPATCH: ['dispatchCase', 'DispatchCaseInput'],
  ACKNOWLEDGE: ['acknowledgeCase', 'AcknowledgeCaseInput'],
  ADD_RECORD: ['addCaseRecord', 'AddCaseRecordInput'],
  RESOLVE: ['resolveCase', 'ResolveCaseInput'],
  FOLLOW_UP: ['followUpCase', 'FollowUpCaseInput'],
  CLOSE: ['closeCase', 'CloseCaseInput'],
  REOPEN: ['reopenCase', 'ReopenCaseInput'],
  TERMINATE: ['terminateCase', 'TerminateCaseInput'],
  WITHDRAW: ['withdrawCase', 'WithdrawCaseInput'],
  RECORD_JUDICIAL_CONFIRMATION: ['recordJudicialConfirmation', 'RecordJudicialConfirmationInput'],
  RECORD_PERFORMANCE: ['recordAgreementPerformance', 'RecordAgreementPerformanceInput'],
  SUPERVISE: ['issueSupervisionNotice', 'IssueSupervisionNoticeInput'],
  REPLY_SUPERVISION: ['replyToSupervisionNotice', 'ReplyToSupervisionNoticeInput'],
  NOTE_ACCOUNTABILITY: ['addAccountabilityNote', 'AddAccountabilityNoteInput'],
  ASSESS: ['assessCase', 'AssessCaseInput'],
};

/** The supervision notice `caseIn` issued to a case, to reply to and note on. */
const noticeOfCase = new Map<string, string>();

let keys = 0;
const newKey = () => `test-key-${process.pid}-${++keys}`;

async function send(caller: Caller, action: CaseAction, input: Record<string, unknown>): Promise<GraphQLResponse<Record<string, Change | null>>> {
  const [field, type] = MUTATION_OF[action];
  return gql<Record<string, Change | null>>(caller, `mutation ($input: ${type}!) { ${field}(input: $input) { ${CHANGE} } }`, {
    input: { idempotencyKey: newKey(), ...input },
  });
}

/** Sends a change that must succeed, returning it. */
async function act(caller: Caller, action: CaseAction, input: Record<string, unknown>): Promise<Change> {
  const response = await send(caller, action, input);
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  const change = response.data?.[MUTATION_OF[action][0]];
  if (!change) throw new Error(`${action} answered no change`);
  return change;
}

const today = () => chinaToday(now);

/** A valid input of each action for a case at `version` (beside the key). */
function inputOf(action: CaseAction, caseId: string, version: number): Record<string, unknown> {
  const base = { caseId, expectedVersion: version };
  switch (action) {
    case 'REPORT':
      return reportInput();
    case 'ACCEPT':
    case 'ACKNOWLEDGE':
    case 'CLOSE':
      return base;
    case 'REJECT':
      return { ...base, reason: '不属于人民调解受理范围' };
    case 'DISPATCH':
      return { ...base, department: 'HOUSING', dueOn: addDays(today(), 10), note: '请住建部门核查' };
    case 'ADD_RECORD':
      return { ...base, kind: 'VISIT', heldOn: today(), content: '走访当事人，了解情况' };
    case 'RESOLVE':
      return { ...base, outcome: 'HANDLED_BY_DEPARTMENT', note: '已责令整改' };
    case 'FOLLOW_UP':
      return { ...base, level: 'SATISFIED', channel: 'PHONE', askedParty: 1, note: '当事人表示满意' };
    case 'REOPEN':
      return { ...base, reason: '当事人再次反映' };
    case 'TERMINATE':
      return { ...base, channels: ['JUDICIAL', 'ARBITRATION'], note: '双方分歧较大，调解不成，已告知可申请仲裁或向人民法院起诉' };
    case 'WITHDRAW':
      return { ...base, kind: 'WITHDRAWN', by: 'APPLICANT', reason: '申请人表示已自行协商，撤回调解申请' };
    case 'RECORD_JUDICIAL_CONFIRMATION':
      return { ...base, step: 'APPLIED', on: today(), court: '徐州市泉山区人民法院' };
    case 'RECORD_PERFORMANCE':
      return { ...base, performance: 'PERFORMED', note: '回访核实，已按协议履行完毕' };
    case 'SUPERVISE':
      return { ...base, kind: 'YELLOW', reason: '群众反映办理进度缓慢，督促加快办理' };
    case 'REPLY_SUPERVISION':
      return { ...base, noticeId: noticeOfCase.get(caseId) ?? '999999', text: '已安排专人跟进，三日内办结' };
    case 'NOTE_ACCOUNTABILITY':
      return { ...base, noticeId: noticeOfCase.get(caseId) ?? '999999', note: '承办人未按时报到，已约谈提醒' };
    case 'ASSESS':
      return { ...base, severity: 'MAJOR', criminalRisk: true, headCount: 12, leader: { name: '王建国', post: '街道党工委副书记' }, note: '涉及多户业主，情绪激烈' };
  }
}

/** A written people's mediation agreement, as the committee records it. */
const AGREEMENT = () => ({
  facts: '楼上卫生间漏水致楼下天花板受损',
  liabilities: '楼上住户负主要责任',
  terms: '楼上住户三日内维修并赔偿500元',
  performanceManner: '一次性现金支付，维修由楼上住户负责',
  performBy: addDays(today(), 3),
});

function reportInput(overrides: Record<string, unknown> = {}) {
  return {
    category: 'PROPERTY_MANAGEMENT',
    source: 'GRID_WORKER_REPORT',
    gridCode: GRID,
    summary: '楼上漏水影响楼下住户，物业未及时处理',
    parties: [
      { role: 'APPLICANT', residentId: applicant },
      { role: 'RESPONDENT', residentId: respondent },
    ],
    ...overrides,
  };
}

/** Who is entitled to take an action, for a case dispatched to housing. */
const ENTITLED: Record<CaseAction, Caller> = {
  REPORT: GRID_WORKER,
  ACCEPT: CENTRE,
  REJECT: CENTRE,
  DISPATCH: CENTRE,
  ACKNOWLEDGE: HOUSING,
  ADD_RECORD: CENTRE,
  RESOLVE: HOUSING,
  FOLLOW_UP: CENTRE,
  CLOSE: CENTRE,
  REOPEN: CENTRE,
  TERMINATE: HOUSING,
  WITHDRAW: CENTRE,
  RECORD_JUDICIAL_CONFIRMATION: CENTRE,
  RECORD_PERFORMANCE: CENTRE,
  SUPERVISE: SUPERVISOR,
  // Notices issued by caseIn are addressed to the centre (issued before dispatch).
  REPLY_SUPERVISION: CENTRE,
  NOTE_ACCOUNTABILITY: SUPERVISOR,
  ASSESS: CENTRE,
};

/**
 * Walks a new case to `status` along the usual path; returns its id and version. With `agreement`, the case goes to
 * the mediation committee, whose resolution makes a people's mediation agreement; otherwise to housing.
 */
async function caseIn(status: CaseStatus, { agreement = false, notice = false } = {}): Promise<{ id: string; version: number }> {
  let c = (await act(GRID_WORKER, 'REPORT', reportInput())).case;
  const step = async (caller: Caller, action: CaseAction, extra: Record<string, unknown> = {}) => {
    const change = await act(caller, action, { ...inputOf(action, c.id, c.version), ...extra });
    c = change.case;
    return change;
  };
  // With `notice`, the supervision office warns the centre at once; the notice follows the case wherever it goes.
  if (notice) noticeOfCase.set(c.id, (await step(SUPERVISOR, 'SUPERVISE', { kind: 'WARNING' })).event.supervisionNotice!.id);
  const unit = agreement ? MEDIATOR : HOUSING;
  if (status === 'REJECTED') await step(CENTRE, 'REJECT');
  if (status === 'REPORTED' || status === 'REJECTED') return c;
  await step(CENTRE, 'ACCEPT');
  if (status === 'WITHDRAWN') await step(CENTRE, 'WITHDRAW');
  if (status === 'ACCEPTED' || status === 'WITHDRAWN') return c;
  await step(CENTRE, 'DISPATCH', agreement ? { department: 'MEDIATION' } : {});
  if (status === 'DISPATCHED') return c;
  await step(unit, 'ACKNOWLEDGE');
  if (status === 'TERMINATED') await step(unit, 'TERMINATE');
  if (status === 'IN_PROGRESS' || status === 'TERMINATED') return c;
  await step(unit, 'RESOLVE', agreement ? { outcome: 'AGREEMENT_REACHED', agreement: AGREEMENT() } : {});
  if (status === 'RESOLVED') return c;
  if (status === 'ESCALATED') {
    await step(CENTRE, 'FOLLOW_UP', { level: 'DISSATISFIED', note: '不满意' });
    await step(CENTRE, 'FOLLOW_UP', { level: 'DISSATISFIED', note: '仍不满意' });
    return c;
  }
  await step(CENTRE, 'FOLLOW_UP');
  await step(CENTRE, 'CLOSE');
  expect(c.status).toBe(status);
  return c;
}

async function eventCount(caseId: string): Promise<number> {
  const [row] = await harness.database.db.select({ n: count() }).from(caseEvents).where(eq(caseEvents.caseId, caseId));
  return row?.n ?? 0;
}

const TIMELINE = /* GraphQL */ `query ($id: ID!) { case(id: $id) { id status version timeline { sequence caseVersion action fromStatus toStatus } } }`;
type Timeline = { case: { id: string; status: CaseStatus; version: number; timeline: { sequence: string; caseVersion: number; action: CaseAction; fromStatus: CaseStatus | null; toStatus: CaseStatus }[] } };

describe('a case through its whole life', () => {
  it('goes from report to close, is reopened, escalated after two unsatisfied visits, re-dispatched and closed', async () => {
    const report = await act(GRID_WORKER, 'REPORT', reportInput());
    expect(report.case).toMatchObject({ status: 'REPORTED', version: 1 });
    expect(report.case.id).toMatch(new RegExp(`^TJ${GRID}\\d{4}$`));
    expect(report.event).toMatchObject({ action: 'REPORT', fromStatus: null, toStatus: 'REPORTED', caseVersion: 1, actor: { role: 'grid-worker', department: 'civil-affairs' } });
    const id = report.case.id;
    const path: [Caller, CaseAction, Record<string, unknown>, CaseStatus][] = [
      [CENTRE, 'ACCEPT', { mediatorId: mediatorOfHome.id }, 'ACCEPTED'],
      [CENTRE, 'DISPATCH', {}, 'DISPATCHED'],
      [HOUSING, 'ACKNOWLEDGE', { note: '住建部门已报到' }, 'IN_PROGRESS'],
      [HOUSING, 'ADD_RECORD', {}, 'IN_PROGRESS'],
      [CENTRE, 'ADD_RECORD', { kind: 'MEDIATION_SESSION', mediatorId: mediatorOfHome.id, content: '组织双方调解' }, 'IN_PROGRESS'],
      [HOUSING, 'RESOLVE', { outcome: 'ADMINISTRATIVE_MEDIATION', note: '住建部门组织协商，物业同意三日内维修' }, 'RESOLVED'],
      [GRID_WORKER, 'FOLLOW_UP', {}, 'RESOLVED'],
      [CENTRE, 'CLOSE', {}, 'CLOSED'],
      [CENTRE, 'REOPEN', {}, 'ACCEPTED'],
      [CENTRE, 'DISPATCH', {}, 'DISPATCHED'],
      [HOUSING, 'ACKNOWLEDGE', {}, 'IN_PROGRESS'],
      [HOUSING, 'RESOLVE', { outcome: 'HANDLED_BY_DEPARTMENT', note: '已责令物业限期维修' }, 'RESOLVED'],
      [CENTRE, 'FOLLOW_UP', { level: 'DISSATISFIED', channel: 'HOME_VISIT', askedParty: 2, note: '当事人不满意' }, 'RESOLVED'],
      [GRID_WORKER, 'FOLLOW_UP', { level: 'DISSATISFIED', note: '再次回访仍不满意' }, 'ESCALATED'],
      [SUPERVISOR, 'DISPATCH', { department: 'HOUSING' }, 'DISPATCHED'],
      [HOUSING, 'ACKNOWLEDGE', {}, 'IN_PROGRESS'],
      [HOUSING, 'RESOLVE', {}, 'RESOLVED'],
      [CENTRE, 'FOLLOW_UP', { level: 'BASICALLY_SATISFIED', channel: 'SMS' }, 'RESOLVED'],
      [CENTRE, 'CLOSE', {}, 'CLOSED'],
    ];
    let version = 1;
    for (const [caller, action, extra, expected] of path) {
      const change = await act(caller, action, { ...inputOf(action, id, version), ...extra });
      expect(change.case.status, `${action} leads to ${expected}`).toBe(expected);
      expect(change.case.version).toBe(version + 1);
      expect(change.event).toMatchObject({ action, caseVersion: version + 1, toStatus: expected, actor: { userId: caller.userId, role: caller.role } });
      version = change.case.version;
    }
    const { data } = await gql<Timeline>(CENTRE, TIMELINE, { id });
    expect(data?.case.version).toBe(path.length + 1);
    expect(data?.case.timeline.map((e) => e.action)).toEqual(['REPORT', ...path.map(([, action]) => action)]);
    expect(data?.case.timeline.map((e) => e.caseVersion)).toEqual(Array.from({ length: path.length + 1 }, (_, i) => i + 1));
    // Each event starts where the one before it ended.
    data?.case.timeline.forEach((e, i, all) => expect(e.fromStatus).toBe(i === 0 ? null : all[i - 1]?.toStatus));

    const file = await gql<{ case: { records: { kind: string; mediator: { id: string } | null }[]; followUps: { satisfied: boolean; level: string; channel: string; askedParty: { role: string }; visitedBy: string }[]; agreement: unknown; mediator: { id: string } | null; escalatedAt: string | null } }>(
      CENTRE,
      `query ($id: ID!) { case(id: $id) { mediator { id } escalatedAt records { kind mediator { id } } followUps { satisfied level channel askedParty { role } visitedBy } agreement { terms } } }`,
      { id },
    );
    expect(file.data?.case.records).toEqual([
      { kind: 'VISIT', mediator: null },
      { kind: 'MEDIATION_SESSION', mediator: { id: mediatorOfHome.id } },
    ]);
    expect(file.data?.case.followUps.map((f) => f.satisfied)).toEqual([true, false, false, true]);
    expect(file.data?.case.followUps.map((f) => [f.level, f.channel, f.askedParty.role, f.visitedBy])).toEqual([
      ['SATISFIED', 'PHONE', 'APPLICANT', GRID_WORKER.userId],
      ['DISSATISFIED', 'HOME_VISIT', 'RESPONDENT', CENTRE.userId],
      ['DISSATISFIED', 'PHONE', 'APPLICANT', GRID_WORKER.userId],
      ['BASICALLY_SATISFIED', 'SMS', 'APPLICANT', CENTRE.userId],
    ]);
    expect(file.data?.case.mediator).toEqual({ id: mediatorOfHome.id });
    // A department's resolutions never make a people's mediation agreement.
    expect(file.data?.case.agreement).toBeNull();
  }, 120_000);

  it('refuses a case, reopens it for reconsideration and accepts it then', async () => {
    const c = await caseIn('REJECTED');
    const reopened = await act(CENTRE, 'REOPEN', inputOf('REOPEN', c.id, c.version));
    expect(reopened.case.status).toBe('REPORTED');
    const accepted = await act(CENTRE, 'ACCEPT', inputOf('ACCEPT', c.id, reopened.case.version));
    expect(accepted.case.status).toBe('ACCEPTED');
  });
});

describe('the state machine', () => {
  const statuses: CaseStatus[] = ['REPORTED', 'ACCEPTED', 'REJECTED', 'DISPATCHED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'ESCALATED', 'TERMINATED', 'WITHDRAWN'];
  const actions: CaseAction[] = [
    'ACCEPT', 'REJECT', 'DISPATCH', 'ACKNOWLEDGE', 'ADD_RECORD', 'RESOLVE', 'FOLLOW_UP', 'CLOSE', 'REOPEN',
    'TERMINATE', 'WITHDRAW', 'RECORD_JUDICIAL_CONFIRMATION', 'RECORD_PERFORMANCE',
    'SUPERVISE', 'REPLY_SUPERVISION', 'NOTE_ACCOUNTABILITY', 'ASSESS',
  ];

  it('lists every status and action of the schema', () => {
    expect(new Set(legalPairs().map((p) => p.status))).toEqual(new Set(statuses));
    expect(new Set([...legalPairs().map((p) => p.action)])).toEqual(new Set(actions));
  });

  it('takes every legal action from every status, for the role entitled to it', async () => {
    for (const { status, action } of legalPairs()) {
      // Confirmation and performance follow a people's mediation agreement, which only the committee makes.
      const c = await caseIn(status, { agreement: action.startsWith('RECORD_'), notice: action === 'REPLY_SUPERVISION' || action === 'NOTE_ACCOUNTABILITY' });
      const caller = status === 'ESCALATED' && action === 'DISPATCH' ? SUPERVISOR : ENTITLED[action];
      // Closing needs a satisfied visit first, which leaves the case resolved.
      const version = action === 'CLOSE' ? (await act(CENTRE, 'FOLLOW_UP', inputOf('FOLLOW_UP', c.id, c.version))).case.version : c.version;
      const change = await act(caller, action, inputOf(action, c.id, version));
      expect(change.event.fromStatus).toBe(status);
      expect(change.case.version).toBe(version + 1);
    }
  }, 120_000);

  it('refuses every illegal action with INVALID_TRANSITION naming the status and what is allowed, changing nothing', async () => {
    for (const status of statuses) {
      const c = await caseIn(status);
      const events = await eventCount(c.id);
      for (const action of actions.filter((a) => !allowedActions(status).includes(a))) {
        const response = await send(ADMIN, action, inputOf(action, c.id, c.version));
        expect(errorCodes(response), `${action} from ${status}`).toEqual(['INVALID_TRANSITION']);
        expect(response.errors?.[0]?.extensions).toMatchObject({ currentStatus: status, action, allowedActions: allowedActions(status) });
      }
      const [row] = await harness.database.db.select().from(cases).where(eq(cases.id, c.id));
      expect(row).toMatchObject({ status, version: c.version });
      expect(await eventCount(c.id)).toBe(events);
    }
  }, 120_000);

  it('lets a department acknowledge and resolve only the cases dispatched to it', async () => {
    const dispatched = await caseIn('DISPATCHED');
    for (const caller of [POLICE, ADMIN, as('civil-affairs-clerk'), GRID_WORKER]) {
      const response = await send(caller, 'ACKNOWLEDGE', inputOf('ACKNOWLEDGE', dispatched.id, dispatched.version));
      expect(errorCodes(response), caller.role).toEqual(['FORBIDDEN']);
    }
    const inProgress = await caseIn('IN_PROGRESS');
    expect(errorCodes(await send(POLICE, 'RESOLVE', inputOf('RESOLVE', inProgress.id, inProgress.version)))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await send(HOUSING, 'ACCEPT', inputOf('ACCEPT', inProgress.id, inProgress.version)))).toEqual(['INVALID_TRANSITION']);
    const reported = await caseIn('REPORTED');
    expect(errorCodes(await send(HOUSING, 'ACCEPT', inputOf('ACCEPT', reported.id, reported.version)))).toEqual(['FORBIDDEN']);
    // Only the supervision office re-dispatches an escalated case.
    const escalated = await caseIn('ESCALATED');
    expect(errorCodes(await send(CENTRE, 'DISPATCH', inputOf('DISPATCH', escalated.id, escalated.version)))).toEqual(['FORBIDDEN']);
  });

  it('closes a resolved case only after a satisfied follow-up visit', async () => {
    const c = await caseIn('RESOLVED');
    expect(errorCodes(await send(CENTRE, 'CLOSE', inputOf('CLOSE', c.id, c.version)))).toEqual(['FOLLOW_UP_REQUIRED']);
    expect(errorCodes(await send(CENTRE, 'FOLLOW_UP', { ...inputOf('FOLLOW_UP', c.id, c.version), askedParty: 3 }))).toEqual(['INVALID_INPUT']);
    const unsatisfied = await act(CENTRE, 'FOLLOW_UP', { ...inputOf('FOLLOW_UP', c.id, c.version), level: 'DISSATISFIED' });
    expect(unsatisfied.event).toMatchObject({ satisfied: false, satisfaction: 'DISSATISFIED' });
    expect(errorCodes(await send(CENTRE, 'CLOSE', inputOf('CLOSE', c.id, unsatisfied.case.version)))).toEqual(['FOLLOW_UP_REQUIRED']);
    const satisfied = await act(CENTRE, 'FOLLOW_UP', inputOf('FOLLOW_UP', c.id, unsatisfied.case.version));
    expect((await act(CENTRE, 'CLOSE', inputOf('CLOSE', c.id, satisfied.case.version))).case.status).toBe('CLOSED');
  });
});

describe('lawful endings (人民调解法 arts. 23, 26, 28-33)', () => {
  const FILE = /* GraphQL */ `query ($id: ID!) { case(id: $id) { status outcome closedAt resolutionNote informedChannels withdrawnBy
    agreement { form facts liabilities terms performanceManner performBy performed performance performanceCheckedOn performanceNote
      judicialConfirmationDueOn judicialConfirmation { appliedOn court ruledOn ruling } }
    timeline { action channels withdrawnBy performance judicialConfirmation } } }`;
  type File = {
    case: {
      status: CaseStatus;
      outcome: string | null;
      closedAt: string | null;
      resolutionNote: string | null;
      informedChannels: string[];
      withdrawnBy: string | null;
      agreement: Record<string, unknown> | null;
      timeline: { action: CaseAction; channels: string[] | null; withdrawnBy: string | null; performance: string | null; judicialConfirmation: string | null }[];
    };
  };
  const file = async (id: string) => (await gql<File>(CENTRE, FILE, { id })).data!.case;
  const versionOf = async (id: string) => (await harness.database.db.select({ v: cases.version }).from(cases).where(eq(cases.id, id)))[0]!.v;

  it("lets only the mediation committee make a people's mediation agreement; a department mediates administratively", async () => {
    const atHousing = await caseIn('IN_PROGRESS');
    const refused = await send(HOUSING, 'RESOLVE', { ...inputOf('RESOLVE', atHousing.id, atHousing.version), outcome: 'AGREEMENT_REACHED', note: null, agreement: AGREEMENT() });
    expect(errorCodes(refused)).toEqual(['OUTCOME_NOT_ALLOWED']);
    expect(await versionOf(atHousing.id)).toBe(atHousing.version);
    for (const outcome of ['MEDIATION_FAILED', 'PARTIES_WITHDREW', 'PARTIES_REFUSED']) {
      expect(errorCodes(await send(HOUSING, 'RESOLVE', { ...inputOf('RESOLVE', atHousing.id, atHousing.version), outcome })), outcome).toEqual(['OUTCOME_NOT_ALLOWED']);
    }
    const administrative = await act(HOUSING, 'RESOLVE', { ...inputOf('RESOLVE', atHousing.id, atHousing.version), outcome: 'ADMINISTRATIVE_MEDIATION', note: '双方在住建部门主持下协商一致' });
    expect(administrative.case.outcome).toBe('ADMINISTRATIVE_MEDIATION');
    expect((await file(atHousing.id)).agreement).toBeNull();
    const noAgreement = await send(CENTRE, 'RECORD_PERFORMANCE', inputOf('RECORD_PERFORMANCE', atHousing.id, administrative.case.version));
    expect(errorCodes(noAgreement)).toEqual(['AGREEMENT_REQUIRED']);

    const atCommittee = await caseIn('IN_PROGRESS', { agreement: true });
    expect(errorCodes(await send(MEDIATOR, 'RESOLVE', { ...inputOf('RESOLVE', atCommittee.id, atCommittee.version), outcome: 'ADMINISTRATIVE_MEDIATION', note: '行政调解' }))).toEqual(['OUTCOME_NOT_ALLOWED']);
    for (const [field, value] of [['facts', ' '], ['liabilities', ''], ['performanceManner', '  ']] as const) {
      const bad = await send(MEDIATOR, 'RESOLVE', { ...inputOf('RESOLVE', atCommittee.id, atCommittee.version), outcome: 'AGREEMENT_REACHED', agreement: { ...AGREEMENT(), [field]: value } });
      expect(errorCodes(bad), field).toEqual(['INVALID_INPUT']);
    }
    expect(await versionOf(atCommittee.id)).toBe(atCommittee.version);
    await act(MEDIATOR, 'RESOLVE', { ...inputOf('RESOLVE', atCommittee.id, atCommittee.version), outcome: 'AGREEMENT_REACHED', agreement: AGREEMENT() });
    expect((await file(atCommittee.id)).agreement).toEqual({
      form: 'WRITTEN',
      ...AGREEMENT(),
      performed: false,
      performance: 'PENDING',
      performanceCheckedOn: null,
      performanceNote: null,
      judicialConfirmationDueOn: addDays(today(), 30),
      judicialConfirmation: null,
    });
  });

  it('records judicial confirmation applied for and ruled, and performance checked, on the timeline', async () => {
    const c = await caseIn('RESOLVED', { agreement: true });
    let version = c.version;
    const step = async (caller: Caller, action: CaseAction, extra: Record<string, unknown>) => {
      const change = await act(caller, action, { ...inputOf(action, c.id, version), ...extra });
      expect(change.case.status).toBe('RESOLVED');
      version = change.case.version;
    };
    // A ruling before any application is refused; so is an application without a court, or dated after today.
    expect(errorCodes(await send(CENTRE, 'RECORD_JUDICIAL_CONFIRMATION', { ...inputOf('RECORD_JUDICIAL_CONFIRMATION', c.id, version), step: 'CONFIRMED', court: null }))).toEqual(['INVALID_INPUT']);
    expect(errorCodes(await send(CENTRE, 'RECORD_JUDICIAL_CONFIRMATION', { ...inputOf('RECORD_JUDICIAL_CONFIRMATION', c.id, version), court: ' ' }))).toEqual(['INVALID_INPUT']);
    expect(errorCodes(await send(CENTRE, 'RECORD_JUDICIAL_CONFIRMATION', { ...inputOf('RECORD_JUDICIAL_CONFIRMATION', c.id, version), on: addDays(today(), 1) }))).toEqual(['INVALID_DATE']);
    await step(MEDIATOR, 'RECORD_JUDICIAL_CONFIRMATION', {});
    expect(errorCodes(await send(CENTRE, 'RECORD_JUDICIAL_CONFIRMATION', inputOf('RECORD_JUDICIAL_CONFIRMATION', c.id, version)))).toEqual(['INVALID_INPUT']);
    await step(CENTRE, 'RECORD_JUDICIAL_CONFIRMATION', { step: 'CONFIRMED', court: null });
    await step(MEDIATOR, 'RECORD_PERFORMANCE', { performance: 'PARTLY_PERFORMED', note: '已维修，赔偿款尚未支付，已督促' });
    let seen = await file(c.id);
    expect(seen.agreement).toMatchObject({ performed: false, performance: 'PARTLY_PERFORMED', performanceCheckedOn: today(), judicialConfirmation: { appliedOn: today(), court: '徐州市泉山区人民法院', ruledOn: today(), ruling: 'CONFIRMED' } });
    await step(CENTRE, 'RECORD_PERFORMANCE', {});
    seen = await file(c.id);
    expect(seen.agreement).toMatchObject({ performed: true, performance: 'PERFORMED', performanceNote: '回访核实，已按协议履行完毕' });
    expect(seen.timeline.slice(-4).map((e) => [e.action, e.judicialConfirmation ?? e.performance])).toEqual([
      ['RECORD_JUDICIAL_CONFIRMATION', 'APPLIED'],
      ['RECORD_JUDICIAL_CONFIRMATION', 'CONFIRMED'],
      ['RECORD_PERFORMANCE', 'PARTLY_PERFORMED'],
      ['RECORD_PERFORMANCE', 'PERFORMED'],
    ]);
    // A department that is not the case's unit may not record them.
    expect(errorCodes(await send(HOUSING, 'RECORD_PERFORMANCE', inputOf('RECORD_PERFORMANCE', c.id, version)))).toEqual(['FORBIDDEN']);
  });

  it('accepts an application for judicial confirmation only within 30 days of a written agreement', async () => {
    const c = await caseIn('RESOLVED', { agreement: true });
    const reached = today();
    const saved = now;
    now = new Date(now.getTime() + 31 * 86_400_000);
    try {
      const late = await send(CENTRE, 'RECORD_JUDICIAL_CONFIRMATION', inputOf('RECORD_JUDICIAL_CONFIRMATION', c.id, c.version));
      expect(errorCodes(late)).toEqual(['INVALID_DATE']);
      // Dated within the 30 days, it is taken even when entered later.
      const onTime = await act(CENTRE, 'RECORD_JUDICIAL_CONFIRMATION', { ...inputOf('RECORD_JUDICIAL_CONFIRMATION', c.id, c.version), on: addDays(reached, 30) });
      expect(onTime.case.version).toBe(c.version + 1);
    } finally {
      now = saved;
    }
    const oral = await caseIn('IN_PROGRESS', { agreement: true });
    const resolved = await act(MEDIATOR, 'RESOLVE', { ...inputOf('RESOLVE', oral.id, oral.version), outcome: 'AGREEMENT_REACHED', agreement: { ...AGREEMENT(), form: 'ORAL' } });
    expect((await file(oral.id)).agreement).toMatchObject({ form: 'ORAL', judicialConfirmationDueOn: null });
    expect(errorCodes(await send(CENTRE, 'RECORD_JUDICIAL_CONFIRMATION', inputOf('RECORD_JUDICIAL_CONFIRMATION', oral.id, resolved.case.version)))).toEqual(['AGREEMENT_REQUIRED']);
    expect((await act(CENTRE, 'RECORD_PERFORMANCE', inputOf('RECORD_PERFORMANCE', oral.id, resolved.case.version))).case.version).toBe(resolved.case.version + 1);
  });

  it('terminates a failed mediation with the channels the parties were told of, and reopens it', async () => {
    const c = await caseIn('IN_PROGRESS');
    expect(errorCodes(await send(HOUSING, 'TERMINATE', { ...inputOf('TERMINATE', c.id, c.version), channels: [] }))).toEqual(['INVALID_INPUT']);
    expect(errorCodes(await send(HOUSING, 'TERMINATE', { ...inputOf('TERMINATE', c.id, c.version), note: '' }))).toEqual(['INVALID_INPUT']);
    expect(errorCodes(await send(POLICE, 'TERMINATE', inputOf('TERMINATE', c.id, c.version)))).toEqual(['FORBIDDEN']);
    const terminated = await act(HOUSING, 'TERMINATE', inputOf('TERMINATE', c.id, c.version));
    expect(terminated.case).toMatchObject({ status: 'TERMINATED', outcome: 'MEDIATION_FAILED', overdue: false, card: null });
    expect(terminated.event).toMatchObject({ action: 'TERMINATE', fromStatus: 'IN_PROGRESS', toStatus: 'TERMINATED', outcome: 'MEDIATION_FAILED' });
    const seen = await file(c.id);
    expect(seen).toMatchObject({ informedChannels: ['JUDICIAL', 'ARBITRATION'], resolutionNote: inputOf('TERMINATE', c.id, 0).note });
    expect(seen.closedAt).not.toBeNull();
    expect(seen.timeline.at(-1)).toMatchObject({ action: 'TERMINATE', channels: ['JUDICIAL', 'ARBITRATION'] });
    // No follow-up visit, close or escalation after a lawful termination; the centre may take it up again.
    for (const action of ['FOLLOW_UP', 'CLOSE', 'RESOLVE'] as const) {
      expect(errorCodes(await send(ADMIN, action, inputOf(action, c.id, terminated.case.version))), action).toEqual(['INVALID_TRANSITION']);
    }
    const reopened = await act(CENTRE, 'REOPEN', inputOf('REOPEN', c.id, terminated.case.version));
    expect(reopened.case).toMatchObject({ status: 'ACCEPTED', outcome: null, closedAt: null });
    expect((await file(c.id)).informedChannels).toEqual([]);
  });

  it('records a withdrawal by the applicant and a refusal by either party, after acceptance only', async () => {
    const reported = await caseIn('REPORTED');
    expect(errorCodes(await send(CENTRE, 'WITHDRAW', inputOf('WITHDRAW', reported.id, reported.version)))).toEqual(['INVALID_TRANSITION']);
    const accepted = await caseIn('ACCEPTED');
    expect(errorCodes(await send(CENTRE, 'WITHDRAW', { ...inputOf('WITHDRAW', accepted.id, accepted.version), by: 'RESPONDENT' }))).toEqual(['INVALID_INPUT']);
    const withdrawn = await act(CENTRE, 'WITHDRAW', inputOf('WITHDRAW', accepted.id, accepted.version));
    expect(withdrawn.case).toMatchObject({ status: 'WITHDRAWN', outcome: 'PARTIES_WITHDREW' });
    expect(await file(accepted.id)).toMatchObject({ withdrawnBy: 'APPLICANT', informedChannels: [] });
    // Dispatched but not yet taken up, the unit may not record it; in progress, it may.
    const dispatched = await caseIn('DISPATCHED');
    expect(errorCodes(await send(HOUSING, 'WITHDRAW', inputOf('WITHDRAW', dispatched.id, dispatched.version)))).toEqual(['FORBIDDEN']);
    const inProgress = await caseIn('IN_PROGRESS');
    const refused = await act(HOUSING, 'WITHDRAW', { ...inputOf('WITHDRAW', inProgress.id, inProgress.version), kind: 'REFUSED', by: 'RESPONDENT', reason: '被申请人明确表示拒绝调解' });
    expect(refused.case).toMatchObject({ status: 'WITHDRAWN', outcome: 'PARTIES_REFUSED' });
    expect((await file(inProgress.id)).timeline.at(-1)).toMatchObject({ action: 'WITHDRAW', withdrawnBy: 'RESPONDENT' });
  });

  it('replays a new action with the same key: the same event, nothing new', async () => {
    const c = await caseIn('IN_PROGRESS');
    const input = { ...inputOf('TERMINATE', c.id, c.version), idempotencyKey: newKey() };
    const mutation = `mutation ($input: TerminateCaseInput!) { terminateCase(input: $input) { ${CHANGE} } }`;
    const first = await gql<{ terminateCase: Change }>(HOUSING, mutation, { input });
    const again = await gql<{ terminateCase: Change }>(HOUSING, mutation, { input });
    expect(again.data?.terminateCase.replayed).toBe(true);
    expect(again.data?.terminateCase.event).toEqual(first.data?.terminateCase.event);
    expect(await eventCount(c.id)).toBe(c.version + 1);
    expect(errorCodes(await gql(HOUSING, mutation, { input: { ...input, channels: ['JUDICIAL'] } }))).toEqual(['IDEMPOTENCY_KEY_REUSED']);
  });
});

describe('sources and severity: 12345, 一般/较大/重大, 民转刑, 群体性, 包案', () => {
  const CASE = /* GraphQL */ `query ($id: ID!) { case(id: $id) { source hotlineTicket severity criminalRisk groupDispute headCount leader { name post } } }`;
  const ticket = () => `12345-${process.pid}-${++keys}`.toUpperCase();

  it('takes a 12345 case once per ticket, and refuses a ticket missing, malformed or on another source', async () => {
    const hotlineTicket = ticket();
    const hotline = reportInput({ source: 'HOTLINE_12345', hotlineTicket, severity: 'SIGNIFICANT', headCount: 8 });
    const first = await act(CENTRE, 'REPORT', hotline);
    const seen = (await gql<{ case: Record<string, unknown> }>(CENTRE, CASE, { id: first.case.id })).data?.case;
    expect(seen).toEqual({ source: 'HOTLINE_12345', hotlineTicket, severity: 'SIGNIFICANT', criminalRisk: false, groupDispute: true, headCount: 8, leader: null });
    const again = await send(CENTRE, 'REPORT', hotline);
    expect(errorCodes(again)).toEqual(['ALREADY_REPORTED']);
    expect(again.errors?.[0]?.extensions).toMatchObject({ caseId: first.case.id });
    const [before] = await harness.database.db.select({ n: count() }).from(cases);
    for (const [overrides, code] of [
      [{ source: 'HOTLINE_12345' }, 'INVALID_INPUT'],
      [{ source: 'HOTLINE_12345', hotlineTicket: 'abc' }, 'INVALID_HOTLINE_TICKET'],
      [{ source: 'PARTY_APPLICATION', hotlineTicket: ticket() }, 'INVALID_INPUT'],
      [{ headCount: 4 }, 'INVALID_INPUT'],
    ] as const) {
      expect(errorCodes(await send(CENTRE, 'REPORT', reportInput(overrides))), JSON.stringify(overrides)).toEqual([code]);
    }
    expect(errorCodes(await send(GRID_WORKER, 'REPORT', reportInput({ source: 'HOTLINE_12345', hotlineTicket: ticket() })))).toEqual(['SOURCE_NOT_ALLOWED']);
    const [after] = await harness.database.db.select({ n: count() }).from(cases);
    expect(after?.n).toBe(before?.n);
  });

  it('assesses severity, risk, group size and the leader in charge, masking the leader for masked roles', async () => {
    const c = await caseIn('IN_PROGRESS');
    expect(errorCodes(await send(HOUSING, 'ASSESS', inputOf('ASSESS', c.id, c.version)))).toEqual(['FORBIDDEN']);
    const assessed = await act(CENTRE, 'ASSESS', inputOf('ASSESS', c.id, c.version));
    expect(assessed.case.status).toBe('IN_PROGRESS');
    expect((await gql<{ case: Record<string, unknown> }>(CENTRE, CASE, { id: c.id })).data?.case).toMatchObject({
      severity: 'MAJOR', criminalRisk: true, groupDispute: true, headCount: 12, leader: { name: '王建国', post: '街道党工委副书记' },
    });
    const analyst = as('district-analyst');
    expect((await gql<{ case: { leader: { name: string } } }>(analyst, CASE, { id: c.id })).data?.case.leader.name).not.toBe('王建国');
    // Not a group dispute after all, and no leader any more.
    await act(SUPERVISOR, 'ASSESS', { ...inputOf('ASSESS', c.id, assessed.case.version), severity: 'GENERAL', criminalRisk: false, headCount: null, leader: null });
    expect((await gql<{ case: Record<string, unknown> }>(CENTRE, CASE, { id: c.id })).data?.case).toMatchObject({ severity: 'GENERAL', groupDispute: false, headCount: null, leader: null });
  });

  it('filters the case list by source, severity, risk and group, with the totals the rows give', async () => {
    await act(CENTRE, 'REPORT', reportInput({ source: 'HOTLINE_12345', hotlineTicket: ticket(), severity: 'MAJOR', criminalRisk: true, headCount: 30 }));
    const rows = await harness.database.db.select().from(cases);
    const total = async (args: string) =>
      (await gql<{ cases: { totalCount: number; edges: { node: { id: string } }[] } }>(CENTRE, `{ cases(${args}, first: 500) { totalCount edges { node { id } } } }`)).data!.cases;
    const expectations: [string, (c: (typeof rows)[number]) => boolean][] = [
      ['source: HOTLINE_12345', (c) => c.source === 'HOTLINE_12345'],
      ['severity: MAJOR', (c) => c.severity === 'MAJOR'],
      ['criminalRisk: true', (c) => c.criminalRisk],
      ['groupDispute: true', (c) => c.headCount !== null],
      ['groupDispute: false, severity: GENERAL', (c) => c.headCount === null && c.severity === 'GENERAL'],
    ];
    for (const [args, keep] of expectations) {
      const page = await total(args);
      expect(page.totalCount, args).toBe(rows.filter(keep).length);
      if (page.totalCount <= 500) expect(page.edges.map((e) => e.node.id).sort(), args).toEqual(rows.filter(keep).map((c) => c.id).sort());
    }
    expect((await total('source: HOTLINE_12345')).totalCount).toBeGreaterThan(0);
    const figures = (await gql<{ caseFiguresByDepartment: unknown }>(SUPERVISOR, `{ caseFiguresByDepartment { department } }`)).errors;
    expect(figures).toBeUndefined();
    const grid = await gql<{ _entities: { caseFigures: Record<string, number> }[] }>(
      SUPERVISOR,
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { caseFigures { received fromHotline significant major criminalRisk groupDisputes groupHeadCount withLeader } } } }`,
      { reps: [{ __typename: 'Grid', code: GRID }] },
    );
    const mine = rows.filter((c) => c.gridCode === GRID);
    expect(grid.data!._entities[0]!.caseFigures).toEqual({
      received: mine.length,
      fromHotline: mine.filter((c) => c.source === 'HOTLINE_12345').length,
      significant: mine.filter((c) => c.severity === 'SIGNIFICANT').length,
      major: mine.filter((c) => c.severity === 'MAJOR').length,
      criminalRisk: mine.filter((c) => c.criminalRisk).length,
      groupDisputes: mine.filter((c) => c.headCount !== null).length,
      groupHeadCount: mine.reduce((n, c) => n + (c.headCount ?? 0), 0),
      withLeader: mine.filter((c) => c.leaderName !== null).length,
    });
  });
});

describe('reporting', () => {
  it('lets a grid worker report only in their own grids and only as a grid-worker report', async () => {
    expect(errorCodes(await send(GRID_WORKER, 'REPORT', reportInput({ gridCode: other.grid.code })))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await send(GRID_WORKER, 'REPORT', reportInput({ source: 'COURT_REFERRAL' })))).toEqual(['SOURCE_NOT_ALLOWED']);
    expect(errorCodes(await send(HOUSING, 'REPORT', reportInput({ source: 'GRID_WORKER_REPORT' })))).toEqual(['SOURCE_NOT_ALLOWED']);
    const referral = await act(HOUSING, 'REPORT', reportInput({ source: 'DEPARTMENT_REFERRAL', houseCode: home.houses[0]?.code }));
    expect(referral.case.status).toBe('REPORTED');
  });

  it('takes a police referral once per incident', async () => {
    const incident = world.flatMap((g) => g.publicSecurity.incidents).find((i) => !i.referredToMediation && i.gridCode === GRID) ?? world.flatMap((g) => g.publicSecurity.incidents).find((i) => !i.referredToMediation)!;
    const input = reportInput({ source: 'POLICE_REFERRAL', incidentId: incident.id, gridCode: incident.gridCode, category: 'NEIGHBOURS' });
    const first = await act(POLICE, 'REPORT', input);
    const again = await send(POLICE, 'REPORT', input);
    expect(errorCodes(again)).toEqual(['ALREADY_REFERRED']);
    expect(again.errors?.[0]?.extensions).toMatchObject({ incidentId: incident.id, caseId: first.case.id });
    const byIncident = await gql<{ caseByIncident: { id: string; source: string } }>(CENTRE, `query ($id: ID!) { caseByIncident(incidentId: $id) { id source } }`, { id: incident.id });
    expect(byIncident.data?.caseByIncident).toEqual({ id: first.case.id, source: 'POLICE_REFERRAL' });
    expect(errorCodes(await send(POLICE, 'REPORT', reportInput({ source: 'POLICE_REFERRAL' })))).toEqual(['INVALID_INPUT']);
    expect(errorCodes(await send(CENTRE, 'REPORT', reportInput({ source: 'PARTY_APPLICATION', incidentId: incident.id })))).toEqual(['INVALID_INPUT']);
  });

  it('refuses malformed reports before anything is written', async () => {
    const [before] = await harness.database.db.select({ n: count() }).from(cases);
    const bad: [Record<string, unknown>, string][] = [
      [{ gridCode: '123' }, 'INVALID_GRID_CODE'],
      [{ summary: '   ' }, 'INVALID_INPUT'],
      [{ summary: '纠'.repeat(2001) }, 'INPUT_TOO_LONG'],
      [{ parties: [] }, 'INVALID_INPUT'],
      [{ parties: [{ role: 'RESPONDENT', residentId: respondent }] }, 'INVALID_INPUT'],
      [{ parties: [{ role: 'APPLICANT', residentId: applicant, organizationId: 'MC110101001001001' }] }, 'INVALID_INPUT'],
      [{ parties: [{ role: 'APPLICANT', residentId: 'not-a-hub-id' }] }, 'INVALID_RESIDENT_ID'],
      [{ houseCode: 'nope' }, 'INVALID_HOUSE_CODE'],
      [{ groupRentalId: 'QZ1' }, 'INVALID_GROUP_RENTAL_ID'],
      [{ committeeId: 'MC110101001001999' }, 'NOT_FOUND'],
    ];
    for (const [overrides, code] of bad) {
      expect(errorCodes(await send(CENTRE, 'REPORT', reportInput(overrides))), JSON.stringify(overrides)).toEqual([code]);
    }
    const badKey = await gql(CENTRE, `mutation ($input: ReportCaseInput!) { reportCase(input: $input) { replayed } }`, { input: { ...reportInput(), idempotencyKey: 'short' } });
    expect(errorCodes(badKey)).toEqual(['INVALID_IDEMPOTENCY_KEY']);
    const [after] = await harness.database.db.select({ n: count() }).from(cases);
    expect(after?.n).toBe(before?.n);
  });

  it('refuses malformed changes', async () => {
    const c = await caseIn('ACCEPTED');
    const strangerMediator = world.flatMap((g) => g.mediation.mediators).find((m) => m.committeeId !== mediatorOfHome.committeeId)!;
    const bad: [CaseAction, Record<string, unknown>, string][] = [
      ['DISPATCH', { dueOn: addDays(today(), -1) }, 'INVALID_DATE'],
      ['DISPATCH', { dueOn: addDays(today(), 400) }, 'INVALID_DATE'],
      ['DISPATCH', { expectedVersion: 0 }, 'INVALID_INPUT'],
      ['ADD_RECORD', { heldOn: addDays(today(), 1) }, 'INVALID_DATE'],
      ['ADD_RECORD', { kind: 'MEDIATION_SESSION' }, 'INVALID_INPUT'],
      ['ADD_RECORD', { kind: 'MEDIATION_SESSION', mediatorId: strangerMediator.id }, 'NOT_FOUND'],
      ['ADD_RECORD', { caseId: 'TJ1' }, 'INVALID_CASE_ID'],
      ['ADD_RECORD', { caseId: `TJ${GRID}9999` }, 'NOT_FOUND'],
    ];
    for (const [action, overrides, code] of bad) {
      expect(errorCodes(await send(CENTRE, action, { ...inputOf(action, c.id, c.version), ...overrides })), `${action} ${JSON.stringify(overrides)}`).toEqual([code]);
    }
    expect(await eventCount(c.id)).toBe(c.version);
  });

  it('hides cases outside a grid worker’s grids from their writes as from their reads', async () => {
    const c = await caseIn('RESOLVED');
    const stranger = as('grid-worker', { grids: [other.grid.code] });
    expect(errorCodes(await send(stranger, 'FOLLOW_UP', inputOf('FOLLOW_UP', c.id, c.version)))).toEqual(['NOT_FOUND']);
  });
});

describe('idempotency and versions', () => {
  it('replays a mutation with the same key: the same case and event, nothing new', async () => {
    const c = await caseIn('ACCEPTED');
    const input = { ...inputOf('DISPATCH', c.id, c.version), idempotencyKey: newKey() };
    const mutation = `mutation ($input: DispatchCaseInput!) { dispatchCase(input: $input) { ${CHANGE} } }`;
    const first = await gql<{ dispatchCase: Change }>(CENTRE, mutation, { input });
    const events = await eventCount(c.id);
    const again = await gql<{ dispatchCase: Change }>(CENTRE, mutation, { input });
    expect(again.errors).toBeUndefined();
    expect(again.data?.dispatchCase.replayed).toBe(true);
    expect(again.data?.dispatchCase.event).toEqual(first.data?.dispatchCase.event);
    expect(again.data?.dispatchCase.case.id).toBe(c.id);
    expect(await eventCount(c.id)).toBe(events);
    // The same key with another input is refused; another caller's key of the same text is theirs alone.
    const other = await gql(CENTRE, mutation, { input: { ...input, note: '另一条说明' } });
    expect(errorCodes(other)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    const otherUser = await gql(as('dispatcher', { userId: 'another-dispatcher' }), mutation, { input });
    expect(errorCodes(otherUser)).toEqual(['CONFLICT']);
    expect(await eventCount(c.id)).toBe(events);
  });

  it('replays a report: no second case', async () => {
    const input = { ...reportInput(), idempotencyKey: newKey() };
    const mutation = `mutation ($input: ReportCaseInput!) { reportCase(input: $input) { ${CHANGE} } }`;
    const [a, b] = await Promise.all([gql<{ reportCase: Change }>(CENTRE, mutation, { input }), gql<{ reportCase: Change }>(CENTRE, mutation, { input })]);
    expect(a.errors ?? b.errors).toBeUndefined();
    expect(a.data?.reportCase.case.id).toBe(b.data?.reportCase.case.id);
    expect([a.data?.reportCase.replayed, b.data?.reportCase.replayed].sort()).toEqual([false, true]);
    expect(await eventCount(a.data!.reportCase.case.id)).toBe(1);
  });

  it('refuses a change against a stale version with CONFLICT and the current version', async () => {
    const c = await caseIn('ACCEPTED');
    await act(CENTRE, 'ADD_RECORD', inputOf('ADD_RECORD', c.id, c.version));
    const stale = await send(CENTRE, 'DISPATCH', inputOf('DISPATCH', c.id, c.version));
    expect(errorCodes(stale)).toEqual(['CONFLICT']);
    expect(stale.errors?.[0]?.extensions).toMatchObject({ caseId: c.id, expectedVersion: c.version, currentVersion: c.version + 1 });
  });
});

describe('deadlines and supervision cards', () => {
  const at = (iso: string) => {
    now = new Date(iso);
  };

  it('gives one month from acceptance, ending on the last day of a shorter month', async () => {
    at('2027-01-31T01:00:00Z'); // 31 January, 09:00 in Beijing
    const c = await caseIn('REPORTED');
    const accepted = await act(CENTRE, 'ACCEPT', inputOf('ACCEPT', c.id, c.version));
    expect(accepted.case.dueOn).toBe('2027-02-28');
    expect(accepted.event.dueOn).toBe('2027-02-28');
    at('2028-01-31T01:00:00Z');
    const leap = await caseIn('ACCEPTED');
    const [row] = await harness.database.db.select({ dueOn: cases.dueOn }).from(cases).where(eq(cases.id, leap.id));
    expect(row?.dueOn).toBe('2028-02-29');
  });

  it('gives a yellow card the day after the time limit and a red one past the grace period, by the date in Beijing', async () => {
    at('2027-01-31T01:00:00Z');
    const c = await caseIn('ACCEPTED'); // due 2027-02-28
    const read = async () =>
      (await gql<{ case: { overdue: boolean; overdueDays: number; card: string | null } }>(CENTRE, `query ($id: ID!) { case(id: $id) { overdue overdueDays card } }`, { id: c.id })).data?.case;
    const listed = async (list: string) => {
      const ids: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: GraphQLResponse<{ supervisedCases: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }> = await gql(
          SUPERVISOR,
          `query ($list: SupervisionList!, $after: String) { supervisedCases(list: $list, first: 500, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
          { list, after },
        );
        ids.push(...(page.data?.supervisedCases.edges.map((e) => e.node.id) ?? []));
        if (!page.data?.supervisedCases.pageInfo.hasNextPage) return ids;
        after = page.data.supervisedCases.pageInfo.endCursor;
      }
    };
    at('2027-02-28T15:59:00Z'); // 23:59 on the 28th in Beijing: still in time
    expect(await read()).toEqual({ overdue: false, overdueDays: 0, card: null });
    at('2027-02-28T16:00:00Z'); // midnight into 1 March in Beijing
    expect(await read()).toEqual({ overdue: true, overdueDays: 1, card: 'YELLOW' });
    expect(await listed('YELLOW_CARD')).toContain(c.id);
    expect(await listed('RED_CARD')).not.toContain(c.id);
    at(`2027-03-05T08:00:00Z`); // 5 days past: still yellow
    expect(await read()).toEqual({ overdue: true, overdueDays: 5, card: 'YELLOW' });
    at(`2027-03-06T08:00:00Z`); // 6 days past: red
    expect(await read()).toEqual({ overdue: true, overdueDays: 6, card: 'RED' });
    expect(await listed('RED_CARD')).toContain(c.id);
    expect(await listed('YELLOW_CARD')).not.toContain(c.id);
    // Dispatching sets the department's deadline: the card goes until that passes.
    const [row] = await harness.database.db.select({ version: cases.version }).from(cases).where(eq(cases.id, c.id));
    const dispatched = await act(CENTRE, 'DISPATCH', { ...inputOf('DISPATCH', c.id, row!.version), dueOn: '2027-03-31' });
    expect(dispatched.case).toMatchObject({ dueOn: '2027-03-31', overdue: false, card: null });
    at('2027-04-01T00:00:00Z'); // 1 April in Beijing
    expect(await read()).toEqual({ overdue: true, overdueDays: 1, card: 'YELLOW' });
    at('2026-11-26T02:00:00Z');
  });
});

describe('the event feed', () => {
  it('read from the start equals every case’s timeline, in commit order, each event once', async () => {
    type FeedPage = { caseEvents: { edges: { cursor: string; node: { sequence: string; caseVersion: number; action: CaseAction; case: { id: string } } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const feed: { sequence: number; caseId: string; caseVersion: number; action: CaseAction }[] = [];
    let after: string | null = null;
    for (;;) {
      const page: GraphQLResponse<FeedPage> = await gql(CENTRE, `query ($after: String) { caseEvents(first: 500, after: $after) { edges { cursor node { sequence caseVersion action case { id } } } pageInfo { hasNextPage endCursor } } }`, { after });
      expect(page.errors).toBeUndefined();
      feed.push(...page.data!.caseEvents.edges.map((e) => ({ sequence: Number(e.node.sequence), caseId: e.node.case.id, caseVersion: e.node.caseVersion, action: e.node.action })));
      if (!page.data!.caseEvents.pageInfo.hasNextPage) {
        // At the end the cursor stays put: asking again gives nothing new, not the feed from the start.
        const tail: GraphQLResponse<FeedPage> = await gql(CENTRE, `query ($after: String) { caseEvents(after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }`, { after: page.data!.caseEvents.pageInfo.endCursor });
        expect(tail.data?.caseEvents.edges).toEqual([]);
        break;
      }
      after = page.data!.caseEvents.pageInfo.endCursor;
    }
    const sequences = feed.map((e) => e.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(sequences.length);
    const byCase = new Map<string, typeof feed>();
    for (const e of feed) byCase.set(e.caseId, [...(byCase.get(e.caseId) ?? []), e]);
    const [all] = await harness.database.db.select({ n: count() }).from(cases);
    expect(byCase.size).toBe(all?.n);
    const ids = [...byCase.keys()];
    for (let i = 0; i < ids.length; i += 200) {
      const batch = ids.slice(i, i + 200);
      const response = await gql<{ _entities: { id: string; version: number; timeline: { sequence: string; caseVersion: number; action: CaseAction }[] }[] }>(
        CENTRE,
        `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Case { id version timeline { sequence caseVersion action } } } }`,
        { reps: batch.map((id) => ({ __typename: 'Case', id })) },
      );
      for (const c of response.data!._entities) {
        const fromFeed = byCase.get(c.id)!;
        expect(c.timeline.map((e) => ({ sequence: Number(e.sequence), caseId: c.id, caseVersion: e.caseVersion, action: e.action }))).toEqual(fromFeed);
        expect(c.version).toBe(fromFeed.length);
      }
    }
  }, 120_000);

  it('gives a grid worker the events of their own grids only, and a department those of its cases', async () => {
    const page = await gql<{ caseEvents: { edges: { node: { case: { grid: { code: string } }; department: string | null } }[] } }>(
      GRID_WORKER,
      `{ caseEvents(first: 500) { edges { node { department case { grid { code } } } } } }`,
    );
    expect(page.data?.caseEvents.edges.length).toBeGreaterThan(0);
    expect(new Set(page.data?.caseEvents.edges.map((e) => e.node.case.grid.code))).toEqual(new Set([GRID]));
    const housing = await gql<{ caseEvents: { edges: { node: { department: string | null } }[] } }>(HOUSING, `{ caseEvents(first: 500, department: HOUSING) { edges { node { department } } } }`);
    expect(housing.data?.caseEvents.edges.length).toBeGreaterThan(0);
    expect(new Set(housing.data?.caseEvents.edges.map((e) => e.node.department))).toEqual(new Set(['HOUSING']));
    expect(errorCodes(await gql(CENTRE, `{ caseEvents(after: "bm90LWEtY3Vyc29y") { edges { cursor } } }`))).toEqual(['INVALID_CURSOR']);
  });
});

describe('case-handling figures', () => {
  it('count received, acknowledged, resolved, overdue cases and satisfaction per department and per grid, as the rows say', async () => {
    const rows = await harness.database.db.select().from(cases);
    const visits = await harness.database.db.execute<{ case_id: string; level: string; position: number }>(`select case_id, level, position from follow_ups order by case_id, position`);
    const t = today();
    const expected = (subset: typeof rows) => {
      const ids = new Set(subset.map((c) => c.id));
      const theirVisits = visits.rows.filter((v) => ids.has(v.case_id));
      const acknowledged = subset.filter((c) => c.acknowledgedAt && c.dispatchedAt);
      const resolved = subset.filter((c) => c.resolvedAt);
      const overdue = subset.filter((c) => ['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS'].includes(c.status) && c.dueOn < t);
      const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
      return {
        received: subset.length,
        acknowledged: acknowledged.length,
        resolved: resolved.length,
        overdue: overdue.length,
        redCards: overdue.filter((c) => c.dueOn < addDays(t, -GRACE_DAYS)).length,
        followUps: theirVisits.length,
        satisfiedFollowUps: theirVisits.filter((v) => v.level !== 'DISSATISFIED').length,
        // A case counts once, by its latest visit.
        ...(() => {
          const latest = new Map(theirVisits.map((v) => [v.case_id, v.level]));
          const by = (level: string) => [...latest.values()].filter((l) => l === level).length;
          return { visitedCases: latest.size, satisfiedCases: by('SATISFIED'), basicallySatisfiedCases: by('BASICALLY_SATISFIED'), dissatisfiedCases: by('DISSATISFIED') };
        })(),
        meanHoursToAcknowledge: mean(acknowledged.map((c) => (c.acknowledgedAt!.getTime() - c.dispatchedAt!.getTime()) / 3_600_000)),
        meanDaysToResolve: mean(resolved.map((c) => (c.resolvedAt!.getTime() - c.receivedAt.getTime()) / 86_400_000)),
      };
    };
    const check = (figures: Record<string, number | null>, want: ReturnType<typeof expected>) => {
      const { meanHoursToAcknowledge, meanDaysToResolve, ...counts } = want;
      expect(figures).toMatchObject(counts);
      expect(figures.yellowCards).toBe(want.overdue - want.redCards);
      if (meanHoursToAcknowledge === null) expect(figures.meanHoursToAcknowledge).toBeNull();
      else expect(figures.meanHoursToAcknowledge).toBeCloseTo(meanHoursToAcknowledge, 1);
      if (meanDaysToResolve === null) expect(figures.meanDaysToResolve).toBeNull();
      else expect(figures.meanDaysToResolve).toBeCloseTo(meanDaysToResolve, 1);
      expect(figures.satisfactionRate).toBe(want.visitedCases === 0 ? null : Number(((want.satisfiedCases + want.basicallySatisfiedCases) / want.visitedCases).toFixed(4)));
    };
    const FIGURES = 'received dispatched acknowledged meanHoursToAcknowledge resolved meanDaysToResolve overdue yellowCards redCards followUps satisfiedFollowUps visitedCases satisfiedCases basicallySatisfiedCases dissatisfiedCases satisfactionRate';
    const byDepartment = await gql<{ caseFiguresByDepartment: { department: string; figures: Record<string, number | null> }[] }>(SUPERVISOR, `{ caseFiguresByDepartment { department figures { ${FIGURES} } } }`);
    expect(byDepartment.errors).toBeUndefined();
    expect(byDepartment.data?.caseFiguresByDepartment.map((d) => d.department)).toEqual(['PUBLIC_SECURITY', 'CIVIL_AFFAIRS', 'PARTY', 'HOUSING', 'MEDIATION']);
    for (const { department, figures } of byDepartment.data!.caseFiguresByDepartment) {
      check(figures, expected(rows.filter((c) => c.assignedDepartment === department)));
    }
    const grid = await gql<{ _entities: { caseFigures: Record<string, number | null> }[] }>(
      SUPERVISOR,
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { caseFigures { ${FIGURES} } } } }`,
      { reps: [{ __typename: 'Grid', code: GRID }] },
    );
    check(grid.data!._entities[0]!.caseFigures, expected(rows.filter((c) => c.gridCode === GRID)));
    // A period: only the cases received in it, counted by the day in Beijing.
    const firstDay = chinaToday(rows.filter((c) => c.gridCode === GRID).map((c) => c.receivedAt).sort((a, b) => a.getTime() - b.getTime())[0]!);
    const period = await gql<{ _entities: { caseFigures: { received: number } }[] }>(
      SUPERVISOR,
      `query ($reps: [_Any!]!, $from: Date, $to: Date) { _entities(representations: $reps) { ... on Grid { caseFigures(from: $from, to: $to) { received } } } }`,
      { reps: [{ __typename: 'Grid', code: GRID }], from: firstDay, to: firstDay },
    );
    expect(period.data!._entities[0]!.caseFigures.received).toBe(rows.filter((c) => c.gridCode === GRID && chinaToday(c.receivedAt) === firstDay).length);
    expect(errorCodes(await gql(SUPERVISOR, `{ caseFiguresByDepartment(from: "2026-12-01", to: "2026-11-01") { department } }`))).toEqual(['INVALID_DATE_RANGE']);
  });
});

describe('双向评议: the centre and the units evaluate each other', () => {
  const RECORD = /* GraphQL */ `mutation ($input: RecordUnitEvaluationInput!) { recordUnitEvaluation(input: $input) { period direction department level score comment evaluatedBy } }`;
  const LIST = /* GraphQL */ `query ($period: String!) { unitEvaluations(period: $period) { department centreOfUnit { level score evaluatedBy } unitOfCentre { level score comment } } }`;
  const period = () => today().slice(0, 7);
  const input = (overrides: Record<string, unknown> = {}) => ({ period: period(), direction: 'CENTRE_OF_UNIT', department: 'HOUSING', level: 'BASICALLY_SATISFIED', score: 85, comment: '报到及时，个别案件办理偏慢', ...overrides });

  it('records one evaluation each way per month and unit, and lists them for every unit', async () => {
    const first = await gql<{ recordUnitEvaluation: Record<string, unknown> }>(SUPERVISOR, RECORD, { input: input() });
    expect(first.data?.recordUnitEvaluation).toMatchObject({ department: 'HOUSING', level: 'BASICALLY_SATISFIED', score: 85, evaluatedBy: SUPERVISOR.userId });
    // The same evaluation again (a retry) returns it; another one for the same month is refused.
    expect((await gql(SUPERVISOR, RECORD, { input: input() })).errors).toBeUndefined();
    expect(errorCodes(await gql(SUPERVISOR, RECORD, { input: input({ score: 60 }) }))).toEqual(['ALREADY_EVALUATED']);
    // A unit evaluates the centre in its own name only.
    expect(errorCodes(await gql(POLICE, RECORD, { input: input({ direction: 'UNIT_OF_CENTRE' }) }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await gql(HOUSING, RECORD, { input: input({ department: 'PUBLIC_SECURITY' }) }))).toEqual(['FORBIDDEN']);
    const back = await gql(HOUSING, RECORD, { input: input({ direction: 'UNIT_OF_CENTRE', level: 'SATISFIED', score: 95, comment: '派单准确，协调有力' }) });
    expect(back.errors).toBeUndefined();
    for (const [overrides, argument] of [[{ score: 101 }, 'score'], [{ comment: ' ' }, 'comment'], [{ period: '2026-13' }, 'period'], [{ period: addDays(today(), 40).slice(0, 7) }, 'period']] as const) {
      const bad = await gql(SUPERVISOR, RECORD, { input: input({ department: 'PARTY', ...overrides }) });
      expect(errorCodes(bad), argument).toEqual(['INVALID_INPUT']);
      expect(bad.errors?.[0]?.extensions?.argumentName).toBe(argument);
    }
    const listed = await gql<{ unitEvaluations: { department: string; centreOfUnit: unknown; unitOfCentre: unknown }[] }>(SUPERVISOR, LIST, { period: period() });
    expect(listed.data?.unitEvaluations.map((e) => e.department)).toEqual(['PUBLIC_SECURITY', 'CIVIL_AFFAIRS', 'PARTY', 'HOUSING', 'MEDIATION']);
    expect(listed.data?.unitEvaluations.find((e) => e.department === 'HOUSING')).toEqual({
      department: 'HOUSING',
      centreOfUnit: { level: 'BASICALLY_SATISFIED', score: 85, evaluatedBy: SUPERVISOR.userId },
      unitOfCentre: { level: 'SATISFIED', score: 95, comment: '派单准确，协调有力' },
    });
    expect(listed.data?.unitEvaluations.find((e) => e.department === 'PARTY')).toEqual({ department: 'PARTY', centreOfUnit: null, unitOfCentre: null });
  });
});

describe('the demo history and everything written since', () => {
  it('gives every case a timeline that ends in its status, one event per version, and every key its result', async () => {
    expect(await inconsistentCases(harness.database.db)).toEqual([]);
    const [dispatchedWithoutDepartment] = await harness.database.db
      .select({ n: count() })
      .from(cases)
      .where(and(inArray(cases.status, ['DISPATCHED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'ESCALATED']), isNull(cases.assignedDepartment)));
    expect(dispatchedWithoutDepartment?.n).toBe(0);
  });
});
