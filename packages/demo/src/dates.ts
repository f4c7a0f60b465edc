/**
 * Calendar days as integers (day 0 = 1900-01-01) with precomputed strings: a million birth dates are formatted
 * by table look-up instead of building Date objects.
 *
 * "Today" of the generated district is its reference date, the same for the whole process, so that a district is a
 * function of (seed, size, reference date) and never of the moment it is generated: the launcher seeds with the hub's
 * today (`HUB_DEMO_REFERENCE_DATE`, set from the hub's clock, see packages/core/src/clock.ts), so a demo seeded on any
 * day looks like a centre at work on that day; unset (tests, benchmarks, the default export) it is the canonical
 * 2026-11-01 and the district is the same on every day.
 */
const DAY_MS = 86_400_000;
const EPOCH_MS = Date.UTC(1900, 0, 1);

/** The reference date the generator was written against: its fixed dates (founding years, terms) lie before it. */
export const CANONICAL_REFERENCE_DATE = '2026-11-01';
/** The latest reference date: the generator looks up to ten years ahead (permits, terms) within its calendar table. */
export const LATEST_REFERENCE_DATE = '2030-12-31';

/** The reference date a `HUB_DEMO_REFERENCE_DATE` value gives, checked: a real date between the two bounds. */
export function referenceDateOf(value: string | undefined): string {
  if (value === undefined || value === '') return CANONICAL_REFERENCE_DATE;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const inRange = match !== null && value >= CANONICAL_REFERENCE_DATE && value <= LATEST_REFERENCE_DATE;
  if (!inRange || isoOf(dayOf(Number(match[1]), Number(match[2]), Number(match[3]))) !== value) {
    throw new RangeError(
      `HUB_DEMO_REFERENCE_DATE must be a date from ${CANONICAL_REFERENCE_DATE} to ${LATEST_REFERENCE_DATE} (YYYY-MM-DD), got "${value}"`,
    );
  }
  return value;
}

export function dayOf(year: number, month: number, day: number): number {
  return Math.round((Date.UTC(year, month - 1, day) - EPOCH_MS) / DAY_MS);
}

const LAST_DAY = dayOf(2040, 12, 31);

const ISO: string[] = [];
const YEARS = new Uint16Array(LAST_DAY + 1);
const MONTHS = new Uint8Array(LAST_DAY + 1);
const DAYS = new Uint8Array(LAST_DAY + 1);
{
  let y = 1900;
  let m = 1;
  let d = 1;
  for (let i = 0; i <= LAST_DAY; i++) {
    YEARS[i] = y;
    MONTHS[i] = m;
    DAYS[i] = d;
    ISO.push(`${y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`);
    if (++d > daysInMonth(y, m)) {
      d = 1;
      if (++m > 12) {
        m = 1;
        y++;
      }
    }
  }
}

export const REFERENCE_DATE = referenceDateOf(process.env.HUB_DEMO_REFERENCE_DATE);

/** The reference day ("today"); every generated date of birth or event lies strictly before it unless noted. */
export const REF_DAY = dayOf(...(REFERENCE_DATE.split('-').map(Number) as [number, number, number]));

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function checkDay(day: number): void {
  if (!Number.isInteger(day) || day < 0 || day > LAST_DAY) throw new RangeError(`day ${day} out of the calendar table`);
}

export function isoOf(day: number): string {
  checkDay(day);
  return ISO[day] as string;
}

export function yearOf(day: number): number {
  checkDay(day);
  return YEARS[day] as number;
}

/** The same month and day k years later (29 February becomes 28 February). */
export function addYears(day: number, years: number): number {
  checkDay(day);
  const y = (YEARS[day] as number) + years;
  const m = MONTHS[day] as number;
  return dayOf(y, m, Math.min(DAYS[day] as number, daysInMonth(y, m)));
}

/** Whole years of age on the reference date. */
export function ageOn(birthDay: number, onDay = REF_DAY): number {
  checkDay(birthDay);
  checkDay(onDay);
  let age = (YEARS[onDay] as number) - (YEARS[birthDay] as number);
  const beforeBirthday =
    (MONTHS[onDay] as number) < (MONTHS[birthDay] as number) ||
    (MONTHS[onDay] === MONTHS[birthDay] && (DAYS[onDay] as number) < (DAYS[birthDay] as number));
  if (beforeBirthday) age--;
  return age;
}

/** The same day of the month n months later (clipped to the month's last day). */
export function addMonths(day: number, months: number): number {
  checkDay(day);
  const total = (YEARS[day] as number) * 12 + (MONTHS[day] as number) - 1 + months;
  const y = Math.floor(total / 12);
  const m = (total % 12) + 1;
  return dayOf(y, m, Math.min(DAYS[day] as number, daysInMonth(y, m)));
}

export function monthOf(day: number): number {
  checkDay(day);
  return MONTHS[day] as number;
}

/** A moment as minutes since day 0, formatted as ISO 8601 in China Standard Time, e.g. 2026-03-04T09:30:00+08:00. */
export function dateTimeOf(minutes: number): string {
  const day = Math.floor(minutes / 1440);
  const m = minutes - day * 1440;
  const hh = Math.floor(m / 60);
  const mm = m % 60;
  return `${isoOf(day)}T${hh < 10 ? '0' : ''}${hh}:${mm < 10 ? '0' : ''}${mm}:00+08:00`;
}
