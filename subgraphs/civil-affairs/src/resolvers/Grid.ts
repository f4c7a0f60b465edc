import { mustBeFound, ORGANIZATION_ID, pageWithTotal, totalOf } from '@hub/core';
import { organizationKind } from '../db/schema.ts';
import type { GridResolvers } from '../__generated__/resolvers-types.ts';
import { CARE_ID, DISABILITY_ID, WELFARE_ID } from '../keys.ts';
import { careCounts, welfareCounts, welfareTotal } from '../statistics.ts';

export const Grid: GridResolvers = {
  __resolveReference: ({ code }, { loaders }) => loaders.gridByCode.load(code),
  community: async (g, _, { loaders }) =>
    mustBeFound(await loaders.communityByCode.load(g.communityCode), 'Community', 'code', g.communityCode),
  street: async (g, _, { loaders }) => mustBeFound(await loaders.streetByCode.load(g.streetCode), 'Street', 'code', g.streetCode),
  workers: (g, _, { loaders }) => loaders.workersByGrid.load(g.code),
  organizations: ({ code }, args, { loaders }) =>
    pageWithTotal({ kind: 'grid-organizations', keyPattern: ORGANIZATION_ID, keyOf: (o) => o.id }, args, (page) =>
      Promise.all([
        loaders.organizationPageByGrid.load({ parent: code, filter: args.kind ?? null, ...page }),
        loaders.organizationCountsByGrid.load(code).then((counts) => totalOf(counts, args.kind)),
      ]),
    ),
  organizationCounts: async ({ code }, _, { loaders }) => {
    const counts = await loaders.organizationCountsByGrid.load(code);
    return {
      total: counts.total,
      byKind: organizationKind.enumValues.map((kind) => ({ kind, count: counts.by[kind] ?? 0 })),
    };
  },
  welfareRecipients: ({ code }, args, { loaders }) =>
    pageWithTotal({ kind: 'grid-welfare', keyPattern: WELFARE_ID, keyOf: (w) => w.id }, args, (page) =>
      Promise.all([
        loaders.welfarePageByGrid.load({ parent: code, filter: [args.kind ?? null, args.status ?? null, args.category ?? null], ...page }),
        loaders.welfareCountsByGrid(args.status ?? null).load(code).then((counts) => welfareTotal(counts, args.kind, args.category)),
      ]),
    ),
  welfareCounts: async ({ code }, { status }, { loaders }) => welfareCounts(await loaders.welfareCountsByGrid(status ?? null).load(code)),
  careRecords: ({ code }, args, { loaders }) =>
    pageWithTotal({ kind: 'grid-care', keyPattern: CARE_ID, keyOf: (c) => c.id }, args, (page) =>
      Promise.all([
        loaders.carePageByGrid.load({ parent: code, filter: [args.kind ?? null, args.includeEnded ?? false], ...page }),
        (args.includeEnded ? loaders.allCareCountsByGrid : loaders.careCountsByGrid).load(code).then((counts) => totalOf(counts, args.kind)),
      ]),
    ),
  careCounts: async ({ code }, _, { loaders }) => careCounts(await loaders.careCountsByGrid.load(code)),
  disabilityRecords: ({ code }, args, { loaders }) =>
    pageWithTotal({ kind: 'grid-disability', keyPattern: DISABILITY_ID, keyOf: (d) => d.id }, args, (page) =>
      Promise.all([
        loaders.disabilityPageByGrid.load({ parent: code, filter: null, ...page }),
        loaders.disabilityCountsByGrid.load(code).then((counts) => counts.total),
      ]),
    ),
};
