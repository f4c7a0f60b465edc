import { describe, expect, it } from 'vitest';
import { isValidCreditCode } from '@hub/core';
import { generateDemoWorld, REFERENCE_DATE, type DemoGridContents, type DemoResident, type DemoWorld } from '../src/index.ts';
import { TEST_DEMO } from '../src/testing.ts';

/** Day arithmetic on YYYY-MM-DD strings, in UTC so it never depends on the machine's zone. */
const dayNo = (iso: string) => Math.round(Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 86_400_000);
const REF = dayNo(REFERENCE_DATE);
const addYearsIso = (iso: string, years: number) => {
  const y = +iso.slice(0, 4) + years;
  const md = iso.slice(5);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return `${y}-${md === '02-29' && !leap ? '02-28' : md}`;
};
const addMonthsIso = (iso: string, months: number) => {
  const total = +iso.slice(0, 4) * 12 + +iso.slice(5, 7) - 1 + months;
  const y = Math.floor(total / 12);
  const m = (total % 12) + 1;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${y}-${String(m).padStart(2, '0')}-${String(Math.min(+iso.slice(8, 10), last)).padStart(2, '0')}`;
};
const ageOf = (r: DemoResident) => {
  const [y, m, d] = r.birthDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = REFERENCE_DATE.split('-').map(Number) as [number, number, number];
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
};
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/;
const timeOf = (iso: string) => Date.parse(iso);

interface WorldIndex {
  world: DemoWorld;
  grids: DemoGridContents[];
  residentGrid: Map<string, string>;
  residents: Map<string, DemoResident>;
  orgs: Map<string, { org: DemoGridContents['organizations'][number]; grid: string }>;
}

function index(world: DemoWorld): WorldIndex {
  const grids = [...world.gridContents()];
  const residentGrid = new Map<string, string>();
  const residents = new Map<string, DemoResident>();
  const orgs = new Map<string, { org: DemoGridContents['organizations'][number]; grid: string }>();
  for (const g of grids) {
    for (const r of g.residents) {
      residentGrid.set(r.idNumber, g.grid.code);
      residents.set(r.idNumber, r);
    }
    for (const o of g.organizations) {
      expect(orgs.has(o.id), `duplicate organization ${o.id}`).toBe(false);
      orgs.set(o.id, { org: o, grid: g.grid.code });
    }
  }
  return { world, grids, residentGrid, residents, orgs };
}

const test = index(generateDemoWorld(TEST_DEMO));
const other = index(generateDemoWorld({ residents: 12_345, seed: 99 }));

const PREFIX_KIND: Record<string, [string, string]> = {
  PC: ['PARTY_ORGANIZATION', 'party'],
  PG: ['PARTY_ORGANIZATION', 'party'],
  PB: ['PARTY_ORGANIZATION', 'party'],
  SO: ['SOCIAL_ORGANIZATION', 'civil-affairs'],
  RC: ['RESIDENTS_COMMITTEE', 'civil-affairs'],
  VC: ['VILLAGERS_COMMITTEE', 'civil-affairs'],
  PM: ['PROPERTY_COMPANY', 'housing'],
  OC: ['OWNERS_COMMITTEE', 'housing'],
  MC: ['MEDIATION_COMMITTEE', 'mediation'],
  GV: ['GOVERNMENT_AGENCY', 'housing'],
  CO: ['COMMUNITY_ORGANIZATION', 'civil-affairs'],
  EN: ['ENTERPRISE', 'market-regulation'],
  IB: ['INDIVIDUAL_BUSINESS', 'market-regulation'],
  SC: ['SCHOOL', 'education'],
  CL: ['CLINIC', 'health'],
};
const CATEGORY: Record<string, RegExp> = { SO: /^5[123]/, RC: /^55/, VC: /^54/, PM: /^91/, OC: /^J1/, MC: /^12/, GV: /^11/, EN: /^91/, IB: /^92/, SC: /^12/, CL: /^12/ };

describe.each([
  ['TEST_DEMO', test],
  ['12,345 residents, seed 99', other],
])('records of %s', (_, w) => {
  const isResidentOf = (idNumber: string | null, grid: string) => idNumber !== null && w.residentGrid.get(idNumber) === grid;

  it('has unique identifiers across the district', () => {
    const seen = new Map<string, Set<string>>();
    const unique = (kind: string, value: string) => {
      const set = seen.get(kind) ?? new Set<string>();
      expect(set.has(value), `${kind} ${value}`).toBe(false);
      set.add(value);
      seen.set(kind, set);
    };
    for (const g of w.grids) {
      for (const o of g.organizations) if (o.creditCode) unique('credit code', o.creditCode);
      for (const k of g.publicSecurity.keyPersons) {
        unique('key person', k.id);
        unique('key person resident', k.idNumber);
      }
      for (const x of g.publicSecurity.incidents) unique('incident', x.id);
      for (const x of g.civilAffairs.welfare) unique('welfare', x.id);
      for (const x of g.housing.ownerships) unique('certificate', x.certificateNumber);
      for (const x of g.housing.tenancies) {
        unique('tenancy', x.id);
        if (x.filingNumber) unique('filing', x.filingNumber);
      }
      for (const x of g.housing.groupRentals) unique('group rental', x.id);
      for (const x of g.party.organizations) unique('party organization', x.organizationId);
      for (const x of g.party.members) {
        unique('member number', x.memberNumber);
        unique('member', x.idNumber);
      }
      for (const x of g.party.activities) unique('activity', x.id);
      for (const x of g.party.points) unique('points', x.id);
      for (const x of g.mediation.committees) unique('committee', x.organizationId);
      for (const x of g.mediation.mediators) unique('mediator', x.id);
      for (const x of g.mediation.cases) unique('case', x.id);
    }
  });

  it('lists organizations in the grid of their office, with ids, kinds, departments and credit codes that agree', () => {
    for (const g of w.grids) {
      for (const o of g.organizations) {
        expect(o.id).toMatch(/^(PC|PG|PB|SO|RC|VC|PM|OC|MC|GV|CO|EN|IB|SC|CL)\d{15}$/);
        const prefix = o.id.slice(0, 2);
        expect([o.kind, o.department]).toEqual(PREFIX_KIND[prefix]);
        expect(o.gridCode).toBe(g.grid.code);
        expect(o.communityCode).toBe(o.id.slice(2, 14));
        expect(o.communityCode).toBe(g.grid.communityCode);
        expect(o.registeredOn < REFERENCE_DATE).toBe(true);
        expect(o.name.length).toBeGreaterThan(4);
        // Party organizations and filed (备案, not registered) community organizations have no credit code.
        if (o.kind === 'PARTY_ORGANIZATION' || o.kind === 'COMMUNITY_ORGANIZATION') expect(o.creditCode).toBeNull();
        else {
          expect(isValidCreditCode(o.creditCode!), o.creditCode!).toBe(true);
          expect(o.creditCode!).toMatch(CATEGORY[prefix]!);
          expect(o.creditCode!.slice(2, 8)).toBe('320311');
        }
      }
      const branches = g.organizations.filter((o) => o.id.startsWith('PB'));
      expect(branches.length).toBeGreaterThanOrEqual(1);
      expect(branches.length).toBeLessThanOrEqual(3);
      for (const b of branches) expect(b.name).toMatch(/网格(第[一二三])?党支部$/);
      const companies = g.organizations.filter((o) => o.id.startsWith('PM'));
      expect(companies.length).toBeLessThanOrEqual(1);
      if (companies.length > 0) expect(g.buildings.some((b) => b.use !== 'COMMERCIAL' && g.houses.filter((h) => h.buildingCode === b.code).length > 1)).toBe(true);
      for (const o of g.organizations.filter((x) => ['RC', 'VC', 'PG', 'SO', 'MC', 'CO', 'CL', 'SC'].includes(x.id.slice(0, 2)))) {
        expect(g.grid.sequence, o.id).toBe(1);
      }
    }
    for (const c of w.world.communities) {
      const first = w.grids.find((g) => g.grid.communityCode === c.code)!;
      expect(first.grid.sequence).toBe(1);
      const kinds = first.organizations.map((o) => o.id.slice(0, 2));
      expect(kinds.filter((k) => k === (c.kind === 'COMMUNITY' ? 'RC' : 'VC'))).toHaveLength(1);
      expect(kinds.filter((k) => k === (c.kind === 'COMMUNITY' ? 'VC' : 'RC'))).toHaveLength(0);
      expect(kinds.filter((k) => k === 'PG')).toHaveLength(1);
      expect(first.organizations.some((o) => o.id === `MC${c.code}001`)).toBe(true);
      expect(kinds.filter((k) => k === 'SO').length).toBeLessThanOrEqual(2);
      const committee = first.organizations.find((o) => o.id.startsWith(c.kind === 'COMMUNITY' ? 'RC' : 'VC'))!;
      expect(committee.name).toMatch(c.kind === 'COMMUNITY' ? /居民委员会$/ : /村村民委员会$/);
    }
    for (const s of w.world.streets) {
      const firstCommunity = w.world.communities.find((c) => c.streetCode === s.code)!;
      const committees = [...w.orgs.values()].filter((x) => x.org.id.startsWith('PC') && x.org.communityCode.slice(0, 9) === s.code.slice(0, 9));
      expect(committees).toHaveLength(1);
      expect(committees[0]!.org.id).toBe(`PC${firstCommunity.code}001`);
      expect(committees[0]!.grid).toBe(`${firstCommunity.code}001`);
    }
  });

  it('details every party organization once, in its own grid, with branch -> general branch -> committee', () => {
    const details = new Map<string, DemoGridContents['party']['organizations'][number]>();
    const memberBranch = new Map<string, string>();
    for (const g of w.grids) {
      for (const p of g.party.organizations) {
        expect(w.orgs.get(p.organizationId)?.grid).toBe(g.grid.code);
        details.set(p.organizationId, p);
      }
      for (const m of g.party.members) memberBranch.set(m.idNumber, m.organizationId);
    }
    const partyOrgs = [...w.orgs.values()].filter((x) => x.org.kind === 'PARTY_ORGANIZATION');
    expect(details.size).toBe(partyOrgs.length);
    const ancestors = (branchId: string) => {
      const chain: string[] = [];
      for (let id: string | null = branchId; id; id = details.get(id)?.parentId ?? null) chain.push(id);
      return chain;
    };
    for (const p of details.values()) {
      const prefix = p.organizationId.slice(0, 2);
      // PG: the community's own organization, a committee (社区党委) or a general branch (党总支) by its size.
      if (prefix === 'PG') expect(['COMMITTEE', 'GENERAL_BRANCH']).toContain(p.level);
      else expect(p.level).toBe(prefix === 'PC' ? 'COMMITTEE' : 'BRANCH');
      expect(p.foundedOn).toBe(w.orgs.get(p.organizationId)!.org.registeredOn);
      if (p.level === 'BRANCH') {
        expect(p.servesGridCode).toBe(w.orgs.get(p.organizationId)!.grid);
        expect(p.parentId).toBe(`PG${p.organizationId.slice(2, 14)}001`);
        expect(p.servesCommunityCode).toBe(p.organizationId.slice(2, 14));
      } else expect(p.servesGridCode).toBeNull();
      if (prefix === 'PG') {
        expect(p.parentId!.startsWith('PC')).toBe(true);
        expect(details.get(p.parentId!)?.level).toBe('COMMITTEE');
        expect(p.parentId!.slice(2, 11)).toBe(p.organizationId.slice(2, 11));
      }
      if (prefix === 'PC') expect(p.parentId).toBeNull();
      if (p.secretaryIdNumber !== null) {
        const branch = memberBranch.get(p.secretaryIdNumber);
        expect(branch, `${p.organizationId} secretary`).toBeDefined();
        expect(ancestors(branch!)).toContain(p.organizationId);
      }
    }
    expect([...details.values()].filter((p) => p.secretaryIdNumber !== null).length).toBeGreaterThan(details.size * 0.8);
  });

  it('has party members of the grid their branch serves, with dates that fit', () => {
    for (const g of w.grids) {
      const branches = new Set(g.party.organizations.filter((p) => p.level === 'BRANCH' && p.servesGridCode === g.grid.code).map((p) => p.organizationId));
      const members = new Map(g.party.members.map((m) => [m.idNumber, m]));
      for (const m of g.party.members) {
        expect(isResidentOf(m.idNumber, g.grid.code)).toBe(true);
        expect(branches.has(m.organizationId)).toBe(true);
        expect(m.memberNumber).toMatch(/^DY\d{10}$/);
        const r = w.residents.get(m.idNumber)!;
        expect(ageOf(r)).toBeGreaterThanOrEqual(18);
        expect(m.joinedOn >= addYearsIso(r.birthDate, 18)).toBe(true);
        expect(m.joinedOn < REFERENCE_DATE).toBe(true);
        if (m.fullMemberOn === null) expect(REF - dayNo(m.joinedOn)).toBeLessThanOrEqual(366);
        else {
          expect(m.fullMemberOn).toBe(addYearsIso(m.joinedOn, 1));
          expect(m.fullMemberOn <= REFERENCE_DATE).toBe(true);
        }
        // Residential branches keep the retired; members in work and floating members report in (below).
        expect(m.status).toBe('RETIRED');
        expect(ageOf(r)).toBeGreaterThanOrEqual(55);
      }
      const seenReportIns = new Set<string>();
      for (const b of g.party.reportIns) {
        expect(isResidentOf(b.idNumber, g.grid.code)).toBe(true);
        expect(members.has(b.idNumber)).toBe(false);
        expect(seenReportIns.has(b.idNumber)).toBe(false);
        seenReportIns.add(b.idNumber);
        expect(b.id).toMatch(new RegExp(`^BD${g.grid.code}\\d{4}$`));
        expect(b.organizationId).toBe(`PG${g.grid.code.slice(0, 12)}001`);
        const r = w.residents.get(b.idNumber)!;
        expect(b.kind === 'FLOATING').toBe(r.populationType === 'FLOATING');
        expect(b.workUnit === null).toBe(b.kind === 'FLOATING');
        expect(b.membershipOrganization).toMatch(/^中共.+(委员会|党支部)$/);
        expect(b.joinedOn >= addYearsIso(r.birthDate, 18)).toBe(true);
        expect(b.reportedOn >= b.joinedOn).toBe(true);
        expect(b.reportedOn < REFERENCE_DATE).toBe(true);
        if (r.floating) expect(b.reportedOn >= r.floating.inflowDate).toBe(true);
      }
      const partyPeople = new Set([...members.keys(), ...seenReportIns]);
      const volunteerIds = new Set<string>();
      for (const v of g.party.volunteers) {
        expect(isResidentOf(v.idNumber, g.grid.code)).toBe(true);
        expect(volunteerIds.has(v.idNumber)).toBe(false);
        volunteerIds.add(v.idNumber);
        expect(v.id).toMatch(new RegExp(`^ZY${g.grid.code}\\d{4}$`));
        expect(v.partyMember).toBe(partyPeople.has(v.idNumber));
        expect(v.serviceHours > 0 && v.serviceHours <= 200).toBe(true);
        expect(v.registeredOn < REFERENCE_DATE).toBe(true);
        expect(v.registeredOn >= addYearsIso(w.residents.get(v.idNumber)!.birthDate, 18)).toBe(true);
        if (v.role === 'MONITOR') expect(v.team).toMatch(/民情监督员/);
      }
      for (const c of g.party.postClaims) {
        expect(partyPeople.has(c.idNumber)).toBe(true);
        expect(c.organizationId).toBe(`PG${g.grid.code.slice(0, 12)}001`);
        expect(c.claimedOn < REFERENCE_DATE).toBe(true);
        const b = g.party.reportIns.find((x) => x.idNumber === c.idNumber);
        if (b) expect(b.kind === 'IN_SERVICE' && c.claimedOn >= b.reportedOn).toBe(true);
      }
      const activities = new Map(g.party.activities.map((a) => [a.id, a]));
      for (const a of g.party.activities) {
        expect(branches.has(a.organizationId)).toBe(true);
        expect(a.id).toMatch(new RegExp(`^HD${a.organizationId}\\d{3}$`));
        expect(REF - dayNo(a.heldOn)).toBeGreaterThanOrEqual(1);
        expect(REF - dayNo(a.heldOn)).toBeLessThanOrEqual(366);
        expect(a.attendeeIdNumbers.length).toBeGreaterThan(0);
        for (const id of a.attendeeIdNumbers) expect(members.get(id)?.organizationId).toBe(a.organizationId);
      }
      for (const b of branches) {
        if (![...members.values()].some((m) => m.organizationId === b)) continue;
        const kinds = g.party.activities.filter((a) => a.organizationId === b).map((a) => a.kind);
        const count = (k: string) => kinds.filter((x) => x === k).length;
        expect(count('BRANCH_ASSEMBLY')).toBe(4);
        expect(count('COMMITTEE_MEETING')).toBe(12);
        expect(count('GROUP_MEETING')).toBe(12);
        expect(count('THEME_PARTY_DAY')).toBe(12);
        expect(count('PARTY_LESSON')).toBeGreaterThanOrEqual(2);
        expect(count('VOLUNTEER_SERVICE')).toBeGreaterThanOrEqual(3);
      }
      for (const p of g.party.points) {
        const m = members.get(p.memberIdNumber);
        expect(m).toBeDefined();
        expect(p.id).toMatch(new RegExp(`^JF${m!.memberNumber}\\d{3}$`));
        expect(p.points).not.toBe(0);
        expect(p.awardedOn < REFERENCE_DATE).toBe(true);
        if (p.activityId !== null) {
          const a = activities.get(p.activityId);
          expect(a?.organizationId).toBe(m!.organizationId);
          expect(p.awardedOn >= a!.heldOn).toBe(true);
          if (p.points > 0) {
            expect(a!.attendeeIdNumbers).toContain(p.memberIdNumber);
            if (a!.kind === 'VOLUNTEER_SERVICE') expect(p.points >= 5 && p.points <= 10).toBe(true);
            else expect(p.points >= 1 && p.points <= 5).toBe(true);
          } else expect(a!.attendeeIdNumbers).not.toContain(p.memberIdNumber);
        } else expect(p.points).toBeLessThan(0);
      }
    }
  });

  it('has key persons and incidents of residents of the grid', () => {
    for (const g of w.grids) {
      const household = new Map(g.residents.map((r) => [r.idNumber, r.householdId]));
      for (const k of g.publicSecurity.keyPersons) {
        expect(k.id).toMatch(new RegExp(`^ZD${g.grid.code}\\d{3}$`));
        expect(isResidentOf(k.idNumber, g.grid.code)).toBe(true);
        expect(k.responsibleOfficerBadge).toMatch(/^\d{6}$/);
        expect(k.responsibleOfficerName).toMatch(/^[\u4e00-\u9fa5]{2,4}$/);
        expect(k.plan).toMatch(/[\u4e00-\u9fa5]{10}/);
        expect(k.since < REFERENCE_DATE && k.since > w.residents.get(k.idNumber)!.birthDate).toBe(true);
        const age = ageOf(w.residents.get(k.idNumber)!);
        if (k.category === 'KEY_YOUTH') expect(age >= 12 && age <= 25).toBe(true);
        else expect(age).toBeGreaterThanOrEqual(16);
        if (k.category !== 'SEVERE_MENTAL_DISORDER') expect(k.guardianIdNumber).toBeNull();
        const adultsAtHome = g.residents.filter(
          (r) => r.householdId === household.get(k.idNumber) && r.idNumber !== k.idNumber && ageOf(r) >= 18 && r.relationToHead !== 'TENANT',
        );
        if (k.category === 'SEVERE_MENTAL_DISORDER') {
          if (adultsAtHome.length === 0) expect(k.guardianIdNumber).toBeNull();
          else expect(adultsAtHome.map((r) => r.idNumber)).toContain(k.guardianIdNumber);
        }
      }
      for (const x of g.publicSecurity.incidents) {
        expect(x.id).toMatch(new RegExp(`^JQ\\d{8}${g.grid.code}\\d{3}$`));
        expect(x.id.slice(2, 10)).toBe(x.occurredAt.slice(0, 10).replaceAll('-', ''));
        expect(x.occurredAt).toMatch(ISO_TIME);
        expect(x.gridCode).toBe(g.grid.code);
        const days = REF - dayNo(x.occurredAt.slice(0, 10));
        expect(days >= 1 && days <= 365).toBe(true);
        expect(x.involvedIdNumbers.length).toBeGreaterThan(0);
        for (const id of x.involvedIdNumbers) expect(isResidentOf(id, g.grid.code)).toBe(true);
        expect(x.referredOn !== null).toBe(x.referredToMediation);
        if (x.referredToMediation) {
          expect(['DISPUTE', 'DOMESTIC', 'NOISE']).toContain(x.type);
          const lag = dayNo(x.referredOn!) - dayNo(x.occurredAt.slice(0, 10));
          expect(lag >= 0 && lag <= 3).toBe(true);
          expect(x.referredOn! < REFERENCE_DATE).toBe(true);
        }
        if (x.type === 'DOMESTIC') expect(new Set(x.involvedIdNumbers.map((id) => household.get(id))).size).toBe(1);
      }
    }
  });

  it('has welfare entitlements that follow the rules of each kind', () => {
    for (const g of w.grids) {
      const byHousehold = new Map<string, DemoResident[]>();
      for (const r of g.residents) byHousehold.set(r.householdId, [...(byHousehold.get(r.householdId) ?? []), r]);
      const kindsOf = new Map<string, Set<string>>();
      const lowIncomeStatus = new Map<string, string>();
      for (const e of g.civilAffairs.welfare) {
        expect(e.id).toMatch(new RegExp(`^MZ${g.grid.code}\\d{4}$`));
        expect(e.gridCode).toBe(g.grid.code);
        expect(isResidentOf(e.idNumber, g.grid.code)).toBe(true);
        const r = w.residents.get(e.idNumber)!;
        expect(r.populationType).toBe('REGISTERED');
        kindsOf.set(e.idNumber, new Set([...(kindsOf.get(e.idNumber) ?? []), e.kind]));
        expect(e.startsOn >= r.birthDate && e.startsOn < REFERENCE_DATE).toBe(true);
        expect(e.endsOn === null).toBe(e.status === 'ACTIVE');
        if (e.endsOn !== null) expect(e.endsOn >= e.startsOn && e.endsOn < REFERENCE_DATE).toBe(true);
        expect(Math.round(e.monthlyAmount * 100) / 100).toBe(e.monthlyAmount);
        const disability = e.kind === 'DISABILITY_LIVING' || e.kind === 'DISABILITY_CARE';
        if (disability) {
          expect(e.disabilityCertificateNumber).toMatch(new RegExp(`^${e.idNumber}[1-7][1-4]$`));
          if (e.kind === 'DISABILITY_CARE') expect(e.disabilityCertificateNumber!.slice(-1)).toMatch(/[12]/);
        } else expect(e.disabilityCertificateNumber).toBeNull();
        if (e.kind === 'MINIMUM_LIVING') {
          expect(e.monthlyAmount >= 600 && e.monthlyAmount <= 900).toBe(true);
          const previous = lowIncomeStatus.get(r.householdId);
          if (previous) expect(e.status).toBe(previous);
          lowIncomeStatus.set(r.householdId, e.status);
        }
        if (e.kind === 'EXTREME_POVERTY') {
          expect(e.monthlyAmount >= 1000 && e.monthlyAmount <= 1300).toBe(true);
          expect(byHousehold.get(r.householdId)).toHaveLength(1);
          expect(ageOf(r)).toBeGreaterThanOrEqual(60);
        }
        if (e.kind === 'OLD_AGE') {
          const age = ageOf(r);
          expect(age).toBeGreaterThanOrEqual(80);
          expect(e.monthlyAmount).toBe(age >= 100 ? 300 : age >= 90 ? 200 : 100);
        }
      }
      for (const [id, kinds] of kindsOf) {
        if (kinds.has('DISABILITY_LIVING')) expect(kinds.has('MINIMUM_LIVING') || kinds.has('EXTREME_POVERTY'), id).toBe(true);
        expect(kinds.has('MINIMUM_LIVING') && kinds.has('EXTREME_POVERTY')).toBe(false);
      }
      // A 低保 household is on it as a whole: every registered member.
      for (const householdId of lowIncomeStatus.keys()) {
        for (const m of byHousehold.get(householdId)!.filter((x) => x.populationType === 'REGISTERED')) {
          expect(kindsOf.get(m.idNumber)?.has('MINIMUM_LIVING')).toBe(true);
        }
      }
      const socialOrgs = g.organizations.filter((o) => o.kind === 'SOCIAL_ORGANIZATION');
      expect(g.civilAffairs.socialOrganizations.map((s) => s.organizationId).sort()).toEqual(socialOrgs.map((o) => o.id).sort());
      for (const s of g.civilAffairs.socialOrganizations) {
        expect(isResidentOf(s.legalRepresentativeIdNumber, g.grid.code)).toBe(true);
        expect(ageOf(w.residents.get(s.legalRepresentativeIdNumber)!)).toBeGreaterThanOrEqual(18);
        const category = w.orgs.get(s.organizationId)!.org.creditCode!.slice(0, 2);
        expect(category).toBe(s.type === 'SOCIAL_GROUP' ? '51' : s.type === 'PRIVATE_NON_ENTERPRISE' ? '52' : '53');
        expect(s.businessScope.length).toBeGreaterThan(5);
      }
    }
  });

  it('has ownerships, tenancies and group rentals of the houses of the grid', () => {
    for (const g of w.grids) {
      const houses = new Map(g.houses.map((h) => [h.code, h]));
      const people = new Map<string, DemoResident[]>();
      for (const r of g.residents) people.set(r.houseCode, [...(people.get(r.houseCode) ?? []), r]);
      const shares = new Map<string, number>();
      const owners = new Map<string, { person: string | null; org: string | null }[]>();
      for (const o of g.housing.ownerships) {
        expect(houses.has(o.houseCode)).toBe(true);
        expect((o.ownerIdNumber === null) !== (o.ownerOrganizationId === null)).toBe(true);
        if (o.ownerIdNumber) expect(isResidentOf(o.ownerIdNumber, g.grid.code)).toBe(true);
        // Organizations own only public rental housing, and that is the housing authority's (no property company owns a flat).
        if (o.ownerOrganizationId) expect(w.orgs.get(o.ownerOrganizationId)?.org.kind).toBe('GOVERNMENT_AGENCY');
        expect(o.certificateNumber).toMatch(/^苏\(20(1[6-9]|2[0-6])\)徐州市不动产权第\d{7}号$/);
        expect(o.certificateNumber.slice(2, 6)).toBe(o.registeredOn.slice(0, 4));
        expect(o.registeredOn < REFERENCE_DATE).toBe(true);
        expect(o.sharePercent >= 1 && o.sharePercent <= 100).toBe(true);
        shares.set(o.houseCode, (shares.get(o.houseCode) ?? 0) + o.sharePercent);
        owners.set(o.houseCode, [...(owners.get(o.houseCode) ?? []), { person: o.ownerIdNumber, org: o.ownerOrganizationId }]);
      }
      for (const [code, total] of shares) {
        expect(total, code).toBe(100);
        const list = owners.get(code)!;
        if (list.length > 1) {
          // Co-owners are a married couple of one household.
          expect(list).toHaveLength(2);
          const [a, b] = list.map((x) => w.residents.get(x.person!)!);
          expect(a!.householdId).toBe(b!.householdId);
          expect([a!.relationToHead, b!.relationToHead].sort()).toEqual(['SELF', 'SPOUSE']);
        }
      }

      const tenancyHouses = new Set<string>();
      for (const t of g.housing.tenancies) {
        expect(t.id).toMatch(new RegExp(`^ZL${g.grid.code}\\d{4}$`));
        const house = houses.get(t.houseCode)!;
        expect(house).toBeDefined();
        expect(tenancyHouses.has(t.houseCode)).toBe(false);
        tenancyHouses.add(t.houseCode);
        expect([...t.occupantIdNumbers].sort()).toEqual((people.get(t.houseCode) ?? []).map((r) => r.idNumber).sort());
        const owner = owners.get(t.houseCode)![0]!;
        expect(t.landlordIdNumber).toBe(owner.person);
        expect(t.landlordOrganizationId).toBe(owner.org);
        expect(t.rooms).toBe(house.rooms);
        expect(t.monthlyRent).toBeGreaterThan(0);
        expect(t.startsOn < REFERENCE_DATE && t.endsOn >= REFERENCE_DATE && t.startsOn < t.endsOn).toBe(true);
        if (t.filingNumber) expect(t.filingNumber).toMatch(/^泉房租备\(20\d{2}\)第\d{6}号$/);
      }
      for (const [code, list] of people) {
        const floating = list.some((r) => r.relationToHead === 'TENANT' || (r.relationToHead === 'SELF' && r.populationType === 'FLOATING'));
        expect(tenancyHouses.has(code), code).toBe(floating);
      }

      // Crowding as the rules measure it: on usable area (使用面积), which is less than the floor area.
      const details = new Map(g.housing.houses.map((d) => [d.houseCode, d]));
      expect(details.size).toBe(g.houses.length);
      for (const h of g.houses) {
        const d = details.get(h.code)!;
        expect(d.usableAreaM2 < h.areaM2 && d.usableAreaM2 >= h.areaM2 * 0.7).toBe(true);
        const publicRental = owners.get(h.code)?.some((o) => o.org !== null) ?? false;
        expect(d.propertyNature === 'PUBLIC_RENTAL').toBe(publicRental);
      }
      expect(new Set(g.housing.buildings.map((b) => b.buildingCode))).toEqual(new Set(g.buildings.map((b) => b.code)));
      const crowdedNow = (code: string) => {
        const h = houses.get(code)!;
        const n = people.get(code)?.length ?? 0;
        return n > 0 && (n > 2 * h.rooms || details.get(code)!.usableAreaM2 / n < 5);
      };
      const crowded = g.houses.filter((h) => tenancyHouses.has(h.code) && crowdedNow(h.code));
      const open = g.housing.groupRentals.filter((x) => x.status !== 'RECTIFIED');
      expect(open.map((x) => x.houseCode).sort()).toEqual(crowded.map((h) => h.code).sort());
      for (const x of g.housing.groupRentals) {
        expect(x.id).toMatch(new RegExp(`^QZ${g.grid.code}\\d{3}$`));
        const occupants = people.get(x.houseCode)!;
        expect(tenancyHouses.has(x.houseCode)).toBe(true);
        if (x.status === 'RECTIFIED') {
          // Rectified: crowded when identified, not now, and found compliant at re-inspection.
          expect(crowdedNow(x.houseCode)).toBe(false);
          expect(x.occupantCount).toBeGreaterThan(occupants.length);
          const h = houses.get(x.houseCode)!;
          expect(x.occupantCount > 2 * h.rooms || details.get(x.houseCode)!.usableAreaM2 / x.occupantCount < 5).toBe(true);
          expect(x.inspections.map((i) => [i.result, i.occupantCount])).toEqual([['COMPLIANT', occupants.length]]);
        } else {
          expect(x.occupantCount).toBe(occupants.length);
          expect(occupants.some((r) => r.populationType !== 'REGISTERED')).toBe(true);
          expect(x.inspections.map((i) => i.result)).toEqual(x.status === 'RELAPSED' ? ['RELAPSED'] : []);
        }
        for (const i of x.inspections) expect(i.inspectedOn >= x.rectifiedOn! && i.inspectedOn < REFERENCE_DATE).toBe(true);
        expect(x.interviewedOn !== null).toBe(x.status !== 'IDENTIFIED');
        expect(x.rectifiedOn !== null).toBe(x.status === 'RECTIFIED' || x.status === 'RELAPSED');
        expect(x.identifiedOn < REFERENCE_DATE).toBe(true);
        if (x.interviewedOn) expect(x.identifiedOn <= x.interviewedOn && x.interviewedOn < REFERENCE_DATE).toBe(true);
        if (x.rectifiedOn) expect(x.interviewedOn! <= x.rectifiedOn && x.rectifiedOn < REFERENCE_DATE).toBe(true);
        expect(x.note).toMatch(/[\u4e00-\u9fa5]/);
      }

      const companies = g.organizations.filter((o) => o.kind === 'PROPERTY_COMPANY').map((o) => o.id);
      expect(g.housing.propertyCompanies.map((p) => p.organizationId)).toEqual(companies);
      const buildings = new Map(g.buildings.map((b) => [b.code, b]));
      const managed = new Set(g.housing.propertyCompanies.flatMap((p) => p.managedBuildingCodes));
      for (const p of g.housing.propertyCompanies) {
        expect(p.managedBuildingCodes.length).toBeGreaterThan(0);
        for (const code of p.managedBuildingCodes) expect(buildings.get(code)?.use).not.toBe('COMMERCIAL');
        // Qualification grades of property companies were abolished in 2017-2018: none is kept.
        expect(Object.keys(p)).not.toContain('qualification');
      }
      const committees = g.organizations.filter((o) => o.kind === 'OWNERS_COMMITTEE').map((o) => o.id).sort();
      expect(g.housing.ownersCommittees.map((c) => c.organizationId).sort()).toEqual(committees);
      const ownerIds = new Set(g.housing.ownerships.flatMap((o) => (o.ownerIdNumber ? [o.ownerIdNumber] : [])));
      for (const c of g.housing.ownersCommittees) {
        expect(c.electedOn < REFERENCE_DATE).toBe(true);
        if (c.filedOn) {
          const lag = dayNo(c.filedOn) - dayNo(c.electedOn);
          expect(lag >= 0 && lag <= 30).toBe(true);
        }
        expect(ownerIds.has(c.chairIdNumber)).toBe(true);
        expect(c.buildingCodes.length).toBeGreaterThan(0);
        for (const code of c.buildingCodes) expect(managed.has(code)).toBe(true);
      }
    }
  });

  it('has mediation committees, mediators and cases that hold together', () => {
    const committees = new Map<string, DemoGridContents['mediation']['committees'][number]>();
    const mediators = new Map<string, DemoGridContents['mediation']['mediators'][number]>();
    const incidents = new Map<string, { incident: DemoGridContents['publicSecurity']['incidents'][number]; grid: string }>();
    for (const g of w.grids) {
      for (const c of g.mediation.committees) {
        expect(w.orgs.get(c.organizationId)?.grid).toBe(g.grid.code);
        committees.set(c.organizationId, c);
        expect(c.type === 'COMMUNITY').toBe(c.organizationId.endsWith('001'));
        expect(c.industry === null).toBe(c.type === 'COMMUNITY');
      }
      const workers = new Set(g.workers.map((x) => x.idNumber));
      for (const m of g.mediation.mediators) {
        expect(m.id).toMatch(new RegExp(`^TY${m.committeeId}\\d{2}$`));
        expect(g.mediation.committees.some((c) => c.organizationId === m.committeeId)).toBe(true);
        if (m.idNumber !== null) {
          expect(isResidentOf(m.idNumber, g.grid.code)).toBe(true);
          expect(w.residents.get(m.idNumber)!.name).toBe(m.name);
        }
        if (m.background === 'GRID_WORKER') expect(workers.has(m.idNumber!)).toBe(true);
        mediators.set(m.id, m);
      }
      for (const x of g.publicSecurity.incidents) incidents.set(x.id, { incident: x, grid: g.grid.code });
    }
    expect([...w.orgs.values()].filter((x) => x.org.kind === 'MEDIATION_COMMITTEE')).toHaveLength(committees.size);
    for (const c of w.world.communities) expect(committees.get(`MC${c.code}001`)?.type).toBe('COMMUNITY');
    for (const c of committees.values()) {
      const own = [...mediators.values()].filter((m) => m.committeeId === c.organizationId);
      expect(own.length >= 3 && own.length <= 6).toBe(true);
      expect(own.map((m, k) => m.id.slice(-2)).join()).toBe(own.map((_, k) => String(k + 1).padStart(2, '0')).join());
      expect(new Set(own.map((m) => m.background)).size).toBeGreaterThan(1);
    }

    const caseOfIncident = new Map<string, string>();
    for (const g of w.grids) {
      for (const c of g.mediation.cases) {
        expect(c.id).toMatch(new RegExp(`^TJ${g.grid.code}\\d{4}$`));
        expect(c.gridCode).toBe(g.grid.code);
        expect(committees.has(c.committeeId)).toBe(true);
        expect(c.committeeId.slice(2, 14)).toBe(g.grid.communityCode);
        expect(c.source === 'POLICE_REFERRAL').toBe(c.incidentId !== null);
        if (c.incidentId) {
          const x = incidents.get(c.incidentId);
          expect(x?.grid).toBe(g.grid.code);
          expect(x!.incident.referredToMediation).toBe(true);
          expect(caseOfIncident.has(c.incidentId)).toBe(false);
          caseOfIncident.set(c.incidentId, c.id);
          expect(timeOf(c.receivedAt)).toBeGreaterThanOrEqual(timeOf(x!.incident.occurredAt));
          expect(c.receivedAt.slice(0, 10) >= x!.incident.referredOn!).toBe(true);
        }
        if (c.houseCode) expect(g.houses.some((h) => h.code === c.houseCode)).toBe(true);
        expect(c.parties.some((p) => p.role === 'APPLICANT')).toBe(true);
        expect(c.parties.some((p) => p.role === 'RESPONDENT')).toBe(true);
        for (const p of c.parties) {
          expect((p.idNumber === null) !== (p.organizationId === null)).toBe(true);
          if (p.idNumber) expect(isResidentOf(p.idNumber, g.grid.code)).toBe(true);
          if (p.organizationId) expect(w.orgs.get(p.organizationId)?.org.communityCode).toBe(g.grid.communityCode);
        }
        if (c.category === 'PROPERTY_MANAGEMENT' && c.parties.some((p) => p.organizationId)) {
          expect(c.parties.some((p) => p.organizationId?.startsWith('PM'))).toBe(true);
        }
        // The life cycle: what is set at each stage.
        // A terminated mediation was in progress when it failed; a withdrawn case was accepted, or in progress.
        const asStage = c.status === 'ESCALATED' ? 'CLOSED' : c.status === 'TERMINATED' ? 'IN_PROGRESS' : c.status === 'WITHDRAWN' ? (c.withdrawal?.beforeDispatch ? 'ACCEPTED' : 'IN_PROGRESS') : c.status;
        const stage = ['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED'].indexOf(asStage);
        const ended = c.status === 'TERMINATED' || c.status === 'WITHDRAWN';
        const accepted = c.status !== 'REPORTED' && c.status !== 'REJECTED';
        expect(c.acceptedAt !== null, c.id).toBe(accepted);
        expect(c.mediatorId !== null).toBe(stage >= 2);
        expect(c.resolvedAt !== null).toBe(stage >= 4);
        expect(c.outcome !== null).toBe(stage >= 4 || ended);
        expect(c.closedAt !== null).toBe(c.status === 'CLOSED' || ended);
        expect(c.informedChannels !== null && c.informedChannels.length > 0).toBe(c.status === 'TERMINATED');
        expect(c.withdrawal !== null).toBe(c.status === 'WITHDRAWN');
        if (c.status === 'TERMINATED') expect(c.outcome).toBe('MEDIATION_FAILED');
        if (c.status === 'WITHDRAWN') expect(c.outcome).toBe(c.withdrawal!.by === 'APPLICANT' ? 'PARTIES_WITHDREW' : 'PARTIES_REFUSED');
        if (c.outcome === 'MEDIATION_FAILED') expect(c.status).toBe('TERMINATED');
        if (ended) expect(timeOf(c.closedAt!)).toBeGreaterThanOrEqual(timeOf(c.acceptedAt!));
        expect(c.agreement !== null).toBe(c.outcome === 'AGREEMENT_REACHED');
        if (c.mediatorId) expect(mediators.get(c.mediatorId)?.committeeId).toBe(c.committeeId);
        for (const t of [c.receivedAt, c.acceptedAt, c.resolvedAt, c.closedAt]) {
          if (t === null) continue;
          expect(t).toMatch(ISO_TIME);
          expect(t.slice(0, 10) < REFERENCE_DATE).toBe(true);
        }
        expect(REF - dayNo(c.receivedAt.slice(0, 10))).toBeLessThanOrEqual(365);
        if (c.acceptedAt) expect(timeOf(c.acceptedAt)).toBeGreaterThanOrEqual(timeOf(c.receivedAt));
        if (c.resolvedAt) expect(timeOf(c.resolvedAt)).toBeGreaterThanOrEqual(timeOf(c.acceptedAt!));
        if (c.closedAt && !ended) expect(timeOf(c.closedAt)).toBeGreaterThanOrEqual(timeOf(c.resolvedAt!));
        expect(c.dueOn).toBe(addMonthsIso((c.acceptedAt ?? c.receivedAt).slice(0, 10), 1));
        expect(c.records.length > 0).toBe(stage >= 3);
        for (const r of c.records) {
          expect(mediators.get(r.mediatorId)?.committeeId).toBe(c.committeeId);
          expect(r.heldOn >= c.acceptedAt!.slice(0, 10)).toBe(true);
          expect(r.heldOn <= (c.resolvedAt ?? (ended ? c.closedAt! : REFERENCE_DATE)).slice(0, 10)).toBe(true);
        }
        if (c.agreement) {
          expect(c.agreement.reachedOn).toBe(c.resolvedAt!.slice(0, 10));
          expect(c.agreement.performBy > c.agreement.reachedOn).toBe(true);
        }
        if (!['RESOLVED', 'CLOSED', 'ESCALATED'].includes(c.status)) expect(c.followUps).toHaveLength(0);
        for (const f of c.followUps) expect(f.visitedOn >= c.resolvedAt!.slice(0, 10) && f.visitedOn < REFERENCE_DATE).toBe(true);
        if (c.status === 'ESCALATED') expect(c.followUps.map((f) => f.satisfied)).toEqual([false, false]);
        if (c.status === 'CLOSED') {
          expect(c.followUps.at(-1)?.satisfied).toBe(true);
          expect(c.closedAt!.slice(0, 10) >= c.followUps.at(-1)!.visitedOn).toBe(true);
        }
        if (c.status === 'RESOLVED') expect(c.followUps.every((f) => !f.satisfied) && c.followUps.length <= 1).toBe(true);
      }
    }
    for (const { incident } of incidents.values()) {
      expect(caseOfIncident.has(incident.id), incident.id).toBe(incident.referredToMediation);
    }
  });
});

describe('determinism of the department records', () => {
  it('gives identical records on a fresh world and a second pass', () => {
    const departments = (g: DemoGridContents) =>
      JSON.stringify([g.organizations, g.publicSecurity, g.civilAffairs, g.housing, g.party, g.mediation]);
    const again = [...generateDemoWorld(TEST_DEMO).gridContents()].map(departments);
    expect(again).toEqual(test.grids.map(departments));
    expect([...test.world.gridContents()].map(departments)).toEqual(again);
  });
});

describe('TEST_DEMO has some of everything the subgraphs test against', () => {
  it('has every kind of record', () => {
    const all = test.grids;
    const orgKinds = new Set(all.flatMap((g) => g.organizations.map((o) => o.id.slice(0, 2))));
    expect([...orgKinds].sort()).toEqual(['CL', 'CO', 'EN', 'GV', 'IB', 'MC', 'OC', 'PB', 'PC', 'PG', 'PM', 'RC', 'SC', 'SO', 'VC']);
    expect(new Set(all.flatMap((g) => g.mediation.committees.map((c) => c.type)))).toEqual(new Set(['COMMUNITY', 'INDUSTRY']));

    const rentals = all.flatMap((g) => g.housing.groupRentals);
    for (const status of ['IDENTIFIED', 'INTERVIEWED', 'RECTIFIED', 'RELAPSED']) {
      expect(rentals.filter((r) => r.status === status).length, status).toBeGreaterThanOrEqual(status === 'RELAPSED' ? 1 : 3);
    }
    const interviewed = rentals.filter((r) => r.status !== 'IDENTIFIED').length / rentals.length;
    const rectified = rentals.filter((r) => r.status === 'RECTIFIED').length / rentals.length;
    expect(Math.abs(interviewed - 0.81)).toBeLessThan(0.05);
    expect(Math.abs(rectified - 0.44)).toBeLessThan(0.05);

    const cases = all.flatMap((g) => g.mediation.cases);
    expect(cases.filter((c) => c.incidentId !== null).length).toBeGreaterThanOrEqual(3);
    expect(cases.filter((c) => c.houseCode !== null && rentals.some((r) => r.houseCode === c.houseCode)).length).toBeGreaterThanOrEqual(1);
    expect(new Set(cases.map((c) => c.status))).toEqual(
      new Set(['REPORTED', 'ACCEPTED', 'REJECTED', 'DISPATCHED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'ESCALATED', 'TERMINATED', 'WITHDRAWN']),
    );

    const welfare = all.flatMap((g) => g.civilAffairs.welfare);
    expect(new Set(welfare.map((e) => e.kind))).toEqual(
      new Set(['MINIMUM_LIVING', 'EXTREME_POVERTY', 'DISABILITY_LIVING', 'DISABILITY_CARE', 'OLD_AGE']),
    );
    expect(new Set(welfare.map((e) => e.status))).toEqual(new Set(['ACTIVE', 'SUSPENDED', 'ENDED']));
    expect(improperClaims(test).improper).toBeGreaterThanOrEqual(1);

    expect(all.flatMap((g) => g.publicSecurity.keyPersons).length).toBeGreaterThanOrEqual(5);
    expect(all.filter((g) => g.party.members.length > 0).length).toBeGreaterThanOrEqual(all.length * 0.8);
    expect(all.flatMap((g) => g.housing.tenancies).some((t) => t.filingNumber === null)).toBe(true);
    expect(all.flatMap((g) => g.housing.ownerships).some((o) => o.ownerOrganizationId !== null)).toBe(true);
  });
});

/** The welfare cross-check: 低保 households that own more than one house or one over 120 m2. */
function improperClaims(w: WorldIndex): { households: number; improper: number } {
  let households = 0;
  let improper = 0;
  for (const g of w.grids) {
    const area = new Map(g.houses.map((h) => [h.code, h.areaM2]));
    const owned = new Map<string, string[]>();
    for (const o of g.housing.ownerships) if (o.ownerIdNumber) owned.set(o.ownerIdNumber, [...(owned.get(o.ownerIdNumber) ?? []), o.houseCode]);
    const byHousehold = new Map<string, string[]>();
    for (const e of g.civilAffairs.welfare) {
      if (e.kind !== 'MINIMUM_LIVING') continue;
      const household = w.residents.get(e.idNumber)!.householdId;
      byHousehold.set(household, [...(byHousehold.get(household) ?? []), e.idNumber]);
    }
    for (const members of byHousehold.values()) {
      households++;
      const houses = new Set(members.flatMap((m) => owned.get(m) ?? []));
      if (houses.size > 1 || [...houses].some((h) => (area.get(h) ?? 0) > 120)) improper++;
    }
  }
  return { households, improper };
}

describe('proportions on 100,000 residents', () => {
  const big = generateDemoWorld({ residents: 100_000, seed: TEST_DEMO.seed });
  const s = {
    residents: 0, adults: 0, households: 0, members: 0, keyPersons: 0, incidents: 0, referable: 0, referred: 0,
    lowIncomeHouseholds: 0, improper: 0, extreme: 0, disabled: 0, old: 0, oldAllowance: 0, rentals: 0, interviewed: 0,
    rectified: 0, openRentals: 0, openRentalCases: 0, cases: 0, tenancies: 0, filed: 0, grids: 0, gridsWithMembers: 0,
    registered: 0, certified: 0, certifiedWithoutAllowance: 0, allowanceNotOnRegister: 0, elderly: 0, livingAlone: 0,
    livingAloneMisplaced: 0, emptyNest: 0, villageChildren: 0, leftBehindChildren: 0, leftBehindOutsideVillages: 0,
    children: 0, orphans: 0, unsupportedChildren: 0, residentialMembers: 0, reportedIn: 0, floatingReportedIn: 0, relapsed: 0, volunteers: 0, individualBusinesses: 0, enterprises: 0, filedOrganizations: 0, clinics: 0, memberVolunteers: 0, monitors: 0, inServiceClaims: 0, inService: 0,
  };
  const communityMembers = new Map<string, number>();
  const communityLevel = new Map<string, string>();
  const villages = new Set(big.communities.filter((c) => c.kind === 'VILLAGE').map((c) => c.code));
  for (const g of big.gridContents()) {
    s.grids++;
    s.residents += g.residents.length;
    const ages = new Map(g.residents.map((r) => [r.idNumber, ageOf(r)]));
    const byId = new Map(g.residents.map((r) => [r.idNumber, r]));
    s.adults += [...ages.values()].filter((a) => a >= 18).length;
    s.households += new Set(g.residents.map((r) => r.householdId)).size;
    s.members += g.party.members.length + g.party.reportIns.length;
    s.residentialMembers += g.party.members.length;
    s.reportedIn += g.party.reportIns.length;
    s.volunteers += g.party.volunteers.length;
    s.memberVolunteers += g.party.volunteers.filter((v) => v.partyMember).length;
    s.monitors += g.party.volunteers.filter((v) => v.role === 'MONITOR').length;
    s.inServiceClaims += g.party.postClaims.filter((c) => g.party.reportIns.some((b) => b.idNumber === c.idNumber)).length;
    s.inService += g.party.reportIns.filter((b) => b.kind === 'IN_SERVICE').length;
    s.floatingReportedIn += g.party.reportIns.filter((b) => b.kind === 'FLOATING').length;
    if (g.party.members.length + g.party.reportIns.length > 0) s.gridsWithMembers++;
    communityMembers.set(g.grid.communityCode, (communityMembers.get(g.grid.communityCode) ?? 0) + g.party.members.length);
    for (const o of g.party.organizations) if (o.organizationId.startsWith('PG')) communityLevel.set(g.grid.communityCode, o.level);
    s.keyPersons += g.publicSecurity.keyPersons.length;
    s.relapsed += g.housing.groupRentals.filter((r) => r.status === 'RELAPSED').length;
    s.incidents += g.publicSecurity.incidents.length;
    for (const x of g.publicSecurity.incidents) {
      if (['DISPUTE', 'DOMESTIC', 'NOISE'].includes(x.type)) s.referable++;
      if (x.referredToMediation) s.referred++;
    }
    const idx: WorldIndex = { world: big, grids: [g], residentGrid: new Map(), residents: byId, orgs: new Map() };
    const claims = improperClaims(idx);
    s.lowIncomeHouseholds += claims.households;
    s.improper += claims.improper;
    s.extreme += g.civilAffairs.welfare.filter((e) => e.kind === 'EXTREME_POVERTY').length;
    s.disabled += new Set(g.civilAffairs.welfare.filter((e) => e.disabilityCertificateNumber).map((e) => e.idNumber)).size;
    s.old += g.residents.filter((r) => r.populationType === 'REGISTERED' && ages.get(r.idNumber)! >= 80).length;
    s.oldAllowance += g.civilAffairs.welfare.filter((e) => e.kind === 'OLD_AGE').length;
    for (const r of g.housing.groupRentals) {
      s.rentals++;
      if (r.status !== 'IDENTIFIED') s.interviewed++;
      if (r.status === 'RECTIFIED') s.rectified++;
      if (r.status !== 'RECTIFIED') {
        s.openRentals++;
        if (g.mediation.cases.some((c) => c.houseCode === r.houseCode)) s.openRentalCases++;
      }
    }
    s.cases += g.mediation.cases.length;
    const registered = g.residents.filter((r) => r.populationType === 'REGISTERED');
    s.registered += registered.length;
    s.certified += g.civilAffairs.disabilities.length;
    const certificates = new Set(g.civilAffairs.disabilities.map((d) => d.certificateNumber));
    const allowances = new Set(g.civilAffairs.welfare.map((e) => e.disabilityCertificateNumber).filter((c) => c !== null));
    s.certifiedWithoutAllowance += [...certificates].filter((c) => !allowances.has(c)).length;
    s.allowanceNotOnRegister += [...allowances].filter((c) => !certificates.has(c as string)).length;
    const village = villages.has(g.grid.communityCode);
    const householdSize = new Map<string, number>();
    for (const r of g.residents) householdSize.set(r.householdId, (householdSize.get(r.householdId) ?? 0) + 1);
    for (const r of registered) {
      const age = ages.get(r.idNumber)!;
      if (age >= 60) s.elderly++;
      if (age < 18) s.children++;
      if (age < 16 && village) s.villageChildren++;
    }
    for (const c of g.civilAffairs.care) {
      const r = byId.get(c.idNumber)!;
      if (c.kind === 'LIVING_ALONE_ELDERLY') {
        s.livingAlone++;
        if (householdSize.get(r.householdId) !== 1 || ages.get(r.idNumber)! < 60) s.livingAloneMisplaced++;
      }
      if (c.kind === 'EMPTY_NEST_ELDERLY') s.emptyNest++;
      if (c.kind === 'LEFT_BEHIND_CHILD') s.leftBehindChildren++;
      if (c.kind.startsWith('LEFT_BEHIND') && !village) s.leftBehindOutsideVillages++;
      if (c.kind === 'ORPHAN') s.orphans++;
      if (c.kind === 'UNSUPPORTED_CHILD') s.unsupportedChildren++;
    }
    s.tenancies += g.housing.tenancies.length;
    s.individualBusinesses += g.organizations.filter((o) => o.kind === 'INDIVIDUAL_BUSINESS').length;
    s.enterprises += g.organizations.filter((o) => o.kind === 'ENTERPRISE').length;
    s.filedOrganizations += g.organizations.filter((o) => o.kind === 'COMMUNITY_ORGANIZATION').length;
    s.clinics += g.organizations.filter((o) => o.kind === 'CLINIC').length;
    s.filed += g.housing.tenancies.filter((t) => t.filingNumber).length;
  }
  const within = (value: number, lo: number, hi: number, what: string) => {
    expect(value, what).toBeGreaterThanOrEqual(lo);
    expect(value, what).toBeLessThanOrEqual(hi);
  };

  it('has party members at 6-8% of adults, in nearly every grid', () => {
    within(s.members / s.adults, 0.06, 0.08, 'members per adult');
    expect(s.gridsWithMembers).toBe(s.grids);
  });

  it('keeps the retired in residential branches; members in work and floating members report in (双报到)', () => {
    within(s.residentialMembers / s.members, 0.25, 0.5, 'members kept by residential branches');
    within(s.floatingReportedIn / s.reportedIn, 0.1, 0.35, 'floating members of those reporting in');
  });

  it('has volunteers at about 3% of adults, non-members among them, 民情监督员 at 1 per 1,000 residents, and posts claimed', () => {
    within(s.volunteers / s.adults, 0.02, 0.05, 'volunteers per adult');
    within(s.memberVolunteers / s.volunteers, 0.4, 0.8, 'party members among volunteers');
    within(s.monitors / s.residents, 0.0007, 0.0013, '民情监督员 per resident');
    within(s.inServiceClaims / s.inService, 0.65, 0.75, 'in-service members reporting in who claim a post');
  });

  it('has a 社区党委 where a community has 100 or more members, a 党总支 where it has fewer', () => {
    const levels = [...communityMembers].map(([code, n]) => ({ n, level: communityLevel.get(code) }));
    expect(levels.some((l) => l.level === 'COMMITTEE') && levels.some((l) => l.level === 'GENERAL_BRANCH')).toBe(true);
    // The level is set from the planned population before the members are drawn: a margin either side of 100.
    for (const { n, level } of levels) {
      if (level === 'GENERAL_BRANCH') expect(n).toBeLessThan(115);
      else expect(n).toBeGreaterThanOrEqual(85);
      if (n >= 115) expect(level).toBe('COMMITTEE');
    }
    expect(Math.max(...levels.filter((l) => l.level === 'GENERAL_BRANCH').map((l) => l.n))).toBeLessThan(115);
  });

  it('has key persons at about 0.75% and incidents at about 1.5 per 100 residents, 30% of disputes referred', () => {
    // The special groups' registered rates (population.test.ts) add up to 0.75 % of residents with a record each.
    within(s.keyPersons / s.residents, 0.0068, 0.0082, 'key persons');
    within(s.incidents / s.residents, 0.013, 0.017, 'incidents');
    within(s.referred / s.referable, 0.25, 0.35, 'referred');
  });

  it('has welfare in realistic shares, 10-20% of 低保 households owning too much', () => {
    within(s.lowIncomeHouseholds / s.households, 0.015, 0.025, '低保 households');
    within(s.improper / s.lowIncomeHouseholds, 0.1, 0.2, 'improper claims');
    within(s.extreme / s.residents, 0.002, 0.004, '特困');
    within(s.disabled / s.residents, 0.007, 0.013, 'disability allowances');
    within(s.oldAllowance / s.old, 0.9, 1, 'old-age allowance');
  });

  it('has 81% of group rentals interviewed and 44% rectified, 30% of open ones in dispute, 60% of tenancies filed', () => {
    within(s.interviewed / s.rentals, 0.8, 0.82, 'interviewed');
    within(s.rectified / s.rentals, 0.43, 0.45, 'rectified');
    within(s.relapsed / s.rentals, 0.04, 0.06, 'relapsed after rectification');
    within(s.openRentalCases / s.openRentals, 0.22, 0.38, 'group rentals in dispute');
    within(s.filed / s.tenancies, 0.55, 0.65, 'filed');
  });

  it('has a disability register of about 2.7% of registered residents, allowance or not', () => {
    within(s.certified / s.registered, 0.022, 0.032, 'certificate holders');
    within(s.certifiedWithoutAllowance / s.certified, 0.35, 0.65, 'holders without an allowance');
    expect(s.allowanceNotOnRegister).toBe(0);
  });

  it('has care lists that follow the households: 独居 and 空巢 elderly, 留守 only in villages, a few orphans', () => {
    expect(s.livingAloneMisplaced).toBe(0);
    // 2020 census: about 1 in 8 people of 60+ live alone, about half of them in 空巢 households of two or more.
    within(s.livingAlone / s.elderly, 0.1, 0.25, '独居 elderly');
    within(s.emptyNest / s.elderly, 0.2, 0.4, '空巢 elderly');
    expect(s.leftBehindOutsideVillages).toBe(0);
    within(s.leftBehindChildren / s.villageChildren, 0.02, 0.1, '留守 children of village children');
    within((s.orphans + s.unsupportedChildren) / s.children, 0.0008, 0.003, '孤儿 and 事实无人抚养儿童');
  });

  it('has individual businesses and enterprises (两新组织), filed community organizations and a clinic in every community', () => {
    // About 1 individual business per 120-200 residents (Jiangsu: ~12 million for 85 million people, most in towns).
    within(s.individualBusinesses / s.residents, 1 / 220, 1 / 100, 'individual businesses');
    expect(s.enterprises).toBeGreaterThan(0);
    expect(s.clinics).toBe(big.communities.length);
    within(s.filedOrganizations / big.communities.length, 1, 4, 'filed community organizations per community');
  });

  it('has about one mediation case per 150 residents', () => {
    within(s.cases / s.residents, 1 / 180, 1 / 130, 'cases');
  });
});
