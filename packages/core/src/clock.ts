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

/** The date in China (YYYY-MM-DD) at an instant. */
export const chinaDate = (at: Date): string => toChinaTime(at).slice(0, 10);

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
  return pinned === undefined || pinned === '' ? systemClock : pinnedClock(pinned);
}

/** Today's date in China by a clock (the hub's by default). */
export const hubToday = (clock: Clock = hubClock()): string => chinaDate(clock());

/**
 * The hub's today as the instant 00:00 UTC of that date: what date arithmetic on UTC fields (ages) reads as the
 * district's calendar day.
 */
export const hubTodayUtc = (clock: Clock = hubClock()): Date => new Date(`${hubToday(clock)}T00:00:00Z`);
