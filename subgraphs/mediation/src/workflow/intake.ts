/**
 * Intake (受理): a case is reported, and the centre accepts it (its time limit starts) or refuses it.
 */
import {
  checkGridCode,
  checkHouseCode,
  checkIncidentId,
  checkOrganizationId,
  checkResidentId,
  communityCodeOfGrid,
  streetCodeOfCommunity,
  type Caller,
} from '@hub/core';
import { eq, sql } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { caseParties, cases, caseSequences, type CaseRow } from '../db/schema.ts';
import type { AcceptCaseInput, RejectCaseInput, ReportCaseInput } from '../__generated__/resolvers-types.ts';
import { addDays, addMonths, chinaToday, MEDIATION_TIME_LIMIT_MONTHS } from './deadlines.ts';
import { checkGroupRentalId, checkMediatorId, checkText, InputErrorCode } from './inputs.ts';
import { callerDepartment, WorkflowErrorCode } from './machine.ts';
import { checkHeadCount, checkHotlineTicket } from './assessment.ts';
import { checkMediatorOfCommittee, committeeFor } from './references.ts';
import { changeCase, createCase, type CaseChangeResult, type Tx, type WorkflowContext } from './transaction.ts';

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
  const hotlineTicket = input.hotlineTicket == null ? null : checkHotlineTicket(input.hotlineTicket);
  if ((input.source === 'HOTLINE_12345') !== (hotlineTicket !== null)) {
    throw new GraphQLError('hotlineTicket is required for a 12345 hotline case (HOTLINE_12345) and only for it', {
      extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'hotlineTicket' },
    });
  }
  const headCount = checkHeadCount(input.headCount);
  checkSourceAllowed(ctx.caller, input.source);
  if (ctx.caller.ownGridsOnly && !ctx.caller.grids.includes(gridCode)) {
    throw new GraphQLError(`grid ${gridCode} is not one of your grids`, {
      extensions: { code: WorkflowErrorCode.FORBIDDEN, argumentName: 'gridCode' },
    });
  }
  const communityCode = communityCodeOfGrid(gridCode);

  return createCase(ctx, input, async (tx) => {
    const committee = await committeeFor(tx, communityCode, committeeId);
    if (incidentId !== null) {
      const [referred] = await tx.select({ id: cases.id }).from(cases).where(eq(cases.incidentId, incidentId));
      if (referred) throw alreadyReferred(incidentId, referred.id);
    }
    if (hotlineTicket !== null) {
      const [reported] = await tx.select({ id: cases.id }).from(cases).where(eq(cases.hotlineTicket, hotlineTicket));
      if (reported) throw alreadyReported(hotlineTicket, reported.id);
    }
    const id = await nextCaseId(tx, gridCode);
    // Read after the grid's sequence is locked, so that within a grid the order of ids is the order of receipt.
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
            // Until it is accepted, the time limit is the acceptance limit (受理时限); acceptance gives the month.
            dueOn: addDays(today, ctx.limits.acceptanceDays),
            acceptBy: addDays(today, ctx.limits.acceptanceDays),
            incidentId,
            houseCode,
            groupRentalId,
            hotlineTicket,
            severity: input.severity ?? 'GENERAL',
            criminalRisk: input.criminalRisk ?? false,
            headCount,
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
      if (hotlineTicket !== null && isUniqueViolation(error, 'cases_hotline_ticket_idx')) {
        const [reported] = await tx.select({ id: cases.id }).from(cases).where(eq(cases.hotlineTicket, hotlineTicket));
        throw alreadyReported(hotlineTicket, reported?.id ?? null);
      }
      throw error;
    }
    if (!row) throw new Error('case insert returned nothing');
    await tx.insert(caseParties).values(parties.map((p) => ({ caseId: id, ...p })));
    return row;
  });
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

// ---------------------------------------------------------------------------------------------------------------
// What a report checks and takes

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

function alreadyReferred(incidentId: string, caseId: string | null): GraphQLError {
  return new GraphQLError(`incident ${incidentId} was already referred to mediation${caseId ? ` as case ${caseId}` : ''}`, {
    extensions: { code: WorkflowErrorCode.ALREADY_REFERRED, incidentId, caseId },
  });
}

function alreadyReported(ticket: string, caseId: string | null): GraphQLError {
  return new GraphQLError(`12345 ticket ${ticket} was already reported${caseId ? ` as case ${caseId}` : ''}`, {
    extensions: { code: WorkflowErrorCode.ALREADY_REPORTED, hotlineTicket: ticket, caseId },
  });
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const pgError = e as Error & { code?: string; constraint?: string };
    if (pgError.code === '23505' && pgError.constraint === constraint) return true;
  }
  return false;
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
