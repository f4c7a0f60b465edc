import { columnPageOf } from '@hub/core';
import { CARE_RECORD_COLUMNS, careRecordColumnsPage } from '../db/care-columns.ts';
import type { CareRecordColumnsResolvers } from '../__generated__/resolvers-types.ts';

export const CareRecordColumns: CareRecordColumnsResolvers = {
  // A page's key says which grids, size and start it is, so a reference reads the same page again, in the caller's scope.
  __resolveReference: ({ page }, { db, scope }) => careRecordColumnsPage(db, scope, columnPageOf(page, CARE_RECORD_COLUMNS)),
};
