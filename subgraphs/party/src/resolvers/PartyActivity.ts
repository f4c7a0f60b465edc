import { mustExist } from '@hub/core';
import type { PartyActivityResolvers } from '../__generated__/resolvers-types.ts';
import { attendancePage, memberOf } from '../pages.ts';

export const PartyActivity: PartyActivityResolvers = {
  // Numbers masked for everyone; withheld from callers with names masked (the party keeps no names to find in it).
  title: (a, _, { masks }) => masks.text(a.title),
  organization: async (a, _, { loaders }) =>
    mustExist(await loaders.organizationById.load(a.organizationId), `the organization holding activity ${a.id}`),
  attendeeCount: async (a, _, { loaders }) => (await loaders.attendanceCountsByActivity.load(a.id)).total,
  attendees: (a, args, context) =>
    attendancePage(
      'activity-attendees',
      args,
      (page) =>
        Promise.all([
          context.loaders.attendancePageByActivity.load({ parent: a.id, filter: null, ...page }),
          context.loaders.attendanceCountsByActivity.load(a.id).then((c) => c.total),
        ]),
      memberOf(context),
      `a member who attended activity ${a.id}`,
    ),
};
