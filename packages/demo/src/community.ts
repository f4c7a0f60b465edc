/**
 * What every grid of a community must agree on without seeing the others: the ids of the community-level bodies,
 * how many mediators each mediation committee has, the community police officers. A pure function of the world
 * plan, computed once per pass from per-community PRNG streams.
 */
import { buildCreditCode } from '@hub/core';
import type { DemoCommunity, DemoMediationCommittee, DemoStreet, OrganizationKind } from './types.ts';
import { pickGivenName, pickSurname } from './names.ts';
import { Rng, mix32 } from './random.ts';
import type { WorldPlan } from './world.ts';

export const ORG_PREFIX = {
  PARTY_COMMITTEE: 'PC',
  PARTY_GENERAL_BRANCH: 'PG',
  PARTY_BRANCH: 'PB',
  SOCIAL_ORGANIZATION: 'SO',
  RESIDENTS_COMMITTEE: 'RC',
  VILLAGERS_COMMITTEE: 'VC',
  PROPERTY_COMPANY: 'PM',
  OWNERS_COMMITTEE: 'OC',
  MEDIATION_COMMITTEE: 'MC',
  GOVERNMENT_AGENCY: 'GV',
  COMMUNITY_ORGANIZATION: 'CO',
  ENTERPRISE: 'EN',
  INDIVIDUAL_BUSINESS: 'IB',
  SCHOOL: 'SC',
  CLINIC: 'CL',
} as const;
export type OrgPrefix = (typeof ORG_PREFIX)[keyof typeof ORG_PREFIX];

export const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** `<prefix><12-digit community code><3-digit sequence>`. */
export const organizationId = (prefix: OrgPrefix, communityCode: string, sequence: number) =>
  `${prefix}${communityCode}${pad(sequence, 3)}`;

/** Per-grid bodies (party branches, property companies, owners' committees) number in a block of 100 per grid. */
export const gridOrgSequence = (gridSequence: number, k: number) => (gridSequence - 1) * 100 + k;

/** Hashes a string key into 32 bits, so a topic's stream depends on the key only. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = mix32(h, key.charCodeAt(i));
  return h;
}

/** The PRNG of one topic (e.g. 'party') of one place (a grid or community code): independent of every other topic. */
export const topicRng = (seed: number, place: string, topic: string) => new Rng(seed, hashKey(`${place}/${topic}`));

/** GB 32100 category (registering authority + kind) of each organization kind with a credit code. */
export const CREDIT_CATEGORY = {
  SOCIAL_GROUP: '51',
  PRIVATE_NON_ENTERPRISE: '52',
  FOUNDATION: '53',
  VILLAGERS_COMMITTEE: '54',
  RESIDENTS_COMMITTEE: '55',
  PROPERTY_COMPANY: '91',
  OWNERS_COMMITTEE: 'J1',
  MEDIATION_COMMITTEE: '12',
  GOVERNMENT_AGENCY: '11',
  ENTERPRISE: '91',
  INDIVIDUAL_BUSINESS: '92',
  SCHOOL: '12',
  CLINIC: '12',
} as const;

const M = 1_000_000_000n;
/**
 * A credit code for an organization id: category + district code + a 9-digit organization code that is a
 * bijective scramble of (street, community, sequence) digits of the id (offset by kind), then the check character.
 * Within one kind two ids never share a code, and kinds never share a category, so the codes are unique
 * district-wide.
 */
export function creditCodeFor(category: string, districtCode: string, id: string): string {
  const digits = BigInt(id.slice(8, 14) + id.slice(14, 17)); // street 3 + community 3 + sequence 3
  // A per-kind offset keeps the bodies of one community from sharing the same-looking organization code.
  const scrambled = (digits * 387_420_489n + BigInt(hashKey(id.slice(0, 2)) % 1_000_000_000)) % M;
  return buildCreditCode(`${category}${districtCode}${scrambled.toString().padStart(9, '0')}`);
}

export interface Officer {
  name: string;
  badge: string;
}

