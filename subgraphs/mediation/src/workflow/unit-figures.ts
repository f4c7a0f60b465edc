/**
 * The units' figures (单位办件统计): each unit's parts of the dispatches of the cases received in a period, counted
 * by how they stand, and the open parts past their deadline. A unit of the directory without parts counts zeros.
 */
import { and, count, eq, sql } from 'drizzle-orm';
import type { CaseScope } from '../db/case-scope.ts';
import type { Db } from '../db/index.ts';
import { caseParts, cases } from '../db/schema.ts';
import { receivedWithin, type Period } from '../loaders.ts';

export interface UnitPartFigureRow {
  lead: number;
  coHandler: number;
  acknowledged: number;
  finished: number;
  handedBack: number;
  closedOut: number;
  open: number;
  overdue: number;
}

export const NO_PARTS: UnitPartFigureRow = { lead: 0, coHandler: 0, acknowledged: 0, finished: 0, handedBack: 0, closedOut: 0, open: 0, overdue: 0 };

export async function unitPartFigures(db: Db, scope: CaseScope, period: Period, today: string): Promise<Map<string, UnitPartFigureRow>> {
  const n = (condition: ReturnType<typeof sql>) => sql<number>`count(*) filter (where ${condition})`.mapWith(Number);
  const open = sql`${caseParts.status} in ('DISPATCHED', 'ACKNOWLEDGED')`;
  const rows = await db
    .select({
      unit: caseParts.unitCode,
      lead: n(sql`${caseParts.role} = 'LEAD'`),
      coHandler: n(sql`${caseParts.role} = 'CO_HANDLER'`),
      acknowledged: count(caseParts.acknowledgedAt),
      finished: n(sql`${caseParts.status} = 'FINISHED'`),
      handedBack: n(sql`${caseParts.status} = 'HANDED_BACK'`),
      closedOut: n(sql`${caseParts.status} = 'CLOSED_OUT'`),
      open: n(open),
      overdue: n(sql`${open} and ${caseParts.dueOn} < ${today}`),
    })
    .from(caseParts)
    .innerJoin(cases, eq(cases.id, caseParts.caseId))
    .where(and(scope.cases, receivedWithin(period)))
    .groupBy(caseParts.unitCode);
  return new Map(rows.map(({ unit, ...figures }) => [unit, figures]));
}
