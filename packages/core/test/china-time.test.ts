import { describe, expect, it } from 'vitest';
import { chinaTimeWriter, toChinaTime } from '../src/scalars.ts';

describe("chinaTimeWriter, a column page's instants", () => {
  it('writes them as toChinaTime writes them, across days, midnights, fractions and the years around', () => {
    const chinaTime = chinaTimeWriter();
    const instants = [
      '2026-11-30T15:59:59.999Z', // 23:59:59 in Beijing, the fraction dropped
      '2026-11-30T16:00:00.000Z', // the next day's midnight
      '2026-12-31T16:00:00.001Z', // a new year
      '2028-02-28T16:30:00Z', // a leap day
      '1970-01-01T00:00:00Z',
      '1969-12-31T15:59:59.999Z', // before 1970, a negative time
      '1900-03-01T00:00:00Z',
      '0001-01-01T00:00:00Z', // the first day toISOString writes with four digits, in UTC but not yet in Beijing
      '9999-12-31T15:59:59Z',
      '9999-12-31T16:00:00Z', // a year past 9999 in Beijing: the other form, as toChinaTime writes it
    ].map((text) => new Date(text));
    // And a spread of instants over the years cases span, each twice (the day's text is kept once made).
    for (let i = 0; i < 2000; i++) instants.push(new Date(Date.UTC(2015, 0, 1) + Math.floor(((i * 7919) % 2000) * 157_680_000_000 / 2000) + i * 37));
    for (const instant of [...instants, ...instants]) expect(chinaTime(instant)).toBe(toChinaTime(instant));
  });
});
