/**
 * The fixed part of the demo world: streets, communities and grids, and how many residents each grid will hold.
 * It is small (a few hundred grids at most) and built eagerly; the people are generated lazily per grid.
 */
import type { CommunityKind, DemoCommunity, DemoGrid, DemoStreet } from './types.ts';
import {
  COMMUNITY_STEMS,
  DISTRICT,
  DISTRICT_PREFIX,
  ROADS,
  STREET_STEMS,
  TOWN_STEMS,
  VILLAGE_FAMILIES,
  VILLAGE_SUFFIXES,
} from './places.ts';
import { Rng, apportion } from './random.ts';
import { floatingHouseholdShare } from './grid.ts';

/** A Xuzhou urban district's floating share: a fifth of its residents and a little more. */
export const DEFAULT_FLOATING_SHARE = 0.22;

export interface GridPlan {
  /** Position in code order; also the PRNG stream of the grid. */
  index: number;
  grid: DemoGrid;
  community: DemoCommunity;
  street: DemoStreet;
  targetResidents: number;
  /** The road the grid's buildings stand on; null in villages, whose addresses use group (组) numbers. */
  road: string | null;
  /** Full address down to the community, e.g. 江苏省徐州市泉山区湖滨街道湖滨社区. */
  addressPrefix: string;
}

export interface WorldPlan {
  seed: number;
  residents: number;
  floatingShare: number;
  /** The share of family households that are floating, for `floatingShare` of residents (grid.ts). */
  floatingHouseholdShare: number;
  streets: DemoStreet[];
  communities: DemoCommunity[];
  grids: DemoGrid[];
  plans: GridPlan[];
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const pad3 = (n: number) => String(n).padStart(3, '0');

/** One community per ~7,250 residents, one street per ~12.5 communities: the seed text's 138 and 11 at a million. */
export function communityCount(residents: number): number {
  return clamp(Math.round(residents / 7250), 4, 200);
}

export function streetCount(communities: number): number {
  return clamp(Math.round(communities / 12.5), 2, 11);
}

/** Unique names in a seeded order; when the stems run out, directional variants (湖滨东, 湖滨西...) follow. */
function communityNames(rng: Rng): () => string {
  const stems = rng.shuffle([...COMMUNITY_STEMS]);
  const variants = ['', '东', '西', '南', '北', '新'];
  let k = 0;
  return () => {
    const stem = stems[k % stems.length] as string;
    const variant = variants[Math.floor(k / stems.length)];
    if (variant === undefined) throw new RangeError('out of community names');
    k++;
    return `${stem}${variant}社区`;
  };
}

function villageNames(rng: Rng): () => string {
  const names = rng.shuffle(VILLAGE_FAMILIES.flatMap((family) => VILLAGE_SUFFIXES.map((suffix) => `${family}${suffix}村`)));
  let k = 0;
  return () => {
    const name = names[k++];
    if (name === undefined) throw new RangeError('out of village names');
    return name;
  };
}

export function buildWorld(residents: number, seed: number, floatingShare = DEFAULT_FLOATING_SHARE): WorldPlan {
  const rng = new Rng(seed, 0x5eed);
  const nCommunities = communityCount(residents);
  const nStreets = streetCount(nCommunities);
  const nTowns = clamp(Math.round(nStreets * 0.3), 1, nStreets - 1);
  const nUrban = nStreets - nTowns;

  const streetStems = rng.shuffle([...STREET_STEMS]).slice(0, nUrban);
  const townStems = rng.shuffle([...TOWN_STEMS]).slice(0, nTowns);
  const streets: DemoStreet[] = [
    ...streetStems.map((stem, i) => ({
      code: `${DISTRICT.code}${pad3(i + 1)}000`,
      name: `${stem}街道`,
      kind: 'STREET' as const,
      districtCode: DISTRICT.code,
    })),
    ...townStems.map((stem, i) => ({
      code: `${DISTRICT.code}${pad3(101 + i)}000`,
      name: `${stem}镇`,
      kind: 'TOWN' as const,
      districtCode: DISTRICT.code,
    })),
  ];

  // Every street gets at least one community; towns get more units because villages are small.
  const unitWeights = streets.map((s) => (s.kind === 'TOWN' ? rng.real(1.1, 1.7) : rng.real(0.7, 1.3)));
  const unitsPerStreet = apportion(nCommunities - nStreets, unitWeights).map((n) => n + 1);

  const nextCommunityName = communityNames(rng);
  const nextVillageName = villageNames(rng);
  const communities: DemoCommunity[] = [];
  const residentWeights: number[] = [];
  streets.forEach((street, s) => {
    const units = unitsPerStreet[s] as number;
    // A town has its seat communities (1-3) and villages; a street has communities and now and then a village.
    const kinds: CommunityKind[] = [];
    if (street.kind === 'TOWN') {
      const seats = units <= 1 ? 1 : Math.min(units - 1, rng.int(1, 3));
      for (let i = 0; i < units; i++) kinds.push(i < seats ? 'COMMUNITY' : 'VILLAGE');
    } else {
      for (let i = 0; i < units; i++) kinds.push(i > 0 && rng.chance(0.08) ? 'VILLAGE' : 'COMMUNITY');
    }
    // Communities (0xx) before villages (2xx): pushing in this order keeps the list in code order.
    kinds.sort((a, b) => (a === b ? 0 : a === 'COMMUNITY' ? -1 : 1));
    let nextCommunity = 1;
    let nextVillage = 201;
    for (const kind of kinds) {
      const number = kind === 'COMMUNITY' ? nextCommunity++ : nextVillage++;
      communities.push({
        code: `${street.code.slice(0, 9)}${pad3(number)}`,
        name: kind === 'COMMUNITY' ? nextCommunityName() : nextVillageName(),
        kind,
        streetCode: street.code,
        areaKm2: Math.round((kind === 'COMMUNITY' ? rng.real(0.4, 3.5) : rng.real(2, 8)) * 100) / 100,
      });
      residentWeights.push(kind === 'COMMUNITY' ? rng.real(0.7, 1.5) : rng.real(0.3, 0.6));
    }
  });

  const communityTargets = apportion(residents, residentWeights);
  const streetByCode = new Map(streets.map((s) => [s.code, s]));
  const grids: DemoGrid[] = [];
  const plans: GridPlan[] = [];
  communities.forEach((community, c) => {
    const weight = residentWeights[c] as number;
    const nGrids = clamp(Math.round(2 + weight * 3 + rng.real(0, 2)), 3, 8);
    const gridTargets = apportion(
      communityTargets[c] as number,
      Array.from({ length: nGrids }, () => rng.real(0.7, 1.3)),
    );
    const roads = rng.shuffle([...ROADS]);
    const street = streetByCode.get(community.streetCode);
    if (!street) throw new Error(`community ${community.code} has no street`);
    for (let seq = 1; seq <= nGrids; seq++) {
      const grid: DemoGrid = {
        code: `${community.code}${pad3(seq)}`,
        name: `${community.name}第${seq}网格`,
        communityCode: community.code,
        sequence: seq,
      };
      grids.push(grid);
      plans.push({
        index: plans.length,
        grid,
        community,
        street,
        targetResidents: gridTargets[seq - 1] as number,
        road: community.kind === 'COMMUNITY' ? (roads[seq - 1] as string) : null,
        addressPrefix: `${DISTRICT_PREFIX}${street.name}${community.name}`,
      });
    }
  });

  return { seed, residents, floatingShare, floatingHouseholdShare: floatingHouseholdShare(floatingShare), streets, communities, grids, plans };
}
