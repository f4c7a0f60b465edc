/**
 * Issued supervision (督办): notices as records rather than cards computed on read. A check of every case still to be
 * handled issues a pre-deadline warning (临期预警) when its time limit is near and the yellow or red card (黄牌/红牌
 * 督办单) `supervisionCard` computes once it is past; the supervision office may issue one by hand; the unit the
 * notice is addressed to replies; the office adds accountability notes. Each is an action of the state table, so it
 * is versioned, on the case's timeline and in the feed, under the one feed lock, like every other change.
 *
 * The check runs in the mediation service on a timer with the service's clock (`startSupervisionChecks`); tests call
 * `runSupervisionCheck` with theirs. Replicas may run it at the same moment: a notice is issued under an idempotency
 * key of its own (the case, kind and time limit) and a unique index on the same, so it is issued once whoever gets
 * there first; the other replica's attempt replays the first or finds the case changed and leaves it to the next run.
 */
import { type Caller, type DepartmentAudit, type Logger, notFound } from '@hub/core';
import { and, asc, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import type { Db } from '../db/index.ts';
import { cases, supervisionAccountability, supervisionNotices, type SupervisionNoticeRow } from '../db/schema.ts';
import type {
  AddAccountabilityNoteInput,
  IssueSupervisionNoticeInput,
  ReplyToSupervisionNoticeInput,
  SupervisionNoticeKind,
} from '../__generated__/resolvers-types.ts';
import { addDays, chinaToday, DEADLINE_STATUSES, daysBetween, daysFromEnv, supervisionCard, type Clock } from './deadlines.ts';
import { checkText, InputErrorCode } from './inputs.ts';
import { WorkflowErrorCode } from './machine.ts';
import { callerUnit, DISPATCH_STATUSES } from './parts.ts';
import { changeCase, type CaseChangeResult, type Tx, type WorkflowContext } from './transaction.ts';
import { defaultWorkflowLimits, type WorkflowLimits } from './units.ts';

/** Days before a time limit when the warning goes out (临期预警), unless configured (MEDIATION_WARNING_DAYS). */
export const DEFAULT_WARNING_DAYS = 3;
/** How often the service checks time limits. Notices are per day; checking more often only shortens the lag. */
export const SUPERVISION_CHECK_INTERVAL_MS = 10 * 60_000;
/** Cases a run issues notices to at most; the next run takes the rest. */
const CASES_PER_RUN = 500;

/** The account the system's notices are issued as: the supervision office's authority, no person. */
export const SUPERVISION_SYSTEM_CALLER: Caller = {
  userId: 'system:supervision',
  role: 'system',
  department: null,
  scopes: ['case:read', 'case:supervise'],
  purpose: null,
  grids: [],
  communities: [],
  ownGridsOnly: false,
  namesMasked: false,
};

/** The warning period from the environment, checked: a whole number of days from 0 (no warnings) to 30. */
export const warningDaysFromEnv = (env: NodeJS.ProcessEnv = process.env): number => daysFromEnv(env.MEDIATION_WARNING_DAYS, 'MEDIATION_WARNING_DAYS', DEFAULT_WARNING_DAYS, 0, 30);

/**
 * The days before a case's limit when its warning goes out. A reported case runs on the acceptance limit, set the
 * moment it is reported and often no longer than the warning period itself (3 days each by default): warned with
 * the full period, every case would be warned as it is reported, and the system's notice would move the version
 * under the centre's first write. Its warning comes at most `acceptanceDays - 1` days before the limit, so never on
 * the day the limit was set. Every other limit is warned `warningDays` before.
 */
export function warningWindow(status: string, warningDays: number, acceptanceDays: number): number {
  return status === 'REPORTED' ? Math.min(warningDays, acceptanceDays - 1) : warningDays;
}

/** The notice a case earns on `today`: a warning within its warning window of its limit, else its card; null for none. */
export function noticeDue(
  c: { status: string; dueOn: string },
  today: string,
  graceDays: number,
  warningDays: number,
  acceptanceDays: number = defaultWorkflowLimits().acceptanceDays,
): SupervisionNoticeKind | null {
  const card = supervisionCard(c, today, graceDays);
  if (card) return card;
  if (!(DEADLINE_STATUSES as readonly string[]).includes(c.status)) return null;
  const left = daysBetween(today, c.dueOn);
  const window = warningWindow(c.status, warningDays, acceptanceDays);
  return window > 0 && left >= 0 && left <= window ? 'WARNING' : null;
}

function reasonOf(kind: SupervisionNoticeKind, dueOn: string, today: string): string {
  if (kind === 'WARNING') return `办理期限${dueOn}将至（剩余${daysBetween(today, dueOn)}天），请抓紧办理`;
  return `已超过办理期限${dueOn}共${daysBetween(dueOn, today)}天，${kind === 'RED' ? '红牌' : '黄牌'}督办，请说明情况并限期办结`;
}

/**
 * The unit a notice is addressed to (被督办单位): the lead unit of the dispatch the case is in (a hub department's
 * own unit or a station outside the hub), which answers for its time limit; null for the centre itself when the case
 * is in no dispatch (reported, accepted, or escalated to the supervision office, whose dispatch it waits for).
 */
export function addresseeOf(c: { status: string; leadUnit: string | null }): string | null {
  return (DISPATCH_STATUSES as readonly string[]).includes(c.status) ? c.leadUnit : null;
}

/** Inserts a notice for the case's current time limit; null when one of that kind exists already. */
async function insertNotice(
  tx: Tx,
  current: { id: string; status: string; dueOn: string; leadUnit: string | null },
  kind: SupervisionNoticeKind,
  issuedBy: string | null,
  reason: string,
  now: Date,
): Promise<SupervisionNoticeRow | null> {
  const [notice] = await tx
    .insert(supervisionNotices)
    .values({
      caseId: current.id,
      kind,
      issuer: issuedBy === null ? 'SYSTEM' : 'SUPERVISION_OFFICE',
      issuedBy,
      unitCode: addresseeOf(current),
      dueOn: current.dueOn,
      reason,
      issuedAt: now,
    })
    .onConflictDoNothing()
    .returning();
  return notice ?? null;
}

export function issueSupervisionNotice(ctx: WorkflowContext, input: IssueSupervisionNoticeInput): Promise<CaseChangeResult> {
  const reason = checkText(input.reason, 'reason', 500);
  return changeCase(ctx, 'SUPERVISE', input, async (tx, current, now) => {
    const notice = await insertNotice(tx, current, input.kind, ctx.caller.userId, reason, now);
    if (!notice) {
      throw new GraphQLError(`case ${current.id} already has a ${input.kind} notice for its time limit ${current.dueOn}`, {
        extensions: { code: WorkflowErrorCode.ALREADY_ISSUED, caseId: current.id, kind: input.kind, dueOn: current.dueOn },
      });
    }
    return { set: {}, toStatus: current.status, details: { noticeId: notice.id, noticeKind: notice.kind, note: reason } };
  });
}

/** The case's notice `noticeId` (a number), locked; NOT_FOUND when the case has no such notice. */
async function noticeOf(tx: Tx, caseId: string, noticeId: string): Promise<SupervisionNoticeRow> {
  const id = Number(noticeId);
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new GraphQLError('noticeId must be the number of one of the case’s supervision notices', {
      extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'noticeId' },
    });
  }
  const [notice] = await tx
    .select()
    .from(supervisionNotices)
    .where(and(eq(supervisionNotices.id, id), eq(supervisionNotices.caseId, caseId)))
    .for('update');
  if (!notice) throw notFound('SupervisionNotice', 'noticeId', noticeId);
  return notice;
}

