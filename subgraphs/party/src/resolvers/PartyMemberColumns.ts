import { columnPageOf } from '@hub/core';
import { PARTY_MEMBER_COLUMNS, partyMemberColumnsPage } from '../db/member-columns.ts';
import type { PartyMemberColumnsResolvers } from '../__generated__/resolvers-types.ts';

export const PartyMemberColumns: PartyMemberColumnsResolvers = {
  // A page's key says which grids, size and start it is, so a reference reads the same page again, in the caller's scope.
  __resolveReference: ({ page }, { db, scope }) => partyMemberColumnsPage(db, scope, columnPageOf(page, PARTY_MEMBER_COLUMNS)),
};
