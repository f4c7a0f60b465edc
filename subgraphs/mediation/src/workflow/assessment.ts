/**
 * What the centre knows of a dispute's weight besides its category (研判): where it came from (the 12345 hotline with
 * its ticket, 接诉即办), its severity (一般/较大/重大), a risk of turning criminal (民转刑), whether it is a group
 * dispute (群体性, five people or more) and the leader who takes it in charge (包案). Set at the report and revised by
 * an assessment, an action of the state table like any other.
 */
import { GraphQLError } from 'graphql';
import type { AssessCaseInput, CaseLeaderInput } from '../__generated__/resolvers-types.ts';
import { checkText, InputErrorCode, optionalText } from './inputs.ts';
import { changeCase, type CaseChangeResult, type WorkflowContext } from './transaction.ts';

/** A 12345 ticket number as the hotline's systems issue them: digits, capital letters and hyphens. */
const HOTLINE_TICKET = /^[0-9A-Z][0-9A-Z-]{6,30}[0-9A-Z]$/;

/** Fewer people than this make no group dispute (群体性纠纷: 5人以上). */
export const GROUP_DISPUTE_MIN_HEAD_COUNT = 5;

export function checkHotlineTicket(value: string): string {
  const ticket = value.trim();
  if (!HOTLINE_TICKET.test(ticket)) {
    throw new GraphQLError('hotlineTicket must be 8 to 32 digits, capital letters and hyphens (12345 工单编号)', {
      extensions: { code: InputErrorCode.INVALID_HOTLINE_TICKET, argumentName: 'hotlineTicket' },
    });
  }
  return ticket;
}

export function checkHeadCount(value: number | null | undefined): number | null {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < GROUP_DISPUTE_MIN_HEAD_COUNT || value > 10_000) {
    throw new GraphQLError(`headCount of a group dispute is ${GROUP_DISPUTE_MIN_HEAD_COUNT} to 10000 people; omit it for other disputes`, {
      extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'headCount' },
    });
  }
  return value;
}

function checkLeader(leader: CaseLeaderInput | null | undefined): { leaderName: string; leaderPost: string } | null {
  if (leader == null) return null;
  return { leaderName: checkText(leader.name, 'leader.name', 50), leaderPost: checkText(leader.post, 'leader.post', 100) };
}

export function assessCase(ctx: WorkflowContext, input: AssessCaseInput): Promise<CaseChangeResult> {
  const headCount = checkHeadCount(input.headCount);
  const leader = checkLeader(input.leader);
  const note = optionalText(input.note, 'note', 500);
  return changeCase(ctx, 'ASSESS', input, async (_tx, current) => ({
    set: { severity: input.severity, criminalRisk: input.criminalRisk, headCount, ...(leader ?? { leaderName: null, leaderPost: null }) },
    toStatus: current.status,
    // The leader's name stays on the case, not in the feed other systems follow.
    details: { severity: input.severity, criminalRisk: input.criminalRisk, headCount, ...(note !== null ? { note } : {}) },
  }));
}
