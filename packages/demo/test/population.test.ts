/**
 * The demo population against the figures a local official knows: the 2020 census age structure and household size,
 * the floating share asked for, the special groups' registered rates, and overseas and unsettled people as the
 * register keeps them. One test per proportion, on a district big enough for the shares to settle.
 */
import { describe, expect, it } from 'vitest';
import { isValidIdNumber } from '@hub/core';
import { generateDemoWorld, REFERENCE_DATE, type DemoGridContents, type DemoRegisteredAway, type DemoResident, type KeyPersonCategory } from '../src/index.ts';
import { OWNING_UNIT, SPECIAL_GROUP_RATES } from '../src/public-security.ts';
import { TEST_DEMO } from '../src/testing.ts';

const ageOf = (r: DemoResident) => {
  const [y, m, d] = r.birthDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = REFERENCE_DATE.split('-').map(Number) as [number, number, number];
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
};
const within = (value: number, lo: number, hi: number, what: string) => {
  expect(value, what).toBeGreaterThanOrEqual(lo);
  expect(value, what).toBeLessThanOrEqual(hi);
};

interface Tally {
  residents: number;
  children: number;
  over80: number;
  over60: number;
  floating: number;
  familyHouseholds: number;
  familyMembers: number;
  groups: Record<KeyPersonCategory, number>;
  twoGroups: number;
  overseas: DemoResident[];
  unsettled: DemoResident[];
  partyMembers: Set<string>;
  registered: number;
  separated: number;
  away: DemoRegisteredAway[];
  hukouHeads: Map<string, DemoResident>;
  grids: DemoGridContents[];
}

function tally(residents: number, floatingShare?: number, keepGrids = false): Tally {
  const t: Tally = {
    residents: 0, children: 0, over60: 0, over80: 0, floating: 0, familyHouseholds: 0, familyMembers: 0,
    groups: { SEVERE_MENTAL_DISORDER: 0, COMMUNITY_CORRECTION: 0, RELEASED_PRISONER: 0, DRUG_USER: 0, KEY_YOUTH: 0, AIDS_RISK: 0 },
    twoGroups: 0, overseas: [], unsettled: [], partyMembers: new Set(), registered: 0, separated: 0, away: [], hukouHeads: new Map(), grids: [],
  };
  for (const g of generateDemoWorld({ residents, seed: TEST_DEMO.seed, ...(floatingShare === undefined ? {} : { floatingShare }) }).gridContents()) {
    if (keepGrids) t.grids.push(g);
    const households = new Map<string, DemoResident[]>();
    for (const r of g.residents) {
      t.residents++;
      const age = ageOf(r);
      if (age <= 14) t.children++;
      if (age >= 60) t.over60++;
      if (age >= 80) t.over80++;
      if (r.populationType === 'FLOATING') t.floating++;
      if (r.populationType === 'OVERSEAS') t.overseas.push(r);
      if (r.populationType === 'UNSETTLED') t.unsettled.push(r);
      if (r.populationType === 'REGISTERED') {
        t.registered++;
        if (r.residenceStatus === 'RESIDENT_NOT_REGISTERED') t.separated++;
      }
      households.set(r.householdId, [...(households.get(r.householdId) ?? []), r]);
      if (r.hukouHouseholdId !== null && r.relationToHead === 'SELF') t.hukouHeads.set(r.hukouHouseholdId, r);
    }
    t.away.push(...g.registeredAway);
    // Group rentals are unrelated tenants, not family households (家庭户) as the census counts them.
    for (const members of households.values()) {
      if (members.some((m) => m.relationToHead === 'TENANT')) continue;
      t.familyHouseholds++;
      t.familyMembers += members.length;
    }
    for (const k of g.publicSecurity.keyPersons) {
      for (const s of k.specialGroups) t.groups[s.category]++;
      if (k.specialGroups.length > 1) t.twoGroups++;
    }
    // Members in residential branches and members reporting in alike (in-service and floating members' report-ins).
    for (const m of [...g.party.members, ...g.party.reportIns]) t.partyMembers.add(m.idNumber);
  }
  return t;
}

