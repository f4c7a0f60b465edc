import { byPlaceLevel, keyBatch, rowByKey, rowsByKey, lazyLoaders, pageByParent, tallyByPlace, RequestLoader, type PlaceLevel } from '@hub/core';
import type { CaseScope } from './db/case-scope.ts';
import type { SQL, SQLWrapper } from 'drizzle-orm';
import { and, asc, count, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from './db/index.ts';
import {
  agreements,
  caseEvents,
  caseParties,
  caseParts,
  cases,
  caseTimeLimitExtensions,
  followUps,
  mediationCommittees,
  mediationRecords,
  mediators,
  supervisionAccountability,
  supervisionNotices,
  type MediationRecordRow,
  type MediatorRow,
} from './db/schema.ts';
import type { CaseCategory, CaseLevel, CaseStatus } from './__generated__/resolvers-types.ts';
import { addDays, DEADLINE_STATUSES } from './workflow/deadlines.ts';

/** The filter of a case list: both optional. */
export interface CaseFilter {
  status: CaseStatus | null;
  category: CaseCategory | null;
}

/** A grid's cases counted per (status, category) cell; every total a grid's lists and counts need sums these. */
export interface CaseTally {
  cells: { status: CaseStatus; category: CaseCategory; level: CaseLevel; count: number; overdue: number }[];
}

/** `isOverdue` of workflow/deadlines.ts, in SQL. */
export const overdueSql = (today: string | SQLWrapper) => and(inArray(cases.status, [...DEADLINE_STATUSES]), lt(cases.dueOn, today));

/** `supervisionCard(...) === 'YELLOW'` of workflow/deadlines.ts, in SQL: overdue by 1 to `graceDays` days. */
export const yellowCardSql = (today: string, graceDays: number) =>
  and(overdueSql(today), gte(cases.dueOn, addDays(today, -graceDays)));

/** `supervisionCard(...) === 'RED'` of workflow/deadlines.ts, in SQL: overdue by more than `graceDays` days. */
export const redCardSql = (today: string, graceDays: number) =>
  and(inArray(cases.status, [...DEADLINE_STATUSES]), lt(cases.dueOn, addDays(today, -graceDays)));

export const caseFilterSql = ({ status, category }: CaseFilter) =>
  and(status ? eq(cases.status, status) : undefined, category ? eq(cases.category, category) : undefined);

/**
 * The request's loaders. Built per request, so nothing cached outlives the request that read it. Cases outside the
 * caller's row rule (a grid worker's grids, a unit's cases: db/case-scope.ts) are filtered in the same statements:
 * they load as null, lists and counts leave them out. A case's parties, sessions and agreement are reached only
 * through a case.
 */
export function createLoaders(db: Db, scope: CaseScope, today: string, redCardGraceDays: number) {
  const caseScope = scope.cases;
  return lazyLoaders({
    caseById: () => rowByKey(db, cases, cases.id, (r) => r.id, caseScope),
    caseByIncidentId: () => rowByKey(db, cases, cases.incidentId, (r) => r.incidentId ?? '', caseScope),
    casesByHouse: () => rowsByKey(db, cases, cases.houseCode, cases.id, (r) => r.houseCode ?? '', caseScope),
    casesByGroupRental: () => rowsByKey(db, cases, cases.groupRentalId, cases.id, (r) => r.groupRentalId ?? '', caseScope),
    /** A resident's party rows; the cases themselves then come through `caseById`. */
    partiesByResident: () => rowsByKey(db, caseParties, caseParties.residentId, caseParties.caseId, (r) => r.residentId ?? ''),
    partiesByCase: () => rowsByKey(db, caseParties, caseParties.caseId, caseParties.position, (r) => r.caseId),
    recordsByCase: () => recordsByCase(db),
    followUpsByCase: () => rowsByKey(db, followUps, followUps.caseId, followUps.position, (r) => r.caseId),
    agreementByCase: () => rowByKey(db, agreements, agreements.caseId, (r) => r.caseId),
    supervisionNoticesByCase: () => rowsByKey(db, supervisionNotices, supervisionNotices.caseId, supervisionNotices.id, (r) => r.caseId),
    supervisionNoticeById: () => rowByKey<typeof supervisionNotices, number>(db, supervisionNotices, supervisionNotices.id, (r) => r.id),
    accountabilityByNotice: () => rowsByKey<typeof supervisionAccountability, number>(
      db,
      supervisionAccountability,
      supervisionAccountability.noticeId,
      supervisionAccountability.position,
      (r) => r.noticeId,
    ),
    mediatorById: () => rowByKey(db, mediators, mediators.id, (r) => r.id),
    mediatorsByCommittee: () => rowsByKey(db, mediators, mediators.committeeId, mediators.id, (r) => r.committeeId),
    committeeById: () => rowByKey(db, mediationCommittees, mediationCommittees.organizationId, (r) => r.organizationId),
    /** A page of a grid's cases; one statement for every grid asked with the same page and filter. */
    casePageByGrid: () => pageByParent<typeof cases, CaseFilter>({
      db,
      table: cases,
      parentColumn: cases.gridCode,
      orderColumn: cases.id,
      parentOf: (r) => r.gridCode,
      where: (filter) => and(caseScope, caseFilterSql(filter)),
    }),
    caseTallyByGrid: () => caseTallyByGrid(db, caseScope, today),
    /** The same tally for communities, streets and the district: one statement per level, over their grids' code ranges. */
    caseTallyByPlace: () => byPlaceLevel((level) => caseTallyByPlace(db, level, caseScope, today)),
    /** A case's events in version order: its timeline. */
    eventsByCase: () => rowsByKey(db, caseEvents, caseEvents.caseId, caseEvents.caseVersion, (r) => r.caseId),
    caseFiguresByGrid: () => caseFiguresByGridLoader(db, caseScope, today, redCardGraceDays),
    /** Every unit's part of every dispatch of a case, by round (reached only through a case the caller sees). */
    partsByCase: () => rowsByKey(db, caseParts, caseParts.caseId, caseParts.round, (r) => r.caseId),
    extensionsByCase: () => rowsByKey(db, caseTimeLimitExtensions, caseTimeLimitExtensions.caseId, caseTimeLimitExtensions.position, (r) => r.caseId),
  });
}

/** A mediation session with the mediator who held it. */
export type RecordWithMediator = MediationRecordRow & { mediator: MediatorRow | null };

/**
 * A case's sessions joined to their mediators in the same statement: sessions are never shown without who held
 * them, and a separate mediator look-up would run or not depending on what `Case.mediator` had already cached.
 */
function recordsByCase(db: Db) {
  return new RequestLoader<string, RecordWithMediator[]>(async (caseIds) => {
    const rows = await db
      .select({ record: mediationRecords, mediator: mediators })
      .from(mediationRecords)
      .leftJoin(mediators, eq(mediators.id, mediationRecords.mediatorId))
      .where(inArray(mediationRecords.caseId, [...caseIds]))
      .orderBy(asc(mediationRecords.caseId), asc(mediationRecords.position));
    const byCase = new Map<string, RecordWithMediator[]>();
    for (const { record, mediator } of rows) {
      const list = byCase.get(record.caseId);
      if (list) list.push({ ...record, mediator });
      else byCase.set(record.caseId, [{ ...record, mediator }]);
    }
    return caseIds.map((id) => byCase.get(id) ?? []);
  });
}

/**
 * Per grid, the number of cases in each (status, category) cell and how many of them are overdue: one statement
 * for any number of grids, from which both `Grid.caseCounts` and the totals of filtered `Grid.cases` are summed.
 */
function caseTallyByGrid(db: Db, scope: SQL | undefined, today: string) {
  // One prepared statement per shape of the caller's scope, today's date a value of each execution.
  const tallyOf = keyBatch(
    db,
    'mediation.caseTallyByGrid',
    scope,
    (keysIn, condition, value) =>
      db
        .select({
          gridCode: cases.gridCode,
          status: cases.status,
          category: cases.category,
          level: cases.level,
          count: count(),
          overdue: sql<number>`count(*) filter (where ${overdueSql(value('today') as string | SQLWrapper)})`.mapWith(Number),
        })
        .from(cases)
        .where(and(keysIn(cases.gridCode), condition))
        .groupBy(cases.gridCode, cases.status, cases.category, cases.level),
    { today },
  );
  return new RequestLoader<string, CaseTally>(async (gridCodes) => {
    const rows = await tallyOf(gridCodes);
    const byGrid = new Map<string, CaseTally>();
    for (const { gridCode, ...cell } of rows) {
      const tally = byGrid.get(gridCode);
      if (tally) tally.cells.push(cell);
      else byGrid.set(gridCode, { cells: [cell] });
    }
    return gridCodes.map((code) => byGrid.get(code) ?? { cells: [] });
  });
}

/** Per community, street or district, the cells of `caseTallyByGrid` over the place's grids: one statement a batch. */
function caseTallyByPlace(db: Db, level: PlaceLevel, scope: SQL | undefined, today: string) {
  const tally = tallyByPlace<{ place: string } & CaseTally['cells'][number]>(
    db,
    level,
    (place) => sql`select ${place.code} as place, ${cases.status} as status, ${cases.category} as category, ${cases.level} as level,
        count(*)::int as count, (count(*) filter (where ${overdueSql(today)}))::int as overdue
      from ${place.from} join ${cases} on ${place.contains(cases.gridCode)}
      ${scope ? sql`where ${scope}` : sql``}
      group by 1, 2, 3, 4`,
  );
  return new RequestLoader<string, CaseTally>(async (codes) =>
    (await tally.loadMany(codes)).map((rows) =>
      rows instanceof Error ? rows : { cells: rows.map(({ status, category, level, count, overdue }) => ({ status, category, level, count, overdue })) },
    ),
  );
}

/** The figures of `CaseFigures` for one group of cases (a grid, a department). */
export interface CaseFigureRow {
  received: number;
  dispatched: number;
  acknowledged: number;
  meanHoursToAcknowledge: number | null;
  resolved: number;
  meanDaysToResolve: number | null;
  overdue: number;
  yellowCards: number;
  redCards: number;
  handedBack: number;
  followUps: number;
  satisfiedFollowUps: number;
  fromHotline: number;
  significant: number;
  major: number;
  criminalRisk: number;
  groupDisputes: number;
  groupHeadCount: number;
  withLeader: number;
  visitedCases: number;
  satisfiedCases: number;
  basicallySatisfiedCases: number;
  dissatisfiedCases: number;
  satisfactionRate: number | null;
}

/** A period of receipt, as dates in China Standard Time, both included; either end open. */
export interface Period {
  from: string | null;
  to: string | null;
}

/** Cases received within a period: its days begin at midnight in China Standard Time. */
export const receivedWithin = ({ from, to }: Period) =>
  and(
    from !== null ? gte(cases.receivedAt, new Date(`${from}T00:00:00+08:00`)) : undefined,
    to !== null ? lt(cases.receivedAt, new Date(`${addDays(to, 1)}T00:00:00+08:00`)) : undefined,
  );

/** A case some unit handed back at least once (退单). */
export const handedBackSql = sql`exists (select 1 from ${caseParts} where ${caseParts.caseId} = ${cases.id} and ${caseParts.status} = 'HANDED_BACK')`;

/** Visits per case, to join to cases so that figures count each case once and its visits all. */
const visitsPerCase = (db: Db) =>
  db
    .select({
      caseId: followUps.caseId,
      visits: sql<number>`count(*)`.as('visits'),
      satisfied: sql<number>`count(*) filter (where ${followUps.level} <> 'DISSATISFIED')`.as('satisfied'),
      // A case counts by its latest visit: dissatisfied and then satisfied is a satisfied case.
      latest: sql<string>`(array_agg(${followUps.level}::text order by ${followUps.position} desc))[1]`.as('latest'),
    })
    .from(followUps)
    .groupBy(followUps.caseId)
    .as('visits_per_case');

/**
 * The case-handling figures of groups of cases in one statement: `group` is the column the groups are told apart
 * by (grid code, assigned department), `where` what else limits the cases.
 */
export async function caseFigures(
  db: Db,
  group: typeof cases.gridCode | typeof cases.assignedDepartment | typeof cases.level,
  where: SQL | undefined,
  today: string,
  graceDays: number,
): Promise<Map<string, CaseFigureRow>> {
  const visits = visitsPerCase(db);
  const number = (expression: SQL) => sql<number>`${expression}`.mapWith(Number);
  const rows = await db
    .select({
      key: group,
      received: count(),
      dispatched: count(cases.dispatchedAt),
      acknowledged: count(cases.acknowledgedAt),
      meanHoursToAcknowledge: sql<number | null>`avg(extract(epoch from ${cases.acknowledgedAt} - ${cases.dispatchedAt}) / 3600)`,
      resolved: count(cases.resolvedAt),
      meanDaysToResolve: sql<number | null>`avg(extract(epoch from ${cases.resolvedAt} - ${cases.receivedAt}) / 86400)`,
      overdue: number(sql`count(*) filter (where ${overdueSql(today)})`),
      yellowCards: number(sql`count(*) filter (where ${yellowCardSql(today, graceDays)})`),
      redCards: number(sql`count(*) filter (where ${redCardSql(today, graceDays)})`),
      handedBack: number(sql`count(*) filter (where ${handedBackSql})`),
      followUps: number(sql`coalesce(sum(${visits.visits}), 0)`),
      satisfiedFollowUps: number(sql`coalesce(sum(${visits.satisfied}), 0)`),
      fromHotline: number(sql`count(*) filter (where ${cases.source} = 'HOTLINE_12345')`),
      significant: number(sql`count(*) filter (where ${cases.severity} = 'SIGNIFICANT')`),
      major: number(sql`count(*) filter (where ${cases.severity} = 'MAJOR')`),
      criminalRisk: number(sql`count(*) filter (where ${cases.criminalRisk})`),
      groupDisputes: number(sql`count(${cases.headCount})`),
      groupHeadCount: number(sql`coalesce(sum(${cases.headCount}), 0)`),
      withLeader: number(sql`count(${cases.leaderName})`),
      visitedCases: number(sql`count(${visits.latest})`),
      satisfiedCases: number(sql`count(*) filter (where ${visits.latest} = 'SATISFIED')`),
      basicallySatisfiedCases: number(sql`count(*) filter (where ${visits.latest} = 'BASICALLY_SATISFIED')`),
      dissatisfiedCases: number(sql`count(*) filter (where ${visits.latest} = 'DISSATISFIED')`),
    })
    .from(cases)
    .leftJoin(visits, eq(visits.caseId, cases.id))
    .where(where)
    .groupBy(group);
  const round = (n: number | null, digits: number) => (n === null ? null : Number(Number(n).toFixed(digits)));
  return new Map(
    rows.map(({ key, ...r }) => [
      String(key),
      {
        ...r,
        meanHoursToAcknowledge: round(r.meanHoursToAcknowledge, 2),
        meanDaysToResolve: round(r.meanDaysToResolve, 2),
        satisfactionRate: r.visitedCases === 0 ? null : round((r.satisfiedCases + r.basicallySatisfiedCases) / r.visitedCases, 4),
      },
    ]),
  );
}

export const NO_CASES: CaseFigureRow = {
  received: 0,
  dispatched: 0,
  acknowledged: 0,
  meanHoursToAcknowledge: null,
  resolved: 0,
  meanDaysToResolve: null,
  overdue: 0,
  yellowCards: 0,
  redCards: 0,
  handedBack: 0,
  followUps: 0,
  satisfiedFollowUps: 0,
  fromHotline: 0,
  significant: 0,
  major: 0,
  criminalRisk: 0,
  groupDisputes: 0,
  groupHeadCount: 0,
  withLeader: 0,
  visitedCases: 0,
  satisfiedCases: 0,
  basicallySatisfiedCases: 0,
  dissatisfiedCases: 0,
  satisfactionRate: null,
};

/** Figures per grid, one statement for every grid asked with the same period. */
function caseFiguresByGridLoader(db: Db, scope: SQL | undefined, today: string, graceDays: number) {
  return new RequestLoader<{ gridCode: string; period: Period }, CaseFigureRow, string>(
    async (keys) => {
      const byPeriod = new Map<string, { period: Period; grids: string[] }>();
      for (const { gridCode, period } of keys) {
        const tag = `${period.from}|${period.to}`;
        const entry = byPeriod.get(tag) ?? { period, grids: [] };
        entry.grids.push(gridCode);
        byPeriod.set(tag, entry);
      }
      const results = new Map<string, CaseFigureRow>();
      await Promise.all(
        [...byPeriod].map(async ([tag, { period, grids }]) => {
          const figures = await caseFigures(db, cases.gridCode, and(inArray(cases.gridCode, grids), receivedWithin(period), scope), today, graceDays);
          for (const grid of grids) results.set(`${tag}|${grid}`, figures.get(grid) ?? NO_CASES);
        }),
      );
      return keys.map(({ gridCode, period }) => results.get(`${period.from}|${period.to}|${gridCode}`) ?? NO_CASES);
    },
    { cacheKeyFn: ({ gridCode, period }) => `${period.from}|${period.to}|${gridCode}` },
  );
}

export type Loaders = ReturnType<typeof createLoaders>;
