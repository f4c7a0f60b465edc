import { partyMemberStatus } from './db/schema.ts';
import type { PartyMemberCounts, PartyMemberStatus } from './__generated__/resolvers-types.ts';

/** `PartyMemberCounts` of a grid or a place from its counts by standing: every standing, zeros included. */
export function partyMemberCounts(counts: { total: number; by: Partial<Record<PartyMemberStatus, number>> }): PartyMemberCounts {
  return {
    total: counts.total,
    byStatus: partyMemberStatus.enumValues.map((status) => ({ status, count: counts.by[status] ?? 0 })),
  };
}
