import { checkLength, checkResidentId, pageRequest, toConnection } from '@hub/core';
import type { AuditRecordRow } from '@hub/audit-trail/schema';
import { auditRecordPage } from '../db/queries.ts';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { SEQ_KEY, USER_ID_MAX, checkTimeRange } from '../keys.ts';

export const Query: QueryResolvers = {
  auditRecords: async (_, args, { db }) => {
    const page = pageRequest('audit', args, SEQ_KEY);
    if (args.userId != null) checkLength(args.userId, 'userId', USER_ID_MAX);
    if (args.residentId != null) checkResidentId(args.residentId, 'residentId');
    const { from, to } = checkTimeRange(args.from, args.to);
    if (page.first === 0) return toConnection<AuditRecordRow>('audit', [], page, (r) => String(r.seq));
    const filter = { userId: args.userId ?? null, residentId: args.residentId ?? null, eventType: args.eventType ?? null, from, to };
    const rows = await auditRecordPage(db, filter, page);
    return toConnection('audit', rows, page, (r) => String(r.seq));
  },
  auditChainStatus: async (_, __, { audit }) => ({
    ...(await audit.verifyChain()),
    retentionDays: audit.retentionDays,
    checkedAt: new Date(),
  }),
};
