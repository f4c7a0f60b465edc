import { checkResidentId, pageRequest, toConnection } from '@hub/core';
import type { ResidentResolvers } from '../__generated__/resolvers-types.ts';
import { SEQ_KEY } from '../keys.ts';

export const Resident: ResidentResolvers = {
  // Public security owns residents; here a resident is only the hub id that audit records name.
  __resolveReference: ({ id }) => ({ id }),
  auditTrail: async ({ id }, args, { loaders }) => {
    const page = pageRequest('audit-trail', args, SEQ_KEY);
    const rows = await loaders.auditTrailPageByResident.load({
      residentId: checkResidentId(id),
      first: page.first,
      after: page.after === null ? null : Number(page.after),
    });
    return toConnection('audit-trail', rows, page, (r) => String(r.seq));
  },
};
