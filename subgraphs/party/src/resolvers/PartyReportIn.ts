import { mustExist } from '@hub/core';
import type { PartyReportInResolvers } from '../__generated__/resolvers-types.ts';

export const PartyReportIn: PartyReportInResolvers = {
  resident: (r) => ({ id: r.residentId }),
  organization: async (r, _, { loaders }) => mustExist(await loaders.organizationById.load(r.organizationId), `party organization ${r.organizationId}`),
  grid: (r) => ({ code: r.gridCode }),
};
