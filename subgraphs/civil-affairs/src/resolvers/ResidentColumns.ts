import { columnPageIds } from '@hub/core';
import { activeWelfareKindsColumn } from '../db/resident-columns.ts';
import type { ResidentColumnsResolvers } from '../__generated__/resolvers-types.ts';

export const ResidentColumns: ResidentColumnsResolvers = {
  // Public security owns the page; the gateway brings its ids along (`@requires(fields: "ids")`).
  __resolveReference: ({ page, ids }) => ({ page, ids: columnPageIds(ids) }),
  activeWelfareKinds: ({ ids }, _, { db, scope }) => activeWelfareKindsColumn(db, scope, ids),
};
