import type { KeyPersonCategory, PopulationCounts, PopulationType, ResidenceSeparationCounts, ResidenceStatus, SpecialGroupCounts } from './__generated__/resolvers-types.ts';

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

/** `ResidenceSeparationCounts` of a grid from its counts by 人户分离 status; people with no hukou count in none. */
export function residenceSeparationCounts(counts: { by: Partial<Record<ResidenceStatus, number>> }): ResidenceSeparationCounts {
  return {
    residentAndRegistered: counts.by.RESIDENT_AND_REGISTERED ?? 0,
    residentNotRegistered: counts.by.RESIDENT_NOT_REGISTERED ?? 0,
    registeredNotResident: counts.by.REGISTERED_NOT_RESIDENT ?? 0,
  };
}

/** `SpecialGroupCounts` of a grid: key persons per special group, a person on two lists counted under both. */
export function specialGroupCounts(by: Partial<Record<KeyPersonCategory, number>>): SpecialGroupCounts {
  return {
    communityCorrection: by.COMMUNITY_CORRECTION ?? 0,
    releasedPrisoner: by.RELEASED_PRISONER ?? 0,
    severeMentalDisorder: by.SEVERE_MENTAL_DISORDER ?? 0,
    drugUser: by.DRUG_USER ?? 0,
    keyYouth: by.KEY_YOUTH ?? 0,
    aidsRisk: by.AIDS_RISK ?? 0,
  };
}
