import { randomUUID } from 'node:crypto';
import { errorCodes, postGraphQL, type GraphQLResponse } from '@hub/core/testing';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  AcceptCaseDocument,
  AcknowledgeCaseDocument,
  AddCaseRecordDocument,
  CaseEventFeedDocument,
  CaseTimelineDocument,
  CloseCaseDocument,
  DispatchCaseDocument,
  FinishCasePartDocument,
  FollowUpCaseDocument,
  HandBackCaseDocument,
  ReportCaseDocument,
  ReportCaseUpDocument,
  UnitWorklistDocument,
  ResolveCaseDocument,
  SupervisionDocument,
  type CaseChangeFieldsFragment,
  type CaseEventFeedQuery,
} from '../clients/__generated__/operations.ts';
import { grids, idOf } from './world.ts';

/**
 * The case workflow through the gateway, as the departments' apps use it: the life of a case in docs/cases.md, referrals
 * that point at other departments' records, and many clients racing on the same cases.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
});
afterAll(async () => {
  await hub?.close();
});

const home = grids.find((g) => g.mediation.committees.some((c) => c.type === 'COMMUNITY') && g.residents.length >= 2 && g.housing.groupRentals.length > 0)
  ?? grids.find((g) => g.mediation.committees.some((c) => c.type === 'COMMUNITY') && g.residents.length >= 2)!;
const GRID = home.grid.code;
const [applicant, respondent] = home.residents.map((r) => idOf(r.idNumber));
const inDays = (days: number) => new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);

/** Headers of a role's token; `sub` tells the clients of one role apart. */
async function as(role: string, claims: Record<string, unknown> = {}) {
  return { authorization: `Bearer ${await hub.tokenFor(role, claims)}` };
}

async function call<TData, TVariables>(headers: Record<string, string>, document: TypedDocumentNode<TData, TVariables>, variables: TVariables) {
  return postGraphQL(hub.gatewayUrl, document, variables, headers) as Promise<GraphQLResponse<TData>>;
}

function changed<TData extends Record<string, CaseChangeFieldsFragment | null | undefined>>(response: GraphQLResponse<TData>): CaseChangeFieldsFragment {
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  const change = Object.values(response.data ?? {})[0];
  if (!change) throw new Error('no change in the answer');
  return change;
}

const key = () => randomUUID();