export interface CommitteePlan {
  id: string;
  type: DemoMediationCommittee['type'];
  industry: DemoMediationCommittee['industry'];
  mediators: number;
}

export interface CommunityInfo {
  community: DemoCommunity;
  street: DemoStreet;
  index: number;
  gridCodes: string[];
  firstGridCode: string;
  /** The street's first community: the street committee sits in its first grid. */
  streetFirstCommunityCode: string;
  isStreetSeat: boolean;
  /** RC (community) or VC (village), sequence 001. */
  committeeId: string;
  generalBranchId: string;
  streetCommitteeId: string;
  mediation: CommitteePlan;
  industryMediation: CommitteePlan | null;
  officers: Officer[];
}

const URBAN_INDUSTRIES: NonNullable<DemoMediationCommittee['industry']>[] = ['PROPERTY', 'LABOUR', 'MEDICAL', 'HOUSING'];
const RURAL_INDUSTRIES: NonNullable<DemoMediationCommittee['industry']>[] = ['LAND', 'AGRICULTURE'];

export function communityInfos(world: WorldPlan): Map<string, CommunityInfo> {
  const streetByCode = new Map(world.streets.map((s) => [s.code, s]));
  const gridsOf = new Map<string, string[]>();
  for (const g of world.grids) {
    const list = gridsOf.get(g.communityCode) ?? [];
    list.push(g.code);
    gridsOf.set(g.communityCode, list);
  }
  const firstOfStreet = new Map<string, string>();
  for (const c of world.communities) if (!firstOfStreet.has(c.streetCode)) firstOfStreet.set(c.streetCode, c.code);

  const infos = new Map<string, CommunityInfo>();
  world.communities.forEach((community, index) => {
    const rng = topicRng(world.seed, community.code, 'community');
    const street = streetByCode.get(community.streetCode);
    const gridCodes = gridsOf.get(community.code) ?? [];
    if (!street || gridCodes.length === 0) throw new Error(`community ${community.code} has no street or grids`);
    const streetFirst = firstOfStreet.get(street.code) as string;
    // A few communities (always the second one, so even a small district has one) run an industry committee too.
    const industry = index === 1 || rng.chance(0.2)
      ? rng.pick(community.kind === 'COMMUNITY' ? URBAN_INDUSTRIES : RURAL_INDUSTRIES)
      : null;
    const officers: Officer[] = [];
    const nOfficers = rng.int(2, 3);
    for (let k = 0; k < nOfficers; k++) {
      const sex = rng.chance(0.8) ? 'MALE' : 'FEMALE';
      officers.push({
        name: pickSurname(rng) + pickGivenName(rng, sex, rng.int(1970, 1998)),
        badge: pad(100_000 + ((mix32(world.seed, index * 8 + k) % 900_000)), 6),
      });
    }
    infos.set(community.code, {
      community,
      street,
      index,
      gridCodes,
      firstGridCode: gridCodes[0] as string,
      streetFirstCommunityCode: streetFirst,
      isStreetSeat: streetFirst === community.code,
      committeeId: organizationId(community.kind === 'COMMUNITY' ? 'RC' : 'VC', community.code, 1),
      generalBranchId: organizationId('PG', community.code, 1),
      streetCommitteeId: organizationId('PC', streetFirst, 1),
      mediation: { id: organizationId('MC', community.code, 1), type: 'COMMUNITY', industry: null, mediators: rng.int(3, 6) },
      industryMediation: industry
        ? { id: organizationId('MC', community.code, 2), type: 'INDUSTRY', industry, mediators: rng.int(3, 5) }
        : null,
      officers,
    });
  });
  return infos;
}

export const mediatorId = (committeeId: string, k: number) => `TY${committeeId}${pad(k, 2)}`;

export const CN_NUMERALS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
export const cnNumber = (n: number): string =>
  n <= 10 ? (CN_NUMERALS[n] as string) : n < 20 ? `十${CN_NUMERALS[n - 10]}` : String(n);

export type { OrganizationKind };