export function replyToSupervisionNotice(ctx: WorkflowContext, input: ReplyToSupervisionNoticeInput): Promise<CaseChangeResult> {
  const text = checkText(input.text, 'text', 1000);
  return changeCase(ctx, 'REPLY_SUPERVISION', input, async (tx, current, now) => {
    const notice = await noticeOf(tx, current.id, input.noticeId);
    // The unit addressed replies, by the accounts acting for it (its `unit` claim, or their department's own unit:
    // parts.ts), or the centre for a notice issued outside a dispatch.
    const addressed =
      notice.unitCode === null
        ? ctx.caller.scopes.includes('case:write')
        : ctx.caller.scopes.includes('case:respond') && callerUnit(ctx.caller, ctx.limits.units)?.code === notice.unitCode;
    if (!addressed) {
      throw new GraphQLError(`notice ${notice.id} is addressed to ${notice.unitCode ?? 'the centre'}; only that unit replies to it`, {
        extensions: { code: WorkflowErrorCode.FORBIDDEN, noticeId: notice.id, unit: notice.unitCode },
      });
    }
    if (notice.replyText !== null) {
      throw new GraphQLError(`notice ${notice.id} was replied to already`, {
        extensions: { code: WorkflowErrorCode.ALREADY_REPLIED, noticeId: notice.id },
      });
    }
    await tx.update(supervisionNotices).set({ replyText: text, repliedBy: ctx.caller.userId, repliedAt: now }).where(eq(supervisionNotices.id, notice.id));
    return { set: {}, toStatus: current.status, details: { noticeId: notice.id, noticeKind: notice.kind, note: text } };
  });
}