describe('the life of a case through the graph (the sequence of docs/cases.md)', () => {
  it('is reported by a grid worker, routed by the centre, handled by housing, visited and closed', async () => {
    const gridWorker = await as('grid-worker', { grids: [GRID] });
    const centre = await as('dispatcher');
    const housing = await as('housing-officer');

    const reported = changed(
      await call(gridWorker, ReportCaseDocument, {
        input: {
          idempotencyKey: key(),
          category: 'PROPERTY_MANAGEMENT',
          source: 'GRID_WORKER_REPORT',
          gridCode: GRID,
          summary: '楼上漏水影响楼下住户，物业未及时处理',
          parties: [
            { role: 'APPLICANT', residentId: applicant },
            { role: 'RESPONDENT', residentId: respondent },
          ],
        },
      }),
    );
    expect(reported.case).toMatchObject({ status: 'REPORTED', version: 1 });
    const id = reported.case.id;
    let version = reported.case.version;
    const step = async (change: CaseChangeFieldsFragment, status: string) => {
      expect(change.case.status).toBe(status);
      expect(change.case.version).toBe(version + 1);
      version = change.case.version;
    };
    await step(changed(await call(centre, AcceptCaseDocument, { input: { idempotencyKey: key(), caseId: id, expectedVersion: version } })), 'ACCEPTED');
    await step(
      changed(await call(centre, DispatchCaseDocument, { input: { idempotencyKey: key(), caseId: id, expectedVersion: version, department: 'HOUSING', dueOn: inDays(7), note: '请住建部门督促物业维修' } })),
      'DISPATCHED',
    );
    await step(changed(await call(housing, AcknowledgeCaseDocument, { input: { idempotencyKey: key(), caseId: id, expectedVersion: version, note: '已报到' } })), 'IN_PROGRESS');
    await step(
      changed(await call(housing, AddCaseRecordDocument, { input: { idempotencyKey: key(), caseId: id, expectedVersion: version, kind: 'VISIT', heldOn: inDays(0), content: '现场查看漏水点' } })),
      'IN_PROGRESS',
    );
    await step(
      changed(
        await call(housing, ResolveCaseDocument, {
          input: { idempotencyKey: key(), caseId: id, expectedVersion: version, outcome: 'ADMINISTRATIVE_MEDIATION', note: '住建部门组织协商，物业同意三日内完成维修' },
        }),
      ),
      'RESOLVED',
    );
    await step(changed(await call(gridWorker, FollowUpCaseDocument, { input: { idempotencyKey: key(), caseId: id, expectedVersion: version, level: 'SATISFIED', channel: 'HOME_VISIT', askedParty: 1, note: '已修好，双方满意' } })), 'RESOLVED');
    await step(changed(await call(centre, CloseCaseDocument, { input: { idempotencyKey: key(), caseId: id, expectedVersion: version } })), 'CLOSED');

    const timeline = await call(centre, CaseTimelineDocument, { id });
    expect(timeline.errors).toBeUndefined();
    expect(timeline.data?.case?.timeline.map((e) => [e.action, e.toStatus, e.actor.role])).toEqual([
      ['REPORT', 'REPORTED', 'grid-worker'],
      ['ACCEPT', 'ACCEPTED', 'dispatcher'],
      ['DISPATCH', 'DISPATCHED', 'dispatcher'],
      ['ACKNOWLEDGE', 'IN_PROGRESS', 'housing-officer'],
      ['ADD_RECORD', 'IN_PROGRESS', 'housing-officer'],
      ['RESOLVE', 'RESOLVED', 'housing-officer'],
      ['FOLLOW_UP', 'RESOLVED', 'grid-worker'],
      ['CLOSE', 'CLOSED', 'dispatcher'],
    ]);

    // Every change is in the audit trail as a write, with who made it.
    const audit = new pg.Client({ connectionString: hub.auditUrl });
    await audit.connect();
    try {
      const { rows } = await audit.query<{ operation_name: string; role: string }>(
        "SELECT operation_name, role FROM audit_records WHERE event_type = 'WRITE' AND outcome = 'SUCCESS' ORDER BY seq",
      );
      const names = rows.map((r) => `${r.operation_name}:${r.role}`);
      for (const expected of ['ReportCase:grid-worker', 'AcceptCase:dispatcher', 'AcknowledgeCase:housing-officer', 'CloseCase:dispatcher']) {
        expect(names).toContain(expected);
      }
    } finally {
      await audit.end();
    }
  });

  it('refuses a role the mutation is not for at the gateway, before any department is asked', async () => {
    const analyst = await as('district-analyst');
    const response = await call(analyst, AcceptCaseDocument, { input: { idempotencyKey: key(), caseId: `TJ${GRID}0001`, expectedVersion: 1 } });
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(response.data?.acceptCase).toBeNull();
  });
});

