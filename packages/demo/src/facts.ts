/**
 * A grid's base contents indexed for the record generators: households, occupants of each house, ages. Built once
 * per grid and dropped with it.
 */
import type { CommunityInfo } from './community.ts';
import { REF_DAY, ageOn } from './dates.ts';
import type { GridBase, Session } from './grid.ts';
import type { Rng } from './random.ts';
import type { DemoBuilding, DemoGrid, DemoGridWorker, DemoHouse, DemoResident } from './types.ts';
import type { GridPlan, WorldPlan } from './world.ts';

export interface Household {
  index: number;
  id: string;
  /** Resident indices, head first. */
  members: number[];
  head: number;
  house: DemoHouse;
  kind: 'REGISTERED' | 'FLOATING' | 'OVERSEAS' | 'GROUP';
}

export interface GridFacts {
  seed: number;
  world: WorldPlan;
  plan: GridPlan;
  info: CommunityInfo;
  session: Session;
  grid: DemoGrid;
  buildings: DemoBuilding[];
  houses: DemoHouse[];
  residents: DemoResident[];
  workers: DemoGridWorker[];
  birthDays: number[];
  ages: Uint8Array;
  households: Household[];
  /** Resident index to household index. */
  householdOf: Int32Array;
  /** House code to the indices of the residents who live there. */
  occupants: Map<string, number[]>;
  houseByCode: Map<string, DemoHouse>;
  /** Buildings of flats (not village houses, not shops), in code order. */
  apartmentBuildings: DemoBuilding[];
  isFirstGrid: boolean;
  isStreetSeat: boolean;
  /**
   * Residents of 18 or more who hold a citizen ID, and the same by building code: the other departments name people
   * by ID number (party members, mediation parties, grid workers), so the few who hold none are left out of them.
   */
  adults: number[];
  adultsByBuilding: Map<string, number[]>;
}

export function gridFacts(world: WorldPlan, plan: GridPlan, session: Session, info: CommunityInfo, base: GridBase): GridFacts {
  const { residents, houses, buildings } = base.contents;
  const ages = new Uint8Array(residents.length);
  base.birthDays.forEach((d, i) => (ages[i] = Math.min(255, ageOn(d))));
  const households: Household[] = [];
  const byId = new Map<string, Household>();
  const householdOf = new Int32Array(residents.length);
  const occupants = new Map<string, number[]>();
  const houseByCode = new Map(houses.map((h) => [h.code, h]));
  residents.forEach((r, i) => {
    let h = byId.get(r.householdId);
    if (!h) {
      h = { index: households.length, id: r.householdId, members: [], head: i, house: houseByCode.get(r.houseCode) as DemoHouse, kind: 'REGISTERED' };
      households.push(h);
      byId.set(r.householdId, h);
    }
    h.members.push(i);
    if (r.relationToHead === 'SELF') h.head = i;
    householdOf[i] = h.index;
    const list = occupants.get(r.houseCode);
    if (list) list.push(i);
    else occupants.set(r.houseCode, [i]);
  });
  for (const h of households) {
    const head = residents[h.head] as DemoResident;
    h.kind = h.members.some((m) => residents[m]?.relationToHead === 'TENANT')
      ? 'GROUP'
      : head.populationType === 'FLOATING'
        ? 'FLOATING'
        : head.populationType === 'OVERSEAS'
          ? 'OVERSEAS'
          : 'REGISTERED';
  }
  const adults: number[] = [];
  const adultsByBuilding = new Map<string, number[]>();
  residents.forEach((r, i) => {
    if ((ages[i] as number) < 18 || r.document !== null) return;
    adults.push(i);
    const building = (houseByCode.get(r.houseCode) as DemoHouse).buildingCode;
    const list = adultsByBuilding.get(building);
    if (list) list.push(i);
    else adultsByBuilding.set(building, [i]);
  });
  const perBuilding = new Map<string, number>();
  for (const h of houses) perBuilding.set(h.buildingCode, (perBuilding.get(h.buildingCode) ?? 0) + 1);
  return {
    seed: world.seed,
    world,
    plan,
    info,
    session,
    grid: plan.grid,
    buildings,
    houses,
    residents,
    workers: base.contents.workers,
    birthDays: base.birthDays,
    ages,
    households,
    householdOf,
    occupants,
    houseByCode,
    apartmentBuildings: buildings.filter((b) => b.use !== 'COMMERCIAL' && (perBuilding.get(b.code) ?? 0) > 1),
    isFirstGrid: plan.grid.sequence === 1,
    isStreetSeat: info.isStreetSeat && plan.grid.sequence === 1,
    adults,
    adultsByBuilding,
  };
}

/** Whether a house is crowded: more than two people per room or under 5 m2 each (the group-rental rule). */
export function isCrowded(house: DemoHouse, people: number): boolean {
  return people > 0 && (people > 2 * house.rooms || house.areaM2 / people < 5);
}

/** A uniformly random day in [from, to] (clamped so that from <= to). */
export function dayBetween(rng: Rng, from: number, to: number): number {
  return to <= from ? to : rng.int(from, to);
}

/** Weighted sample without replacement (Efraimidis-Spirakis): the k items with the largest u^(1/w). */
export function weightedSample(rng: Rng, indices: readonly number[], weight: (i: number) => number, k: number): number[] {
  if (k <= 0) return [];
  const keyed: [number, number][] = [];
  for (const i of indices) {
    const w = weight(i);
    if (w > 0) keyed.push([Math.log(rng.next() || Number.MIN_VALUE) / w, i]);
  }
  keyed.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  return keyed.slice(0, k).map(([, i]) => i);
}

/** Rounds an expected count to an integer, up with probability equal to its fraction. */
export function randomRound(rng: Rng, expected: number): number {
  const base = Math.floor(expected);
  return base + (rng.next() < expected - base ? 1 : 0);
}

export const LAST_DAY = REF_DAY - 1;
export const money = (x: number) => Math.round(x * 100) / 100;

/** A random adult of the grid outside the given household (rejection sampling; null if there is none). */
export function otherAdult(facts: GridFacts, rng: Rng, household: number): number | null {
  const { adults, householdOf } = facts;
  for (let tries = 0; tries < 16 && adults.length > 0; tries++) {
    const i = rng.pick(adults);
    if (householdOf[i] !== household) return i;
  }
  const others = adults.filter((i) => householdOf[i] !== household);
  return others.length === 0 ? null : rng.pick(others);
}

/** A random adult neighbour: same building, another household; null if there is none. */
export function neighbour(facts: GridFacts, rng: Rng, buildingCode: string, household: number, exclude?: string): number | null {
  const near = (facts.adultsByBuilding.get(buildingCode) ?? []).filter(
    (i) => facts.householdOf[i] !== household && (exclude === undefined || facts.residents[i]?.houseCode !== exclude),
  );
  return near.length === 0 ? null : rng.pick(near);
}
