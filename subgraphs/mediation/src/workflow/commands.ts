/**
 * The write side of the case workflow. Each command runs in one transaction that (1) claims the caller's
 * idempotency key, (2) locks the case row and checks its version and the state machine, (3) changes the case and
 * its file, (4) appends the event (timeline and feed entry) and (5) records what the key did. Either all of it
 * commits or none of it does.
 */
import { createHash } from 'node:crypto';
import {
  checkCaseId,
  checkGridCode,
  checkHouseCode,
  checkIncidentId,
  checkOrganizationId,
  checkResidentId,
  communityCodeOfGrid,
  inScope,
  notFound,
  streetCodeOfCommunity,
  type Caller,
  type RowScope,
} from '@hub/core';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import type { Db } from '../db/index.ts';
import {
  agreements,
  caseEvents,
  caseIdempotencyKeys,
  caseParties,
  cases,
  caseSequences,
  followUps,
  mediationCommittees,
  mediationRecords,
  mediators,
  type CaseEventDetails,
  type CaseEventRow,
  type CaseRow,
} from '../db/schema.ts';
import type {
  AcceptCaseInput,
  AcknowledgeCaseInput,
  AddCaseRecordInput,
  CaseAction,
  CaseStatus,
  CloseCaseInput,
  DispatchCaseInput,
  FollowUpCaseInput,
  RejectCaseInput,
  ReopenCaseInput,
  ReportCaseInput,
  ResolveCaseInput,
} from '../__generated__/resolvers-types.ts';
import { addMonths, chinaToday, MEDIATION_TIME_LIMIT_MONTHS, type Clock } from './deadlines.ts';
import {
  checkDateWithin,
  checkDeadline,
  checkGroupRentalId,
  checkIdempotencyKey,
  checkMediatorId,
  checkText,
  checkVersion,
  InputErrorCode,
  optionalText,
} from './inputs.ts';
import { actorsOf, callerDepartment, transition, WorkflowErrorCode } from './machine.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface WorkflowContext {
  db: Db;
  caller: Caller;
  scope: RowScope;
  clock: Clock;
}

/** What a command returns: the case as it now stands, the event written, and whether this was a replay. */
export interface CaseChangeResult {
  case: CaseRow;
  event: CaseEventRow;
  replayed: boolean;
}

/** A change to the case row and the event that records it, as a command computes it under the row lock. */
interface Change {
  set: Partial<typeof cases.$inferInsert>;
  toStatus: CaseStatus;
  details: CaseEventDetails;
}

/** Serializes event appends so that `sequence` order is commit order (see `caseEvents`). */
const EVENT_APPEND_LOCK = sql`pg_advisory_xact_lock(hashtext('case_events'))`;

/** Canonical JSON (keys sorted) of a command's input without its key: what "the same input" means for a replay. */
function requestHash(action: CaseAction, input: object): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .filter(([k, v]) => k !== 'idempotencyKey' && v !== undefined && v !== null)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => [k, canonical(v)]),
      );
    }
    return value;
  };
  return createHash('sha256').update(JSON.stringify([action, canonical(input)])).digest('hex');
}

/** Thrown inside a transaction to roll it back when the key was already used; carries what to answer instead. */
class KeyAlreadyUsed extends Error {
  constructor(readonly row: typeof caseIdempotencyKeys.$inferSelect) {
    super('idempotency key already used');
  }
}

/**
 * Runs `body` in a transaction guarded by the caller's idempotency key. The key is claimed first: a concurrent twin
 * with the same key waits on the claim and then finds it taken, so only one of them ever changes anything.
 */