describe('many units per whistle through the graph (主办/协办, 退单, 上报)', () => {
  it('carries the unit a token names to mediation: a police station co-handles, finishes its part, and the lead resolves', async () => {
    const gridWorker = await as('grid-worker', { grids: [GRID] });
    const centre = await as('dispatcher');
    const housing = await as('housing-officer');
    const station = await as('police-officer', { sub: 'station-officer-1', unit: 'POLICE_STATION' });
    const pretender = await as('housing-officer', { sub: 'pretender', unit: 'POLICE_STATION' });
    let c = changed(
      await call(gridWorker, ReportCaseDocument, {
        input: { idempotencyKey: key(), category: 'NEIGHBOURS', source: 'GRID_WORKER_REPORT', gridCode: GRID, summary: '楼道堆物引发邻里争执', parties: [{ role: 'APPLICANT', residentId: applicant }, { role: 'RESPONDENT', residentId: respondent }] },
      }),
    ).case;
    const next = async (response: GraphQLResponse<Record<string, CaseChangeFieldsFragment | null>>) => (c = changed(response).case);
    await next(await call(centre, AcceptCaseDocument, { input: { idempotencyKey: key(), caseId: c.id, expectedVersion: c.version } }));
    await next(await call(centre, ReportCaseUpDocument, { input: { idempotencyKey: key(), caseId: c.id, expectedVersion: c.version, reason: '社区协调不成，上报街道' } }));
    expect(c.level).toBe('STREET');
    await next(
      await call(centre, DispatchCaseDocument, {
        input: { idempotencyKey: key(), caseId: c.id, expectedVersion: c.version, leadUnit: 'HOUSING', dueOn: inDays(10), coHandlers: [{ unit: 'POLICE_STATION', dueOn: inDays(5), note: '请派出所协助劝离' }] },
      }),
    );
    expect(c.leadUnit).toEqual({ code: 'HOUSING' });
    // The station's worklist holds the case; a housing account claiming the station is refused.
    const worklist = await call(station, UnitWorklistDocument, { first: 500 });
    expect(worklist.errors).toBeUndefined();
    expect(worklist.data?.cases?.edges.map((e) => e.node.id)).toContain(c.id);
    expect(errorCodes(await call(pretender, AcknowledgeCaseDocument, { input: { idempotencyKey: key(), caseId: c.id, expectedVersion: c.version } }))).toEqual(['UNIT_NOT_ALLOWED']);
    await next(await call(station, AcknowledgeCaseDocument, { input: { idempotencyKey: key(), caseId: c.id, expectedVersion: c.version } }));
    expect(c.status).toBe('DISPATCHED');
    await next(await call(housing, AcknowledgeCaseDocument, { input: { idempotencyKey: key(), caseId: c.id, expectedVersion: c.version } }));
    const early = await call(housing, ResolveCaseDocument, { input: { idempotencyKey: key(), caseId: c.id, expectedVersion: c.version, outcome: 'HANDLED_BY_DEPARTMENT', note: '已清理' } });
    expect(errorCodes(early)).toEqual(['CO_HANDLERS_OPEN']);
    await next(await call(station, FinishCasePartDocument, { input: { idempotencyKey: key(), caseId: c.id, expectedVersion: c.version, note: '民警到场劝离，双方冷静' } }));
    await next(await call(housing, ResolveCaseDocument, { input: { idempotencyKey: key(), caseId: c.id, expectedVersion: c.version, outcome: 'HANDLED_BY_DEPARTMENT', note: '已清理楼道堆物' } }));
    expect(c.status).toBe('RESOLVED');
    const timeline = await call(centre, CaseTimelineDocument, { id: c.id });
    expect(timeline.data?.case?.timeline.slice(-5).map((e) => [e.action, e.actor.role])).toEqual([
      ['DISPATCH', 'dispatcher'],
      ['ACKNOWLEDGE', 'police-officer'],
      ['ACKNOWLEDGE', 'housing-officer'],
      ['FINISH_PART', 'police-officer'],
      ['RESOLVE', 'housing-officer'],
    ]);
  });

  it('lets the lead hand a case back to the centre with a reason', async () => {
    const gridWorker = await as('grid-worker', { grids: [GRID] });
    const centre = await as('dispatcher');
    const housing = await as('housing-officer');
    let c = changed(
      await call(gridWorker, ReportCaseDocument, {
        input: { idempotencyKey: key(), category: 'LABOUR', source: 'GRID_WORKER_REPORT', gridCode: GRID, summary: '装修工人讨要工钱', parties: [{ role: 'APPLICANT', residentId: applicant }, { role: 'RESPONDENT', residentId: respondent }] },
      }),
    ).case;
    c = changed(await call(centre, AcceptCaseDocument, { input: { idempotencyKey: key(), caseId: c.id, expectedVersion: c.version } })).case;
    c = changed(await call(centre, DispatchCaseDocument, { input: { idempotencyKey: key(), caseId: c.id, expectedVersion: c.version, department: 'HOUSING', dueOn: inDays(7) } })).case;
    const back = changed(await call(housing, HandBackCaseDocument, { input: { idempotencyKey: key(), caseId: c.id, expectedVersion: c.version, reason: 'WRONG_UNIT', note: '拖欠工资属劳动监察职责' } }));
    expect(back.case).toMatchObject({ status: 'ACCEPTED', leadUnit: null });
    expect(back.event).toMatchObject({ action: 'HAND_BACK', fromStatus: 'DISPATCHED', toStatus: 'ACCEPTED' });
    const redispatched = changed(await call(centre, DispatchCaseDocument, { input: { idempotencyKey: key(), caseId: c.id, expectedVersion: back.case.version, leadUnit: 'LABOUR_INSPECTION', dueOn: inDays(30) } }));
    expect(redispatched.case).toMatchObject({ status: 'DISPATCHED', leadUnit: { code: 'LABOUR_INSPECTION' }, assignedDepartment: null });
  });
});

