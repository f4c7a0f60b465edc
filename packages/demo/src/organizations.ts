/**
 * The organizations whose office lies in a grid: community-level bodies in the community's first grid, the street
 * party committee in the street's first grid, and per grid its party branches, property company and owners'
 * committees. Ids and credit codes are pure functions of community and sequence.
 */
import {
  type OrgPrefix,
  CREDIT_CATEGORY,
  cnNumber,
  creditCodeFor,
  gridOrgSequence,
  organizationId,
  topicRng,
} from './community.ts';
import { dayOf, isoOf } from './dates.ts';
import { dayBetween, type GridFacts } from './facts.ts';
import { DISTRICT } from './places.ts';
import { communityPartyLevel } from './party.ts';
import type { Rng } from './random.ts';
import type { DemoBuilding, DemoOrganization, DemoSocialOrganization } from './types.ts';

const CITY_DISTRICT = `${DISTRICT.cityName}${DISTRICT.name}`;

const COMPOUND_STEMS = [
  '金地', '绿地', '名都', '锦绣', '翠湖', '阳光', '怡景', '枫丹', '御景', '书香', '世纪', '盛世', '和园', '康乐', '富华',
  '泰和', '华府', '馨苑', '南山', '紫金', '银河', '丽都', '新城', '天润', '嘉园', '万象', '永安', '金鼎', '凤鸣', '清华',
] as const;
const COMPOUND_SUFFIXES = ['花园', '小区', '家园', '苑', '新村', '公寓', '华庭', '雅居'] as const;
const PM_BRANDS = [
  '华润', '彭城', '汉润', '恒达', '金鹰', '淮海', '苏建', '万润', '恒泰', '中汇', '天地', '嘉诚', '祥和', '安居', '美邦', '宏远',
  '银城', '东方', '鑫泰', '润泽', '瑞丰', '泰安', '永泰', '龙湖', '新宇', '博远', '德信', '佳源', '华泰', '金诚',
] as const;

export interface Compound {
  name: string;
  buildings: DemoBuilding[];
}

export interface GridOrganizations {
  list: DemoOrganization[];
  branchIds: string[];
  compounds: Compound[];
  /** Compounds the property company manages: owners' committees are elected in some of them (see housing.ts). */
  managedCompounds: Compound[];
  propertyCompany: { id: string; buildingCodes: string[] } | null;
  socialOrganizations: { id: string; type: DemoSocialOrganization['type']; scope: string }[];
}

/** Adults of the grid decide how many party branches serve it (1-3, a branch having up to about 30 members). */
export function branchCount(facts: GridFacts): number {
  let adults = 0;
  for (const a of facts.ages) if (a >= 18) adults++;
  return adults <= 400 ? 1 : adults <= 900 ? 2 : 3;
}

export function branchName(facts: GridFacts, k: number, count: number): string {
  const base = `${facts.info.community.name}第${cnNumber(facts.grid.sequence)}网格`;
  return count === 1 ? `${base}党支部` : `${base}第${cnNumber(k)}党支部`;
}

const SOCIAL_ORGS: readonly { type: DemoSocialOrganization['type']; name: (c: string) => string; scope: string; weight: number }[] = [
  { type: 'SOCIAL_GROUP', name: (c) => `${CITY_DISTRICT}${c}志愿者协会`, scope: '组织志愿服务、邻里互助、社区环境整治和文明宣传活动', weight: 3 },
  { type: 'SOCIAL_GROUP', name: (c) => `${CITY_DISTRICT}${c}老年人协会`, scope: '开展老年文体活动、关爱走访和老年维权服务', weight: 2 },
  { type: 'SOCIAL_GROUP', name: (c) => `${CITY_DISTRICT}${c}文体协会`, scope: '组织广场舞、书画、合唱等群众性文体活动', weight: 1 },
  { type: 'PRIVATE_NON_ENTERPRISE', name: (c) => `${CITY_DISTRICT}${c}居家养老服务中心`, scope: '为辖区老年人提供助餐、助洁、助浴、日间照料等居家养老服务', weight: 2 },
  { type: 'PRIVATE_NON_ENTERPRISE', name: (c) => `${CITY_DISTRICT}${c}社会工作服务站`, scope: '提供社会救助对象帮扶、青少年成长辅导和家庭关系调适等社会工作服务', weight: 2 },
  { type: 'FOUNDATION', name: (c) => `${CITY_DISTRICT}${c}社区发展基金会`, scope: '募集资金用于社区困难群众帮扶、助学和公益项目资助', weight: 0.5 },
];

