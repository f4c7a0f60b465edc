import { pageWithTotal } from '@hub/core';
import type { PartyOrganizationResolvers } from '../__generated__/resolvers-types.ts';
import { ACTIVITY_ID } from '../keys.ts';
import { memberPage, reportInPage } from '../pages.ts';

export const PartyOrganization: PartyOrganizationResolvers = {
  // The directory entry is civil affairs'; the party organization shares its id.
  organization: (o) => ({ id: o.id }),
  parent: (o, _, { loaders }) => (o.parentId === null ? null : loaders.organizationById.load(o.parentId)),
  children: (o, _, { loaders }) => loaders.organizationsByParent.load(o.id),
  servesGrid: (o) => (o.servesGridCode === null ? null : { code: o.servesGridCode }),
  servesCommunity: (o) => ({ code: o.servesCommunityCode }),
  secretary: (o) => (o.secretaryId === null ? null : { id: o.secretaryId }),
  members: (o, args, { loaders }) =>
    memberPage('organization-members', args, (page) =>
      Promise.all([
        loaders.memberPageByOrganization.load({ parent: o.id, filter: null, ...page }),
        loaders.memberCountsByOrganization.load(o.id).then((c) => c.total),
      ]),
    ),
  memberCount: (o, _, { loaders }) => loaders.memberCountUnder.load(o.id),
  reportIns: (o, args, { loaders }) =>
    reportInPage('organization-report-ins', args, (page) =>
      Promise.all([
        loaders.reportInPageByOrganization.load({ parent: o.id, filter: null, ...page }),
        loaders.reportInCountsByOrganization.load(o.id).then((c) => c.total),
      ]),
    ),
  activities: (o, args, { loaders }) =>
    pageWithTotal({ kind: 'organization-activities', keyPattern: ACTIVITY_ID, keyOf: (r) => r.id }, args, (page) =>
      Promise.all([
        loaders.activityPageByOrganization.load({ parent: o.id, filter: null, ...page }),
        loaders.activityCountsByOrganization.load(o.id).then((counts) => counts.total),
      ]),
    ),
};
