import { pageRequest, toConnection } from '@hub/core';
import { organizationKind } from '../db/schema.ts';
import type { GridResolvers } from '../__generated__/resolvers-types.ts';
import { ORGANIZATION_ID, WELFARE_ID } from './ids.ts';
import { found, welfareCounts } from './places.ts';

export const Grid: GridResolvers = {
  __resolveReference: ({ code }, { loaders }) => loaders.gridByCode.load(code),
  community: async (g, _, { loaders }) =>
    found(await loaders.communityByCode.load(g.communityCode), 'Community', g.communityCode),
  street: async (g, _, { loaders }) => found(await loaders.streetByCode.load(g.streetCode), 'Street', g.streetCode),
  workers: (g, _, { loaders }) => loaders.workersByGrid.load(g.code),
  organizations: async ({ code }, args, { loaders }) => {
    const page = pageRequest('grid-organizations', args, ORGANIZATION_ID);
    const kind = args.kind ?? null;
    const [rows, counts] = await Promise.all([
      loaders.organizationPageByGrid.load({ parent: code, filter: kind, ...page }),
      loaders.organizationCountsByGrid.load(code),
    ]);
    const connection = toConnection('grid-organizations', rows, page, (o) => o.id);
    return { ...connection, totalCount: kind ? (counts.by[kind] ?? 0) : counts.total };
  },
  organizationCounts: async ({ code }, _, { loaders }) => {
    const counts = await loaders.organizationCountsByGrid.load(code);
    return {
      total: counts.total,
      byKind: organizationKind.enumValues.map((kind) => ({ kind, count: counts.by[kind] ?? 0 })),
    };
  },
  welfareRecipients: async ({ code }, args, { loaders }) => {
    const page = pageRequest('grid-welfare', args, WELFARE_ID);
    const kind = args.kind ?? null;
    const status = args.status ?? null;
    const [rows, counts] = await Promise.all([
      loaders.welfarePageByGrid.load({ parent: code, filter: [kind, status], ...page }),
      loaders.welfareCountsByGrid(status).load(code),
    ]);
    const connection = toConnection('grid-welfare', rows, page, (w) => w.id);
    return { ...connection, totalCount: kind ? (counts.by[kind] ?? 0) : counts.total };
  },
  welfareCounts: async ({ code }, { status }, { loaders }) => welfareCounts(await loaders.welfareCountsByGrid(status ?? null).load(code)),
};
