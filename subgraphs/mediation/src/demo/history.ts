import { createHash } from 'node:crypto';
import type { DemoCase } from '@hub/demo';
import { CASE_ID } from '@hub/core';
import type { caseEvents, caseParts, cases, CaseEventDetails, followUps } from '../db/schema.ts';
import { addDays, chinaToday } from '../workflow/deadlines.ts';
import { DEFAULT_ACCEPTANCE_DAYS, DEFAULT_ESCALATION_DAYS } from '../workflow/units.ts';

/**
 * The workflow history of a generated case: the events that lead to its status, and the workflow columns they
 * leave on the case. The generator knows the times a case was received, accepted, resolved, visited and closed;
 * the department it went to and the times of dispatch and acknowledgement are derived here, deterministically from
 * the case id, so that timelines, the event feed and the handling figures have something true to show.
 */
export interface DemoHistory {
  caseFields: Pick<
    typeof cases.$inferInsert,
    | 'assignedDepartment'
    | 'dispatchedAt'
    | 'acknowledgedAt'
    | 'escalatedAt'
    | 'rejectionReason'
    | 'resolutionNote'
    | 'unsatisfiedFollowUps'
    | 'version'
    | 'leadUnit'
    | 'dispatchRound'
    | 'acceptBy'
    | 'dueOn'
    | 'outcome'
    | 'source'
    | 'hotlineTicket'
    | 'severity'
    | 'criminalRisk'
    | 'headCount'
    | 'informedChannels'
    | 'withdrawnBy'
  >;
  events: (typeof caseEvents.$inferInsert)[];
  /** The units' parts of the case's one dispatch (lead and co-handlers). */
  parts: (typeof caseParts.$inferInsert)[];
  /**
   * The people's mediation agreement the case keeps: the generator's, when the mediation committee resolved the case;
   * none when a department did, whose agreement is administrative mediation (行政调解) noted on the resolution.
   */
  agreement: DemoCase['agreement'];
  /**
   * The generator's visits with what the hub keeps of them: a satisfied party about one in four times only basically
   * satisfied, reached mostly by phone or at home, the applicant asked, the centre visiting.
   */
  followUps: (typeof followUps.$inferInsert)[];
}

const CHANNELS = ['PHONE', 'PHONE', 'PHONE', 'PHONE', 'HOME_VISIT', 'HOME_VISIT', 'HOME_VISIT', 'WECHAT', 'SMS', 'AT_CENTRE'] as const;

function visitLevel(caseId: string, position: number, satisfied: boolean) {
  if (!satisfied) return 'DISSATISFIED' as const;
  return lagMinutes(caseId, `level:${position}`, 0, 3) === 0 ? ('BASICALLY_SATISFIED' as const) : ('SATISFIED' as const);
}

type Department = NonNullable<typeof cases.$inferInsert.assignedDepartment>;
type Status = (typeof cases.$inferInsert)['status'];

/**
 * Where the centre whistles a category in the demo district (吹哨): the lead unit that must act and the co-handlers
 * it calls beside it; everything else the mediation committee handles itself. Homesteads are rural land (农业农村,
 * with natural resources on the plot), land acquisition natural resources' with the petitions office; housing keeps
 * property management only.
 */
const UNITS_OF_CATEGORY: Partial<Record<DemoCase['category'], { lead: string; coHandlers: string[] }>> = {
  HOUSES_HOMESTEADS: { lead: 'AGRICULTURE_RURAL', coHandlers: ['NATURAL_RESOURCES'] },
  PROPERTY_MANAGEMENT: { lead: 'HOUSING', coHandlers: [] },
  LAND_ACQUISITION_DEMOLITION: { lead: 'NATURAL_RESOURCES', coHandlers: ['PETITIONS'] },
  ROAD_TRAFFIC: { lead: 'PUBLIC_SECURITY', coHandlers: [] },
  LABOUR: { lead: 'LABOUR_INSPECTION', coHandlers: [] },
  ENVIRONMENT: { lead: 'ECOLOGY_ENVIRONMENT', coHandlers: ['URBAN_MANAGEMENT'] },
  CONSUMER: { lead: 'MARKET_REGULATION', coHandlers: [] },
  MEDICAL: { lead: 'HEALTH', coHandlers: ['MEDIATION'] },
  FORESTS_LAND: { lead: 'NATURAL_RESOURCES', coHandlers: ['AGRICULTURE_RURAL'] },
};
const HUB_DEPARTMENTS = new Set<string>(['PUBLIC_SECURITY', 'CIVIL_AFFAIRS', 'PARTY', 'HOUSING', 'MEDIATION']);

