import { checkLength, checkResidentId, pageRequest, toConnection } from '@hub/core';
import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import { auditRecords, type AuditRecordRow } from '@hub/audit-trail/schema';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { checkTimeRange, SEQ_KEY, USER_ID_MAX } from './ids.ts';

export const Query: QueryResolvers = {
  auditRecords: async (_, args, { db }) => {
    const page = pageRequest('audit', args, SEQ_KEY);
    if (args.userId != null) checkLength(args.userId, 'userId', USER_ID_MAX);
    if (args.residentId != null) checkResidentId(args.residentId, 'residentId');
    const { from, to } = checkTimeRange(args.from, args.to);
    if (page.first === 0) return toConnection<AuditRecordRow>('audit', [], page, (r) => String(r.seq));
    const rows = await db
      .select()
      .from(auditRecords)
      .where(
        and(
          args.userId != null ? eq(auditRecords.userId, args.userId) : undefined,
          args.residentId != null ? sql`${auditRecords.residentIds} @> array[${args.residentId}]::uuid[]` : undefined,
          args.eventType != null ? eq(auditRecords.eventType, args.eventType) : undefined,
          from ? gte(auditRecords.occurredAt, from) : undefined,
          to ? lt(auditRecords.occurredAt, to) : undefined,
          page.after !== null ? lt(auditRecords.seq, Number(page.after)) : undefined,
        ),
      )
      .orderBy(desc(auditRecords.seq))
      .limit(page.first + 1);
    return toConnection('audit', rows, page, (r) => String(r.seq));
  },
  auditChainStatus: async (_, __, { audit }) => ({
    ...(await audit.verifyChain()),
    retentionDays: audit.retentionDays,
    checkedAt: new Date(),
  }),
};