async function withIdempotency(
  ctx: WorkflowContext,
  action: CaseAction,
  input: { idempotencyKey: string },
  body: (tx: Tx) => Promise<{ case: CaseRow; event: CaseEventRow }>,
): Promise<CaseChangeResult> {
  const key = checkIdempotencyKey(input.idempotencyKey);
  const hash = requestHash(action, input);
  try {
    return await ctx.db.transaction(async (tx) => {
      const claimed = await tx
        .insert(caseIdempotencyKeys)
        .values({ callerUserId: ctx.caller.userId, key, action, requestHash: hash })
        .onConflictDoNothing()
        .returning({ key: caseIdempotencyKeys.key });
      if (claimed.length === 0) {
        const [used] = await tx
          .select()
          .from(caseIdempotencyKeys)
          .where(and(eq(caseIdempotencyKeys.callerUserId, ctx.caller.userId), eq(caseIdempotencyKeys.key, key)));
        if (!used) throw new Error('idempotency key vanished while claimed');
        throw new KeyAlreadyUsed(used);
      }
      const result = await body(tx);
      await tx
        .update(caseIdempotencyKeys)
        .set({ caseId: result.case.id, eventSequence: result.event.sequence })
        .where(and(eq(caseIdempotencyKeys.callerUserId, ctx.caller.userId), eq(caseIdempotencyKeys.key, key)));
      return { ...result, replayed: false };
    });
  } catch (error) {
    if (!(error instanceof KeyAlreadyUsed)) throw error;
    return replay(ctx, error.row, action, hash);
  }
}

async function replay(
  ctx: WorkflowContext,
  used: typeof caseIdempotencyKeys.$inferSelect,
  action: CaseAction,
  hash: string,
): Promise<CaseChangeResult> {
  if (used.action !== action || used.requestHash !== hash) {
    throw new GraphQLError('this idempotency key was already used with a different input; use a new key for a new change', {
      extensions: { code: WorkflowErrorCode.IDEMPOTENCY_KEY_REUSED, firstAction: used.action },
    });
  }
  if (used.caseId === null || used.eventSequence === null) throw new Error('idempotency key committed without its result');
  const [[row], [event]] = await Promise.all([
    ctx.db.select().from(cases).where(eq(cases.id, used.caseId)),
    ctx.db.select().from(caseEvents).where(eq(caseEvents.sequence, used.eventSequence)),
  ]);
  if (!row || !event) throw new Error(`case ${used.caseId} of a committed idempotency key is missing`);
  return { case: row, event, replayed: true };
}

/** Appends the event of a change, under the append lock, and returns it with its feed sequence. */
async function appendEvent(
  tx: Tx,
  ctx: WorkflowContext,
  row: CaseRow,
  action: CaseAction,
  fromStatus: CaseStatus | null,
  at: Date,
  details: CaseEventDetails,
): Promise<CaseEventRow> {
  await tx.execute(sql`select ${EVENT_APPEND_LOCK}`);
  const [event] = await tx
    .insert(caseEvents)
    .values({
      caseId: row.id,
      caseVersion: row.version,
      action,
      fromStatus,
      toStatus: row.status,
      at,
      actorUserId: ctx.caller.userId,
      actorRole: ctx.caller.role,
      actorDepartment: ctx.caller.department,
      gridCode: row.gridCode,
      department: row.assignedDepartment,
      details,
    })
    .returning();
  if (!event) throw new Error('event insert returned nothing');
  return event;
}

/**
 * The common path of every command on an existing case: lock the row, check scope, version and transition, apply
 * the change, append its event.
 */
