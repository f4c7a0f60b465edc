import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  documentKey,
  isCommunityCode,
  isGridCode,
  isMobilePhone,
  isStreetCode,
  parseIdNumber,
  townshipKind,
} from '@hub/core';
import {
  communityCount,
  DEFAULT_SEED,
  generateDemoWorld,
  REFERENCE_DATE,
  streetCount,
  type DemoGridContents,
  type DemoResident,
  type DemoWorld,
} from '../src/index.ts';

const TODAY = new Date(`${REFERENCE_DATE}T00:00:00Z`);

function hashWorld(world: DemoWorld): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([world.options, world.district, world.streets, world.communities, world.grids]));
  for (const contents of world.gridContents()) hash.update(JSON.stringify(contents));
  return hash.digest('hex');
}

function collect(world: DemoWorld): DemoGridContents[] {
  return [...world.gridContents()];
}

function ageOf(r: DemoResident): number {
  const [y, m, d] = r.birthDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = REFERENCE_DATE.split('-').map(Number) as [number, number, number];
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
}

const small = generateDemoWorld({ residents: 3000 });
const smallGrids = collect(small);
const allResidents = smallGrids.flatMap((g) => g.residents);

describe('determinism', () => {
  it('gives identical records for the same seed and size, on every pass', () => {
    const first = hashWorld(small);
    expect(hashWorld(small)).toBe(first);
    expect(hashWorld(generateDemoWorld({ residents: 3000, seed: DEFAULT_SEED }))).toBe(first);
  });

  it('gives a different district for another seed', () => {
    expect(hashWorld(generateDemoWorld({ residents: 3000, seed: 7 }))).not.toBe(hashWorld(small));
  });

  it('uses no unseeded randomness or clock', () => {
    const dir = new URL('../src/', import.meta.url);
    for (const file of readdirSync(dir)) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      expect(source, file).not.toMatch(/Math\.random|Date\.now|new Date\(\)/);
    }
  });
});

