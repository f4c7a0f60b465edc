/**
 * The transaction every command runs in, so that each action only says its own rule. It (1) claims the caller's
 * idempotency key, (2) locks the case row and checks scope, version and the state machine, (3) lets the action
 * change the case and its file, (4) appends the event (timeline and feed entry) under the feed lock and (5) records
 * what the key did. Either all of it commits or none of it does.
 */
import { announceAppend, appendLock, checkCaseId, idempotencyKeyReused, inScope, notFound, requestHash, type Caller, type RowScope } from '@hub/core';
import { and, eq, sql } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import type { Db } from '../db/index.ts';
import { CASE_EVENT_FEED, routeOf } from '../feed-wakeup.ts';
import { caseEvents, caseIdempotencyKeys, cases, type CaseEventDetails, type CaseEventRow, type CaseRow } from '../db/schema.ts';
import type { CaseAction, CaseStatus } from '../__generated__/resolvers-types.ts';
import { chinaToday, type Clock } from './deadlines.ts';
import { checkIdempotencyKey, checkVersion } from './inputs.ts';
import { actorsOf, mayDecide, transition, WorkflowErrorCode } from './machine.ts';
import { callerUnit, currentParts, DISPATCH_STATUSES, openPartOf, supersedeOpenParts } from './parts.ts';
import type { HandlingUnit, WorkflowLimits } from './units.ts';
import type { CasePartRow } from '../db/schema.ts';

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface WorkflowContext {
  db: Db;
  caller: Caller;
  scope: RowScope;
  clock: Clock;
  /** The unit directory and the time limits of this deployment. */
  limits: WorkflowLimits;
}

/** What a command returns: the case as it now stands, the event written, and whether this was a replay. */
export interface CaseChangeResult {
  case: CaseRow;
  event: CaseEventRow;
  replayed: boolean;
}

/** A change to the case row and the event that records it, as an action computes it under the row lock. */
export interface Change {
  set: Partial<typeof cases.$inferInsert>;
  toStatus: CaseStatus;
  details: CaseEventDetails;
  /** The unit whose part the change concerned, recorded on the event (the unit's feed). */
  unitCode?: string | null;
}

/** The unit the caller acts for and its open part of the case's current dispatch (null when it holds none). */
export interface OwnPart {
  unit: HandlingUnit | null;
  part: CasePartRow | null;
}

/** How an action decides its change of a locked case, at `now` (and on `today`, China's calendar day of it). */
export type Decide = (tx: Tx, current: CaseRow, now: Date, today: string, own: OwnPart) => Promise<Change>;

/**
 * The path of a report: claim the key, let `create` insert the case (it picks the case's id and time), append its
 * REPORT event, dated when the case was received.
 */
export function createCase(
  ctx: WorkflowContext,
  input: { idempotencyKey: string },
  create: (tx: Tx) => Promise<CaseRow>,
): Promise<CaseChangeResult> {
  return withIdempotency(ctx, 'REPORT', input, async (tx) => {
    const row = await create(tx);
    const event = await appendEvent(tx, ctx, row, 'REPORT', null, row.receivedAt, {});
    return { case: row, event };
  });
}

/**
 * The path of every action on an existing case: claim the key, lock the row, check scope, version and transition,
 * apply the change `decide` computes, append its event.
 */
export function changeCase(
  ctx: WorkflowContext,
  action: Exclude<CaseAction, 'REPORT'>,
  input: { idempotencyKey: string; caseId: string; expectedVersion: number },
  decide: Decide,
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
    // Which part the caller's unit holds decides whether they act as the lead or a co-handler (parts.ts).
    const unit = callerUnit(ctx.caller, ctx.limits.units);
    const part = openPartOf(current.dispatchRound > 0 ? await currentParts(tx, current) : [], unit);
    const target = transition(current.status, action, actorsOf(ctx.caller, current, part?.role ?? null));
    const now = ctx.clock();
    const change = await decide(tx, current, now, chinaToday(now), { unit, part });
    const expected = target === 'SAME' ? current.status : target;
    if (target !== 'DECIDED' && change.toStatus !== expected) {
      throw new Error(`${action} from ${current.status} decided ${change.toStatus}, the table says ${expected}`);
    }
    if (target === 'DECIDED' && !mayDecide(current.status, action, change.toStatus)) {
      throw new Error(`${action} from ${current.status} decided ${change.toStatus}, which the table does not allow`);
    }
    // Whatever takes a case out of its dispatch for good (an ending, a withdrawal, a hand-back, a resolution) ends
    // the dispatch's open parts with it, in the same transaction: no unit keeps working a case that left it.
    const live = (s: CaseStatus) => (DISPATCH_STATUSES as readonly string[]).includes(s);
    if (live(current.status) && !live(change.toStatus)) await supersedeOpenParts(tx, current.id, now);
    const [updated] = await tx
      .update(cases)
      .set({ ...change.set, status: change.toStatus, version: current.version + 1, updatedAt: now })
      .where(eq(cases.id, caseId))
      .returning();
    if (!updated) throw new Error(`case ${caseId} vanished under its lock`);
    const event = await appendEvent(tx, ctx, updated, action, current.status, now, change.details, change.unitCode ?? null);
    return { case: updated, event };
  });
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
    throw idempotencyKeyReused({ firstAction: used.action });
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
  unitCode: string | null = null,
): Promise<CaseEventRow> {
  await tx.execute(appendLock(CASE_EVENT_FEED));
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
      unitCode,
      details,
    })
    .returning();
  if (!event) throw new Error('event insert returned nothing');
  // Delivered at commit, in commit order (the append lock is held until then): wakes the gateways' subscriptions,
  // with what a gateway needs to wake only the subscriptions the event can reach (feed-wakeup.ts).
  await announceAppend(tx, CASE_EVENT_FEED, event.sequence, routeOf(event));
  return event;
}