/** The demo account that acts for a unit: a hub department's own account, or a station's (no hub department). */
function actorOf(unit: string): { actorUserId: string; actorRole: string; actorDepartment: string | null } {
  if (unit in ACTORS) return ACTORS[unit as keyof typeof ACTORS];
  return { actorUserId: `demo:${unit.toLowerCase().replaceAll('_', '-')}`, actorRole: 'station-officer', actorDepartment: null };
}

/** The demo accounts that act in generated histories, by what they do. */
const ACTORS = {
  centre: { actorUserId: 'demo:dispatcher', actorRole: 'dispatcher', actorDepartment: 'mediation' },
  gridWorker: { actorUserId: 'demo:grid-worker', actorRole: 'grid-worker', actorDepartment: 'civil-affairs' },
  police: { actorUserId: 'demo:police-officer', actorRole: 'police-officer', actorDepartment: 'public-security' },
  HOUSING: { actorUserId: 'demo:housing-officer', actorRole: 'housing-officer', actorDepartment: 'housing' },
  PUBLIC_SECURITY: { actorUserId: 'demo:police-officer', actorRole: 'police-officer', actorDepartment: 'public-security' },
  MEDIATION: { actorUserId: 'demo:mediator', actorRole: 'mediator', actorDepartment: 'mediation' },
  CIVIL_AFFAIRS: { actorUserId: 'demo:civil-affairs-clerk', actorRole: 'civil-affairs-clerk', actorDepartment: 'civil-affairs' },
  PARTY: { actorUserId: 'demo:party-affairs-worker', actorRole: 'party-affairs-worker', actorDepartment: 'party' },
} as const;

const REJECTION_REASONS = ['不属于人民调解受理范围，已告知当事人向有关部门反映', '已进入诉讼程序，不予受理', '当事人撤回申请'];
const RESOLUTION_NOTES = {
  MEDIATION_FAILED: '调解不成，已告知当事人可依法向人民法院起诉',
  HANDLED_BY_DEPARTMENT: '承办部门已依职责处置完毕',
} as const;
/** What the parties were told when a mediation was terminated (art. 26), by the channels named. */
const CHANNEL_TEXT = { ARBITRATION: '申请仲裁', ADMINISTRATIVE: '请求有关行政机关处理', JUDICIAL: '向人民法院起诉' } as const;
const WITHDRAWAL_REASONS = {
  APPLICANT: '申请人表示双方已自行协商解决，撤回调解申请',
  RESPONDENT: '被申请人明确表示不同意调解，拒绝参加调解',
} as const;

/** Minutes in [min, max] from a hash of the case id and a salt: the same case always gets the same lag. */
function lagMinutes(caseId: string, salt: string, min: number, max: number): number {
  const n = createHash('sha256').update(`${caseId}:${salt}`).digest().readUInt32BE(0);
  return min + (n % (max - min + 1));
}

const MINUTE = 60_000;

/** Categories where many people often share one grievance (群体性纠纷). */
const GROUP_PRONE = new Set<DemoCase['category']>(['LAND_ACQUISITION_DEMOLITION', 'PROPERTY_MANAGEMENT', 'LABOUR', 'FORESTS_LAND', 'ENVIRONMENT']);