describe('places', () => {
  it('is 泉山区 of 徐州市 with valid street, community and grid codes', () => {
    expect(small.district).toEqual({ code: '320311', name: '泉山区', cityName: '徐州市', provinceName: '江苏省' });
    expect(small.options).toEqual({ residents: 3000, seed: DEFAULT_SEED, floatingShare: 0.22 });
    for (const s of small.streets) {
      expect(isStreetCode(s.code), s.code).toBe(true);
      expect(townshipKind(s.code)).toBe(s.kind);
      expect(s.name.endsWith(s.kind === 'STREET' ? '街道' : '镇')).toBe(true);
    }
    expect(new Set(small.streets.map((s) => s.kind))).toEqual(new Set(['STREET', 'TOWN']));
    const streetCodes = new Set(small.streets.map((s) => s.code));
    for (const c of small.communities) {
      expect(isCommunityCode(c.code), c.code).toBe(true);
      expect(streetCodes.has(c.streetCode)).toBe(true);
      expect(c.code.slice(0, 9)).toBe(c.streetCode.slice(0, 9));
      const n = Number(c.code.slice(9));
      if (c.kind === 'COMMUNITY') expect(n < 100 && c.name.endsWith('社区')).toBe(true);
      else expect(n >= 200 && n < 300 && c.name.endsWith('村')).toBe(true);
      expect(c.areaKm2).toBeGreaterThan(0);
    }
    const communityCodes = new Set(small.communities.map((c) => c.code));
    for (const g of small.grids) {
      expect(isGridCode(g.code), g.code).toBe(true);
      expect(communityCodes.has(g.communityCode)).toBe(true);
      expect(g.code).toBe(`${g.communityCode}${String(g.sequence).padStart(3, '0')}`);
      expect(g.name).toMatch(/^.+(社区|村)第\d网格$/);
    }
    for (const c of small.communities) {
      const n = small.grids.filter((g) => g.communityCode === c.code).length;
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(8);
    }
    const names = [...small.streets, ...small.communities, ...small.grids].map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    const sortedGridCodes = small.grids.map((g) => g.code);
    expect(sortedGridCodes).toEqual([...sortedGridCodes].sort());
    expect(smallGrids.map((g) => g.grid.code)).toEqual(sortedGridCodes);
  });

  it('scales the hierarchy with the population', () => {
    expect(communityCount(1_000_000)).toBe(138);
    expect(streetCount(138)).toBe(11);
    expect(communityCount(3000)).toBe(4);
    expect(communityCount(10_000_000)).toBe(200);
    const big = generateDemoWorld({ residents: 1_000_000 }); // structure only: the people are lazy
    expect(big.communities).toHaveLength(138);
    expect(big.streets).toHaveLength(11);
    expect(big.communities.filter((c) => c.kind === 'VILLAGE').length).toBeGreaterThan(10);
    const villagesUnderTowns = big.communities.filter(
      (c) => c.kind === 'VILLAGE' && big.streets.find((s) => s.code === c.streetCode)?.kind === 'TOWN',
    ).length;
    expect(villagesUnderTowns / big.communities.filter((c) => c.kind === 'VILLAGE').length).toBeGreaterThan(0.6);
  });

  it('numbers buildings in a block of 100 per grid and houses as building-unit-room', () => {
    for (const { grid, buildings, houses } of smallGrids) {
      const buildingCodes = new Set(buildings.map((b) => b.code));
      for (const b of buildings) {
        expect(b.gridCode).toBe(grid.code);
        expect(b.code).toBe(`${grid.communityCode}${String(b.number).padStart(5, '0')}`);
        expect(b.number).toBeGreaterThan((grid.sequence - 1) * 100);
        expect(b.number).toBeLessThanOrEqual(grid.sequence * 100);
        expect(b.address.startsWith('江苏省徐州市泉山区')).toBe(true);
      }
      for (const h of houses) {
        expect(h.code).toMatch(/^\d{17}-\d{2}-\d{4}$/);
        expect(h.code).toBe(`${h.buildingCode}-${String(h.unit).padStart(2, '0')}-${h.room}`);
        expect(buildingCodes.has(h.buildingCode)).toBe(true);
        expect(h.gridCode).toBe(grid.code);
        expect(h.areaM2).toBeGreaterThanOrEqual(30);
        expect(h.areaM2).toBeLessThanOrEqual(160);
        expect(h.rooms).toBeGreaterThanOrEqual(1);
        expect(h.rooms).toBeLessThanOrEqual(4);
      }
    }
    const houseCodes = smallGrids.flatMap((g) => g.houses.map((h) => h.code));
    expect(new Set(houseCodes).size).toBe(houseCodes.length);
  });
});

