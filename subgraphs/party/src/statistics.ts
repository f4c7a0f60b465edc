import { suppressCount, suppressParts, type Caller } from '@hub/core';
import { partyMemberStatus } from './db/schema.ts';
import type { PartyMemberCounts, PartyMemberStatus, PartyReportInCounts, ReportInKind, VolunteerCounts } from './__generated__/resolvers-types.ts';

/**
 * Whether a caller gets a place's report-in and volunteer counts as published (小数抑制), by the datasets' rule
 * (`report-ins-by-community`, `volunteers-by-community`): a caller without party:read reads them on statistics:read
 * alone and sees none of the people counted, so a count of 1 to 4 would point at them. A caller with party:read may
 * list those people (`Grid.partyReportIns`, `Grid.volunteers`), so hiding their count would hide nothing.
 */
export const countsPublishedFor = (caller: Pick<Caller, 'scopes'>): boolean => !caller.scopes.includes('party:read');

/** `PartyMemberCounts` of a grid or a place from its counts by standing: every standing, zeros included. */
export function partyMemberCounts(counts: { total: number; by: Partial<Record<PartyMemberStatus, number>> }): PartyMemberCounts {
  return {
    total: counts.total,
    byStatus: partyMemberStatus.enumValues.map((status) => ({ status, count: counts.by[status] ?? 0 })),
  };
}

/**
 * `PartyReportInCounts` of a grid or a place from its counts by kind; `published`: 1 to 4 null, and the other kind
 * with a kind hidden alone, since the total less one kind gives the other.
 */
export function partyReportInCounts(counts: { total: number; by: Partial<Record<ReportInKind, number>> }, published: boolean): PartyReportInCounts {
  const inService = counts.by.IN_SERVICE ?? 0;
  const floating = counts.by.FLOATING ?? 0;
  if (!published) return { total: counts.total, inService, floating };
  const [shownInService, shownFloating] = suppressParts([inService, floating]);
  return { total: suppressCount(counts.total), inService: shownInService ?? null, floating: shownFloating ?? null };
}

/** `VolunteerCounts` of a grid; `published` as `partyReportInCounts`, party members and the others being the parts. */
export function volunteerCounts(counts: { total: number; partyMembers: number; monitors: number }, published: boolean): VolunteerCounts {
  if (!published) return counts;
  const [partyMembers] = suppressParts([counts.partyMembers, counts.total - counts.partyMembers]);
  return { total: suppressCount(counts.total), partyMembers: partyMembers ?? null, monitors: suppressCount(counts.monitors) };
}
