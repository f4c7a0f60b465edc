import { readFileSync } from 'node:fs';
import { toChinaTime } from '@hub/core';
import { postGraphQL, type GraphQLResponse } from '@hub/core/testing';
import type { DemoGridContents } from '@hub/demo';
import { demoPlaces, type DemoPlace } from '@hub/demo/testing';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { buildSchema, GraphQLEnumType } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  PlaceStatisticsDocument,
  type CaseCategory,
  type CaseStatus,
  type DistrictStatisticsFragment,
  type PartyMemberStatus,
  type PlaceStatisticsQuery,
  type PlaceStatisticsQueryVariables,
} from './__generated__/operations.ts';
import { demoHistory } from '@hub/mediation/demo-history';
import { busiestGrid, grids, world } from './world.ts';

/**
 * Statistics for dashboards: the PlaceStatistics operation asks the district, its streets and their communities the
 * same figures of every department through the gateway. Checked against the generator's records (never against the
 * databases), parent against children, and for a grid worker, against their own grid only.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
});
afterAll(async () => {
  await hub?.close();
});

/** The figures every level answers (the Street and Community fragments select the same). */
type Figures = DistrictStatisticsFragment;
type Variables = PlaceStatisticsQueryVariables;

const places = demoPlaces(world, grids);
const placeByCode = new Map(places.map((p) => [p.code, p]));
/** An enum's values in schema order, as the counts list them: from the composed API schema clients see. */
const api = buildSchema(readFileSync(new URL('../schema/api.graphql', import.meta.url), 'utf8'));
function valuesOf<T extends string>(name: string): T[] {
  const type = api.getType(name);
  if (!(type instanceof GraphQLEnumType)) throw new Error(`${name} is not an enum of the API schema`);
  return type.getValues().map((v) => v.name as T);
}
const PARTY_STATUSES = valuesOf<PartyMemberStatus>('PartyMemberStatus');
const CASE_STATUSES = valuesOf<CaseStatus>('CaseStatus');
const CASE_CATEGORIES = valuesOf<CaseCategory>('CaseCategory');
const OPEN = new Set<string>(['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'ESCALATED']);
/** `Case.overdue`: still to be handled (escalated included) and past its time limit, China time. */
const DEADLINE = new Set<string>(['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'ESCALATED']);
/** The time limit the seed gives a case: the acceptance limit while reported, the supervision limit once escalated. */
const dueOnOf = (c: DemoGridContents['mediation']['cases'][number]) => demoHistory(c).caseFields.dueOn ?? c.dueOn;

/** What every department should answer for a set of grids, from the generator's records. */
function expected(of: DemoGridContents[], variables: Variables): Figures {
  const residents = of.flatMap((g) => g.residents);
  const members = of.flatMap((g) => g.party.members);
  const codes = new Set(of.map((g) => g.grid.code));
  const welfare = grids.flatMap((g) => g.civilAffairs.welfare).filter((w) => codes.has(w.gridCode) && (!variables.welfareStatus || w.status === variables.welfareStatus));
  const rentals = of.flatMap((g) => g.housing.groupRentals);
  const leases = of.flatMap((g) => g.housing.tenancies);
  const cases = grids.flatMap((g) => g.mediation.cases).filter((c) => codes.has(c.gridCode) && (!variables.openCases || OPEN.has(c.status)));
  const today = toChinaTime(new Date()).slice(0, 10);
  const count = <T>(list: T[], test: (x: T) => boolean) => list.filter(test).length;
  return {
    population: {
      total: residents.length,
      registered: count(residents, (r) => r.populationType === 'REGISTERED'),
      floating: count(residents, (r) => r.populationType === 'FLOATING'),
      overseas: count(residents, (r) => r.populationType === 'OVERSEAS'),
      unsettled: count(residents, (r) => r.populationType === 'UNSETTLED'),
    },
    partyMemberCounts: { total: members.length, byStatus: PARTY_STATUSES.map((status) => ({ status, count: count(members, (m) => m.status === status) })) },
    welfareCounts: {
      total: welfare.length,
      minimumLiving: count(welfare, (w) => w.kind === 'MINIMUM_LIVING'),
      extremePoverty: count(welfare, (w) => w.kind === 'EXTREME_POVERTY'),
      disabilityLiving: count(welfare, (w) => w.kind === 'DISABILITY_LIVING'),
      disabilityCare: count(welfare, (w) => w.kind === 'DISABILITY_CARE'),
      oldAge: count(welfare, (w) => w.kind === 'OLD_AGE'),
    },
    housingCounts: {
      buildings: of.reduce((n, g) => n + g.buildings.length, 0),
      houses: of.reduce((n, g) => n + g.houses.length, 0),
      tenancies: leases.length,
      filedTenancies: count(leases, (t) => t.filingNumber !== null),
      groupRentalsByStatus: {
        total: rentals.length,
        identified: count(rentals, (r) => r.status === 'IDENTIFIED'),
        interviewed: count(rentals, (r) => r.status === 'INTERVIEWED'),
        rectified: count(rentals, (r) => r.status === 'RECTIFIED'),
      },
    },
    caseCounts: {
      total: cases.length,
      overdue: count(cases, (c) => DEADLINE.has(c.status) && dueOnOf(c) < today),
      byStatus: CASE_STATUSES.map((status) => ({ status, count: count(cases, (c) => c.status === status) })),
      byCategory: CASE_CATEGORIES.map((category) => ({ category, count: count(cases, (c) => c.category === category) })),
    },
  };
}

/** Figures added up field by field; lists of counts are added entry by entry and must name the same keys in order. */
function sumOf(items: unknown[]): unknown {
  const add = (a: unknown, b: unknown): unknown => {
    if (typeof a === 'number' && typeof b === 'number') return a + b;
    if (typeof a === 'string' || typeof b === 'string') {
      if (a !== b) throw new Error(`cannot add ${String(a)} to ${String(b)}`);
      return a;
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.map((x, i) => add(x, b[i]));
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      const other = b as Record<string, unknown>;
      return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, add(v, other[k])]));
    }
    throw new Error(`cannot add ${JSON.stringify(a)} to ${JSON.stringify(b)}`);
  };
  return items.reduce((total, item) => add(total, item));
}

const figuresOf = ({ population, partyMemberCounts, welfareCounts, housingCounts, caseCounts }: Figures): Figures => ({
  population,
  partyMemberCounts,
  welfareCounts,
  housingCounts,
  caseCounts,
});

async function ask(variables: Variables, headers = hub.headers): Promise<GraphQLResponse<PlaceStatisticsQuery>> {
  return postGraphQL(hub.gatewayUrl, PlaceStatisticsDocument, variables, headers);
}

/** Every place of the answer with its figures: the district, its streets, their communities. */
function placesOf(data: PlaceStatisticsQuery): { place: DemoPlace; figures: Figures; children: Figures[] }[] {
  const { district } = data;
  const at = (code: string) => {
    const place = placeByCode.get(code);
    if (!place) throw new Error(`the graph names a place the generator did not make: ${code}`);
    return place;
  };
  return [
    { place: at(district.code), figures: figuresOf(district), children: district.streets.map(figuresOf) },
    ...district.streets.map((s) => ({ place: at(s.code), figures: figuresOf(s), children: s.communities.map(figuresOf) })),
    ...district.streets.flatMap((s) => s.communities.map((c) => ({ place: at(c.code), figures: figuresOf(c), children: [] }))),
  ];
}

describe('place statistics through the gateway', () => {
  for (const variables of [{}, { welfareStatus: 'ACTIVE', openCases: true }] satisfies Variables[]) {
    it(`answers every place's figures as the generator's records sum them (${JSON.stringify(variables)})`, async () => {
      const response = await ask(variables);
      expect(response.errors).toBeUndefined();
      const answered = placesOf(response.data!);
      expect(answered.map((a) => a.place.code).sort()).toEqual(places.map((p) => p.code).sort());
      for (const { place, figures } of answered) expect(figures, place.code).toEqual(expected(place.grids, variables));
      const district = answered[0]!.figures;
      expect(district.population!.total).toBe(grids.reduce((n, g) => n + g.residents.length, 0));
      expect(district.caseCounts!.total).toBeGreaterThan(0);
      expect(district.housingCounts!.groupRentalsByStatus.total).toBeGreaterThan(0);
    });
  }

  it("gives each parent the sum of its children's figures", async () => {
    const response = await ask({});
    expect(response.errors).toBeUndefined();
    const withChildren = placesOf(response.data!).filter((a) => a.children.length > 0);
    expect(withChildren.map((a) => a.place.typename).sort()).toEqual(['District', ...world.streets.map(() => 'Street')].sort());
    for (const { place, figures, children } of withChildren) expect(sumOf(children), place.code).toEqual(figures);
  });

  it('asks each department one statement per level, whatever the number of places', async () => {
    for (const s of Object.values(hub.subgraphs)) s.statements.reset();
    expect((await ask({})).errors).toBeUndefined();
    // District, streets, communities: three levels, seven places.
    for (const name of ['public-security', 'party', 'housing', 'mediation']) expect(hub.subgraphs[name]!.statements.count, name).toBe(3);
  });

  it("answers a grid worker with their own grid's figures at every level, and refuses them welfare", async () => {
    const own = busiestGrid;
    const token = await hub.tokenFor('grid-worker', { grids: [own.grid.code] });
    const response = await ask({}, { authorization: `Bearer ${token}`, 'x-hub-purpose': 'grid-service' });
    const answered = placesOf(response.data!);
    for (const { place, figures } of answered) {
      const mine = place.grids.filter((g) => g === own);
      expect(figures, place.code).toEqual({ ...expected(mine, {}), welfareCounts: null });
    }
    expect(answered[0]!.figures.population!.total).toBe(own.residents.length);
    // A grid worker holds neither welfare:read nor statistics:read: every level's welfare figures are refused.
    const refusals = (response.errors ?? []).map((e) => `${String(e.extensions?.code)} ${e.path?.join('.')}`).sort();
    const paths = [
      'district.welfareCounts',
      ...world.streets.map((_, i) => `district.streets.${i}.welfareCounts`),
      ...response.data!.district.streets.flatMap((s, i) => s.communities.map((_, j) => `district.streets.${i}.communities.${j}.welfareCounts`)),
    ];
    expect(refusals).toEqual(paths.map((path) => `FORBIDDEN ${path}`).sort());
  });
});