async function changeCase(
  ctx: WorkflowContext,
  action: Exclude<CaseAction, 'REPORT'>,
  input: { idempotencyKey: string; caseId: string; expectedVersion: number },
  decide: (tx: Tx, current: CaseRow, now: Date, today: string) => Promise<Change>,
): Promise<CaseChangeResult> {
  const caseId = checkCaseId(input.caseId, 'caseId');
  const expectedVersion = checkVersion(input.expectedVersion);
  return withIdempotency(ctx, action, input, async (tx) => {
    const [current] = await tx.select().from(cases).where(eq(cases.id, caseId)).for('update');
    // A case outside a grid worker's grids is as absent for writing as it is for reading.
    if (!current || !inScope(ctx.scope, current.gridCode)) throw notFound('Case', 'id', caseId);
    if (current.version !== expectedVersion) {
      throw new GraphQLError(
        `case ${caseId} changed since version ${expectedVersion}: it is at version ${current.version} (${current.status}); read it again and decide anew`,
        { extensions: { code: WorkflowErrorCode.CONFLICT, caseId, expectedVersion, currentVersion: current.version, currentStatus: current.status } },
      );
    }
    const target = transition(current.status, action, actorsOf(ctx.caller, current));
    const now = ctx.clock();
    const change = await decide(tx, current, now, chinaToday(now));
    const expected = target === 'SAME' ? current.status : target;
    if (target !== 'DECIDED' && change.toStatus !== expected) {
      throw new Error(`${action} from ${current.status} decided ${change.toStatus}, the table says ${expected}`);
    }
    const [updated] = await tx
      .update(cases)
      .set({ ...change.set, status: change.toStatus, version: current.version + 1, updatedAt: now })
      .where(eq(cases.id, caseId))
      .returning();
    if (!updated) throw new Error(`case ${caseId} vanished under its lock`);
    const event = await appendEvent(tx, ctx, updated, action, current.status, now, change.details);
    return { case: updated, event };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Report

/** Which sources a caller may report under, by who they are (the centre may enter any). */
function checkSourceAllowed(caller: Caller, source: ReportCaseInput['source']): void {
  if (caller.scopes.includes('case:write')) return;
  const allowed: ReportCaseInput['source'][] = caller.ownGridsOnly
    ? ['GRID_WORKER_REPORT']
    : callerDepartment(caller) === 'PUBLIC_SECURITY'
      ? ['POLICE_REFERRAL', 'DEPARTMENT_REFERRAL']
      : callerDepartment(caller) !== null
        ? ['DEPARTMENT_REFERRAL']
        : [];
  if (!allowed.includes(source)) {
    throw new GraphQLError(
      `a ${caller.role} cannot report a case with source ${source}; allowed: ${allowed.join(', ') || 'none'}`,
      { extensions: { code: WorkflowErrorCode.SOURCE_NOT_ALLOWED, source, allowedSources: allowed } },
    );
  }
}

function checkParties(parties: ReportCaseInput['parties']) {
  if (parties.length < 1 || parties.length > 20) {
    throw new GraphQLError('a case names 1 to 20 parties', { extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'parties' } });
  }
  if (!parties.some((p) => p.role === 'APPLICANT')) {
    throw new GraphQLError('a case names at least one applicant', { extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'parties' } });
  }
  return parties.map((p, i) => {
    const argumentName = `parties[${i}]`;
    if ((p.residentId == null) === (p.organizationId == null)) {
      throw new GraphQLError(`${argumentName} names a resident or an organization, exactly one`, {
        extensions: { code: InputErrorCode.INVALID_INPUT, argumentName },
      });
    }
    return {
      position: i + 1,
      role: p.role,
      residentId: p.residentId == null ? null : checkResidentId(p.residentId, `${argumentName}.residentId`),
      organizationId: p.organizationId == null ? null : checkOrganizationId(p.organizationId, `${argumentName}.organizationId`),
    };
  });
}

export async function reportCase(ctx: WorkflowContext, input: ReportCaseInput): Promise<CaseChangeResult> {
  const gridCode = checkGridCode(input.gridCode, 'gridCode');
  const summary = checkText(input.summary, 'summary', 2000);
  const parties = checkParties(input.parties);
  const incidentId = input.incidentId == null ? null : checkIncidentId(input.incidentId, 'incidentId');
  if ((input.source === 'POLICE_REFERRAL') !== (incidentId !== null)) {
    throw new GraphQLError('incidentId is required for a police referral (POLICE_REFERRAL) and only for it', {
      extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'incidentId' },
    });
  }
  const houseCode = input.houseCode == null ? null : checkHouseCode(input.houseCode, 'houseCode');
  const groupRentalId = input.groupRentalId == null ? null : checkGroupRentalId(input.groupRentalId);
  const committeeId = input.committeeId == null ? null : checkOrganizationId(input.committeeId, 'committeeId');
  checkSourceAllowed(ctx.caller, input.source);
  if (ctx.caller.ownGridsOnly && !ctx.caller.grids.includes(gridCode)) {
    throw new GraphQLError(`grid ${gridCode} is not one of your grids`, {
      extensions: { code: WorkflowErrorCode.FORBIDDEN, argumentName: 'gridCode' },
    });
  }
  const communityCode = communityCodeOfGrid(gridCode);

  return withIdempotency(ctx, 'REPORT', input, async (tx) => {
    const committee = await committeeFor(tx, communityCode, committeeId);
    if (incidentId !== null) {
      const [referred] = await tx.select({ id: cases.id }).from(cases).where(eq(cases.incidentId, incidentId));
      if (referred) throw alreadyReferred(incidentId, referred.id);
    }
    const id = await nextCaseId(tx, gridCode);
    const now = ctx.clock();
    const today = chinaToday(now);
    let row: CaseRow | undefined;
    try {
      // A savepoint, so that losing the race for an incident leaves the transaction usable for the clear error.
      [row] = await tx.transaction(async (sp) =>
        sp
          .insert(cases)
          .values({
            id,
            category: input.category,
            source: input.source,
            gridCode,
            communityCode,
            streetCode: streetCodeOfCommunity(communityCode),
            committeeId: committee,
            status: 'REPORTED',
            summary,
            receivedAt: now,
            dueOn: addMonths(today, MEDIATION_TIME_LIMIT_MONTHS),
            incidentId,
            houseCode,
            groupRentalId,
            version: 1,
            createdAt: now,
            updatedAt: now,
          })
          .returning(),
      );
    } catch (error) {
      if (incidentId !== null && isUniqueViolation(error, 'cases_incident_idx')) {
        const [referred] = await tx.select({ id: cases.id }).from(cases).where(eq(cases.incidentId, incidentId));
        throw alreadyReferred(incidentId, referred?.id ?? null);
      }
      throw error;
    }
    if (!row) throw new Error('case insert returned nothing');
    await tx.insert(caseParties).values(parties.map((p) => ({ caseId: id, ...p })));
    const event = await appendEvent(tx, ctx, row, 'REPORT', null, now, {});
    return { case: row, event };
  });
}

