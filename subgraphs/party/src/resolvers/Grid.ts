import type { GridResolvers } from '../__generated__/resolvers-types.ts';
import { memberPage, reportInPage } from '../pages.ts';
import { partyMemberCounts, partyReportInCounts } from '../statistics.ts';

export const Grid: GridResolvers = {
  // Civil affairs owns grids; here a grid is only the code that branches serve.
  __resolveReference: ({ code }) => ({ code }),
  partyOrganizations: ({ code }, _, { loaders }) => loaders.organizationsByGrid.load(code),
  partyMembers: ({ code }, args, { loaders }) =>
    memberPage('grid-party-members', args, (page) =>
      Promise.all([
        loaders.memberPageByGrid.load({ parent: code, filter: null, ...page }),
        loaders.memberCountsByGrid.load(code).then((c) => c.total),
      ]),
    ),
  partyMemberCounts: async ({ code }, _, { loaders }) => partyMemberCounts(await loaders.memberCountsByGrid.load(code)),
  partyReportIns: ({ code }, args, { loaders }) =>
    reportInPage('grid-report-ins', args, (page) =>
      Promise.all([
        loaders.reportInPageByGrid.load({ parent: code, filter: null, ...page }),
        loaders.reportInCountsByGrid.load(code).then((c) => c.total),
      ]),
    ),
  partyReportInCounts: async ({ code }, _, { loaders }) => partyReportInCounts(await loaders.reportInCountsByGrid.load(code)),
};