export function addAccountabilityNote(ctx: WorkflowContext, input: AddAccountabilityNoteInput): Promise<CaseChangeResult> {
  const note = checkText(input.note, 'note', 1000);
  return changeCase(ctx, 'NOTE_ACCOUNTABILITY', input, async (tx, current, now) => {
    const notice = await noticeOf(tx, current.id, input.noticeId);
    const [last] = await tx
      .select({ position: supervisionAccountability.position })
      .from(supervisionAccountability)
      .where(eq(supervisionAccountability.noticeId, notice.id))
      .orderBy(desc(supervisionAccountability.position))
      .limit(1);
    await tx.insert(supervisionAccountability).values({ noticeId: notice.id, position: (last?.position ?? 0) + 1, note, notedBy: ctx.caller.userId, notedAt: now });
    return { set: {}, toStatus: current.status, details: { noticeId: notice.id, noticeKind: notice.kind, note } };
  });
}

export interface SupervisionCheck {
  db: Db;
  clock: Clock;
  redCardGraceDays: number;
  warningDays: number;
  /** The unit directory and time limits the service runs with (default: the built-in ones). */
  limits?: WorkflowLimits;
  /**
   * The audit trail: each notice the check issues is recorded as the system's write (a person's notices are
   * audited at the gateway like every mutation).
   */
  audit?: Pick<DepartmentAudit, 'record'>;
}

/** What a run did: notices issued, and cases left to the next run because they changed under it. */
export interface SupervisionRun {
  issued: { caseId: string; kind: SupervisionNoticeKind; dueOn: string }[];
  deferred: number;
}

/**
 * One check of every case still to be handled: issues each the notice it has earned today and lacks. Safe to run
 * on several replicas at once and again at any time (see the module's comment).
 */
