import { columnFor, gridScopeWhere, rowsOfKeys, type RowScope } from '@hub/core';
import { and } from 'drizzle-orm';
import type { Db } from './index.ts';
import { partyMembers } from './schema.ts';

/** Each resident's member type (null for non-members and members outside the caller's grids): one named statement on the primary key (`rowsOfKeys`). */
export async function partyMemberStatusColumn(db: Db, scope: RowScope, ids: readonly string[]) {
  if (ids.length === 0) return [];
  const rows = await rowsOfKeys(db, 'party-member-statuses', ids, gridScopeWhere(scope, partyMembers.gridCode), (among, where) =>
    db
      .select({ residentId: partyMembers.residentId, status: partyMembers.status })
      .from(partyMembers)
      .where(and(among(partyMembers.residentId), where)),
  );
  return columnFor<(typeof rows)[number], (typeof rows)[number]['status'] | null>(ids, rows, (r) => r.residentId, (_, r) => r.status, () => null);
}
