import { mustExist, pageRequest, toConnection } from '@hub/core';
import type { PartyMemberResolvers } from '../__generated__/resolvers-types.ts';
import { POINTS_ENTRY_ID } from '../keys.ts';
import { activityOf, attendancePage } from '../pages.ts';

export const PartyMember: PartyMemberResolvers = {
  resident: (m) => ({ id: m.residentId }),
  probationary: (m) => m.fullMemberOn === null,
  branch: async (m, _, { loaders }) =>
    mustExist(await loaders.organizationById.load(m.organizationId), `the branch of member ${m.memberNumber}`),
  points: async (m, _, { loaders }) => (await loaders.pointsByResident.load(m.residentId)).balance,
  pointsLedger: async (m, args, { loaders }) => {
    const page = pageRequest('points-ledger', args, POINTS_ENTRY_ID);
    const [rows, summary] = await Promise.all([
      loaders.pointsPageByResident.load({ parent: m.residentId, filter: null, ...page }),
      loaders.pointsByResident.load(m.residentId),
    ]);
    return { ...toConnection('points-ledger', rows, page, (r) => r.id), totalCount: summary.entries };
  },
  activities: (m, args, context) =>
    attendancePage(
      'member-activities',
      args,
      (page) =>
        Promise.all([
          context.loaders.attendancePageByResident.load({ parent: m.residentId, filter: null, ...page }),
          context.loaders.attendanceCountsByResident.load(m.residentId).then((c) => c.total),
        ]),
      activityOf(context),
      `an activity member ${m.memberNumber} attended`,
    ),
};
