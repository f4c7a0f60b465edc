import { DEMO_HUB_SECRET, residentKey, type Caller, type DemoRole } from '@hub/core';
import { errorCodes, type GraphQLResponse, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld, type DemoGridContents } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { CaseAction, CaseStatus } from '../src/__generated__/resolvers-types.ts';
import { caseEvents, caseParts, cases } from '../src/db/schema.ts';
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
/** An officer of a district station outside the hub (城管执法): no hub department, acting for its unit. */
const URBAN: Caller = { ...as('supervisor'), userId: 'station-urban-management', role: 'station-officer', department: null, scopes: ['case:read', 'case:report', 'case:respond'], unit: 'URBAN_MANAGEMENT' };
const CO_HANDLER_UNIT = 'URBAN_MANAGEMENT';

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
  FINISH_PART: ['finishCasePart', 'FinishCasePartInput'],
  CLOSE_OUT_PART: ['closeOutCasePart', 'CloseOutCasePartInput'],
  HAND_BACK: ['handBackCase', 'HandBackCaseInput'],
  REPORT_UP: ['reportCaseUp', 'ChangeCaseLevelInput'],
  ASSIGN_DOWN: ['assignCaseDown', 'ChangeCaseLevelInput'],
  EXTEND_TIME_LIMIT: ['extendCaseTimeLimit', 'ExtendCaseTimeLimitInput'],
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
    case 'FINISH_PART':
      return { ...base, note: '已清理占道堆放物' };
    case 'CLOSE_OUT_PART':
      return { ...base, unit: CO_HANDLER_UNIT, reason: '主办单位已一并处置，协办事项无需再办' };
    case 'HAND_BACK':
      return { ...base, reason: 'WRONG_UNIT', note: '属城管执法职责，请改派' };
    case 'REPORT_UP':
      return { ...base, reason: '涉及多个部门，社区无法协调，上报街道' };
    case 'ASSIGN_DOWN':
      return { ...base, reason: '属邻里小事，交社区调委会就地化解' };
    case 'EXTEND_TIME_LIMIT':
      return { ...base, dueOn: addDays(today(), 40), consentingParties: [1, 2], reason: '双方同意延长调解期限以便补充鉴定' };
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

