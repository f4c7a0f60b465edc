import { columnPageKeys, columnPageOf, RequestCode } from '@hub/core';
import { CASE_COLUMNS, caseColumnsPage, disputeCountColumn } from '../db/case-columns.ts';
import type { CaseColumnsResolvers, GroupRentalColumnsResolvers } from '../__generated__/resolvers-types.ts';

/** Group-rental record id (housing's): QZ, the grid code, a 3-digit sequence. */
const GROUP_RENTAL_ID = /^QZ\d{18}$/;

export const CaseColumns: CaseColumnsResolvers = {
  // A page's key says which grids, size and start it is, so a reference reads the same page again, in the caller's scope.
  __resolveReference: ({ page }, ctx) => caseColumnsPage(ctx, columnPageOf(page, CASE_COLUMNS)),
};

export const GroupRentalColumns: GroupRentalColumnsResolvers = {
  // Housing owns the page; the gateway brings its group-rental ids along (`@requires(fields: "ids")`).
  __resolveReference: ({ page, ids }) => ({ page, ids: columnPageKeys(ids, (id) => GROUP_RENTAL_ID.test(id), RequestCode.INVALID_REPRESENTATION, 'group-rental ids') }),
  // As `GroupRental.disputes` counts them (the caller's case rule applies), counted in the statement.
  disputeCounts: ({ ids }, _, { db, caseScope }) => disputeCountColumn(db, caseScope, ids),
};

