/**
 * The deadline rules of a case and the time they are counted in: the workflow's clock, the calendar day in China,
 * the mediation time limit, when a case is overdue and which supervision card (督办) it earns.
 */
import { chinaDate } from '@hub/core';

/**
 * What time it is for the workflow: the hub's clock (packages/core/src/clock.ts, the real date in Asia/Shanghai or
 * the one `HUB_TODAY` pins); tests inject their own so that deadlines and cards can be checked on any day, including
 * month ends.
 */
export { systemClock, type Clock } from '@hub/core';

/** Today's date where the departments work (China Standard Time): time limits and "overdue" are counted on it. */
export const chinaToday = (now: Date): string => chinaDate(now);

const DAY_MS = 86_400_000;

/** A YYYY-MM-DD date some days later (or earlier, for negative days). */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from one YYYY-MM-DD date to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/**
 * A YYYY-MM-DD date some calendar months later, on the same day of the month or, where that month is shorter, on
 * its last day: a one-month time limit from 31 January ends on 28 (or 29) February, not on 3 March.
 */
export function addMonths(isoDate: string, months: number): string {
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target.toISOString().slice(0, 10);
}

/** Mediation is normally finished within one month (人民调解一般在一个月内调结). */
export const MEDIATION_TIME_LIMIT_MONTHS = 1;

/**
 * Statuses in which someone still has to act before the time limit: overdue and cards count only these. Escalated
 * cases have the supervision office's time limit (提级督办时限), so they cannot stall unseen either.
 */
export const DEADLINE_STATUSES = ['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'ESCALATED'] as const;
const deadlineStatuses = new Set<string>(DEADLINE_STATUSES);

/**
 * Days past the time limit, 0 when the case is not overdue: it is still to be handled (reported, accepted, dispatched,
 * in progress or escalated) and its time limit lies before today; resolved,
 * closed and refused ones have no time limit left. The same rule in SQL is `overdueSql` in loaders.ts.
 */
export function overdueDays(c: { status: string; dueOn: string }, today: string): number {
  if (!deadlineStatuses.has(c.status) || c.dueOn >= today) return 0;
  return daysBetween(c.dueOn, today);
}

export const isOverdue = (c: { status: string; dueOn: string }, today: string): boolean => overdueDays(c, today) > 0;

/** The red card's grace period after the yellow card, in days, unless configured (MEDIATION_RED_CARD_GRACE_DAYS). */
export const DEFAULT_RED_CARD_GRACE_DAYS = 5;

export type SupervisionCard = 'YELLOW' | 'RED';

/**
 * Supervision cards (督办): an overdue case gets a yellow card from the first day past its time limit and a red card
 * once it is more than `graceDays` days past it.
 */
export function supervisionCard(c: { status: string; dueOn: string }, today: string, graceDays: number): SupervisionCard | null {
  const days = overdueDays(c, today);
  if (days === 0) return null;
  return days > graceDays ? 'RED' : 'YELLOW';
}

/**
 * A whole number of days from the value of the environment variable `name`, `min` to `max`, or the default when unset.
 * Callers read the variable themselves (as `env.MEDIATION_WARNING_DAYS`), so the configuration test sees every read.
 */
export function daysFromEnv(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const days = Number(value);
  if (!Number.isInteger(days) || days < min || days > max) throw new Error(`${name} must be a whole number of days from ${min} to ${max}, got "${value}"`);
  return days;
}

/** The grace period from the environment, checked: a whole number of days from 0 to 365. */
export const redCardGraceDaysFromEnv = (env: NodeJS.ProcessEnv = process.env): number =>
  daysFromEnv(env.MEDIATION_RED_CARD_GRACE_DAYS, 'MEDIATION_RED_CARD_GRACE_DAYS', DEFAULT_RED_CARD_GRACE_DAYS, 0, 365);