export async function runSupervisionCheck(check: SupervisionCheck): Promise<SupervisionRun> {
  const now = check.clock();
  const today = chinaToday(now);
  const horizon = addDays(today, check.warningDays > 0 ? check.warningDays : -1);
  // Every case still to be handled whose limit is near or past, with the kinds already issued for that limit.
  const candidates = await check.db
    .select({
      id: cases.id,
      version: cases.version,
      status: cases.status,
      dueOn: cases.dueOn,
      issued: sql<string[]>`coalesce((select array_agg(n.kind::text) from supervision_notices n where n.case_id = cases.id and n.due_on = cases.due_on), '{}')`,
    })
    .from(cases)
    .where(and(inArray(cases.status, [...DEADLINE_STATUSES]), lte(cases.dueOn, horizon)))
    .orderBy(asc(cases.dueOn), asc(cases.id));
  const run: SupervisionRun = { issued: [], deferred: 0 };
  const limits = check.limits ?? defaultWorkflowLimits();
  const ctx: WorkflowContext = { db: check.db, caller: SUPERVISION_SYSTEM_CALLER, scope: { allGrids: true }, clock: check.clock, limits };
  for (const c of candidates) {
    if (run.issued.length >= CASES_PER_RUN) break;
    const kind = noticeDue(c, today, check.redCardGraceDays, check.warningDays, limits.acceptanceDays);
    if (kind === null || c.issued.includes(kind)) continue;
    let issued: SupervisionNoticeRow | null = null;
    try {
      const result = await changeCase(
        ctx,
        'SUPERVISE',
        // The key names the notice itself: a replica or a retry issuing the same notice replays the first.
        { idempotencyKey: `supervise:${c.id}:${kind}:${c.dueOn}`, caseId: c.id, expectedVersion: c.version },
        async (tx, current, at, day) => {
          const notice = await insertNotice(tx, current, kind, null, reasonOf(kind, current.dueOn, day), at);
          if (!notice) throw new GraphQLError('issued meanwhile', { extensions: { code: WorkflowErrorCode.ALREADY_ISSUED } });
          issued = notice;
          return { set: {}, toStatus: current.status, details: { noticeId: notice.id, noticeKind: notice.kind, note: notice.reason } };
        },
      );
      if (!result.replayed) run.issued.push({ caseId: c.id, kind, dueOn: c.dueOn });
      // After the commit, once: a replayed notice was recorded by whoever issued it.
      if (!result.replayed && issued) check.audit?.record(systemNoticeRecord(issued));
    } catch (error) {
      // The case changed since it was read (a write, another replica): the next run decides on it afresh.
      const code = error instanceof GraphQLError ? error.extensions.code : null;
      if (code === WorkflowErrorCode.CONFLICT || code === WorkflowErrorCode.ALREADY_ISSUED || code === WorkflowErrorCode.INVALID_TRANSITION) run.deferred++;
      else throw error;
    }
  }
  return run;
}

/** The audit record of a notice the check issued: the system's write, on the case, naming the notice. */
function systemNoticeRecord(notice: SupervisionNoticeRow) {
  return {
    occurredAt: notice.issuedAt,
    userId: 'system',
    role: SUPERVISION_SYSTEM_CALLER.role,
    department: 'mediation',
    eventType: 'SYSTEM_WRITE' as const,
    operationName: 'issueSupervisionNotice',
    outcome: 'SUCCESS' as const,
    details: {
      subgraph: 'mediation',
      actor: SUPERVISION_SYSTEM_CALLER.userId,
      caseId: notice.caseId,
      notice: { id: notice.id, kind: notice.kind, unit: notice.unitCode, dueOn: notice.dueOn, reason: notice.reason },
    },
  };
}

/**
 * Runs the check now and then every `intervalMs` in the service; a run that fails is logged and the next one tries
 * again. The timer does not keep the process alive; a run cut short by shutdown leaves nothing half written.
 */
export function startSupervisionChecks(check: SupervisionCheck, logger: Logger, intervalMs = SUPERVISION_CHECK_INTERVAL_MS): { stop(): void } {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const run = await runSupervisionCheck(check);
      if (run.issued.length > 0 || run.deferred > 0) logger.info('supervision check', { issued: run.issued.length, deferred: run.deferred });
    } catch (error) {
      logger.error('supervision check failed', { error: error instanceof Error ? error.message : String(error) });
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