/** Who is entitled to take an action, for a case dispatched to housing (with urban management as co-handler). */
const ENTITLED: Record<CaseAction, Caller> = {
  FINISH_PART: URBAN,
  CLOSE_OUT_PART: CENTRE,
  HAND_BACK: HOUSING,
  REPORT_UP: CENTRE,
  ASSIGN_DOWN: CENTRE,
  EXTEND_TIME_LIMIT: CENTRE,
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
 * Walks a new case to `status` along the usual path; returns its id and version. With `coHandler`, the dispatch
 * names urban management beside housing (it reports in and finishes before housing resolves); with `mediation`, the
 * lead is the mediation committee instead of housing; with `agreement`, too, and its resolution makes a people's
 * mediation agreement; with `notice`, the supervision office warns the centre at once.
 */
async function caseIn(status: CaseStatus, { coHandler = false, mediation = false, agreement = false, notice = false } = {}): Promise<{ id: string; version: number }> {
  let c = (await act(GRID_WORKER, 'REPORT', reportInput())).case;
  const step = async (caller: Caller, action: CaseAction, extra: Record<string, unknown> = {}) => {
    const change = await act(caller, action, { ...inputOf(action, c.id, c.version), ...extra });
    c = change.case;
    return change;
  };
  // With `notice`, the supervision office warns the centre at once; the notice follows the case wherever it goes.
  if (notice) noticeOfCase.set(c.id, (await step(SUPERVISOR, 'SUPERVISE', { kind: 'WARNING' })).event.supervisionNotice!.id);
  const byCommittee = mediation || agreement;
  const lead = byCommittee ? MEDIATOR : HOUSING;
  if (status === 'REJECTED') await step(CENTRE, 'REJECT');
  if (status === 'REPORTED' || status === 'REJECTED') return c;
  await step(CENTRE, 'ACCEPT');
  if (status === 'WITHDRAWN') await step(CENTRE, 'WITHDRAW');
  if (status === 'ACCEPTED' || status === 'WITHDRAWN') return c;
  await step(CENTRE, 'DISPATCH', {
    ...(byCommittee ? { department: null, leadUnit: 'MEDIATION' } : {}),
    ...(coHandler ? { coHandlers: [{ unit: CO_HANDLER_UNIT, dueOn: addDays(today(), 7), note: '请城管执法协助' }] } : {}),
  });
  if (status === 'DISPATCHED') return c;
  await step(lead, 'ACKNOWLEDGE');
  if (status === 'TERMINATED') await step(lead, 'TERMINATE');
  if (status === 'IN_PROGRESS' || status === 'TERMINATED') return c;
  if (coHandler) {
    await step(URBAN, 'ACKNOWLEDGE');
    await step(URBAN, 'FINISH_PART');
  }
  await step(lead, 'RESOLVE', agreement ? { outcome: 'AGREEMENT_REACHED', agreement: AGREEMENT() } : {});
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
  const actions = Object.keys(MUTATION_OF).filter((a): a is Exclude<CaseAction, 'REPORT'> => a !== 'REPORT');

  it('lists every status and action of the schema', () => {
    expect(new Set(legalPairs().map((p) => p.status))).toEqual(new Set(statuses));
    expect(new Set([...legalPairs().map((p) => p.action)])).toEqual(new Set(actions));
  });

  it('takes every legal action from every status, for the role entitled to it', async () => {
    expect(legalPairs().length).toBeGreaterThan(30);
    for (const { status, action } of legalPairs()) {
      // A mediation's time limit is extended on a case the committee leads; others go to housing with a co-handler.
      const mediation = action === 'EXTEND_TIME_LIMIT' && (status === 'DISPATCHED' || status === 'IN_PROGRESS');
      // Confirmation and performance follow a people's mediation agreement, which only the committee makes.
      const c = await caseIn(status, {
        coHandler: true,
        mediation,
        agreement: action.startsWith('RECORD_'),
        notice: action === 'REPLY_SUPERVISION' || action === 'NOTE_ACCOUNTABILITY',
      });
      let version = c.version;
      const first = async (caller: Caller, a: CaseAction) => {
        version = (await act(caller, a, inputOf(a, c.id, version))).case.version;
      };
      // Closing needs a satisfied visit (the case stays resolved); finishing a part, its report-in; assigning down,
      // a level above the community.
      if (action === 'CLOSE') await first(CENTRE, 'FOLLOW_UP');
      if (action === 'FINISH_PART') await first(URBAN, 'ACKNOWLEDGE');
      if (action === 'ASSIGN_DOWN') await first(CENTRE, 'REPORT_UP');
      if (action === 'RESOLVE') {
        await first(URBAN, 'ACKNOWLEDGE');
        await first(URBAN, 'FINISH_PART');
      }
      const caller =
        status === 'ESCALATED' && action === 'DISPATCH' ? SUPERVISOR : status === 'IN_PROGRESS' && action === 'ACKNOWLEDGE' ? URBAN : ENTITLED[action];
      const change = await act(caller, action, inputOf(action, c.id, version));
      expect(change.event.fromStatus, `${action} from ${status}`).toBe(status);
      expect(change.case.version).toBe(version + 1);
    }
  }, 300_000);

  it('refuses every illegal action with INVALID_TRANSITION naming the status and what is allowed, changing nothing', async () => {
    for (const status of statuses) {
      const c = await caseIn(status);
      const events = await eventCount(c.id);
      for (const action of actions.filter((a) => !allowedActions(status).includes(a))) {
        expect(allowedActions(status)).not.toContain(action);
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
    // A housing officer holds no case:write: the schema's policy refuses the mutation before the workflow is asked.
    expect(errorCodes(await send(HOUSING, 'ACCEPT', inputOf('ACCEPT', inProgress.id, inProgress.version)))).toEqual(['FORBIDDEN']);
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

type Part = { unit: { code: string }; role: string; status: string; round: number; dueOn: string; handBackReason: string | null; endNote: string | null };
const PARTS = /* GraphQL */ `query ($id: ID!) { case(id: $id) { status version level leadUnit { code } assignedDepartment acceptBy dueOn
  parts { unit { code } role status round dueOn handBackReason endNote }
  partHistory { unit { code } role status round dueOn handBackReason endNote }
  timeLimitExtensions { previousDueOn dueOn consentingParties reason }
  timeline { action unit { code } handBackReason level dueOn } } }`;
type CaseParts = { status: CaseStatus; version: number; level: string; leadUnit: { code: string } | null; assignedDepartment: string | null; acceptBy: string | null; dueOn: string; parts: Part[]; partHistory: Part[]; timeLimitExtensions: { previousDueOn: string; dueOn: string; consentingParties: number[]; reason: string }[]; timeline: { action: CaseAction; unit: { code: string } | null; handBackReason: string | null; level: string | null; dueOn: string | null }[] };
const readCase = async (id: string, caller: Caller = CENTRE) => {
  const response = await gql<{ case: CaseParts }>(caller, PARTS, { id });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!.case;
};

describe('handling units and multi-unit dispatch (吹哨报到)', () => {
  it('lists the directory: the five departments and the district stations, each with whose accounts act for it and its limit', async () => {
    const { data } = await gql<{ handlingUnits: { code: string; name: string; kind: string; department: string | null; maxDeadlineDays: number }[] }>(
      GRID_WORKER,
      `{ handlingUnits { code name kind department maxDeadlineDays } }`,
    );
    const codes = data!.handlingUnits.map((u) => u.code);
    expect(codes.slice(0, 5)).toEqual(['PUBLIC_SECURITY', 'CIVIL_AFFAIRS', 'PARTY', 'HOUSING', 'MEDIATION']);
    for (const station of ['URBAN_MANAGEMENT', 'MARKET_REGULATION', 'ECOLOGY_ENVIRONMENT', 'LABOUR_INSPECTION', 'HEALTH', 'EMERGENCY_MANAGEMENT', 'NATURAL_RESOURCES', 'AGRICULTURE_RURAL', 'PETITIONS', 'JUSTICE_OFFICE', 'POLICE_STATION', 'COURT']) {
      expect(codes).toContain(station);
    }
    expect(data!.handlingUnits.find((u) => u.code === 'URBAN_MANAGEMENT')).toEqual({ code: 'URBAN_MANAGEMENT', name: '城管执法队', kind: 'ADMINISTRATIVE_STATION', department: null, maxDeadlineDays: 15 });
    expect(data!.handlingUnits.find((u) => u.code === 'POLICE_STATION')?.department).toBe('public-security');
  });

  it('dispatches to a lead and a co-handler: each reports in, records and finishes; the lead resolves after the co-handler', async () => {
    const c = await caseIn('ACCEPTED');
    const dispatched = await act(CENTRE, 'DISPATCH', {
      ...inputOf('DISPATCH', c.id, c.version),
      department: null,
      leadUnit: 'HOUSING',
      dueOn: addDays(today(), 20),
      coHandlers: [{ unit: CO_HANDLER_UNIT, dueOn: addDays(today(), 5), note: '清理楼道堆放物' }],
    });
    expect(dispatched.case).toMatchObject({ status: 'DISPATCHED', assignedDepartment: 'HOUSING', dueOn: addDays(today(), 20) });
    let file = await readCase(c.id);
    expect(file.leadUnit).toEqual({ code: 'HOUSING' });
    expect(file.parts).toEqual([
      { unit: { code: 'HOUSING' }, role: 'LEAD', status: 'DISPATCHED', round: 1, dueOn: addDays(today(), 20), handBackReason: null, endNote: null },
      { unit: { code: CO_HANDLER_UNIT }, role: 'CO_HANDLER', status: 'DISPATCHED', round: 1, dueOn: addDays(today(), 5), handBackReason: null, endNote: null },
    ]);
    // The co-handler reports in first: the case waits for its lead.
    let v = dispatched.case.version;
    const coIn = await act(URBAN, 'ACKNOWLEDGE', inputOf('ACKNOWLEDGE', c.id, v));
    expect(coIn.case.status).toBe('DISPATCHED');
    expect(errorCodes(await send(URBAN, 'ACKNOWLEDGE', inputOf('ACKNOWLEDGE', c.id, coIn.case.version)))).toEqual(['PART_NOT_OPEN']);
    // Only the lead resolves, and a unit with no part in the case has no say in it.
    expect(errorCodes(await send(POLICE, 'ACKNOWLEDGE', inputOf('ACKNOWLEDGE', c.id, coIn.case.version)))).toEqual(['FORBIDDEN']);
    const leadIn = await act(HOUSING, 'ACKNOWLEDGE', inputOf('ACKNOWLEDGE', c.id, coIn.case.version));
    expect(leadIn.case.status).toBe('IN_PROGRESS');
    const record = await act(URBAN, 'ADD_RECORD', { ...inputOf('ADD_RECORD', c.id, leadIn.case.version), content: '城管执法队现场核查' });
    expect(errorCodes(await send(URBAN, 'RESOLVE', inputOf('RESOLVE', c.id, record.case.version)))).toEqual(['FORBIDDEN']);
    const blocked = await send(HOUSING, 'RESOLVE', inputOf('RESOLVE', c.id, record.case.version));
    expect(errorCodes(blocked)).toEqual(['CO_HANDLERS_OPEN']);
    expect(blocked.errors?.[0]?.extensions).toMatchObject({ openCoHandlers: [CO_HANDLER_UNIT] });
    const finished = await act(URBAN, 'FINISH_PART', inputOf('FINISH_PART', c.id, record.case.version));
    expect(finished.case.status).toBe('IN_PROGRESS');
    v = (await act(HOUSING, 'RESOLVE', inputOf('RESOLVE', c.id, finished.case.version))).case.version;
    file = await readCase(c.id);
    expect(file.status).toBe('RESOLVED');
    expect(file.parts.map((p) => [p.unit.code, p.status])).toEqual([['HOUSING', 'FINISHED'], [CO_HANDLER_UNIT, 'FINISHED']]);
    expect(file.parts[1]?.endNote).toBe('已清理占道堆放物');
    expect(file.timeline.slice(-6).map((e) => [e.action, e.unit?.code ?? null])).toEqual([
      ['DISPATCH', 'HOUSING'],
      ['ACKNOWLEDGE', CO_HANDLER_UNIT],
      ['ACKNOWLEDGE', 'HOUSING'],
      ['ADD_RECORD', CO_HANDLER_UNIT],
      ['FINISH_PART', CO_HANDLER_UNIT],
      ['RESOLVE', 'HOUSING'],
    ]);
    expect(file.version).toBe(v);
    // The unit's feed holds the events about its part.
    const feed = await gql<{ caseEvents: { edges: { node: { action: string; unit: { code: string } } }[] } }>(URBAN, `{ caseEvents(first: 500, unit: "${CO_HANDLER_UNIT}") { edges { node { action unit { code } } } } }`);
    expect(feed.data!.caseEvents.edges.length).toBeGreaterThanOrEqual(3);
    expect(new Set(feed.data!.caseEvents.edges.map((e) => e.node.unit.code))).toEqual(new Set([CO_HANDLER_UNIT]));
    expect(await inconsistentCases(harness.database.db)).toEqual([]);
  });

  it('lets the centre close a co-handler out with a reason, and a station lead the case', async () => {
    const c = await caseIn('ACCEPTED');
    const dispatched = await act(CENTRE, 'DISPATCH', {
      ...inputOf('DISPATCH', c.id, c.version),
      department: null,
      leadUnit: CO_HANDLER_UNIT,
      dueOn: addDays(today(), 15),
      coHandlers: [{ unit: 'HOUSING', dueOn: addDays(today(), 10) }],
    });
    // A station outside the hub: no hub department on the case.
    expect(dispatched.case.assignedDepartment).toBeNull();
    const leadIn = await act(URBAN, 'ACKNOWLEDGE', inputOf('ACKNOWLEDGE', c.id, dispatched.case.version));
    expect(errorCodes(await send(CENTRE, 'CLOSE_OUT_PART', { ...inputOf('CLOSE_OUT_PART', c.id, leadIn.case.version), unit: CO_HANDLER_UNIT }))).toEqual(['PART_NOT_OPEN']);
    expect(errorCodes(await send(CENTRE, 'CLOSE_OUT_PART', { ...inputOf('CLOSE_OUT_PART', c.id, leadIn.case.version), unit: 'NOT_A_UNIT' }))).toEqual(['UNKNOWN_UNIT']);
    const closedOut = await act(CENTRE, 'CLOSE_OUT_PART', { ...inputOf('CLOSE_OUT_PART', c.id, leadIn.case.version), unit: 'HOUSING' });
    const resolved = await act(URBAN, 'RESOLVE', inputOf('RESOLVE', c.id, closedOut.case.version));
    expect(resolved.case.status).toBe('RESOLVED');
    expect((await readCase(c.id)).parts.map((p) => [p.unit.code, p.status, p.endNote])).toEqual([
      [CO_HANDLER_UNIT, 'FINISHED', null],
      ['HOUSING', 'CLOSED_OUT', '主办单位已一并处置，协办事项无需再办'],
    ]);
  });

  it('bounds each unit’s deadline by the directory, a mediation committee’s by one month, and refuses malformed dispatches', async () => {
    const c = await caseIn('ACCEPTED');
    const [events] = [await eventCount(c.id)];
    const bad: [Record<string, unknown>, string][] = [
      [{ department: null, leadUnit: 'NOT_A_UNIT' }, 'UNKNOWN_UNIT'],
      [{ department: null, leadUnit: 'bad code' }, 'INVALID_INPUT'],
      [{ leadUnit: 'HOUSING' }, 'INVALID_INPUT'],
      [{ department: null }, 'INVALID_INPUT'],
      [{ dueOn: addDays(today(), 31) }, 'DEADLINE_BEYOND_UNIT_LIMIT'],
      [{ department: null, leadUnit: 'MEDIATION', dueOn: addDays(today(), 40) }, 'DEADLINE_BEYOND_UNIT_LIMIT'],
      [{ coHandlers: [{ unit: CO_HANDLER_UNIT, dueOn: addDays(today(), 16) }] }, 'DEADLINE_BEYOND_UNIT_LIMIT'],
      [{ coHandlers: [{ unit: 'HOUSING', dueOn: addDays(today(), 5) }] }, 'INVALID_INPUT'],
      [{ coHandlers: [{ unit: CO_HANDLER_UNIT, dueOn: addDays(today(), 5) }, { unit: CO_HANDLER_UNIT, dueOn: addDays(today(), 5) }] }, 'INVALID_INPUT'],
      [{ coHandlers: [{ unit: CO_HANDLER_UNIT, dueOn: addDays(today(), -1) }] }, 'INVALID_DATE'],
    ];
    for (const [overrides, code] of bad) {
      const response = await send(CENTRE, 'DISPATCH', { ...inputOf('DISPATCH', c.id, c.version), ...overrides });
      expect(errorCodes(response), JSON.stringify(overrides)).toEqual([code]);
    }
    const limit = await send(CENTRE, 'DISPATCH', { ...inputOf('DISPATCH', c.id, c.version), dueOn: addDays(today(), 31) });
    expect(limit.errors?.[0]?.extensions).toMatchObject({ unit: 'HOUSING', latest: addDays(today(), 30) });
    expect(await eventCount(c.id)).toBe(events);
    expect((await readCase(c.id)).parts).toEqual([]);
  });

  it('checks the unit a token names against the directory and the account’s department', async () => {
    const c = await caseIn('DISPATCHED');
    const pretender = { ...HOUSING, unit: CO_HANDLER_UNIT };
    expect(errorCodes(await send(pretender, 'ACKNOWLEDGE', inputOf('ACKNOWLEDGE', c.id, c.version)))).toEqual(['UNIT_NOT_ALLOWED']);
    const unknown = { ...URBAN, unit: 'NOWHERE' };
    expect(errorCodes(await send(unknown, 'ACKNOWLEDGE', inputOf('ACKNOWLEDGE', c.id, c.version)))).toEqual(['UNKNOWN_UNIT']);
    // A police station's officers are public security's accounts acting for it; housing's own officer acts for housing.
    const station = { ...POLICE, unit: 'POLICE_STATION' };
    expect(errorCodes(await send(station, 'ACKNOWLEDGE', inputOf('ACKNOWLEDGE', c.id, c.version)))).toEqual(['FORBIDDEN']);
    expect((await act(HOUSING, 'ACKNOWLEDGE', inputOf('ACKNOWLEDGE', c.id, c.version))).case.status).toBe('IN_PROGRESS');
  });

  it('gives a unit’s worker its own worklist: the cases where it holds an open part', async () => {
    const c = await caseIn('DISPATCHED', { coHandler: true });
    const list = async (caller: Caller, unit?: string) =>
      gql<{ cases: { totalCount: number; edges: { node: { id: string; parts: { unit: { code: string }; status: string }[] } }[] } }>(
        caller,
        `query ($unit: ID) { cases(unit: $unit, first: 500) { totalCount edges { node { id parts { unit { code } status } } } } }`,
        { unit },
      );
    const own = await list(URBAN);
    expect(own.errors).toBeUndefined();
    expect(own.data!.cases.edges.map((e) => e.node.id)).toContain(c.id);
    for (const { node } of own.data!.cases.edges) {
      expect(node.parts.some((p) => p.unit.code === CO_HANDLER_UNIT && ['DISPATCHED', 'ACKNOWLEDGED'].includes(p.status)), node.id).toBe(true);
    }
    expect(errorCodes(await list(URBAN, 'HOUSING'))).toEqual(['FORBIDDEN']);
    // The centre may look at any unit's list; the whole district's cases remain its own.
    const housing = await list(CENTRE, 'HOUSING');
    expect(housing.data!.cases.edges.map((e) => e.node.id)).toContain(c.id);
    expect(errorCodes(await list(CENTRE, 'NOWHERE'))).toEqual(['UNKNOWN_UNIT']);
    const [all] = await harness.database.db.select({ n: count() }).from(cases);
    expect((await list(CENTRE)).data!.cases.totalCount).toBe(all?.n);
  });
});

describe('hand-back (退单)', () => {
  it('returns a case the lead hands back to the centre, which re-dispatches it; every part of the dispatch ends', async () => {
    const c = await caseIn('IN_PROGRESS', { coHandler: true });
    expect(errorCodes(await send(HOUSING, 'HAND_BACK', { ...inputOf('HAND_BACK', c.id, c.version), note: '  ' }))).toEqual(['INVALID_INPUT']);
    expect(errorCodes(await send(POLICE, 'HAND_BACK', inputOf('HAND_BACK', c.id, c.version)))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await send(CENTRE, 'HAND_BACK', inputOf('HAND_BACK', c.id, c.version)))).toEqual(['FORBIDDEN']);
    const back = await act(HOUSING, 'HAND_BACK', { ...inputOf('HAND_BACK', c.id, c.version), reason: 'OUTSIDE_POWERS' });
    expect(back.case).toMatchObject({ status: 'ACCEPTED', assignedDepartment: null });
    expect(back.event).toMatchObject({ action: 'HAND_BACK', fromStatus: 'IN_PROGRESS', toStatus: 'ACCEPTED', note: '属城管执法职责，请改派' });
    let file = await readCase(c.id);
    expect(file.leadUnit).toBeNull();
    expect(file.parts.map((p) => [p.unit.code, p.status, p.handBackReason])).toEqual([['HOUSING', 'HANDED_BACK', 'OUTSIDE_POWERS'], [CO_HANDLER_UNIT, 'SUPERSEDED', null]]);
    expect(file.timeline.at(-1)).toMatchObject({ action: 'HAND_BACK', unit: { code: 'HOUSING' }, handBackReason: 'OUTSIDE_POWERS' });
    // Housing has no say in the case any more; the centre sends it to the unit that must act.
    expect(errorCodes(await send(HOUSING, 'ADD_RECORD', inputOf('ADD_RECORD', c.id, back.case.version)))).toEqual(['FORBIDDEN']);
    const again = await act(CENTRE, 'DISPATCH', { ...inputOf('DISPATCH', c.id, back.case.version), department: null, leadUnit: CO_HANDLER_UNIT });
    file = await readCase(c.id);
    expect(file.parts.map((p) => [p.unit.code, p.round, p.status])).toEqual([[CO_HANDLER_UNIT, 2, 'DISPATCHED']]);
    expect(file.partHistory.map((p) => [p.round, p.unit.code, p.status])).toEqual([
      [1, 'HOUSING', 'HANDED_BACK'],
      [1, CO_HANDLER_UNIT, 'SUPERSEDED'],
      [2, CO_HANDLER_UNIT, 'DISPATCHED'],
    ]);
    expect((await act(URBAN, 'ACKNOWLEDGE', inputOf('ACKNOWLEDGE', c.id, again.case.version))).case.status).toBe('IN_PROGRESS');
    expect(await inconsistentCases(harness.database.db)).toEqual([]);
  });

  it('ends only its own part when a co-handler hands back; the lead then resolves without it', async () => {
    const c = await caseIn('DISPATCHED', { coHandler: true });
    const back = await act(URBAN, 'HAND_BACK', { ...inputOf('HAND_BACK', c.id, c.version), reason: 'WRONG_UNIT', note: '非城管职责' });
    expect(back.case.status).toBe('DISPATCHED');
    expect(errorCodes(await send(URBAN, 'FINISH_PART', inputOf('FINISH_PART', c.id, back.case.version)))).toEqual(['FORBIDDEN']);
    const leadIn = await act(HOUSING, 'ACKNOWLEDGE', inputOf('ACKNOWLEDGE', c.id, back.case.version));
    expect((await act(HOUSING, 'RESOLVE', inputOf('RESOLVE', c.id, leadIn.case.version))).case.status).toBe('RESOLVED');
    const figures = await gql<{ casePartFiguresByUnit: { unit: { code: string }; handedBack: number }[] }>(SUPERVISOR, `{ casePartFiguresByUnit { unit { code } handedBack } }`);
    expect(figures.data!.casePartFiguresByUnit.find((f) => f.unit.code === CO_HANDLER_UNIT)!.handedBack).toBeGreaterThanOrEqual(1);
  });
});

describe('handling levels (村居 / 镇街 / 区)', () => {
  it('reports a case up one level at a time and assigns it down, with reasons; the district sees what was sent up', async () => {
    const c = await caseIn('IN_PROGRESS');
    expect((await readCase(c.id)).level).toBe('COMMUNITY');
    expect(errorCodes(await send(CENTRE, 'ASSIGN_DOWN', inputOf('ASSIGN_DOWN', c.id, c.version)))).toEqual(['LEVEL_LIMIT']);
    expect(errorCodes(await send(GRID_WORKER, 'REPORT_UP', inputOf('REPORT_UP', c.id, c.version)))).toEqual(['FORBIDDEN']);
    const toStreet = await act(HOUSING, 'REPORT_UP', inputOf('REPORT_UP', c.id, c.version));
    expect(toStreet.case.status).toBe('IN_PROGRESS');
    const toDistrict = await act(CENTRE, 'REPORT_UP', inputOf('REPORT_UP', c.id, toStreet.case.version));
    expect(errorCodes(await send(CENTRE, 'REPORT_UP', inputOf('REPORT_UP', c.id, toDistrict.case.version)))).toEqual(['LEVEL_LIMIT']);
    const district = await gql<{ cases: { edges: { node: { id: string; level: string; reportedUpAt: string | null } }[] } }>(
      SUPERVISOR,
      `{ cases(level: DISTRICT, reportedUp: true, first: 500) { edges { node { id level reportedUpAt } } } }`,
    );
    expect(district.data!.cases.edges.map((e) => e.node.id)).toContain(c.id);
    expect(district.data!.cases.edges.every((e) => e.node.level === 'DISTRICT' && e.node.reportedUpAt !== null)).toBe(true);
    const down = await act(SUPERVISOR, 'ASSIGN_DOWN', inputOf('ASSIGN_DOWN', c.id, toDistrict.case.version));
    const file = await readCase(c.id);
    expect(file.level).toBe('STREET');
    expect(file.timeline.slice(-3).map((e) => [e.action, e.level])).toEqual([['REPORT_UP', 'STREET'], ['REPORT_UP', 'DISTRICT'], ['ASSIGN_DOWN', 'STREET']]);
    expect(down.event.note).toBe('属邻里小事，交社区调委会就地化解');
  });

  it('counts cases per level as the rows say', async () => {
    const rows = await harness.database.db.select().from(cases);
    const { data, errors } = await gql<{ caseFiguresByLevel: { level: string; reportedUp: number; figures: { received: number; resolved: number } }[] }>(
      SUPERVISOR,
      `{ caseFiguresByLevel { level reportedUp figures { received resolved } } }`,
    );
    expect(errors).toBeUndefined();
    expect(data!.caseFiguresByLevel.map((l) => l.level)).toEqual(['COMMUNITY', 'STREET', 'DISTRICT']);
    for (const l of data!.caseFiguresByLevel) {
      const at = rows.filter((r) => r.level === l.level);
      expect(l.figures.received, l.level).toBe(at.length);
      expect(l.figures.resolved).toBe(at.filter((r) => r.resolvedAt).length);
      expect(l.reportedUp).toBe(at.filter((r) => r.reportedUpAt).length);
    }
    // The grid's and its street's counts by level, as the rows say (a street sums its grids).
    const streetCode = rows.find((r) => r.gridCode === GRID)!.streetCode;
    const counts = await gql<{ _entities: { caseCounts: { byLevel: { level: string; count: number }[] } }[] }>(
      SUPERVISOR,
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { caseCounts { byLevel { level count } } } ... on Street { caseCounts { byLevel { level count } } } } }`,
      { reps: [{ __typename: 'Grid', code: GRID }, { __typename: 'Street', code: streetCode }] },
    );
    expect(counts.errors).toBeUndefined();
    const byLevel = (subset: typeof rows) => ['COMMUNITY', 'STREET', 'DISTRICT'].map((level) => ({ level, count: subset.filter((r) => r.level === level).length }));
    expect(counts.data!._entities[0]!.caseCounts.byLevel).toEqual(byLevel(rows.filter((r) => r.gridCode === GRID)));
    expect(counts.data!._entities[1]!.caseCounts.byLevel).toEqual(byLevel(rows.filter((r) => r.streetCode === streetCode)));
    expect(byLevel(rows.filter((r) => r.gridCode === GRID)).find((l) => l.level === 'STREET')!.count).toBeGreaterThan(0);
  });
});

describe('time limits', () => {
  it('gives a reported case the acceptance limit, and an escalated one the supervision limit so it is carded when it stalls', async () => {
    const reported = await act(GRID_WORKER, 'REPORT', reportInput());
    expect(reported.case.dueOn).toBe(addDays(today(), 3));
    expect((await readCase(reported.case.id)).acceptBy).toBe(addDays(today(), 3));
    const escalated = await caseIn('ESCALATED');
    const file = await readCase(escalated.id);
    expect(file.dueOn).toBe(addDays(today(), 15));
    expect(file.timeline.at(-1)).toMatchObject({ action: 'FOLLOW_UP', dueOn: addDays(today(), 15) });
    const saved = now;
    now = new Date(now.getTime() + 16 * 86_400_000);
    const read = await gql<{ case: { overdue: boolean; card: string | null } }>(SUPERVISOR, `query ($id: ID!) { case(id: $id) { overdue card } }`, { id: escalated.id });
    now = saved;
    expect(read.data?.case).toEqual({ overdue: true, card: 'YELLOW' });
  });

  it('extends a mediation’s month only with both sides’ recorded consent, within the committee’s limit', async () => {
    const c = await caseIn('IN_PROGRESS', { mediation: true });
    const housingCase = await caseIn('IN_PROGRESS');
    expect(errorCodes(await send(CENTRE, 'EXTEND_TIME_LIMIT', inputOf('EXTEND_TIME_LIMIT', housingCase.id, housingCase.version)))).toEqual(['NOT_A_MEDIATION_CASE']);
    const before = await readCase(c.id);
    const bad: [Record<string, unknown>, string][] = [
      [{ consentingParties: [1] }, 'INVALID_INPUT'],
      [{ consentingParties: [1, 7] }, 'INVALID_INPUT'],
      [{ consentingParties: [] }, 'INVALID_INPUT'],
      [{ reason: ' ' }, 'INVALID_INPUT'],
      [{ dueOn: before.dueOn }, 'INVALID_DATE'],
      [{ dueOn: addDays(before.dueOn, 45) }, 'INVALID_DATE'],
    ];
    for (const [overrides, code] of bad) {
      expect(errorCodes(await send(MEDIATOR, 'EXTEND_TIME_LIMIT', { ...inputOf('EXTEND_TIME_LIMIT', c.id, c.version), ...overrides })), JSON.stringify(overrides)).toEqual([code]);
    }
    expect(errorCodes(await send(HOUSING, 'EXTEND_TIME_LIMIT', inputOf('EXTEND_TIME_LIMIT', c.id, c.version)))).toEqual(['FORBIDDEN']);
    const newDue = addDays(before.dueOn, 20);
    const extended = await act(MEDIATOR, 'EXTEND_TIME_LIMIT', { ...inputOf('EXTEND_TIME_LIMIT', c.id, c.version), dueOn: newDue, consentingParties: [2, 1] });
    expect(extended.case.dueOn).toBe(newDue);
    const file = await readCase(c.id);
    expect(file.timeLimitExtensions).toEqual([{ previousDueOn: before.dueOn, dueOn: newDue, consentingParties: [1, 2], reason: '双方同意延长调解期限以便补充鉴定' }]);
    expect(file.parts[0]).toMatchObject({ unit: { code: 'MEDIATION' }, dueOn: newDue });
  });
});

describe('idempotency and versions of the new actions', () => {
  it('replays a hand-back, a report-up and an extension with the same key, and refuses stale versions', async () => {
    const c = await caseIn('DISPATCHED', { mediation: true });
    for (const action of ['EXTEND_TIME_LIMIT', 'REPORT_UP', 'HAND_BACK'] as const) {
      const [current] = await harness.database.db.select({ version: cases.version }).from(cases).where(eq(cases.id, c.id));
      const caller = action === 'HAND_BACK' ? MEDIATOR : CENTRE;
      const input = { ...inputOf(action, c.id, current!.version), ...(action === 'EXTEND_TIME_LIMIT' ? { dueOn: addDays(today(), 30) } : {}), idempotencyKey: newKey() };
      const mutation = `mutation ($input: ${MUTATION_OF[action][1]}!) { ${MUTATION_OF[action][0]}(input: $input) { ${CHANGE} } }`;
      const first = await gql<Record<string, Change>>(caller, mutation, { input });
      expect(first.errors, JSON.stringify(first.errors)).toBeUndefined();
      const events = await eventCount(c.id);
      const again = await gql<Record<string, Change>>(caller, mutation, { input });
      expect(again.data?.[MUTATION_OF[action][0]]).toMatchObject({ replayed: true, event: first.data?.[MUTATION_OF[action][0]]?.event });
      expect(await eventCount(c.id)).toBe(events);
      const stale = await send(caller, action, inputOf(action, c.id, current!.version));
      expect(errorCodes(stale), action).toEqual(['CONFLICT']);
    }
  });
});

describe('case-handling figures', () => {
  it('count received, acknowledged, resolved, overdue cases and satisfaction per department and per grid, as the rows say', async () => {
    const rows = await harness.database.db.select().from(cases);
    const handedBack = new Set((await harness.database.db.select({ id: caseParts.caseId }).from(caseParts).where(eq(caseParts.status, 'HANDED_BACK'))).map((r) => r.id));
    const visits = await harness.database.db.execute<{ case_id: string; level: string; position: number }>(`select case_id, level, position from follow_ups order by case_id, position`);
    const t = today();
    const expected = (subset: typeof rows) => {
      const ids = new Set(subset.map((c) => c.id));
      const theirVisits = visits.rows.filter((v) => ids.has(v.case_id));
      const acknowledged = subset.filter((c) => c.acknowledgedAt && c.dispatchedAt);
      const resolved = subset.filter((c) => c.resolvedAt);
      const overdue = subset.filter((c) => ['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'ESCALATED'].includes(c.status) && c.dueOn < t);
      const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
      return {
        received: subset.length,
        acknowledged: acknowledged.length,
        resolved: resolved.length,
        overdue: overdue.length,
        redCards: overdue.filter((c) => c.dueOn < addDays(t, -GRACE_DAYS)).length,
        handedBack: subset.filter((c) => handedBack.has(c.id)).length,
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
    const FIGURES = 'received dispatched acknowledged meanHoursToAcknowledge resolved meanDaysToResolve overdue yellowCards redCards handedBack followUps satisfiedFollowUps visitedCases satisfiedCases basicallySatisfiedCases dissatisfiedCases satisfactionRate';
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

    // Each unit's parts, as the rows say: every unit of the directory, zeros included.
    const parts = await harness.database.db.select().from(caseParts);
    const units = await gql<{ casePartFiguresByUnit: { unit: { code: string }; [figure: string]: unknown }[] }>(
      SUPERVISOR,
      `{ casePartFiguresByUnit { unit { code } lead coHandler acknowledged finished handedBack closedOut open overdue } }`,
    );
    expect(units.errors).toBeUndefined();
    expect(units.data!.casePartFiguresByUnit).toHaveLength(17);
    for (const { unit, ...figures } of units.data!.casePartFiguresByUnit) {
      const own = parts.filter((p) => p.unitCode === unit.code);
      const open = own.filter((p) => p.status === 'DISPATCHED' || p.status === 'ACKNOWLEDGED');
      expect(figures, unit.code).toEqual({
        lead: own.filter((p) => p.role === 'LEAD').length,
        coHandler: own.filter((p) => p.role === 'CO_HANDLER').length,
        acknowledged: own.filter((p) => p.acknowledgedAt !== null).length,
        finished: own.filter((p) => p.status === 'FINISHED').length,
        handedBack: own.filter((p) => p.status === 'HANDED_BACK').length,
        closedOut: own.filter((p) => p.status === 'CLOSED_OUT').length,
        open: open.length,
        overdue: open.filter((p) => p.dueOn < t).length,
      });
    }
    expect(parts.some((p) => p.status === 'HANDED_BACK')).toBe(true);
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
    // Every case past dispatch has a lead unit and the lead's part of its current dispatch.
    const [dispatchedWithoutLead] = await harness.database.db
      .select({ n: count() })
      .from(cases)
      .where(
        and(
          inArray(cases.status, ['DISPATCHED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'ESCALATED']),
          sql`(${cases.leadUnit} is null or not exists (select 1 from ${caseParts} p where p.case_id = ${cases.id} and p.round = ${cases.dispatchRound} and p.role = 'LEAD' and p.unit_code = ${cases.leadUnit}))`,
        ),
      );
    expect(dispatchedWithoutLead?.n).toBe(0);
  });
});
