import { RequestLoader } from '@hub/core';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '@hub/audit-trail/db';
import { auditRecords, type AuditRecordRow } from '@hub/audit-trail/schema';

/** A page of one resident's audit trail: records before seq `after` (null: from the newest), at most `first + 1`. */
export interface TrailPageKey {
  residentId: string;
  first: number;
  after: number | null;
}

/** The request's loaders. Built per request, so nothing cached outlives the request that read it. */
export function createLoaders(db: Db) {
  return {
    /**
     * Pages of residents' audit trails: one statement for every resident asked with the same page size and cursor.
     * Each resident's page is a lateral subquery with its own LIMIT over the GIN index on `resident_ids`, so a much
     * read resident costs its page, not its whole trail.
     */
    auditTrailPageByResident: new RequestLoader<TrailPageKey, AuditRecordRow[], string>(
      async (keys) => {
        const groups = new Map<string, TrailPageKey[]>();
        for (const key of keys) {
          const group = `${key.first}|${key.after}`;
          const list = groups.get(group);
          if (list) list.push(key);
          else groups.set(group, [key]);
        }
        const pages = new Map<string, AuditRecordRow[]>();
        for (const [group, groupKeys] of groups) {
          const { first, after } = groupKeys[0]!;
          if (first === 0) continue;
          const residentIds = [...new Set(groupKeys.map((k) => k.residentId))];
          const trail = db
            .select({ seq: auditRecords.seq })
            .from(auditRecords)
            .where(
              and(
                sql`${auditRecords.residentIds} @> array[asked.resident_id]`,
                after !== null ? lt(auditRecords.seq, after) : undefined,
              ),
            )
            .orderBy(desc(auditRecords.seq))
            .limit(first + 1)
            .as('trail');
          const rows = await db
            // The ids as asked, not as PostgreSQL writes a uuid back (with hyphens).
            .select({ residentId: sql<string>`asked.resident_key`, record: auditRecords })
            .from(sql`unnest(${sql.param(residentIds)}::uuid[], ${sql.param(residentIds)}::text[]) as asked(resident_id, resident_key)`)
            .crossJoinLateral(trail)
            .innerJoin(auditRecords, eq(auditRecords.seq, trail.seq))
            .orderBy(sql`asked.resident_key`, desc(auditRecords.seq));
          for (const { residentId, record } of rows) {
            const pageKey = `${group}|${residentId}`;
            const page = pages.get(pageKey);
            if (page) page.push(record);
            else pages.set(pageKey, [record]);
          }
        }
        return keys.map((k) => pages.get(`${k.first}|${k.after}|${k.residentId}`) ?? []);
      },
      { cacheKeyFn: (k) => `${k.residentId}|${k.first}|${k.after}` },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
