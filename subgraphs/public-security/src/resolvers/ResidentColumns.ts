import { columnPageOf } from '@hub/core';
import { residentColumnsPage } from '../db/resident-columns.ts';
import type { ResidentColumnsResolvers } from '../__generated__/resolvers-types.ts';

export const ResidentColumns: ResidentColumnsResolvers = {
  // A page's key says which grids, size and start it is, so a reference reads the same page again, in the caller's scope.
  __resolveReference: ({ page }, { db, scope }) => residentColumnsPage(db, scope, columnPageOf(page)),
};
