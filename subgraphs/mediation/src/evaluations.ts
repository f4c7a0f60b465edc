/**
 * 双向评议: each month the centre evaluates every unit it dispatches to, and each unit evaluates the centre. One
 * evaluation per month, direction and unit, held by a unique index: the same evaluation sent again (a retry) returns
 * the first, a different one is refused, so nothing is overwritten or counted twice.
 */
import { and, eq } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import type { MediationContext } from './context.ts';
import { caseDepartment, unitEvaluations, type UnitEvaluationRow } from './db/schema.ts';
import type { RecordUnitEvaluationInput } from './__generated__/resolvers-types.ts';
import { checkText, InputErrorCode } from './workflow/inputs.ts';
import { callerDepartment, WorkflowErrorCode } from './workflow/machine.ts';

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function checkPeriod(period: string, today: string): string {
  if (!PERIOD.test(period) || period > today.slice(0, 7)) {
    throw new GraphQLError(`period must be a month, YYYY-MM, not after this month (${today.slice(0, 7)}), got "${period}"`, {
      extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'period' },
    });
  }
  return period;
}

export async function recordUnitEvaluation(ctx: MediationContext, input: RecordUnitEvaluationInput): Promise<UnitEvaluationRow> {
  const period = checkPeriod(input.period, ctx.today);
  const comment = checkText(input.comment, 'comment', 1000);
  if (!Number.isInteger(input.score) || input.score < 0 || input.score > 100) {
    throw new GraphQLError('score must be a whole number from 0 to 100', { extensions: { code: InputErrorCode.INVALID_INPUT, argumentName: 'score' } });
  }
  const scopes = new Set<string>(ctx.caller.scopes);
  const entitled =
    input.direction === 'CENTRE_OF_UNIT'
      ? scopes.has('case:write') || scopes.has('case:supervise')
      : scopes.has('case:respond') && callerDepartment(ctx.caller) === input.department;
  if (!entitled) {
    throw new GraphQLError(
      input.direction === 'CENTRE_OF_UNIT'
        ? 'the centre evaluates a unit (case:write or case:supervise)'
        : `only ${input.department} itself evaluates the centre in its name (case:respond)`,
      { extensions: { code: WorkflowErrorCode.FORBIDDEN, direction: input.direction, department: input.department } },
    );
  }
  const values = { period, direction: input.direction, department: input.department, level: input.level, score: input.score, comment };
  const [inserted] = await ctx.db
    .insert(unitEvaluations)
    .values({ ...values, evaluatedBy: ctx.caller.userId, evaluatedAt: ctx.clock() })
    .onConflictDoNothing()
    .returning();
  if (inserted) return inserted;
  const [existing] = await ctx.db
    .select()
    .from(unitEvaluations)
    .where(and(eq(unitEvaluations.period, period), eq(unitEvaluations.direction, input.direction), eq(unitEvaluations.department, input.department)));
  if (!existing) throw new Error('an evaluation vanished under its unique index');
  const same = existing.level === values.level && existing.score === values.score && existing.comment === values.comment && existing.evaluatedBy === ctx.caller.userId;
  if (same) return existing;
  throw new GraphQLError(`${input.department}'s ${input.direction} evaluation of ${period} is recorded already`, {
    extensions: { code: WorkflowErrorCode.ALREADY_EVALUATED, period, direction: input.direction, department: input.department },
  });
}

export async function evaluationsOf(ctx: MediationContext, period: string) {
  const month = checkPeriod(period, ctx.today);
  const rows = await ctx.db.select().from(unitEvaluations).where(eq(unitEvaluations.period, month));
  const find = (department: string, direction: UnitEvaluationRow['direction']) => rows.find((r) => r.department === department && r.direction === direction) ?? null;
  return caseDepartment.enumValues.map((department) => ({
    department,
    centreOfUnit: find(department, 'CENTRE_OF_UNIT'),
    unitOfCentre: find(department, 'UNIT_OF_CENTRE'),
  }));
}
