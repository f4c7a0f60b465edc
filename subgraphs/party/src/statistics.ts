import { partyMemberStatus } from './db/schema.ts';
import type { PartyMemberCounts, PartyMemberStatus, PartyReportInCounts, ReportInKind } from './__generated__/resolvers-types.ts';

/** `PartyMemberCounts` of a grid or a place from its counts by standing: every standing, zeros included. */
export function partyMemberCounts(counts: { total: number; by: Partial<Record<PartyMemberStatus, number>> }): PartyMemberCounts {
  return {
    total: counts.total,
    byStatus: partyMemberStatus.enumValues.map((status) => ({ status, count: counts.by[status] ?? 0 })),
  };
}

/** `PartyReportInCounts` of a grid or a place from its counts by kind. */
export function partyReportInCounts(counts: { total: number; by: Partial<Record<ReportInKind, number>> }): PartyReportInCounts {
  return { total: counts.total, inService: counts.by.IN_SERVICE ?? 0, floating: counts.by.FLOATING ?? 0 };
}
