import { anyOf, communityPageCursor, inScope, suppressCount, suppressParts, suppressSum, type CommunityPageRequest, type RowScope } from '@hub/core';
import { eq, sql } from 'drizzle-orm';
import type { Db } from './index.ts';
import { partyReportIns, postClaims, volunteers } from './schema.ts';

/** Counts per community, as read, before suppression. */
interface ReportInFigures {
  reportIns: number;
  inService: number;
  floating: number;
  claimedPosts: number;
  claimingMembers: number;
  servingMembers: number;
  hours: number;
}
interface VolunteerFigures {
  volunteers: number;
  teams: number;
  partyMembers: number;
  others: number;
  monitors: number;
  hours: number;
}

const community = (column: typeof partyReportIns.gridCode | typeof volunteers.gridCode) => sql<string>`left(${column}, 12)`;
const count = sql<number>`count(*)::int`;

/** 双报到 members per community of `grids`, with the posts they claimed and the hours they served: three grouped statements. */
async function reportInFigures(db: Db, grids: string[]): Promise<Map<string, ReportInFigures>> {
  const byCommunity = new Map<string, ReportInFigures>();
  const of = (code: string) => {
    let f = byCommunity.get(code);
    if (!f) byCommunity.set(code, (f = { reportIns: 0, inService: 0, floating: 0, claimedPosts: 0, claimingMembers: 0, servingMembers: 0, hours: 0 }));
    return f;
  };
  if (grids.length === 0) return byCommunity;
  const where = anyOf(partyReportIns.gridCode, grids);
  const [kinds, claims, serving] = await Promise.all([
    db
      .select({ community: community(partyReportIns.gridCode), kind: partyReportIns.kind, n: count })
      .from(partyReportIns)
      .where(where)
      .groupBy(sql`1`, partyReportIns.kind),
    // Posts claimed by members who report in, counted where they live (the report-in's grid).
    db
      .select({ community: community(partyReportIns.gridCode), posts: count, members: sql<number>`count(distinct ${postClaims.residentId})::int` })
      .from(postClaims)
      .innerJoin(partyReportIns, eq(partyReportIns.residentId, postClaims.residentId))
      .where(where)
      .groupBy(sql`1`),
    db
      .select({ community: community(partyReportIns.gridCode), members: count, hours: sql<number>`coalesce(sum(${volunteers.serviceHours}), 0)::float8` })
      .from(volunteers)
      .innerJoin(partyReportIns, eq(partyReportIns.residentId, volunteers.residentId))
      .where(where)
      .groupBy(sql`1`),
  ]);
  for (const k of kinds) {
    const f = of(k.community);
    f.reportIns += k.n;
    if (k.kind === 'IN_SERVICE') f.inService = k.n;
    else f.floating = k.n;
  }
  for (const c of claims) Object.assign(of(c.community), { claimedPosts: c.posts, claimingMembers: c.members });
  for (const s of serving) Object.assign(of(s.community), { servingMembers: s.members, hours: s.hours });
  return byCommunity;
}

/** The volunteer register per community of `grids`: one grouped statement. */
async function volunteerFigures(db: Db, grids: string[]): Promise<Map<string, VolunteerFigures>> {
  if (grids.length === 0) return new Map();
  const rows = await db
    .select({
      community: community(volunteers.gridCode),
      volunteers: count,
      teams: sql<number>`count(distinct ${volunteers.team})::int`,
      partyMembers: sql<number>`(count(*) filter (where ${volunteers.partyMember}))::int`,
      monitors: sql<number>`(count(*) filter (where ${volunteers.role} = 'MONITOR'))::int`,
      hours: sql<number>`coalesce(sum(${volunteers.serviceHours}), 0)::float8`,
    })
    .from(volunteers)
    .where(anyOf(volunteers.gridCode, grids))
    .groupBy(sql`1`);
  return new Map(rows.map((r) => [r.community, { volunteers: r.volunteers, teams: r.teams, partyMembers: r.partyMembers, others: r.volunteers - r.partyMembers, monitors: r.monitors, hours: r.hours }]));
}