function pickSocialOrg(rng: Rng, exclude: Set<number>): number {
  const total = SOCIAL_ORGS.reduce((s, o, i) => s + (exclude.has(i) ? 0 : o.weight), 0);
  let x = rng.next() * total;
  for (let i = 0; i < SOCIAL_ORGS.length; i++) {
    if (exclude.has(i)) continue;
    x -= (SOCIAL_ORGS[i] as { weight: number }).weight;
    if (x < 0) return i;
  }
  return 0;
}

export function gridOrganizations(facts: GridFacts): GridOrganizations {
  const { info, grid, seed } = facts;
  const { community, street } = info;
  const rng = topicRng(seed, grid.code, 'organizations');
  const list: DemoOrganization[] = [];
  const add = (
    id: string,
    kind: DemoOrganization['kind'],
    name: string,
    category: string | null,
    registeredOn: number,
    department: DemoOrganization['department'],
  ) => list.push(makeOrganization(facts, id, kind, name, category, registeredOn, department));

  // The street party committee: in the street's first grid, numbered after the street's first community.
  if (facts.isStreetSeat) {
    const name = street.kind === 'STREET'
      ? `中共${CITY_DISTRICT}${street.name}工作委员会`
      : `中共${CITY_DISTRICT}${street.name}委员会`;
    add(info.streetCommitteeId, 'PARTY_ORGANIZATION', name, null, dayBetween(rng, dayOf(1992, 1, 1), dayOf(2005, 12, 31)), 'party');
  }

  // The district's housing authority, which holds the public rental housing (公租房): its office in the first street's seat.
  if (facts.isStreetSeat && street.code === facts.world.streets[0]?.code) {
    add(housingAuthorityId(facts), 'GOVERNMENT_AGENCY', `${CITY_DISTRICT}住房和城乡建设局`, CREDIT_CATEGORY.GOVERNMENT_AGENCY, dayOf(2019, 3, 1), 'housing');
  }

  const socialOrganizations: GridOrganizations['socialOrganizations'] = [];
  if (facts.isFirstGrid) {
    const urban = community.kind === 'COMMUNITY';
    add(
      info.committeeId,
      urban ? 'RESIDENTS_COMMITTEE' : 'VILLAGERS_COMMITTEE',
      urban ? `${CITY_DISTRICT}${community.name}居民委员会` : `${CITY_DISTRICT}${street.name}${community.name}村民委员会`,
      urban ? CREDIT_CATEGORY.RESIDENTS_COMMITTEE : CREDIT_CATEGORY.VILLAGERS_COMMITTEE,
      dayBetween(rng, dayOf(2018, 3, 1), dayOf(2019, 12, 31)),
      'civil-affairs',
    );
    const communityLevel = communityPartyLevel(facts);
    add(info.generalBranchId, 'PARTY_ORGANIZATION', `中共${street.name}${community.name}${communityLevel === 'COMMITTEE' ? '委员会' : '总支部委员会'}`, null, dayBetween(rng, dayOf(2000, 1, 1), dayOf(2015, 12, 31)), 'party');
    const mediationDay = dayBetween(rng, dayOf(2011, 1, 1), dayOf(2019, 12, 31));
    add(info.mediation.id, 'MEDIATION_COMMITTEE', `${community.name}人民调解委员会`, CREDIT_CATEGORY.MEDIATION_COMMITTEE, mediationDay, 'mediation');
    const industry = info.industryMediation;
    if (industry) {
      add(industry.id, 'MEDIATION_COMMITTEE', `${street.name}${community.name}${INDUSTRY_NAMES[industry.industry ?? 'PROPERTY']}人民调解委员会`,
        CREDIT_CATEGORY.MEDIATION_COMMITTEE, dayBetween(rng, mediationDay, dayOf(2023, 12, 31)), 'mediation');
    }
    // Social organizations: 0-2 per community, at least one in the district's first community.
    const r = rng.next();
    const nSocial = facts.residents.length === 0 ? 0 : info.index === 0 ? (r < 0.5 ? 1 : 2) : r < 0.25 ? 0 : r < 0.7 ? 1 : 2;
    const used = new Set<number>();
    for (let k = 1; k <= nSocial; k++) {
      const which = pickSocialOrg(rng, used);
      used.add(which);
      const spec = SOCIAL_ORGS[which] as (typeof SOCIAL_ORGS)[number];
      const id = organizationId('SO', community.code, k);
      add(id, 'SOCIAL_ORGANIZATION', spec.name(community.name), CREDIT_CATEGORY[spec.type], dayBetween(rng, dayOf(2012, 1, 1), dayOf(2025, 6, 30)), 'civil-affairs');
      socialOrganizations.push({ id, type: spec.type, scope: spec.scope });
    }
  }

  const nBranches = branchCount(facts);
  const branchIds: string[] = [];
  for (let k = 1; k <= nBranches; k++) {
    const id = organizationId('PB', community.code, gridOrgSequence(grid.sequence, k));
    branchIds.push(id);
    add(id, 'PARTY_ORGANIZATION', branchName(facts, k, nBranches), null, dayBetween(rng, dayOf(2012, 1, 1), dayOf(2023, 12, 31)), 'party');
  }

  // Compounds: the grid's blocks of flats in 1-3 runs of neighbouring buildings.
  const apartments = facts.apartmentBuildings;
  const compounds: Compound[] = [];
  if (apartments.length > 0) {
    const n = Math.min(apartments.length, 1 + Math.floor(apartments.length / 6), 3);
    const stems = rng.shuffle([...COMPOUND_STEMS]);
    for (let k = 0; k < n; k++) {
      const from = Math.floor((k * apartments.length) / n);
      const to = Math.floor(((k + 1) * apartments.length) / n);
      const name = community.kind === 'VILLAGE'
        ? `${community.name.replace(/村$/, '')}${k === 0 ? '' : cnNumber(k + 1) + '期'}安置小区`
        : `${stems[k]}${rng.pick(COMPOUND_SUFFIXES)}`;
      compounds.push({ name, buildings: apartments.slice(from, to) });
    }
  }

  let propertyCompany: GridOrganizations['propertyCompany'] = null;
  let managedCompounds: Compound[] = [];
  if (compounds.length > 0 && rng.chance(community.kind === 'COMMUNITY' ? 0.85 : 0.5)) {
    const id = organizationId('PM', community.code, gridOrgSequence(grid.sequence, 1));
    managedCompounds = compounds.filter((_, k) => k === 0 || rng.chance(0.75));
    const name = `${rng.chance(0.5) ? '江苏' : '徐州'}${rng.pick(PM_BRANDS)}${rng.pick(['物业服务有限公司', '物业管理有限公司'])}`;
    add(id, 'PROPERTY_COMPANY', name, CREDIT_CATEGORY.PROPERTY_COMPANY, dayBetween(rng, dayOf(2000, 1, 1), dayOf(2020, 12, 31)), 'housing');
    propertyCompany = {
      id,
      buildingCodes: managedCompounds.flatMap((c) => c.buildings.map((b) => b.code)),
    };
  }

  economyAndServices(facts, list);
  return { list, branchIds, compounds, managedCompounds, propertyCompany, socialOrganizations };
}