describe('referrals across departments', () => {
  it('turns a police incident into a case that public security’s incident shows', async () => {
    const incident = grids.flatMap((g) => g.publicSecurity.incidents).find((i) => !i.referredToMediation && grids.find((g) => g.grid.code === i.gridCode)?.mediation.committees.some((c) => c.type === 'COMMUNITY'))!;
    const involved = incident.involvedIdNumbers.map(idOf);
    const police = await as('police-officer');
    const referred = changed(
      await call(police, ReportCaseDocument, {
        input: {
          idempotencyKey: key(),
          category: 'NEIGHBOURS',
          source: 'POLICE_REFERRAL',
          incidentId: incident.id,
          gridCode: incident.gridCode,
          summary: '邻里噪音纠纷，民警现场调处后移送人民调解',
          parties: [{ role: 'APPLICANT', residentId: involved[0] ?? applicant }],
        },
      }),
    );
    const answer = await postGraphQL<{ incident: { id: string; mediationCase: { id: string; source: string; status: string } | null } }>(
      hub.gatewayUrl,
      `query ($id: ID!) { incident(id: $id) { id mediationCase { id source status } } }`,
      { id: incident.id },
      police,
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.incident.mediationCase).toEqual({ id: referred.case.id, source: 'POLICE_REFERRAL', status: 'REPORTED' });
    const timeline = await call(await as('dispatcher'), CaseTimelineDocument, { id: referred.case.id });
    expect(timeline.data?.case?.incident?.id).toBe(incident.id);
  });

  it('turns a group-rental dispute reported by housing into a case the group rental lists', async () => {
    const rental = grids.flatMap((g) => g.housing.groupRentals).find((r) => grids.find((g) => g.grid.code === r.id.slice(2, 17))?.mediation.committees.some((c) => c.type === 'COMMUNITY'))!;
    const gridCode = rental.id.slice(2, 17);
    const housing = await as('housing-officer');
    const referred = changed(
      await call(housing, ReportCaseDocument, {
        input: {
          idempotencyKey: key(),
          category: 'HOUSES_HOMESTEADS',
          source: 'DEPARTMENT_REFERRAL',
          gridCode,
          houseCode: rental.houseCode,
          groupRentalId: rental.id,
          summary: '群租房租户与房东就退租押金发生纠纷',
          parties: [{ role: 'APPLICANT', residentId: applicant }],
        },
      }),
    );
    const answer = await postGraphQL<{ house: { groupRental: { id: string; disputes: { id: string; source: string }[] } } }>(
      hub.gatewayUrl,
      `query ($code: ID!) { house(code: $code) { groupRental { id disputes { id source } } } }`,
      { code: rental.houseCode },
      housing,
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.house.groupRental.disputes).toContainEqual({ id: referred.case.id, source: 'DEPARTMENT_REFERRAL' });
    // The case shows the group rental from housing's register, to those who may read housing.
    const query = `query ($id: ID!) { case(id: $id) { id groupRental { id status } } }`;
    const asHousing = await postGraphQL<{ case: { groupRental: { id: string; status: string } } }>(hub.gatewayUrl, query, { id: referred.case.id }, housing);
    expect(asHousing.data?.case.groupRental).toEqual({ id: rental.id, status: rental.status });
    const asDispatcher = await postGraphQL<{ case: { id: string; groupRental: null } }>(hub.gatewayUrl, query, { id: referred.case.id }, await as('dispatcher'));
    expect(asDispatcher.data?.case).toEqual({ id: referred.case.id, groupRental: null });
    expect(errorCodes(asDispatcher)).toEqual(['FORBIDDEN']);
  });
});

