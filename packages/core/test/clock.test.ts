import { describe, expect, it } from 'vitest';
import { ageOn, chinaDate, checkPinnedDate, hubClock, hubToday, hubTodayUtc, pinnedClock, systemClock, type Clock } from '../src/index.ts';

const at = (iso: string): Clock => () => new Date(iso);

describe('the hub clock', () => {
  it("counts today by the date in Asia/Shanghai, not the server's", () => {
    // 16:30 UTC on 31 December is already 1 January in China.
    expect(chinaDate(new Date('2026-12-31T16:30:00Z'))).toBe('2027-01-01');
    expect(chinaDate(new Date('2026-12-31T15:59:59Z'))).toBe('2026-12-31');
    expect(hubToday(at('2026-12-31T16:30:00Z'))).toBe('2027-01-01');
    expect(hubTodayUtc(at('2026-12-31T16:30:00Z')).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('runs on the system clock unless HUB_TODAY pins the date', () => {
    expect(hubClock({})).toBe(systemClock);
    expect(hubClock({ HUB_TODAY: '' })).toBe(systemClock);
    expect(chinaDate(hubClock({ HUB_TODAY: '2026-11-01' })())).toBe('2026-11-01');
  });

  it('keeps the time of day on a pinned date', () => {
    const clock = pinnedClock('2026-11-01', at('2027-05-20T03:15:00Z'));
    // 03:15 UTC is 11:15 in Shanghai; on the pinned day that is 2026-11-01T03:15Z.
    expect(clock().toISOString()).toBe('2026-11-01T03:15:00.000Z');
    const late = pinnedClock('2026-11-01', at('2027-05-20T17:00:00Z'));
    // 01:00 on 21 May in Shanghai becomes 01:00 on the pinned day.
    expect(chinaDate(late())).toBe('2026-11-01');
    expect(late().toISOString()).toBe('2026-10-31T17:00:00.000Z');
  });

  it('refuses a pinned date that is not a date', () => {
    expect(checkPinnedDate('2026-11-01')).toBeUndefined();
    for (const bad of ['2026-02-30', '2026-1-1', 'today', '1999-12-31', '2040-01-01']) expect(checkPinnedDate(bad), bad).toBeDefined();
    expect(() => hubClock({ HUB_TODAY: '2026-13-01' })).toThrow(/HUB_TODAY must be a calendar date/);
  });

  it("counts ages on the hub's today", () => {
    expect(ageOn('2000-01-01', hubTodayUtc(at('2025-12-31T16:00:00Z')))).toBe(26);
    expect(ageOn('2000-01-01', hubTodayUtc(at('2025-12-31T15:59:00Z')))).toBe(25);
  });
});