const SHOPS = ['便利店', '小吃店', '理发店', '五金店', '水果店', '面馆', '快递驿站', '家电维修部', '药店', '烟酒店', '服装店', '早餐店'] as const;
const SHOP_STEMS = ['老王', '惠民', '好邻居', '鑫鑫', '红红', '福满', '家家乐', '小李', '金源', '平价'] as const;
const FIRMS = ['商贸有限公司', '科技有限公司', '建筑工程有限公司', '餐饮管理有限公司', '物流有限公司', '装饰工程有限公司'] as const;
const FILED = ['广场舞队', '老年志愿服务队', '读书会', '邻里互助会', '书画社', '合唱队', '巡逻队', '家长互助会'] as const;

/**
 * The grid's non-public economy and community services, from a stream of their own: individual businesses (个体工商户,
 * about one per 120 residents in town, fewer in villages) and a few enterprises (企业) — the 两新组织 — and, in the
 * community's first grid, its filed community organizations (备案社区社会组织, no credit code), its clinic (社区卫生
 * 服务站 or 村卫生室) and, in some communities, a kindergarten or primary school.
 */
function economyAndServices(facts: GridFacts, list: DemoOrganization[]): void {
  const { info, grid, seed, residents } = facts;
  const { community } = info;
  const rng = topicRng(seed, grid.code, 'economy');
  const urban = community.kind === 'COMMUNITY';
  const add = (prefix: OrgPrefix, kind: DemoOrganization['kind'], name: string, category: string | null, from: number, department: DemoOrganization['department'], k: number) =>
    list.push(makeOrganization(facts, organizationId(prefix, community.code, gridOrgSequence(grid.sequence, k)), kind, name, category, dayBetween(rng, from, dayOf(2025, 12, 31)), department));
  if (residents.length === 0) return;
  const nShops = Math.min(40, Math.round((residents.length / (urban ? 120 : 200)) * rng.real(0.7, 1.3)));
  for (let k = 1; k <= nShops; k++) {
    add('IB', 'INDIVIDUAL_BUSINESS', `${CITY_DISTRICT}${rng.pick(SHOP_STEMS)}${rng.pick(SHOPS)}`, CREDIT_CATEGORY.INDIVIDUAL_BUSINESS, dayOf(2012, 1, 1), 'market-regulation', k);
  }
  const nFirms = rng.int(0, urban ? 3 : 1);
  for (let k = 1; k <= nFirms; k++) {
    add('EN', 'ENTERPRISE', `徐州${rng.pick(SHOP_STEMS)}${rng.pick(FIRMS)}`, CREDIT_CATEGORY.ENTERPRISE, dayOf(2005, 1, 1), 'market-regulation', k);
  }
  if (!facts.isFirstGrid) return;
  const filed = rng.shuffle([...FILED]).slice(0, rng.int(1, 4));
  filed.forEach((name, k) => add('CO', 'COMMUNITY_ORGANIZATION', `${community.name}${name}`, null, dayOf(2016, 1, 1), 'civil-affairs', k + 1));
  add('CL', 'CLINIC', urban ? `${CITY_DISTRICT}${community.name}社区卫生服务站` : `${CITY_DISTRICT}${info.street.name}${community.name}卫生室`, CREDIT_CATEGORY.CLINIC, dayOf(2000, 1, 1), 'health', 1);
  if (rng.chance(urban ? 0.5 : 0.3)) {
    add('SC', 'SCHOOL', `${CITY_DISTRICT}${community.name}${rng.chance(0.6) ? '幼儿园' : '小学'}`, CREDIT_CATEGORY.SCHOOL, dayOf(1990, 1, 1), 'education', 1);
  }
}

/** The housing authority's id: in the first community of the district's first street. */
export function housingAuthorityId(facts: GridFacts): string {
  const street = facts.world.streets[0]!.code;
  const first = facts.world.communities.find((c) => c.streetCode === street)!.code;
  return organizationId('GV', first, 1);
}

export function makeOrganization(
  facts: GridFacts,
  id: string,
  kind: DemoOrganization['kind'],
  name: string,
  category: string | null,
  registeredOn: number,
  department: DemoOrganization['department'],
): DemoOrganization {
  return {
    id,
    kind,
    name,
    creditCode: category === null ? null : creditCodeFor(category, DISTRICT.code, id),
    gridCode: facts.grid.code,
    communityCode: id.slice(2, 14),
    registeredOn: isoOf(registeredOn),
    department,
  };
}

export const CITY_DISTRICT_NAME = CITY_DISTRICT;

const INDUSTRY_NAMES: Record<string, string> = {
  PROPERTY: '物业纠纷',
  HOUSING: '房屋租赁纠纷',
  LAND: '土地纠纷',
  AGRICULTURE: '农村土地承包经营纠纷',
  MEDICAL: '医疗纠纷',
  LABOUR: '劳动争议',
};
