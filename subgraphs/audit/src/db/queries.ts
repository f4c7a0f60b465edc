import type { PageRequest } from '@hub/core';
import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from '@hub/audit-trail/db';
import { auditRecords } from '@hub/audit-trail/schema';
import type { AuditEventType } from '../__generated__/resolvers-types.ts';

export interface AuditRecordFilter {
  userId: string | null;
  residentId: string | null;
  eventType: AuditEventType | null;
  from: Date | null;
  to: Date | null;
}

/** The newest records first, before the cursor's seq, `first + 1` at the most. */
export const auditRecordPage = (db: Db, filter: AuditRecordFilter, page: PageRequest) =>
  db
    .select()
    .from(auditRecords)
    .where(
      and(
        filter.userId != null ? eq(auditRecords.userId, filter.userId) : undefined,
        filter.residentId != null ? sql`${auditRecords.residentIds} @> array[${filter.residentId}]::uuid[]` : undefined,
        filter.eventType != null ? eq(auditRecords.eventType, filter.eventType) : undefined,
        filter.from ? gte(auditRecords.occurredAt, filter.from) : undefined,
        filter.to ? lt(auditRecords.occurredAt, filter.to) : undefined,
        page.after !== null ? lt(auditRecords.seq, Number(page.after)) : undefined,
      ),
    )
    .orderBy(desc(auditRecords.seq))
    .limit(page.first + 1);
