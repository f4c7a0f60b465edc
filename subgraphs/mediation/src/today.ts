import { toChinaTime } from '@hub/core';

/** Today's date where the departments work (China Standard Time): time limits and "overdue" are counted on it. */
export const chinaToday = (now = new Date()) => toChinaTime(now).slice(0, 10);

/** A YYYY-MM-DD date some days later. */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A case is overdue while it is neither resolved nor refused and its time limit has passed. The same rule in SQL
 * (for counts) is `overdueSql` in loaders.ts.
 */
export function isOverdue(c: { status: string; resolvedAt: Date | null; dueOn: string }, today = chinaToday()): boolean {
  return c.resolvedAt === null && c.status !== 'REJECTED' && c.dueOn < today;
}