/** What `PartyCommunityColumns` resolves from: the page's communities and its two groups of figures, each read when first asked. */
export interface PartyCommunityColumnsPage {
  communityCodes: string[];
  firstGridCodes: string[];
  reportIns: () => Promise<PublishedReportIns>;
  volunteers: () => Promise<PublishedVolunteers>;
  hasNextPage: boolean;
  endCursor: string | null;
}

export type PublishedReportIns = Record<'reportIns' | 'inServiceReportIns' | 'floatingReportIns' | 'claimedPosts' | 'claimingMembers' | 'servingMembers' | 'hoursServed', (number | null)[]>;
export type PublishedVolunteers = Record<'volunteers' | 'volunteerTeams' | 'partyMemberVolunteers' | 'nonPartyVolunteers' | 'monitors' | 'volunteerHours', (number | null)[]>;

const once = <T>(read: () => Promise<T>) => {
  let promise: Promise<T> | undefined;
  return () => (promise ??= read());
};

/**
 * A page of communities: those of the asked grids after the cursor, each counted over its asked grids in the caller's
 * row scope (a grid worker's community figures are those of their grids), suppressed as the type says.
 */
export function partyCommunityColumnsPage(db: Db, scope: RowScope, request: CommunityPageRequest): PartyCommunityColumnsPage {
  const page = request.communities.slice(0, request.first);
  const hasNextPage = request.communities.length > request.first;
  const grids = page.flatMap((c) => c.gridCodes).filter((g) => inScope(scope, g));
  const codes = page.map((c) => c.code);
  return {
    communityCodes: codes,
    firstGridCodes: page.map((c) => c.gridCodes[0] as string),
    hasNextPage,
    endCursor: page.length > 0 ? communityPageCursor(codes.at(-1) as string) : null,
    reportIns: once(async () => {
      const figures = await reportInFigures(db, grids);
      const published: PublishedReportIns = { reportIns: [], inServiceReportIns: [], floatingReportIns: [], claimedPosts: [], claimingMembers: [], servingMembers: [], hoursServed: [] };
      for (const code of codes) {
        const f = figures.get(code);
        const [inService, floating] = suppressParts([f?.inService ?? 0, f?.floating ?? 0]);
        published.reportIns.push(suppressCount(f?.reportIns ?? 0));
        published.inServiceReportIns.push(inService ?? null);
        published.floatingReportIns.push(floating ?? null);
        // Posts are counted by the people who claimed them: a handful of claims is a handful of people.
        published.claimedPosts.push(suppressSum(f?.claimedPosts ?? 0, f?.claimingMembers ?? 0));
        published.claimingMembers.push(suppressCount(f?.claimingMembers ?? 0));
        published.servingMembers.push(suppressCount(f?.servingMembers ?? 0));
        published.hoursServed.push(suppressSum(Math.round(f?.hours ?? 0), f?.servingMembers ?? 0));
      }
      return published;
    }),
    volunteers: once(async () => {
      const figures = await volunteerFigures(db, grids);
      const published: PublishedVolunteers = { volunteers: [], volunteerTeams: [], partyMemberVolunteers: [], nonPartyVolunteers: [], monitors: [], volunteerHours: [] };
      for (const code of codes) {
        const f = figures.get(code);
        const [partyMembers, others] = suppressParts([f?.partyMembers ?? 0, f?.others ?? 0]);
        published.volunteers.push(suppressCount(f?.volunteers ?? 0));
        published.volunteerTeams.push(f?.teams ?? 0);
        published.partyMemberVolunteers.push(partyMembers ?? null);
        published.nonPartyVolunteers.push(others ?? null);
        published.monitors.push(suppressCount(f?.monitors ?? 0));
        published.volunteerHours.push(suppressSum(Math.round(f?.hours ?? 0), f?.volunteers ?? 0));
      }
      return published;
    }),
  };
}