function alreadyReferred(incidentId: string, caseId: string | null): GraphQLError {
  return new GraphQLError(`incident ${incidentId} was already referred to mediation${caseId ? ` as case ${caseId}` : ''}`, {
    extensions: { code: WorkflowErrorCode.ALREADY_REFERRED, incidentId, caseId },
  });
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const pgError = e as Error & { code?: string; constraint?: string };
    if (pgError.code === '23505' && pgError.constraint === constraint) return true;
  }
  return false;
}

/** The committee named, which must exist, or the community mediation committee of the grid's community. */
async function committeeFor(tx: Tx, communityCode: string, committeeId: string | null): Promise<string> {
  if (committeeId !== null) {
    const [found] = await tx
      .select({ id: mediationCommittees.organizationId })
      .from(mediationCommittees)
      .where(eq(mediationCommittees.organizationId, committeeId));
    if (!found) throw notFound('MediationCommittee', 'committeeId', committeeId);
    return found.id;
  }
  const [community] = await tx
    .select({ id: mediationCommittees.organizationId })
    .from(mediationCommittees)
    .where(and(eq(mediationCommittees.communityCode, communityCode), eq(mediationCommittees.type, 'COMMUNITY')))
    .orderBy(asc(mediationCommittees.organizationId))
    .limit(1);
  if (!community) throw notFound('MediationCommittee', 'communityCode', communityCode);
  return community.id;
}

/**
 * The next id of a grid's sequence. The grid's counter row is locked until commit, so concurrent reports in a grid
 * queue here and never share a number; the first report through the hub starts after the highest id loaded.
 */