describe('fifty clients on the same cases', () => {
  const CASES = 8;
  const CLIENTS = 50;
  const ROUNDS = 4;

  it('lose no update, write no event twice, report every loser as CONFLICT, and the feed equals the timelines', async () => {
    const centre = await as('dispatcher');
    const ids: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const reported = changed(
        await call(centre, ReportCaseDocument, {
          input: {
            idempotencyKey: key(),
            category: 'NEIGHBOURS',
            source: 'PARTY_APPLICATION',
            gridCode: GRID,
            summary: `并发测试案件 ${i}`,
            parties: [{ role: 'APPLICANT', residentId: applicant }],
          },
        }),
      );
      const accepted = changed(await call(centre, AcceptCaseDocument, { input: { idempotencyKey: key(), caseId: reported.case.id, expectedVersion: 1 } }));
      ids.push(accepted.case.id);
    }

    const wins: { caseId: string; sequence: string; caseVersion: number }[] = [];
    const codes: unknown[] = [];
    // Half the clients are dispatchers (dispatching or re-dispatching), half housing officers reporting in.
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        const dispatcher = client % 2 === 0;
        const headers = await as(dispatcher ? 'dispatcher' : 'housing-officer', { sub: `racer-${client}` });
        for (let round = 0; round < ROUNDS; round++) {
          const caseId = ids[(client + round) % CASES]!;
          const read = await call(headers, CaseTimelineDocument, { id: caseId });
          const current = read.data?.case;
          // A case not yet sent to housing is not housing's to see (the unit row rule): its officer waits for it.
          if (!current && !dispatcher && read.errors === undefined) continue;
          if (!current) throw new Error(`case ${caseId} unreadable: ${JSON.stringify(read.errors)}`);
          const base = { idempotencyKey: key(), caseId, expectedVersion: current.version };
          let response: GraphQLResponse<Record<string, CaseChangeFieldsFragment | null>> | null = null;
          if (dispatcher && (current.status === 'ACCEPTED' || current.status === 'DISPATCHED')) {
            response = await call(headers, DispatchCaseDocument, { input: { ...base, department: 'HOUSING', dueOn: inDays(10 + round) } });
          } else if (!dispatcher && current.status === 'DISPATCHED') {
            response = await call(headers, AcknowledgeCaseDocument, { input: base });
          }
          if (!response) continue;
          const change = Object.values(response.data ?? {})[0];
          if (change) wins.push({ caseId, sequence: change.event.sequence, caseVersion: change.event.caseVersion });
          else codes.push(...errorCodes(response));
        }
      }),
    );

    expect(wins.length).toBeGreaterThan(CASES);
    expect(codes.length).toBeGreaterThan(0);
    expect(new Set(codes)).toEqual(new Set(['CONFLICT']));

    const feed: NonNullable<CaseEventFeedQuery['caseEvents']>['edges'] = [];
    let after: string | null | undefined = null;
    for (;;) {
      const page: GraphQLResponse<CaseEventFeedQuery> = await call(centre, CaseEventFeedDocument, { first: 500, after });
      expect(page.errors).toBeUndefined();
      feed.push(...page.data!.caseEvents!.edges);
      if (!page.data!.caseEvents!.pageInfo.hasNextPage) break;
      after = page.data!.caseEvents!.pageInfo.endCursor;
    }
    const sequences = feed.map((e) => Number(e.node.sequence));
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));

    for (const caseId of ids) {
      const { data } = await call(centre, CaseTimelineDocument, { id: caseId });
      const timeline = data!.case!.timeline;
      // One event per version, versions 1..n, and every acknowledged win is one of them.
      expect(timeline.map((e) => e.caseVersion)).toEqual(timeline.map((_, i) => i + 1));
      expect(data!.case!.version).toBe(timeline.length);
      const won = wins.filter((w) => w.caseId === caseId).sort((a, b) => a.caseVersion - b.caseVersion);
      expect(won.map((w) => w.caseVersion)).toEqual(timeline.slice(2).map((e) => e.caseVersion));
      expect(won.map((w) => w.sequence)).toEqual(timeline.slice(2).map((e) => e.sequence));
      const fromFeed = feed.filter((e) => e.node.case.id === caseId).map((e) => [e.node.sequence, e.node.caseVersion, e.node.action]);
      expect(fromFeed).toEqual(timeline.map((e) => [e.sequence, e.caseVersion, e.action]));
    }
  }, 180_000);

  it('answers a replayed mutation with the first result and refuses the key with another input', async () => {
    const centre = await as('dispatcher');
    const input = {
      idempotencyKey: key(),
      category: 'CONSUMER' as const,
      source: 'PARTY_APPLICATION' as const,
      gridCode: GRID,
      summary: '购物纠纷',
      parties: [{ role: 'APPLICANT' as const, residentId: applicant }],
    };
    const first = changed(await call(centre, ReportCaseDocument, { input }));
    const again = changed(await call(centre, ReportCaseDocument, { input }));
    expect(again.replayed).toBe(true);
    expect(again.case.id).toBe(first.case.id);
    expect(again.event).toEqual(first.event);
    const different = await call(centre, ReportCaseDocument, { input: { ...input, summary: '另一起纠纷' } });
    expect(errorCodes(different)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    const timeline = await call(centre, CaseTimelineDocument, { id: first.case.id });
    expect(timeline.data?.case?.timeline).toHaveLength(1);
  });

  it('lists overdue and escalated cases for the supervision office', async () => {
    const supervisor = await as('supervisor');
    const escalated = await call(supervisor, SupervisionDocument, { list: 'ESCALATED', first: 500 });
    expect(escalated.errors).toBeUndefined();
    const expected = grids.flatMap((g) => g.mediation.cases).filter((c) => c.status === 'ESCALATED');
    expect(escalated.data?.supervisedCases?.totalCount).toBe(expected.length);
    expect(escalated.data?.caseFiguresByDepartment?.map((d) => d.department)).toEqual(['PUBLIC_SECURITY', 'CIVIL_AFFAIRS', 'PARTY', 'HOUSING', 'MEDIATION']);
  });
});
