/**
 * The one clock every "today" of the hub is read from: deadlines, overdue days and supervision cards, ages, permit
 * validity, filing limits, and the reference date the demo district is generated on. The district works by the
 * calendar of Asia/Shanghai (China Standard Time, UTC+8 all year, no daylight saving), so "today" is the date there,
 * not the server's.
 *
 * `HUB_TODAY=YYYY-MM-DD` pins the district's date (development only): the time of day runs on, the date stays, so a
 * demo can be shown as on the day it was seeded. Tests inject a clock instead and never read the calendar.
 */
import { toChinaTime } from './scalars.ts';

/** What time it is for a service. */
export type Clock = () => Date;

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether a string is a real calendar date, YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** The problem with a `HUB_TODAY` value, or undefined when it is a date the hub can run on. */
export function checkPinnedDate(value: string): string | undefined {
  if (!isIsoDate(value)) return 'must be a calendar date, YYYY-MM-DD';
  if (value < '2000-01-01' || value > '2039-12-31') return 'must lie between 2000-01-01 and 2039-12-31';
  return undefined;
}

// The last day asked and its date: every "today" of a request (an age per resident of a page) is the same day, and
// formatting it each time was a measurable part of a page's rows.
let lastDay = Number.NaN;
let lastDate = '';

/** The date in China (YYYY-MM-DD) at an instant. */
export function chinaDate(at: Date): string {
  const day = Math.floor((at.getTime() + CHINA_OFFSET_MS) / DAY_MS);
  // An invalid date (NaN) never equals the last day: it is formatted, and refused, as before.
  if (day !== lastDay) {
    lastDate = toChinaTime(at).slice(0, 10);
    lastDay = day;
  }
  return lastDate;
}

export const systemClock: Clock = () => new Date();

/**
 * A clock whose date in China is `date` and whose time of day is the real one: the same wall-clock time in Shanghai
 * on the pinned day.
 */
export function pinnedClock(date: string, real: Clock = systemClock): Clock {
  const problem = checkPinnedDate(date);
  if (problem) throw new Error(`HUB_TODAY ${problem}, got "${date}"`);
  const dayStart = Date.parse(`${date}T00:00:00Z`) - CHINA_OFFSET_MS;
  return () => {
    const now = real().getTime();
    const timeOfDay = (((now + CHINA_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
    return new Date(dayStart + timeOfDay);
  };
}

/** The hub's clock: the system clock, or its time of day on the date `HUB_TODAY` pins. */
export function hubClock(env: NodeJS.ProcessEnv = process.env): Clock {
  const pinned = env.HUB_TODAY;
  if (pinned === undefined || pinned === '') return systemClock;
  let clock = pinnedClocks.get(pinned);
  if (!clock) pinnedClocks.set(pinned, (clock = pinnedClock(pinned)));
  return clock;
}
/** A pinned clock per HUB_TODAY value, checked once rather than at every "today". */
const pinnedClocks = new Map<string, Clock>();

/** Today's date in China by a clock (the hub's by default). */
export const hubToday = (clock: Clock = hubClock()): string => chinaDate(clock());

/**
 * The hub's today as the instant 00:00 UTC of that date: what date arithmetic on UTC fields (ages) reads as the
 * district's calendar day.
 */
export function hubTodayUtc(clock: Clock = hubClock()): Date {
  const today = hubToday(clock);
  if (today !== lastUtcDate) {
    lastUtcMs = Date.parse(`${today}T00:00:00Z`);
    lastUtcDate = today;
  }
  // A Date of its own for every caller: Dates are mutable.
  return new Date(lastUtcMs);
}
let lastUtcDate = '';
let lastUtcMs = Number.NaN;
