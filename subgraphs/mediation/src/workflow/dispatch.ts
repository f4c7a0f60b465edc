/**
 * Dispatch (派单): a case goes to a department with a deadline (from the centre; an escalated one from the
 * supervision office), or on to another department, and the department reports that it has taken it up (报到).
 */
import type { AcknowledgeCaseInput, DispatchCaseInput } from '../__generated__/resolvers-types.ts';
import { checkDeadline, optionalText } from './inputs.ts';
import { changeCase, type CaseChangeResult, type WorkflowContext } from './transaction.ts';

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
