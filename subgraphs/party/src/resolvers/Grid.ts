import type { GridResolvers } from '../__generated__/resolvers-types.ts';
import { pageWithTotal } from '@hub/core';
import { VOLUNTEER_ID } from '../keys.ts';
import { memberPage, reportInPage } from '../pages.ts';
import { countsPublishedFor, partyMemberCounts, partyReportInCounts, volunteerCounts } from '../statistics.ts';

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
  partyReportInCounts: async ({ code }, _, { loaders, caller }) => partyReportInCounts(await loaders.reportInCountsByGrid.load(code), countsPublishedFor(caller)),
  volunteers: ({ code }, args, { loaders }) =>
    pageWithTotal({ kind: 'grid-volunteers', keyPattern: VOLUNTEER_ID, keyOf: (v) => v.id }, args, (page) =>
      Promise.all([
        loaders.volunteerPageByGrid.load({ parent: code, filter: null, ...page }),
        loaders.volunteerCountsByGrid.load(code).then((c) => c.total),
      ]),
    ),
  volunteerCounts: async ({ code }, _, { loaders, caller }) => {
    const [byRole, byMembership] = await Promise.all([loaders.volunteerCountsByGrid.load(code), loaders.memberVolunteerCountsByGrid.load(code)]);
    return volunteerCounts({ total: byRole.total, partyMembers: byMembership.by.true ?? 0, monitors: byRole.by.MONITOR ?? 0 }, countsPublishedFor(caller));
  },
};
