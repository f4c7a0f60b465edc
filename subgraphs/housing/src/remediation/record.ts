/**
 * Recording a stage of a group rental's remediation (群租整治): the one write path of the housing subgraph. In one
 * transaction it locks the rental, checks that the stage may follow the one recorded, moves the rental, writes a
 * re-inspection when that is the stage, and appends the event to the feed under its append lock, announcing it at
 * commit. A refusal changes nothing and announces nothing. A retry with the same idempotency key is answered with the
 * event the first attempt wrote.
 */
import {
  announceAppend,
  appendLock,
  chinaDate,
  checkIdempotencyKey,
  checkLength,
  idempotencyKeyReused,
  inScope,
  isIsoDate,
  notFound,
  requestHash,
  type Caller,
  type Clock,
  type RowScope,
} from '@hub/core';
import { and, count, eq } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import type { Db } from '../db/index.ts';
import { groupRentalEvents, groupRentalInspections, groupRentals, type GroupRentalEventRow, type GroupRentalRow } from '../db/schema.ts';
import type { GroupRentalStatus, InspectionResult, RecordGroupRentalRemediationInput, RemediationStep } from '../__generated__/resolvers-types.ts';
import { GROUP_RENTAL_ID } from '../keys.ts';
import { GROUP_RENTAL_FEED, routeOf } from './feed.ts';

/** Codes of this write path beside the hub's general ones (docs/errors.md). */
export const RemediationCode = {
  INVALID_INPUT: 'INVALID_INPUT',
  INVALID_DATE: 'INVALID_DATE',
  INVALID_GROUP_RENTAL_ID: 'INVALID_GROUP_RENTAL_ID',
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  INSPECTION_SEQUENCE_EXHAUSTED: 'INSPECTION_SEQUENCE_EXHAUSTED',
} as const;

/**
 * Which stage may follow which (整治流程): the interview follows identification, or a relapse (the landlord is
 * interviewed again); rectification follows the interview; a re-inspection (复查) follows rectification, and either
 * confirms it or finds the dwelling crowded again.
 */
const ALLOWED: Record<RemediationStep, readonly GroupRentalStatus[]> = {
  INTERVIEW: ['IDENTIFIED', 'RELAPSED'],
  RECTIFY: ['INTERVIEWED'],
  REINSPECT: ['RECTIFIED'],
};

const stepsFrom = (status: GroupRentalStatus) => (Object.keys(ALLOWED) as RemediationStep[]).filter((step) => ALLOWED[step].includes(status));

const NOTE_MAX = 500;
/** A stage is recorded within this many days of the day it happened. */
const BACKDATE_DAYS = 90;
/** Re-inspection ids end in two digits. */
const MAX_INSPECTIONS = 99;

export interface RemediationContext {
  db: Db;
  caller: Caller;
  scope: RowScope;
  clock: Clock;
}

