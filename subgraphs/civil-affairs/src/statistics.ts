import type { WelfareCounts, WelfareKind } from './__generated__/resolvers-types.ts';

/** `WelfareCounts` of a grid or a place from its counts by kind; kinds it has none of count zero. */
export function welfareCounts(counts: { total: number; by: Partial<Record<WelfareKind, number>> }): WelfareCounts {
  return {
    total: counts.total,
    minimumLiving: counts.by.MINIMUM_LIVING ?? 0,
    extremePoverty: counts.by.EXTREME_POVERTY ?? 0,
    disabilityLiving: counts.by.DISABILITY_LIVING ?? 0,
    disabilityCare: counts.by.DISABILITY_CARE ?? 0,
    oldAge: counts.by.OLD_AGE ?? 0,
  };
}
