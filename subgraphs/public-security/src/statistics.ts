import type { PopulationCounts, PopulationType } from './__generated__/resolvers-types.ts';

/** `PopulationCounts` of a grid or a place from its counts by type; types it has none of count zero. */
export function populationCounts(counts: { total: number; by: Partial<Record<PopulationType, number>> }): PopulationCounts {
  return {
    total: counts.total,
    registered: counts.by.REGISTERED ?? 0,
    floating: counts.by.FLOATING ?? 0,
    overseas: counts.by.OVERSEAS ?? 0,
    unsettled: counts.by.UNSETTLED ?? 0,
  };
}
