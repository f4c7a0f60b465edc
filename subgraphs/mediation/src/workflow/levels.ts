/**
 * Handling levels (办理层级: 村居 → 镇街 → 区): a case the community cannot settle is reported up (上报/提级) before it
 * is resolved, by the centre or the lead unit, and a higher level may assign one down (交办/下沉); each with a reason,
 * one level at a time, on the timeline and in the feed.
 */
import { GraphQLError } from 'graphql';
import type { CaseLevel, ChangeCaseLevelInput } from '../__generated__/resolvers-types.ts';
import { checkText } from './inputs.ts';
import { WorkflowErrorCode } from './machine.ts';
import { changeCase, type CaseChangeResult, type WorkflowContext } from './transaction.ts';

export const LEVELS: readonly CaseLevel[] = ['COMMUNITY', 'STREET', 'DISTRICT'];

function changeLevel(ctx: WorkflowContext, input: ChangeCaseLevelInput, step: 1 | -1): Promise<CaseChangeResult> {
  const reason = checkText(input.reason, 'reason', 500);
  const action = step === 1 ? 'REPORT_UP' : 'ASSIGN_DOWN';
  return changeCase(ctx, action, input, async (_tx, current, now) => {
    const toLevel = LEVELS[LEVELS.indexOf(current.level) + step];
    if (toLevel === undefined) {
      throw new GraphQLError(
        step === 1 ? `case ${current.id} is handled at the district already: there is no level above` : `case ${current.id} is handled in the community already: there is no level below`,
        { extensions: { code: WorkflowErrorCode.LEVEL_LIMIT, caseId: current.id, level: current.level } },
      );
    }
    return {
      set: { level: toLevel, ...(step === 1 ? { reportedUpAt: now } : {}) },
      toStatus: current.status,
      unitCode: null,
      details: { note: reason, fromLevel: current.level, toLevel },
    };
  });
}

export const reportCaseUp = (ctx: WorkflowContext, input: ChangeCaseLevelInput) => changeLevel(ctx, input, 1);
export const assignCaseDown = (ctx: WorkflowContext, input: ChangeCaseLevelInput) => changeLevel(ctx, input, -1);
