import { describe, expect, it } from 'vitest';
import { addMonths, chinaToday, daysBetween, overdueDays, redCardGraceDaysFromEnv, supervisionCard } from '../src/workflow/deadlines.ts';

describe('time limits', () => {
  it('adds calendar months, ending on the last day of a shorter month', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-03-31', 1)).toBe('2026-04-30');
    expect(addMonths('2026-12-15', 1)).toBe('2027-01-15');
    expect(addMonths('2026-12-31', 2)).toBe('2027-02-28');
    expect(addMonths('2026-02-28', 1)).toBe('2026-03-28');
    expect(addMonths('2026-11-26', 12)).toBe('2027-11-26');
  });

  it('counts the day in Beijing, not in UTC', () => {
    expect(chinaToday(new Date('2026-11-30T15:59:59Z'))).toBe('2026-11-30');
    expect(chinaToday(new Date('2026-11-30T16:00:00Z'))).toBe('2026-12-01');
    expect(daysBetween('2026-11-30', '2027-01-01')).toBe(32);
  });

  it('counts overdue days and cards only for cases still to be handled', () => {
    const due = { status: 'DISPATCHED', dueOn: '2026-11-30' };
    expect(overdueDays(due, '2026-11-30')).toBe(0);
    expect(overdueDays(due, '2026-12-01')).toBe(1);
    expect(supervisionCard(due, '2026-12-01', 5)).toBe('YELLOW');
    expect(supervisionCard(due, '2026-12-05', 5)).toBe('YELLOW');
    expect(supervisionCard(due, '2026-12-06', 5)).toBe('RED');
    expect(supervisionCard(due, '2026-12-01', 0)).toBe('RED');
    // Escalated cases run against the supervision office's time limit, so they are carded like any other.
    expect(supervisionCard({ status: 'ESCALATED', dueOn: '2026-11-30' }, '2026-12-01', 5)).toBe('YELLOW');
    for (const status of ['RESOLVED', 'CLOSED', 'REJECTED']) {
      expect(supervisionCard({ status, dueOn: '2026-11-30' }, '2027-01-01', 5)).toBeNull();
    }
  });

  it('reads the grace period from the environment, refusing anything but whole days', () => {
    expect(redCardGraceDaysFromEnv({})).toBe(5);
    expect(redCardGraceDaysFromEnv({ MEDIATION_RED_CARD_GRACE_DAYS: '10' })).toBe(10);
    expect(() => redCardGraceDaysFromEnv({ MEDIATION_RED_CARD_GRACE_DAYS: 'ten' })).toThrow(/MEDIATION_RED_CARD_GRACE_DAYS/);
    expect(() => redCardGraceDaysFromEnv({ MEDIATION_RED_CARD_GRACE_DAYS: '-1' })).toThrow(/MEDIATION_RED_CARD_GRACE_DAYS/);
  });
});