export interface RemediationResult {
  groupRental: GroupRentalRow;
  event: GroupRentalEventRow;
  replayed: boolean;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

const refuse = (code: string, message: string, extensions: Record<string, unknown> = {}) => new GraphQLError(message, { extensions: { code, ...extensions } });

/** The checks that need no database, so a malformed input is refused before a transaction opens. */
function checkInput(input: RecordGroupRentalRemediationInput, today: string) {
  const key = checkIdempotencyKey(input.idempotencyKey);
  if (!GROUP_RENTAL_ID.test(input.groupRentalId)) {
    throw refuse(RemediationCode.INVALID_GROUP_RENTAL_ID, 'groupRentalId must be QZ, a 15-digit grid code and a 3-digit sequence', { argumentName: 'groupRentalId' });
  }
  const inspecting = input.step === 'REINSPECT';
  if (inspecting !== (input.result != null) || inspecting !== (input.occupantCount != null)) {
    throw refuse(RemediationCode.INVALID_INPUT, 'a re-inspection (REINSPECT) gives its result and occupantCount; the other steps give neither', {
      argumentName: input.result != null || !inspecting ? 'result' : 'occupantCount',
    });
  }
  if (input.occupantCount != null && (!Number.isInteger(input.occupantCount) || input.occupantCount < 0 || input.occupantCount > 500)) {
    throw refuse(RemediationCode.INVALID_INPUT, 'occupantCount must be 0 to 500', { argumentName: 'occupantCount' });
  }
  const note = input.note == null || input.note.trim() === '' ? null : checkLength(input.note.trim(), 'note', NOTE_MAX);
  const occurredOn = input.occurredOn ?? today;
  const earliest = chinaDate(new Date(Date.parse(`${today}T12:00:00+08:00`) - BACKDATE_DAYS * 86_400_000));
  if (!isIsoDate(occurredOn) || occurredOn > today || occurredOn < earliest) {
    throw refuse(RemediationCode.INVALID_DATE, `occurredOn must lie between ${earliest} and ${today}`, { argumentName: 'occurredOn' });
  }
  return { key, note, occurredOn };
}

/** Thrown inside the transaction to roll it back when the key was already used; carries the event it wrote. */
class KeyAlreadyUsed extends Error {
  constructor(readonly event: GroupRentalEventRow) {
    super('idempotency key already used');
  }
}

export async function recordRemediation(ctx: RemediationContext, input: RecordGroupRentalRemediationInput): Promise<RemediationResult> {
  const now = ctx.clock();
  const { key, note, occurredOn } = checkInput(input, chinaDate(now));
  const hash = requestHash(input.step, input);
  try {
    return await ctx.db.transaction(async (tx) => {
      const [current] = await tx.select().from(groupRentals).where(eq(groupRentals.id, input.groupRentalId)).for('update');
      // A rental outside a grid worker's grids is as absent for writing as it is for reading.
      if (!current || !inScope(ctx.scope, current.gridCode)) throw notFound('GroupRental', 'id', input.groupRentalId);
      // Under the rental's lock a retry of this change (same key) waits for the first and then finds its event.
      const used = await eventOfKey(tx, ctx.caller.userId, key);
      if (used) throw new KeyAlreadyUsed(used);
      return { ...(await applyStep(tx, ctx, current, input, { key, hash, note, occurredOn, now })), replayed: false };
    });
  } catch (error) {
    const used = error instanceof KeyAlreadyUsed ? error.event : isKeyConflict(error) ? await eventOfKey(ctx.db, ctx.caller.userId, key) : undefined;
    if (!used) throw error;
    if (used.requestHash !== hash) throw idempotencyKeyReused({ firstAction: used.action });
    const [groupRental] = await ctx.db.select().from(groupRentals).where(eq(groupRentals.id, used.groupRentalId));
    if (!groupRental) throw new Error(`group rental ${used.groupRentalId} of a committed idempotency key is missing`);
    return { groupRental, event: used, replayed: true };
  }
}

async function eventOfKey(db: Db | Tx, userId: string, key: string) {
  const [event] = await db
    .select()
    .from(groupRentalEvents)
    .where(and(eq(groupRentalEvents.actorUserId, userId), eq(groupRentalEvents.idempotencyKey, key)));
  return event;
}

/** The same key used at once on another rental: the unique index refuses the second, which then answers as a retry. */
const isKeyConflict = (error: unknown): boolean => {
  const { code, cause } = (error ?? {}) as { code?: string; cause?: unknown };
  return code === '23505' || (cause !== undefined && isKeyConflict(cause));
};

async function applyStep(
  tx: Tx,
  ctx: RemediationContext,
  current: GroupRentalRow,
  input: RecordGroupRentalRemediationInput,
  change: { key: string; hash: string; note: string | null; occurredOn: string; now: Date },
): Promise<Omit<RemediationResult, 'replayed'>> {
  const step = input.step;
  if (!ALLOWED[step].includes(current.status)) {
    throw refuse(RemediationCode.INVALID_TRANSITION, `a group rental ${current.status} cannot be given ${step}; allowed now: ${stepsFrom(current.status).join(', ') || 'none'}`, {
      currentStatus: current.status,
      action: step,
      allowedActions: stepsFrom(current.status),
      allowedStatuses: ALLOWED[step],
    });
  }
  // A stage is not dated before the one it follows.
  const previousOn = current.status === 'RECTIFIED' ? current.rectifiedOn : current.status === 'INTERVIEWED' ? current.interviewedOn : current.identifiedOn;
  if (previousOn && change.occurredOn < previousOn) {
    throw refuse(RemediationCode.INVALID_DATE, `occurredOn must not be before the stage it follows (${previousOn})`, { argumentName: 'occurredOn' });
  }
  const { toStatus, set, inspectionId } = await stageChange(tx, current, step, input.result ?? null, input.occupantCount ?? null, change.occurredOn);
  const [groupRental] = await tx.update(groupRentals).set({ ...set, status: toStatus }).where(eq(groupRentals.id, current.id)).returning();
  if (!groupRental) throw new Error(`group rental ${current.id} vanished under its lock`);
  await tx.execute(appendLock(GROUP_RENTAL_FEED));
  const [event] = await tx
    .insert(groupRentalEvents)
    .values({
      groupRentalId: current.id,
      gridCode: current.gridCode,
      action: step,
      fromStatus: current.status,
      toStatus,
      occurredOn: change.occurredOn,
      at: change.now,
      actorUserId: ctx.caller.userId,
      actorRole: ctx.caller.role,
      actorDepartment: ctx.caller.department,
      note: change.note,
      inspectionId,
      idempotencyKey: change.key,
      requestHash: change.hash,
    })
    .returning();
  if (!event) throw new Error('event insert returned nothing');
  // Delivered at commit, in commit order (the append lock is held until then): wakes the gateways' subscribers.
  await announceAppend(tx, GROUP_RENTAL_FEED, event.sequence, routeOf(event));
  return { groupRental, event };
}

/** What a step does to the rental: its new status and dates, and for a re-inspection the inspection it records. */
async function stageChange(tx: Tx, current: GroupRentalRow, step: RemediationStep, result: InspectionResult | null, occupantCount: number | null, on: string) {
  if (step === 'INTERVIEW') return { toStatus: 'INTERVIEWED' as const, set: { interviewedOn: on }, inspectionId: null };
  if (step === 'RECTIFY') return { toStatus: 'RECTIFIED' as const, set: { rectifiedOn: on }, inspectionId: null };
  const [done] = await tx.select({ n: count() }).from(groupRentalInspections).where(eq(groupRentalInspections.groupRentalId, current.id));
  const sequence = (done?.n ?? 0) + 1;
  if (sequence > MAX_INSPECTIONS) {
    throw refuse(RemediationCode.INSPECTION_SEQUENCE_EXHAUSTED, `group rental ${current.id} has had ${MAX_INSPECTIONS} re-inspections, the most its ids hold`);
  }
  const inspectionId = `${current.id}${String(sequence).padStart(2, '0')}`;
  await tx.insert(groupRentalInspections).values({ id: inspectionId, groupRentalId: current.id, inspectedOn: on, occupantCount: occupantCount ?? 0, result: result ?? 'COMPLIANT' });
  // A relapse opens the rental again; its rectification date stays, as the schema says.
  return { toStatus: result === 'RELAPSED' ? ('RELAPSED' as const) : ('RECTIFIED' as const), set: {}, inspectionId };
}