describe('population of 100,000 residents', () => {
  const t = tally(100_000, undefined, true);

  it('has 0-14 year olds at about 18 %, people of 60 and over at about 18.7 % and of 80 and over at about 2.5 %, as the 2020 census', () => {
    // 第七次全国人口普查公报 (第五号): 0-14 岁 17.95 %; 60 岁及以上 18.70 %; 80 岁及以上 35.8 million of 1,411.8 million, 2.54 %.
    within(t.children / t.residents, 0.165, 0.195, '0-14');
    within(t.over60 / t.residents, 0.175, 0.2, '60+');
    within(t.over80 / t.residents, 0.02, 0.03, '80+');
  });

  it('has family households of 2.62 people on average, as the 2020 census', () => {
    within(t.familyMembers / t.familyHouseholds, 2.52, 2.72, 'people per family household');
  });

  it('has the default floating share, 22 %, and registered people living off their hukou (人在户不在) at about 10 %', () => {
    within(t.floating / t.residents, 0.2, 0.24, 'floating');
    within(t.separated / t.registered, 0.08, 0.12, '人在户不在 among registered');
  });

  it('has people registered here but living elsewhere (户在人不在) at about a tenth of those registered, each in a hukou household of their grid', () => {
    // Registered here: those living here with their hukou here, and those away.
    const registeredHere = t.grids.reduce((n, g) => n + g.residents.filter((r) => r.residenceStatus === 'RESIDENT_AND_REGISTERED').length, 0);
    within(t.away.length / (registeredHere + t.away.length), 0.08, 0.13, '户在人不在 among those registered here');
    const ids = new Set(t.grids.flatMap((g) => g.residents.map((r) => r.idNumber)));
    for (const a of t.away) {
      expect(isValidIdNumber(a.idNumber)).toBe(true);
      expect(ids.has(a.idNumber), 'not also living here').toBe(false);
      const head = t.hukouHeads.get(a.hukouHouseholdId)!;
      expect(head, a.hukouHouseholdId).toBeDefined();
      expect(head.gridCode).toBe(a.gridCode);
      expect(a.registeredAddress).toBe(head.registeredAddress);
      expect(a.hukouPoliceStation).toBe(head.hukouPoliceStation);
    }
    expect(new Set(t.away.map((a) => a.idNumber)).size).toBe(t.away.length);
    // Grown children working away are the most common; spouses working away and grandchildren come after.
    const byRelation = (relation: DemoRegisteredAway['relationToHead']) => t.away.filter((a) => a.relationToHead === relation).length;
    expect(byRelation('CHILD')).toBeGreaterThan(byRelation('SPOUSE'));
    expect(byRelation('CHILD')).toBeGreaterThan(byRelation('GRANDCHILD'));
    expect(byRelation('GRANDCHILD')).toBeGreaterThan(0);
  });

  it('has each special group at its registered rate, severe mental disorders at 0.45 %', () => {
    for (const [category, rate] of Object.entries(SPECIAL_GROUP_RATES) as [KeyPersonCategory, number][]) {
      // The rarest groups hold a few dozen people here: a wider band.
      const band = rate < 0.0005 ? 0.35 : 0.15;
      within(t.groups[category] / t.residents, rate * (1 - band), rate * (1 + band), category);
    }
    within(t.groups.SEVERE_MENTAL_DISORDER / t.residents, 0.004, 0.005, 'severe mental disorder');
  });

  it('lists people on two lists under one record, each group with the unit that owns it', () => {
    expect(t.twoGroups).toBeGreaterThan(0);
    const keyPersons = t.grids.flatMap((g) => g.publicSecurity.keyPersons);
    const released = keyPersons.filter((k) => k.category === 'DRUG_USER' && k.specialGroups.some((s) => s.category === 'RELEASED_PRISONER'));
    within(released.length / keyPersons.filter((k) => k.category === 'DRUG_USER').length, 0.2, 0.45, 'drug users also released prisoners');
    for (const k of keyPersons) {
      expect(k.specialGroups[0]!.category).toBe(k.category);
      expect(new Set(k.specialGroups.map((s) => s.category)).size).toBe(k.specialGroups.length);
      for (const s of k.specialGroups) {
        expect(s.owningUnit).toBe(OWNING_UNIT[s.category]);
        expect(k.officers.some((o) => o.unit === s.owningUnit), `${k.id} has no ${s.owningUnit} worker`).toBe(true);
      }
      const days = k.contacts.map((c) => c.contactedOn);
      expect(days).toEqual([...days].sort());
      for (const c of k.contacts) expect(c.contactedOn >= k.since && c.contactedOn < REFERENCE_DATE).toBe(true);
    }
    expect(keyPersons.filter((k) => k.contacts.length > 0).length / keyPersons.length).toBeGreaterThan(0.9);
    expect(OWNING_UNIT.COMMUNITY_CORRECTION).toBe('JUSTICE_OFFICE');
    expect(OWNING_UNIT.SEVERE_MENTAL_DISORDER).toBe('HEALTH');
    expect(OWNING_UNIT.DRUG_USER).toBe('NARCOTICS_CONTROL');
  });

  it('has overseas people with their documents, nationality and stay, foreign names for foreigners, no hukou, never party members', () => {
    within(t.overseas.length / t.residents, 0.003, 0.012, 'overseas');
    const nationalities = new Set<string>();
    for (const r of t.overseas) {
      expect(r.document, r.name).not.toBeNull();
      expect(isValidIdNumber(r.idNumber)).toBe(false);
      expect(r.residenceStatus).toBeNull();
      expect(r.hukouDivisionCode).toBeNull();
      expect(r.registeredAddress).toBe('');
      expect(r.overseas).not.toBeNull();
      expect(t.partyMembers.has(r.idNumber)).toBe(false);
      nationalities.add(r.document!.nationality);
      if (r.document!.nationality === 'CHN') {
        // Compatriots from Hong Kong, Macao and Taiwan: their travel permits, Chinese names.
        expect(['HK_MACAO_PERMIT', 'TAIWAN_PERMIT']).toContain(r.document!.type);
      } else {
        expect(['PASSPORT', 'FOREIGN_PERMANENT_RESIDENCE']).toContain(r.document!.type);
        expect(r.name).toMatch(/^[A-Z]+(?: [A-Z]+)+$/);
      }
      const o = r.overseas!;
      if (o.permitKind === 'PERMANENT_RESIDENCE') expect(r.document!.type).toBe('FOREIGN_PERMANENT_RESIDENCE');
      else expect(o.permitNumber !== null && o.permitExpiresOn !== null && o.permitExpiresOn > o.entryDate).toBe(true);
    }
    expect(nationalities.size).toBeGreaterThanOrEqual(5);
  });

  it('says a household owns its dwelling exactly when a member holds its certificate, and most registered families do', async () => {
    let registered = 0;
    let owning = 0;
    for (const g of t.grids) {
      const owners = new Map<string, Set<string>>();
      for (const o of g.housing.ownerships) if (o.ownerIdNumber) owners.set(o.houseCode, (owners.get(o.houseCode) ?? new Set()).add(o.ownerIdNumber));
      const households = new Map<string, DemoResident[]>();
      for (const r of g.residents) households.set(r.householdId, [...(households.get(r.householdId) ?? []), r]);
      for (const members of households.values()) {
        const group = members.some((m) => m.relationToHead === 'TENANT');
        const owned = !group && members.some((m) => owners.get(m.houseCode)?.has(m.idNumber));
        for (const m of members) expect(m.tenure).toBe(owned ? 'OWNED' : 'RENTED');
        if (members[0]!.populationType === 'REGISTERED' && !group) {
          registered++;
          if (owned) owning++;
        }
      }
    }
    within(owning / registered, 0.65, 0.9, 'registered households owning their home');
  });

  it('has unsettled people (未落户) without ID numbers, under a registration number, a few of them party members', () => {
    within(t.unsettled.length / t.residents, 0.005, 0.015, 'unsettled');
    for (const r of t.unsettled) {
      expect(r.document?.type).toBe('NONE');
      expect(r.document?.number).toMatch(/^WL\d{19}$/);
      expect(isValidIdNumber(r.idNumber)).toBe(false);
      expect(r.residenceStatus).toBeNull();
    }
    // Unsettled people are Chinese citizens between two registrations: members like anyone else (of adults, ~7 %).
    const adults = t.unsettled.filter((r) => ageOf(r) >= 18);
    const members = adults.filter((r) => t.partyMembers.has(r.idNumber));
    expect(members.length).toBeGreaterThanOrEqual(2);
    within(members.length / adults.length, 0.02, 0.2, 'unsettled adults who are party members');
  });
});

describe('floating share as a parameter', () => {
  it('reaches 72 % for a suburb like the seed\u2019s 马陆镇 ("70%以上是外来人员")', () => {
    const t = tally(30_000, 0.72);
    within(t.floating / t.residents, 0.69, 0.75, 'floating');
  });

  it('refuses a share outside 0-0.95', () => {
    expect(() => generateDemoWorld({ residents: 100, floatingShare: 1.2 })).toThrow(RangeError);
  });
});