describe('residents', () => {
  it('comes to exactly the requested number', () => {
    expect(allResidents).toHaveLength(3000);
    const other = generateDemoWorld({ residents: 12_345, seed: 99 });
    let count = 0;
    for (const g of other.gridContents()) count += g.residents.length;
    expect(count).toBe(12_345);
    expect([...generateDemoWorld({ residents: 0 }).gridContents()].every((g) => g.residents.length === 0)).toBe(true);
  });

  it('has valid, unique ID numbers that agree with birth date and sex', () => {
    const seen = new Set<string>();
    for (const r of allResidents) {
      // People without a citizen ID are keyed by their document, which the population tests check.
      if (r.document !== null) {
        expect(r.idNumber).toBe(documentKey(r.document.type, r.document.nationality, r.document.number));
        expect(seen.has(r.idNumber)).toBe(false);
        seen.add(r.idNumber);
        continue;
      }
      const parsed = parseIdNumber(r.idNumber, TODAY);
      if ('problem' in parsed) throw new Error(`${r.idNumber}: ${parsed.problem}`);
      expect(parsed.birthDate).toBe(r.birthDate);
      expect(parsed.sex).toBe(r.sex);
      expect(r.birthDate < REFERENCE_DATE).toBe(true);
      expect(seen.has(r.idNumber)).toBe(false);
      seen.add(r.idNumber);
    }
  });

  it('lives in a house of its own grid', () => {
    for (const { grid, houses, residents } of smallGrids) {
      const codes = new Set(houses.map((h) => h.code));
      for (const r of residents) {
        expect(r.gridCode).toBe(grid.code);
        expect(codes.has(r.houseCode), r.houseCode).toBe(true);
      }
    }
  });

  it('forms households with one head, sharing a house, with ages that fit the roles', () => {
    const households = new Map<string, DemoResident[]>();
    for (const r of allResidents) households.set(r.householdId, [...(households.get(r.householdId) ?? []), r]);
    for (const members of households.values()) {
      const heads = members.filter((m) => m.relationToHead === 'SELF');
      expect(heads).toHaveLength(1);
      const head = heads[0] as DemoResident;
      expect(new Set(members.map((m) => m.houseCode)).size).toBe(1);
      expect(ageOf(head)).toBeGreaterThanOrEqual(18);
      const tenants = members.some((m) => m.relationToHead === 'TENANT');
      if (!tenants) expect(members.length).toBeLessThanOrEqual(6);
      const spouse = members.find((m) => m.relationToHead === 'SPOUSE');
      if (spouse) expect(spouse.sex).not.toBe(head.sex);
      for (const m of members) {
        if (m.relationToHead === 'CHILD') {
          expect(ageOf(head) - ageOf(m)).toBeGreaterThanOrEqual(16);
          const family = [head.name, spouse?.name].filter((n): n is string => !!n);
          expect(family.some((n) => n[0] === m.name[0]), `${m.name} of ${family}`).toBe(true);
        }
        if (m.relationToHead === 'GRANDCHILD') expect(ageOf(head) - ageOf(m)).toBeGreaterThanOrEqual(36);
        if (m.relationToHead === 'PARENT') expect(ageOf(m) - ageOf(head)).toBeGreaterThanOrEqual(16);
        if (m.relationToHead === 'TENANT') expect(m.populationType).toBe('FLOATING');
      }
    }
  });

  it('has the population types in realistic proportions', () => {
    const world = generateDemoWorld({ residents: 30_000 });
    const counts = { REGISTERED: 0, FLOATING: 0, OVERSEAS: 0, UNSETTLED: 0 };
    let permits = 0;
    for (const g of world.gridContents()) {
      for (const r of g.residents) {
        counts[r.populationType]++;
        expect(r.floating !== null).toBe(r.populationType === 'FLOATING');
        if (r.floating?.residencePermitNumber) permits++;
      }
    }
    const share = (n: number) => n / 30_000;
    expect(share(counts.REGISTERED)).toBeGreaterThan(0.71);
    expect(share(counts.REGISTERED)).toBeLessThan(0.79);
    expect(share(counts.FLOATING)).toBeGreaterThan(0.19);
    expect(share(counts.FLOATING)).toBeLessThan(0.25);
    expect(share(counts.OVERSEAS)).toBeGreaterThan(0.002);
    expect(share(counts.OVERSEAS)).toBeLessThan(0.015);
    expect(share(counts.UNSETTLED)).toBeGreaterThan(0.004);
    expect(share(counts.UNSETTLED)).toBeLessThan(0.02);
    expect(permits / counts.FLOATING).toBeGreaterThan(0.6);
    expect(permits / counts.FLOATING).toBeLessThan(0.8);
  });

  it('gives floating people an origin, inflow date and (mostly) a residence permit', () => {
    const permitNumbers = new Set<string>();
    for (const r of allResidents.filter((x) => x.floating)) {
      const f = r.floating!;
      expect(f.inflowDate >= r.birthDate && f.inflowDate < REFERENCE_DATE).toBe(true);
      expect(f.originAddress).toMatch(/^.+(省|市|自治区).+(县|区|市).+组\d+号$/);
      expect(r.registeredAddress).toBe(f.originAddress);
      expect(r.idNumber.slice(0, 2)).not.toBe('');
      expect(f.residencePermitNumber === null).toBe(f.residencePermitExpiresOn === null);
      if (f.residencePermitNumber) {
        expect(f.residencePermitNumber).toMatch(/^320311(201[6-9]|202[0-6])\d{7}$/);
        expect(permitNumbers.has(f.residencePermitNumber)).toBe(false);
        permitNumbers.add(f.residencePermitNumber);
        expect(f.residencePermitExpiresOn! > f.inflowDate).toBe(true);
      }
    }
    expect(permitNumbers.size).toBeGreaterThan(0);
    const registered = allResidents.filter((r) => r.populationType === 'REGISTERED');
    expect(registered.every((r) => r.registeredAddress.startsWith('江苏省徐州市泉山区'))).toBe(true);
    expect(registered.filter((r) => r.idNumber.startsWith('320311')).length / registered.length).toBeGreaterThan(0.75);
  });

  it('has valid phones for most adults and none for young children', () => {
    const adults = allResidents.filter((r) => ageOf(r) >= 18);
    const withPhone = adults.filter((r) => r.phone !== null);
    expect(withPhone.length / adults.length).toBeGreaterThan(0.85);
    for (const r of allResidents) {
      if (r.phone !== null) expect(isMobilePhone(r.phone), r.phone).toBe(true);
      if (ageOf(r) < 12) expect(r.phone).toBeNull();
    }
    const phones = allResidents.flatMap((r) => (r.phone ? [r.phone] : []));
    expect(new Set(phones).size).toBe(phones.length);
  });

  it('has a few empty houses and 1-3% group rentals', () => {
    const world = generateDemoWorld({ residents: 30_000 });
    let houses = 0;
    let empty = 0;
    let crowded = 0;
    for (const g of world.gridContents()) {
      const people = new Map<string, number>();
      for (const r of g.residents) people.set(r.houseCode, (people.get(r.houseCode) ?? 0) + 1);
      for (const h of g.houses) {
        houses++;
        const n = people.get(h.code) ?? 0;
        if (n === 0) empty++;
        else if (n > 2 * h.rooms || h.areaM2 / n < 5) crowded++;
      }
    }
    expect(empty / houses).toBeGreaterThan(0.02);
    expect(empty / houses).toBeLessThan(0.15);
    expect(crowded / houses).toBeGreaterThan(0.01);
    expect(crowded / houses).toBeLessThan(0.03);
  });
});

describe('grid workers', () => {
  it('has 1-3 workers per grid, adults of 25-55 living in it, with phones', () => {
    for (const { grid, residents, workers } of smallGrids) {
      expect(workers.length).toBeGreaterThanOrEqual(1);
      expect(workers.length).toBeLessThanOrEqual(3);
      expect(new Set(workers.map((w) => w.idNumber)).size).toBe(workers.length);
      for (const w of workers) {
        expect(w.gridCode).toBe(grid.code);
        const r = residents.find((x) => x.idNumber === w.idNumber);
        expect(r, w.idNumber).toBeDefined();
        expect(r!.name).toBe(w.name);
        expect(r!.phone).toBe(w.phone);
        expect(isMobilePhone(w.phone)).toBe(true);
        expect(ageOf(r!)).toBeGreaterThanOrEqual(25);
        expect(ageOf(r!)).toBeLessThanOrEqual(55);
        expect(w.startedOn < REFERENCE_DATE).toBe(true);
        expect(w.startedOn > r!.birthDate).toBe(true);
      }
      expect(workers.filter((w) => w.role === 'FULL_TIME').length).toBeGreaterThanOrEqual(1);
    }
  });
});
