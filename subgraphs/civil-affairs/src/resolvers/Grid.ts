import { ErrorCode, inputError, mustBeFound, ORGANIZATION_ID, pageWithTotal, totalOf } from '@hub/core';
import { organizationKind } from '../db/schema.ts';
import type { AssistanceKind, GridResolvers } from '../__generated__/resolvers-types.ts';
import type { AssistanceGrantRow, GridRow } from '../db/schema.ts';
import type { CivilAffairsContext } from '../context.ts';
import { ASSISTANCE_ID, CARE_ID, DISABILITY_ID, WELFARE_ID } from '../keys.ts';
import { assistanceTotalsPublishedFor, assistanceYearTotals, careCounts, welfareCounts, welfareTotal } from '../statistics.ts';

/** A year filter: a calendar year the ledgers can hold, else INVALID_DATE_RANGE. */
function checkYear(year: number | null | undefined): number | null {
  if (year == null) return null;
  if (year < 1990 || year > 2100) throw inputError(ErrorCode.INVALID_DATE_RANGE, `year must be from 1990 to 2100, got ${year}`, { argumentName: 'year' });
  return year;
}

/** A page of a grid's grants of one kind, with their total over all pages. */
function assistancePage(kind: AssistanceKind, { code }: GridRow, args: { year?: number | null; first?: number | null; after?: string | null }, { loaders }: CivilAffairsContext) {
  const year = checkYear(args.year);
  return pageWithTotal({ kind: `grid-assistance-${kind.toLowerCase()}`, keyPattern: ASSISTANCE_ID, keyOf: (a: AssistanceGrantRow) => a.id }, args, (page) =>
    Promise.all([
      loaders.assistancePageByGrid.load({ parent: code, filter: [kind, year], ...page }),
      loaders.assistanceCountsByGrid(kind, year).load(code).then((counts) => counts.total),
    ]),
  );
}

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
  temporaryAssistance: (grid, args, context) => assistancePage('TEMPORARY', grid, args, context),
  medicalAssistance: (grid, args, context) => assistancePage('MEDICAL', grid, args, context),
  assistanceTotals: async ({ code }, _, { loaders, caller }) => assistanceYearTotals(await loaders.assistanceTotalsByGrid.load(code), assistanceTotalsPublishedFor(caller)),
  disabilityRecords: ({ code }, args, { loaders }) =>
    pageWithTotal({ kind: 'grid-disability', keyPattern: DISABILITY_ID, keyOf: (d) => d.id }, args, (page) =>
      Promise.all([
        loaders.disabilityPageByGrid.load({ parent: code, filter: null, ...page }),
        loaders.disabilityCountsByGrid.load(code).then((counts) => counts.total),
      ]),
    ),
};
