import { columnPageIds } from '@hub/core';
import { residentAttributeColumns } from '../db/resident-columns.ts';
import type { CareRecordColumnsResolvers } from '../__generated__/resolvers-types.ts';

export const CareRecordColumns: CareRecordColumnsResolvers = {
  // Civil affairs owns the page; the gateway brings its hub ids along (`@requires(fields: "residentIds")`).
  __resolveReference: ({ page, residentIds }, { db, scope }) => residentAttributeColumns(db, scope, page, columnPageIds(residentIds)),
};