/**
 * What the centre knows of a case's weight, derived from its id as the rest of its history is: about a quarter of
 * the parties' applications came in through the 12345 hotline (接诉即办, the ticket built from the case id so it is
 * unique), one case in seven significant and one in thirty major, some group disputes where many share a grievance,
 * a 民转刑 risk mostly in the serious ones.
 */
function weightOf(c: DemoCase) {
  const hotline = c.source === 'PARTY_APPLICATION' && lagMinutes(c.id, 'hotline', 0, 3) === 0;
  const roll = lagMinutes(c.id, 'severity', 0, 99);
  const severity = roll < 3 ? ('MAJOR' as const) : roll < 17 ? ('SIGNIFICANT' as const) : ('GENERAL' as const);
  const group = GROUP_PRONE.has(c.category) && lagMinutes(c.id, 'group', 0, 9) < 2;
  return {
    source: hotline ? ('HOTLINE_12345' as const) : c.source,
    hotlineTicket: hotline ? `12345-${c.id.slice(2)}` : null,
    severity,
    criminalRisk: lagMinutes(c.id, 'risk', 0, 99) < (severity === 'GENERAL' ? 1 : 20),
    headCount: group ? lagMinutes(c.id, 'heads', 5, 60) : null,
  };
}

export function demoHistory(c: DemoCase): DemoHistory {
  if (!CASE_ID.test(c.id)) throw new Error(`generated case id ${c.id} is malformed`);
  const events: DemoHistory['events'] = [];
  let status: Status | null = null;
  let department: Department | null = null;
  let unitCode: string | null = null;
  const parts: DemoHistory['parts'] = [];
  const add = (
    action: (typeof caseEvents.$inferInsert)['action'],
    to: Status,
    at: Date,
    actor: { actorUserId: string; actorRole: string; actorDepartment: string | null },
    details: CaseEventDetails = {},
    unit: string | null = unitCode,
  ) => {
    events.push({
      caseId: c.id,
      caseVersion: events.length + 1,
      action,
      fromStatus: status,
      toStatus: to,
      at,
      ...actor,
      gridCode: c.gridCode,
      department,
      unitCode: unit,
      details,
    });
    status = to;
  };

  const received = new Date(c.receivedAt);
  const acceptBy = addDays(chinaToday(received), DEFAULT_ACCEPTANCE_DAYS);
  add('REPORT', 'REPORTED', received, c.source === 'GRID_WORKER_REPORT' ? ACTORS.gridWorker : c.source === 'POLICE_REFERRAL' ? ACTORS.police : ACTORS.centre);

  let rejectionReason: string | null = null;
  if (c.status === 'REJECTED') {
    rejectionReason = REJECTION_REASONS[lagMinutes(c.id, 'reason', 0, REJECTION_REASONS.length - 1)] ?? null;
    add('REJECT', 'REJECTED', new Date(received.getTime() + lagMinutes(c.id, 'reject', 30, 600) * MINUTE), ACTORS.centre, { note: rejectionReason ?? '' });
  }

  const resolved = c.resolvedAt === null ? null : new Date(c.resolvedAt);
  let dispatchedAt: Date | null = null;
  let acknowledgedAt: Date | null = null;
  if (c.acceptedAt !== null) {
    const accepted = new Date(c.acceptedAt);
    add('ACCEPT', 'ACCEPTED', accepted, ACTORS.centre, { dueOn: c.dueOn, ...(c.mediatorId ? { mediatorId: c.mediatorId } : {}) });
    if (c.status !== 'ACCEPTED' && !c.withdrawal?.beforeDispatch) {
      // Referred police cases go back to the community committee; other categories to the units that must act.
      const units = c.source === 'POLICE_REFERRAL' ? { lead: 'MEDIATION', coHandlers: [] } : (UNITS_OF_CATEGORY[c.category] ?? { lead: 'MEDIATION', coHandlers: [] });
      unitCode = units.lead;
      department = HUB_DEPARTMENTS.has(units.lead) ? (units.lead as Department) : null;
      const ending = c.status === 'TERMINATED' || c.status === 'WITHDRAWN' ? new Date(c.closedAt!) : null;
      const latest = resolved ?? ending ?? new Date(Math.max(accepted.getTime(), received.getTime()) + 2 * 60 * MINUTE);
      dispatchedAt = new Date(Math.min(accepted.getTime() + lagMinutes(c.id, 'dispatch', 10, 120) * MINUTE, latest.getTime()));
      const all = [{ unit: units.lead, role: 'LEAD' as const }, ...units.coHandlers.map((unit) => ({ unit, role: 'CO_HANDLER' as const }))];
      add('DISPATCH', 'DISPATCHED', dispatchedAt, ACTORS.centre, { dueOn: c.dueOn, parts: all.map((p) => ({ ...p, dueOn: c.dueOn })) });
      // A resolution finishes the parts; a termination or a withdrawal supersedes those still open (changeCase).
      const closed = c.status === 'RESOLVED' || c.status === 'CLOSED' || c.status === 'ESCALATED';
      for (const p of all) {
        parts.push({ caseId: c.id, round: 1, unitCode: p.unit, role: p.role, status: 'DISPATCHED', dueOn: c.dueOn, dispatchedAt });
      }
      if (c.status !== 'DISPATCHED') {
        acknowledgedAt = new Date(Math.min(dispatchedAt.getTime() + lagMinutes(c.id, 'acknowledge', 30, 1440) * MINUTE, latest.getTime()));
        add('ACKNOWLEDGE', 'IN_PROGRESS', acknowledgedAt, actorOf(units.lead));
        parts[0] = { ...parts[0]!, status: closed ? 'FINISHED' : 'ACKNOWLEDGED', acknowledgedAt, ...(closed ? { endedAt: resolved ?? acknowledgedAt } : {}) };
        // Co-handlers report in after the lead and, before the lead resolves, finish their parts (协办完成).
        units.coHandlers.forEach((unit, i) => {
          const at = new Date(Math.min(acknowledgedAt!.getTime() + (i + 1) * MINUTE, latest.getTime()));
          add('ACKNOWLEDGE', 'IN_PROGRESS', at, actorOf(unit), {}, unit);
          parts[i + 1] = { ...parts[i + 1]!, status: 'ACKNOWLEDGED', acknowledgedAt: at };
          if (closed) {
            const finished = new Date(Math.min(at.getTime() + MINUTE, latest.getTime()));
            add('FINISH_PART', 'IN_PROGRESS', finished, actorOf(unit), { note: '协办单位已依职责完成协办事项' }, unit);
            parts[i + 1] = { ...parts[i + 1]!, status: 'FINISHED', endedAt: finished, endNote: '协办单位已依职责完成协办事项' };
          }
        });
      }
    }
  }

  let resolutionNote: string | null = null;
  let unsatisfied = 0;
  let escalatedAt: Date | null = null;
  // Only a mediation committee makes a people's mediation agreement (人民调解法 arts. 28-29).
  const administrative = c.outcome === 'AGREEMENT_REACHED' && unitCode !== 'MEDIATION';
  const outcome = administrative ? 'ADMINISTRATIVE_MEDIATION' : c.outcome;
  if (resolved !== null && outcome !== null && unitCode !== null) {
    resolutionNote =
      outcome === 'AGREEMENT_REACHED' ? null : administrative ? `行政调解达成一致：${c.agreement?.terms ?? ''}` : RESOLUTION_NOTES[outcome as keyof typeof RESOLUTION_NOTES];
    add('RESOLVE', 'RESOLVED', resolved, actorOf(unitCode), { outcome, ...(resolutionNote ? { note: resolutionNote } : {}) });
    for (const visit of c.followUps) {
      const at = new Date(Math.max(new Date(`${visit.visitedOn}T10:00:00+08:00`).getTime(), resolved.getTime() + MINUTE));
      if (!visit.satisfied) unsatisfied++;
      const escalate = unsatisfied >= 2;
      if (escalate) escalatedAt = at;
      const escalatedDue = escalate ? addDays(chinaToday(at), DEFAULT_ESCALATION_DAYS) : null;
      const level = visitLevel(c.id, events.length, visit.satisfied);
      add('FOLLOW_UP', escalate ? 'ESCALATED' : 'RESOLVED', at, ACTORS.centre, { satisfied: visit.satisfied, level, note: visit.note, ...(escalatedDue ? { dueOn: escalatedDue } : {}) }, null);
    }
  }
  if (c.status === 'CLOSED') add('CLOSE', 'CLOSED', new Date(c.closedAt!), ACTORS.centre, {}, null);

  // Lawful endings (endings.ts): the committee terminates its failed mediation, the centre a department's; the centre
  // records a withdrawal. Either ends every part still open, as changeCase does.
  let informedChannels: DemoHistory['caseFields']['informedChannels'] = null;
  let withdrawnBy: DemoHistory['caseFields']['withdrawnBy'] = null;
  const endParts = (at: Date) => {
    for (const [i, part] of parts.entries()) {
      if (part.status === 'DISPATCHED' || part.status === 'ACKNOWLEDGED') parts[i] = { ...part, status: 'SUPERSEDED', endedAt: at };
    }
  };
  if (c.status === 'TERMINATED') {
    const at = new Date(c.closedAt!);
    informedChannels = c.informedChannels ?? ['JUDICIAL'];
    resolutionNote = `调解不成，终止调解，已告知当事人可依法${informedChannels.map((ch) => CHANNEL_TEXT[ch]).join('或')}`;
    add('TERMINATE', 'TERMINATED', at, unitCode === 'MEDIATION' ? actorOf('MEDIATION') : ACTORS.centre, { outcome: 'MEDIATION_FAILED', channels: informedChannels, note: resolutionNote });
    endParts(at);
  }
  if (c.status === 'WITHDRAWN' && c.withdrawal) {
    const at = new Date(c.closedAt!);
    withdrawnBy = c.withdrawal.by;
    resolutionNote = WITHDRAWAL_REASONS[withdrawnBy];
    add('WITHDRAW', 'WITHDRAWN', at, ACTORS.centre, { outcome: withdrawnBy === 'APPLICANT' ? 'PARTIES_WITHDREW' : 'PARTIES_REFUSED', withdrawnBy, note: resolutionNote });
    endParts(at);
  }

  if (status !== c.status) throw new Error(`history of ${c.id} ends in ${status}, the case is ${c.status}`);
  return {
    caseFields: {
      assignedDepartment: department,
      dispatchedAt,
      acknowledgedAt,
      escalatedAt,
      rejectionReason,
      resolutionNote,
      unsatisfiedFollowUps: unsatisfied,
      version: events.length,
      leadUnit: unitCode,
      dispatchRound: parts.length > 0 ? 1 : 0,
      acceptBy,
      // Reported cases run against the acceptance limit, escalated ones against the supervision office's.
      dueOn: c.status === 'REPORTED' ? acceptBy : escalatedAt !== null && c.status === 'ESCALATED' ? addDays(chinaToday(escalatedAt), DEFAULT_ESCALATION_DAYS) : c.dueOn,
      outcome,
      informedChannels,
      withdrawnBy,
      ...weightOf(c),
    },
    events,
    parts,
    agreement: administrative ? null : c.agreement,
    followUps: c.followUps.map((f, i) => {
      const event = events.filter((e) => e.action === 'FOLLOW_UP')[i];
      return {
        caseId: c.id,
        position: i + 1,
        visitedOn: f.visitedOn,
        level: event?.details.level ?? visitLevel(c.id, i, f.satisfied),
        channel: CHANNELS[lagMinutes(c.id, `channel:${i}`, 0, CHANNELS.length - 1)]!,
        askedParty: 1,
        visitedBy: ACTORS.centre.actorUserId,
        note: f.note,
      };
    }),
  };
}
