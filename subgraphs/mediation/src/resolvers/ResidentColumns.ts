import { columnPageIds } from '@hub/core';
import { openCaseCountColumn } from '../db/resident-columns.ts';
import type { ResidentColumnsResolvers } from '../__generated__/resolvers-types.ts';

export const ResidentColumns: ResidentColumnsResolvers = {
  // Public security owns the page; the gateway brings its ids along (`@requires(fields: "ids")`).
  __resolveReference: ({ page, ids }) => ({ page, ids: columnPageIds(ids) }),
  openCaseCounts: ({ ids }, _, { db, caseScope }) => openCaseCountColumn(db, caseScope, ids),
};
