import { columnPageIds } from '@hub/core';
import { residentAttributeColumns } from '../db/resident-columns.ts';
import type { PartyMemberColumnsResolvers } from '../__generated__/resolvers-types.ts';

export const PartyMemberColumns: PartyMemberColumnsResolvers = {
  // The party owns the page; the gateway brings its hub ids along (`@requires(fields: "residentIds")`), and the three
  // columns come from one statement.
  __resolveReference: ({ page, residentIds }, { db, scope }) => residentAttributeColumns(db, scope, page, columnPageIds(residentIds)),
};