async function nextCaseId(tx: Tx, gridCode: string): Promise<string> {
  const [row] = await tx
    .insert(caseSequences)
    .values({
      gridCode,
      lastSequence: sql`(select coalesce(max(substring(${cases.id} from 18 for 4)::int), 0) + 1 from ${cases} where ${cases.gridCode} = ${gridCode})`,
    })
    .onConflictDoUpdate({ target: caseSequences.gridCode, set: { lastSequence: sql`${caseSequences.lastSequence} + 1` } })
    .returning({ lastSequence: caseSequences.lastSequence });
  if (!row) throw new Error('case sequence upsert returned nothing');
  if (row.lastSequence > 9999) {
    throw new GraphQLError(`grid ${gridCode} has used all 9999 case numbers`, {
      extensions: { code: WorkflowErrorCode.CASE_SEQUENCE_EXHAUSTED, gridCode },
    });
  }
  return `TJ${gridCode}${String(row.lastSequence).padStart(4, '0')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Changes of an existing case

async function checkMediatorOfCommittee(tx: Tx, mediatorId: string, committeeId: string): Promise<string> {
  const [found] = await tx
    .select({ id: mediators.id })
    .from(mediators)
    .where(and(eq(mediators.id, mediatorId), eq(mediators.committeeId, committeeId)));
  if (!found) {
    throw new GraphQLError(`mediator ${mediatorId} does not serve on committee ${committeeId}, which handles this case`, {
      extensions: { code: 'NOT_FOUND', entity: 'Mediator', keyField: 'mediatorId', keyValue: mediatorId },
    });
  }
  return found.id;
}

export function acceptCase(ctx: WorkflowContext, input: AcceptCaseInput): Promise<CaseChangeResult> {
  const mediatorId = input.mediatorId == null ? null : checkMediatorId(input.mediatorId);
  return changeCase(ctx, 'ACCEPT', input, async (tx, current, now, today) => {
    const dueOn = addMonths(today, MEDIATION_TIME_LIMIT_MONTHS);
    return {
      set: {
        acceptedAt: now,
        dueOn,
        ...(mediatorId !== null ? { mediatorId: await checkMediatorOfCommittee(tx, mediatorId, current.committeeId) } : {}),
      },
      toStatus: 'ACCEPTED',
      details: { dueOn, ...(mediatorId !== null ? { mediatorId } : {}) },
    };
  });
}

export function rejectCase(ctx: WorkflowContext, input: RejectCaseInput): Promise<CaseChangeResult> {
  const reason = checkText(input.reason, 'reason', 500);
  return changeCase(ctx, 'REJECT', input, async () => ({
    set: { rejectionReason: reason },
    toStatus: 'REJECTED',
    details: { note: reason },
  }));
}

export function dispatchCase(ctx: WorkflowContext, input: DispatchCaseInput): Promise<CaseChangeResult> {
  const note = optionalText(input.note, 'note', 500);
  return changeCase(ctx, 'DISPATCH', input, async (_tx, _current, now, today) => {
    const dueOn = checkDeadline(input.dueOn, 'dueOn', today);
    return {
      set: { assignedDepartment: input.department, dispatchedAt: now, acknowledgedAt: null, dueOn },
      toStatus: 'DISPATCHED',
      details: { dueOn, ...(note !== null ? { note } : {}) },
    };
  });
}

export function acknowledgeCase(ctx: WorkflowContext, input: AcknowledgeCaseInput): Promise<CaseChangeResult> {
  const note = optionalText(input.note, 'note', 500);
  return changeCase(ctx, 'ACKNOWLEDGE', input, async (_tx, _current, now) => ({
    set: { acknowledgedAt: now },
    toStatus: 'IN_PROGRESS',
    details: note !== null ? { note } : {},
  }));
}

export function addCaseRecord(ctx: WorkflowContext, input: AddCaseRecordInput): Promise<CaseChangeResult> {
  const content = checkText(input.content, 'content', 2000);
  const mediatorId = input.mediatorId == null ? null : checkMediatorId(input.mediatorId);
  if (input.kind === 'MEDIATION_SESSION' && mediatorId === null) {
    throw new GraphQLError('a mediation session names the mediator who held it (mediatorId)', {
      extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'mediatorId' },
    });
  }
  return changeCase(ctx, 'ADD_RECORD', input, async (tx, current, _now, today) => {
    const heldOn = checkDateWithin(input.heldOn, 'heldOn', chinaToday(current.receivedAt), today);
    const mediator = mediatorId === null ? null : await checkMediatorOfCommittee(tx, mediatorId, current.committeeId);
    const [last] = await tx
      .select({ position: mediationRecords.position })
      .from(mediationRecords)
      .where(eq(mediationRecords.caseId, current.id))
      .orderBy(desc(mediationRecords.position))
      .limit(1);
    await tx.insert(mediationRecords).values({
      caseId: current.id,
      position: (last?.position ?? 0) + 1,
      kind: input.kind,
      heldOn,
      mediatorId: mediator,
      recordedBy: ctx.caller.userId,
      content,
    });
    return {
      set: {},
      toStatus: current.status,
      details: { recordKind: input.kind, ...(mediator !== null ? { mediatorId: mediator } : {}) },
    };
  });
}

export function resolveCase(ctx: WorkflowContext, input: ResolveCaseInput): Promise<CaseChangeResult> {
  const note = optionalText(input.note, 'note', 2000);
  const withAgreement = input.outcome === 'AGREEMENT_REACHED';
  if (withAgreement !== (input.agreement != null)) {
    throw new GraphQLError('an agreement is given exactly when the outcome is AGREEMENT_REACHED', {
      extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'agreement' },
    });
  }
  if (!withAgreement && note === null) {
    throw new GraphQLError(`a ${input.outcome} resolution says what was done (note)`, {
      extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'note' },
    });
  }
  const terms = input.agreement ? checkText(input.agreement.terms, 'agreement.terms', 2000) : null;
  return changeCase(ctx, 'RESOLVE', input, async (tx, current, now, today) => {
    // A reopened case resolved again replaces the agreement of its earlier round.
    await tx.delete(agreements).where(eq(agreements.caseId, current.id));
    if (input.agreement && terms !== null) {
      const performBy = checkDeadline(input.agreement.performBy, 'agreement.performBy', today);
      await tx.insert(agreements).values({ caseId: current.id, reachedOn: today, terms, performBy, performed: false });
    }
    return {
      set: { resolvedAt: now, outcome: input.outcome, resolutionNote: note, unsatisfiedFollowUps: 0 },
      toStatus: 'RESOLVED',
      details: { outcome: input.outcome, ...(note !== null ? { note } : {}) },
    };
  });
}

/** The second unsatisfied follow-up since a resolution escalates the case (两次不满意提级督办). */
export const UNSATISFIED_VISITS_TO_ESCALATE = 2;

export function followUpCase(ctx: WorkflowContext, input: FollowUpCaseInput): Promise<CaseChangeResult> {
  const note = checkText(input.note, 'note', 500);
  return changeCase(ctx, 'FOLLOW_UP', input, async (tx, current, now, today) => {
    const [last] = await tx
      .select({ position: followUps.position })
      .from(followUps)
      .where(eq(followUps.caseId, current.id))
      .orderBy(desc(followUps.position))
      .limit(1);
    await tx.insert(followUps).values({ caseId: current.id, position: (last?.position ?? 0) + 1, visitedOn: today, satisfied: input.satisfied, note });
    const unsatisfied = current.unsatisfiedFollowUps + (input.satisfied ? 0 : 1);
    const escalate = unsatisfied >= UNSATISFIED_VISITS_TO_ESCALATE;
    return {
      set: { unsatisfiedFollowUps: unsatisfied, ...(escalate ? { escalatedAt: now } : {}) },
      toStatus: escalate ? 'ESCALATED' : 'RESOLVED',
      details: { satisfied: input.satisfied, note },
    };
  });
}

export function closeCase(ctx: WorkflowContext, input: CloseCaseInput): Promise<CaseChangeResult> {
  return changeCase(ctx, 'CLOSE', input, async (tx, current, now) => {
    // The last visit since the case was (last) resolved must have found the parties satisfied.
    const [last] = await tx
      .select({ action: caseEvents.action, details: caseEvents.details })
      .from(caseEvents)
      .where(and(eq(caseEvents.caseId, current.id), inArray(caseEvents.action, ['RESOLVE', 'FOLLOW_UP'])))
      .orderBy(desc(caseEvents.caseVersion))
      .limit(1);
    if (last?.action !== 'FOLLOW_UP' || last.details.satisfied !== true) {
      throw new GraphQLError('a case is closed only after a follow-up visit that found the parties satisfied; record one first (followUpCase)', {
        extensions: { code: WorkflowErrorCode.FOLLOW_UP_REQUIRED, caseId: current.id },
      });
    }
    return { set: { closedAt: now }, toStatus: 'CLOSED', details: {} };
  });
}

export function reopenCase(ctx: WorkflowContext, input: ReopenCaseInput): Promise<CaseChangeResult> {
  const reason = checkText(input.reason, 'reason', 500);
  return changeCase(ctx, 'REOPEN', input, async (_tx, current, now, today) => {
    const dueOn = addMonths(today, MEDIATION_TIME_LIMIT_MONTHS);
    // A closed case is handled anew from acceptance (it must be dispatched again); a refused one is reconsidered.
    const toStatus: CaseStatus = current.status === 'CLOSED' ? 'ACCEPTED' : 'REPORTED';
    return {
      set: {
        dueOn,
        rejectionReason: null,
        resolvedAt: null,
        closedAt: null,
        outcome: null,
        resolutionNote: null,
        assignedDepartment: null,
        dispatchedAt: null,
        acknowledgedAt: null,
        escalatedAt: null,
        unsatisfiedFollowUps: 0,
        ...(toStatus === 'ACCEPTED' ? { acceptedAt: now } : { acceptedAt: null }),
      },
      toStatus,
      details: { note: reason, dueOn },
    };
  });
}
