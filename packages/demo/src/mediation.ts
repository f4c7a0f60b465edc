/**
 * People's mediation records of a grid: in the community's first grid its committees and mediators; in every grid
 * the dispute cases of the last twelve months. Every incident referred by the police gets exactly one case, and
 * about 30% of the group rentals not yet rectified are in dispute.
 */
import { mediatorId, pad, topicRng, type CommitteePlan } from './community.ts';
import { addMonths, dateTimeOf, isoOf } from './dates.ts';
import { LAST_DAY, dayBetween, otherAdult, randomRound, type GridFacts } from './facts.ts';
import type { HousingFacts } from './housing.ts';
import { dayOfIso } from './housing.ts';
import { pickGivenName, pickSurname } from './names.ts';
import type { GridOrganizations } from './organizations.ts';
import { WeightedTable, type Rng } from './random.ts';
import type {
  CaseCategory,
  CaseSource,
  CaseStatus,
  DemoCase,
  DemoCaseParty,
  DemoIncident,
  DemoMediationCommittee,
  DemoMediationRecords,
  DemoMediator,
  DemoResident,
} from './types.ts';

const CASES_PER_RESIDENT_YEAR = 1 / 150;
const GROUP_RENTAL_DISPUTE_SHARE = 0.3;
const END_MINUTE = (LAST_DAY + 1) * 1440 - 1;

const URBAN_CATEGORIES = new WeightedTable<CaseCategory>([
  ['NEIGHBOURS', 26], ['MARRIAGE_FAMILY', 18], ['PROPERTY_MANAGEMENT', 14], ['HOUSES_HOMESTEADS', 6], ['CONTRACTS', 7],
  ['DAMAGES', 7], ['LABOUR', 6], ['CONSUMER', 4], ['MEDICAL', 2], ['ROAD_TRAFFIC', 4], ['PRODUCTION_BUSINESS', 2], ['ENVIRONMENT', 2], ['OTHER', 2],
]);
const RURAL_CATEGORIES = new WeightedTable<CaseCategory>([
  ['NEIGHBOURS', 20], ['MARRIAGE_FAMILY', 20], ['HOUSES_HOMESTEADS', 16], ['FORESTS_LAND', 10], ['LAND_ACQUISITION_DEMOLITION', 6],
  ['CONTRACTS', 6], ['DAMAGES', 6], ['LABOUR', 5], ['ROAD_TRAFFIC', 4], ['PRODUCTION_BUSINESS', 3], ['ENVIRONMENT', 2], ['OTHER', 2],
]);
const OTHER_SOURCES = new WeightedTable<CaseSource>([
  ['PARTY_APPLICATION', 45], ['GRID_WORKER_REPORT', 25], ['COMMITTEE_INITIATIVE', 12], ['COURT_REFERRAL', 7], ['PETITION_REFERRAL', 6], ['GOVERNMENT_ASSIGNED', 5],
]);
const OUTCOMES = new WeightedTable<NonNullable<DemoCase['outcome']>>([
  ['AGREEMENT_REACHED', 78], ['MEDIATION_FAILED', 14], ['HANDLED_BY_DEPARTMENT', 8],
]);
const OUTCOMES_AGREED = new WeightedTable<NonNullable<DemoCase['outcome']>>([['AGREEMENT_REACHED', 78], ['HANDLED_BY_DEPARTMENT', 8]]);

const SUMMARIES: Record<CaseCategory, readonly string[]> = {
  MARRIAGE_FAMILY: ['夫妻因家庭琐事长期不和，一方要求调解', '子女之间因父母赡养费用分担产生纠纷', '兄弟姐妹因父母遗留房产分割发生争执'],
  NEIGHBOURS: ['楼上住户卫生间漏水导致楼下天花板受损', '邻居在楼道堆放杂物影响通行', '邻居饲养宠物噪音和卫生问题引发矛盾', '邻里因装修噪音发生争执'],
  HOUSES_HOMESTEADS: ['房屋租赁合同到期后押金退还发生争议', '相邻房屋违章搭建影响采光通风', '宅基地界址不清引发纠纷'],
  CONTRACTS: ['装修工程质量及尾款支付发生纠纷', '个人借款到期未还引发纠纷', '房屋买卖定金返还发生争议'],
  PRODUCTION_BUSINESS: ['合伙经营餐馆散伙后账目结算发生纠纷', '商铺经营占道引发周边住户不满'],
  DAMAGES: ['高空坠物砸坏停放车辆要求赔偿', '宠物犬咬伤他人赔偿问题', '施工损坏相邻房屋墙体要求赔偿'],
  FORESTS_LAND: ['承包地边界不清发生争执', '林木归属及砍伐收益分配发生纠纷'],
  LAND_ACQUISITION_DEMOLITION: ['征地补偿款分配发生纠纷', '拆迁安置面积认定存在争议'],
  ENVIRONMENT: ['餐饮油烟排放影响楼上住户', '小区内垃圾中转点异味扰民'],
  LABOUR: ['装修工人讨要拖欠工资', '家政服务人员与雇主就工资结算发生争议'],
  CONSUMER: ['预付卡消费后商家停业退款纠纷', '购买家电质量问题退换货纠纷'],
  MEDICAL: ['诊所治疗后出现不良反应要求赔偿', '对医疗费用收取有异议'],
  ROAD_TRAFFIC: ['小区内车辆剐蹭事故赔偿协商', '电动车与行人碰撞医疗费承担争议'],
  PROPERTY_MANAGEMENT: ['业主对物业费上涨有异议拒缴物业费', '电梯长期故障业主要求物业维修', '小区停车管理收费引发业主不满'],
  OTHER: ['公共区域使用引发居民矛盾', '小区内广场舞噪音引发矛盾'],
};
const RECORD_TEXTS = [
  '分别听取双方陈述，核实事实经过，释法明理，双方同意继续协商。',
  '组织双方面对面调解，明确争议焦点，提出初步调解方案。',
  '实地查看现场并拍照留存，征询相关单位意见。',
  '邀请网格员和楼栋长参与，做双方思想工作，双方态度有所缓和。',
];
const AGREEMENT_TERMS = [
  '一方于约定期限内一次性支付对方补偿款人民币{a}元，双方今后互谅互让，不再就此事发生争执。',
  '责任方负责维修并承担维修费用{a}元，维修完成后双方纠纷了结。',
  '双方同意按约定方式分担相关费用，并于约定期限内履行完毕。',
  '一方停止侵害行为并恢复原状，另一方放弃其他赔偿要求。',
];

export function mediation(
  facts: GridFacts,
  orgs: GridOrganizations,
  incidents: DemoIncident[],
  housing: HousingFacts,
): DemoMediationRecords {
  const { grid, info, seed } = facts;
  const rng = topicRng(seed, grid.code, 'mediation');
  const committees: DemoMediationCommittee[] = [];
  const mediators: DemoMediator[] = [];
  if (facts.isFirstGrid) {
    for (const plan of [info.mediation, info.industryMediation]) {
      if (!plan) continue;
      committees.push({ organizationId: plan.id, type: plan.type, industry: plan.industry });
      mediators.push(...committeeMediators(facts, rng, plan));
    }
  }
  return { committees, mediators, cases: cases(facts, rng, orgs, incidents, housing) };
}

function committeeMediators(facts: GridFacts, rng: Rng, plan: CommitteePlan): DemoMediator[] {
  const { residents, ages, workers } = facts;
  const out: DemoMediator[] = [];
  const used = new Set<string>();
  const stranger = () => {
    const sex = rng.chance(0.65) ? 'MALE' : 'FEMALE';
    return pickSurname(rng) + pickGivenName(rng, sex, rng.int(1958, 1992));
  };
  const elder = () => {
    const pool: number[] = [];
    residents.forEach((r, i) => {
      const age = ages[i] as number;
      if (age >= 55 && age <= 75 && r.populationType === 'REGISTERED' && !used.has(r.idNumber)) pool.push(i);
    });
    return pool.length === 0 ? null : (residents[rng.pick(pool)] as DemoResident);
  };
  const backgrounds: DemoMediator['background'][] = plan.type === 'COMMUNITY'
    ? ['OTHER', rng.chance(0.7) ? 'GRID_WORKER' : 'ELDER', 'LAWYER', 'POLICE', 'ELDER', 'JUDGE']
    : ['LAWYER', 'OTHER', rng.chance(0.5) ? 'JUDGE' : 'PROSECUTOR', 'LAWYER', 'OTHER'];
  for (let k = 1; k <= plan.mediators; k++) {
    let background = backgrounds[(k - 1) % backgrounds.length] as DemoMediator['background'];
    let resident: { idNumber: string; name: string } | null = null;
    if (background === 'GRID_WORKER') {
      const w = workers.find((x) => !used.has(x.idNumber));
      if (w) resident = w;
      else background = 'ELDER';
    }
    if (background === 'ELDER' || (background === 'OTHER' && plan.type === 'COMMUNITY')) {
      // The committee's director (OTHER) is usually a community cadre living there; elders are residents.
      resident = elder();
      if (!resident && background === 'ELDER') background = 'OTHER';
    }
    if (resident) used.add(resident.idNumber);
    out.push({
      id: mediatorId(plan.id, k),
      committeeId: plan.id,
      name: resident ? resident.name : stranger(),
      idNumber: resident ? resident.idNumber : null,
      employment: k === 1 || (background === 'GRID_WORKER' && rng.chance(0.5)) ? 'FULL_TIME' : 'PART_TIME',
      background,
    });
  }
  return out;
}

interface CaseSeed {
  category: CaseCategory;
  source: CaseSource;
  /** Fixed for police referrals; otherwise chosen to fit the status, not before `earliestDay`. */
  receivedMinute: number | null;
  earliestDay: number;
  incidentId: string | null;
  houseCode: string | null;
  parties: DemoCaseParty[];
  summary: string;
}

function cases(facts: GridFacts, rng: Rng, orgs: GridOrganizations, incidents: DemoIncident[], housing: HousingFacts): DemoCase[] {
  const { grid, residents, ages, info, householdOf, households } = facts;
  const adults = facts.adults;
  const idOf = (i: number) => (residents[i] as DemoResident).idNumber;
  const partyOf = (i: number, role: DemoCaseParty['role']): DemoCaseParty => ({ idNumber: idOf(i), organizationId: null, role });
  const orgParty = (id: string, role: DemoCaseParty['role']): DemoCaseParty => ({ idNumber: null, organizationId: id, role });
  const seeds: CaseSeed[] = [];

  // Police referrals (警调对接): one case per referred incident, between the people involved.
  for (const incident of incidents) {
    if (!incident.referredToMediation || incident.referredOn === null) continue;
    const occurred = minuteOfIso(incident.occurredAt);
    const referred = dayOfIso(incident.referredOn);
    const received = Math.min(END_MINUTE, Math.max(occurred + rng.int(30, 180), referred * 1440 + rng.int(8 * 60, 18 * 60)));
    const [first, ...rest] = incident.involvedIdNumbers;
    const parties: DemoCaseParty[] = [];
    if (first) parties.push({ idNumber: first, organizationId: null, role: 'APPLICANT' });
    for (const id of rest) parties.push({ idNumber: id, organizationId: null, role: 'RESPONDENT' });
    if (parties.length === 1 && adults.length > 1) {
      const firstIndex = adults.find((i) => idOf(i) === first);
      const other = otherAdult(facts, rng, firstIndex === undefined ? -1 : (householdOf[firstIndex] as number));
      if (other !== null) parties.push(partyOf(other, 'RESPONDENT'));
    }
    const category: CaseCategory = incident.type === 'DOMESTIC' ? 'MARRIAGE_FAMILY' : incident.type === 'NOISE' ? 'NEIGHBOURS' : rng.pick(['NEIGHBOURS', 'DAMAGES', 'CONTRACTS'] as const);
    seeds.push({
      category,
      source: 'POLICE_REFERRAL',
      receivedMinute: received,
      earliestDay: Math.floor(received / 1440),
      incidentId: incident.id,
      houseCode: null,
      parties,
      summary: `派出所移交：${incident.summary}`,
    });
  }

  // Group rentals still open: neighbours or the property company take the landlord to mediation.
  for (const gr of housing.groupRentals) {
    if (gr.status === 'RECTIFIED' || !rng.chance(GROUP_RENTAL_DISPUTE_SHARE)) continue;
    const owner = housing.owners.get(gr.houseCode)?.[0];
    const tenants = facts.occupants.get(gr.houseCode) ?? [];
    const respondent: DemoCaseParty | null = owner?.resident != null
      ? partyOf(owner.resident, 'RESPONDENT')
      : tenants.length > 0 ? partyOf(tenants[0] as number, 'RESPONDENT') : null;
    if (!respondent) continue;
    const building = gr.houseCode.slice(0, 17);
    const neighbours = (facts.adultsByBuilding.get(building) ?? []).filter((i) => residents[i]?.houseCode !== gr.houseCode);
    const managed = orgs.propertyCompany?.buildingCodes.includes(building) ? orgs.propertyCompany.id : null;
    let category: CaseCategory = managed && rng.chance(0.4) ? 'PROPERTY_MANAGEMENT' : rng.chance(0.5) ? 'NEIGHBOURS' : 'HOUSES_HOMESTEADS';
    let applicant: DemoCaseParty;
    if (category === 'PROPERTY_MANAGEMENT' && managed) applicant = orgParty(managed, 'APPLICANT');
    else {
      const pool = neighbours.length > 0 ? neighbours : adults.filter((i) => !tenants.includes(i) && idOf(i) !== respondent.idNumber);
      if (pool.length === 0) continue;
      applicant = partyOf(rng.pick(pool), 'APPLICANT');
      if (category === 'PROPERTY_MANAGEMENT') category = 'NEIGHBOURS';
    }
    seeds.push({
      category,
      source: rng.chance(0.5) ? 'GRID_WORKER_REPORT' : 'PARTY_APPLICATION',
      receivedMinute: null,
      earliestDay: Math.max(dayOfIso(gr.identifiedOn), LAST_DAY - 364),
      incidentId: null,
      houseCode: gr.houseCode,
      parties: [applicant, respondent],
      summary: category === 'PROPERTY_MANAGEMENT'
        ? '物业反映该房屋群租，人员进出频繁，存在消防安全隐患，要求房东整改'
        : '邻居反映该房屋群租，居住人员多，噪音和卫生问题影响正常生活，要求房东整改',
    });
  }

  // People without a citizen ID (overseas, unsettled) are parties like anyone, named by their document key: a neighbour
  // or the other side of a contract or a damage about as often as they are among the grid's adults.
  const undocumented: number[] = [];
  residents.forEach((r, i) => {
    if ((ages[i] as number) >= 18 && r.document !== null) undocumented.push(i);
  });
  const undocumentedShare = undocumented.length / (undocumented.length + adults.length);

  // Other disputes, up to about one case per 150 residents a year.
  const target = randomRound(rng, residents.length * CASES_PER_RESIDENT_YEAR);
  const table = info.community.kind === 'COMMUNITY' ? URBAN_CATEGORIES : RURAL_CATEGORIES;
  for (let k = seeds.length; k < target && adults.length >= 2; k++) {
    let category = table.pick(rng);
    const a = rng.pick(adults);
    let parties: DemoCaseParty[];
    let houseCode: string | null = null;
    const family = (households[householdOf[a] as number]?.members ?? []).filter((m) => m !== a && (ages[m] as number) >= 18);
    if (category === 'MARRIAGE_FAMILY' && family.length === 0) category = 'NEIGHBOURS';
    if (category === 'PROPERTY_MANAGEMENT' && !orgs.propertyCompany) category = 'NEIGHBOURS';
    if (category === 'MARRIAGE_FAMILY') {
      parties = [partyOf(a, 'APPLICANT'), partyOf(rng.pick(family), 'RESPONDENT')];
    } else if (category === 'PROPERTY_MANAGEMENT' && orgs.propertyCompany) {
      parties = [partyOf(a, 'APPLICANT'), orgParty(orgs.propertyCompany.id, 'RESPONDENT')];
      if (rng.chance(0.5)) houseCode = residents[a]?.houseCode ?? null;
    } else if ((category === 'LAND_ACQUISITION_DEMOLITION' || category === 'FORESTS_LAND') && rng.chance(0.5)) {
      parties = [partyOf(a, 'APPLICANT'), orgParty(info.committeeId, 'RESPONDENT')];
    } else {
      const b = undocumented.length > 0 && rng.chance(undocumentedShare) ? rng.pick(undocumented) : (otherAdult(facts, rng, householdOf[a] as number) ?? adults.find((i) => i !== a));
      if (b === undefined) break;
      const applicant = undocumented.length > 0 && rng.chance(undocumentedShare) ? rng.pick(undocumented.filter((i) => i !== b).concat(a)) : a;
      parties = [partyOf(applicant, 'APPLICANT'), partyOf(b, 'RESPONDENT')];
      if ((category === 'NEIGHBOURS' || category === 'HOUSES_HOMESTEADS') && rng.chance(0.5)) houseCode = residents[b]?.houseCode ?? null;
    }
    seeds.push({
      category,
      source: OTHER_SOURCES.pick(rng),
      receivedMinute: null,
      earliestDay: LAST_DAY - 364,
      incidentId: null,
      houseCode,
      parties,
      summary: rng.pick(SUMMARIES[category]),
    });
  }

  const planned = seeds.map((s) => planLifeCycle(facts, rng, s));
  planned.sort((x, y) => x.receivedMinute - y.receivedMinute);
  return planned.map((p, k) => lifeCycle(facts, rng, p, `TJ${grid.code}${pad(k + 1, 4)}`));
}

/**
 * Statuses are dealt from a deck in the pass's case order, so even a small district has cases at every stage:
 * 25% open, 5% rejected, 15% resolved awaiting follow-up, 45% closed, 5% withdrawn or refused (art. 23), 5% escalated.
 * A mediation dealt to be resolved or closed that fails is terminated instead (art. 26): about one in seven of them
 * (OUTCOMES), some 8-9% of all cases; an escalated one had an agreement, so it does not fail.
 */
const DECK: readonly CaseStatus[] = [
  'CLOSED', 'IN_PROGRESS', 'CLOSED', 'RESOLVED', 'REPORTED', 'CLOSED', 'ACCEPTED', 'CLOSED', 'RESOLVED', 'CLOSED',
  'ESCALATED', 'IN_PROGRESS', 'CLOSED', 'DISPATCHED', 'WITHDRAWN', 'RESOLVED', 'CLOSED', 'REJECTED', 'CLOSED', 'IN_PROGRESS',
];
/** The channels a terminated mediation's parties are told of: a court nearly always, arbitration or an agency where it fits. */
const INFORMED_CHANNELS = new WeightedTable<NonNullable<DemoCase['informedChannels']>>([
  [['JUDICIAL'], 60], [['JUDICIAL', 'ADMINISTRATIVE'], 20], [['ARBITRATION', 'JUDICIAL'], 12], [['ADMINISTRATIVE'], 8],
]);
/** Of the withdrawals (art. 23), the applicant's own; the rest a respondent refusing mediation. */
const APPLICANT_WITHDRAWS = 0.6;
/** Of the withdrawals, those the parties make before the centre dispatches the case. */
const WITHDRAWN_BEFORE_DISPATCH = 0.3;

interface PlannedCase {
  seed: CaseSeed;
  status: CaseStatus;
  receivedMinute: number;
  acceptLag: number;
  resolveLag: number;
  follow1: number;
  follow2: number;
  closeLag: number;
  twoVisits: boolean;
}

function planLifeCycle(facts: GridFacts, rng: Rng, s: CaseSeed): PlannedCase {
  const acceptLag = rng.int(0, 2);
  const resolveLag = rng.int(3, 28);
  const follow1 = rng.int(5, 20);
  const follow2 = rng.int(5, 15);
  const closeLag = rng.int(0, 2);
  // The card is only used up when the case takes it, so referrals that cannot fit it leave it to the next case.
  const wanted = DECK[facts.session.cases % DECK.length] as CaseStatus;
  const twoVisits = wanted === 'ESCALATED' || (wanted === 'CLOSED' && rng.chance(0.1));
  // The days that must have passed since receipt for each status, at least and at most.
  const resolvedAfter = acceptLag + resolveLag;
  const visitedAfter = resolvedAfter + follow1 + (twoVisits ? follow2 : 0);
  const range: Record<CaseStatus, readonly [number, number]> = {
    REPORTED: [0, 4],
    ACCEPTED: [acceptLag, 7],
    DISPATCHED: [acceptLag, 10],
    REJECTED: [0, 364],
    IN_PROGRESS: [acceptLag + 1, acceptLag + 45],
    RESOLVED: [resolvedAfter, 364],
    CLOSED: [visitedAfter + closeLag, 364],
    ESCALATED: [visitedAfter, 364],
    // Withdrawn some day after acceptance; terminated is never dealt, only a failed mediation becomes one.
    WITHDRAWN: [acceptLag + 1, 364],
    TERMINATED: [365, 0],
  };
  const [lo, hi] = range[wanted];
  const plan = { seed: s, acceptLag, resolveLag, follow1, follow2, closeLag, twoVisits };
  if (s.receivedMinute !== null) {
    const elapsed = LAST_DAY - Math.floor(s.receivedMinute / 1440);
    if (elapsed >= lo && elapsed <= hi) {
      facts.session.cases++;
      return { ...plan, status: wanted, receivedMinute: s.receivedMinute };
    }
    return { ...plan, ...fitStatus(rng, elapsed, plan), receivedMinute: s.receivedMinute };
  }
  const maxElapsed = LAST_DAY - s.earliestDay;
  if (lo <= Math.min(hi, maxElapsed)) {
    const elapsed = rng.int(lo, Math.min(hi, maxElapsed));
    facts.session.cases++;
    return { ...plan, status: wanted, receivedMinute: (LAST_DAY - elapsed) * 1440 + rng.int(8 * 60, 19 * 60) };
  }
  const elapsed = rng.int(0, Math.max(0, maxElapsed));
  return { ...plan, ...fitStatus(rng, elapsed, plan), receivedMinute: (LAST_DAY - elapsed) * 1440 + rng.int(8 * 60, 19 * 60) };
}

/** A status that fits the days elapsed since receipt, when the dealt one does not. */
function fitStatus(
  rng: Rng,
  elapsed: number,
  p: { acceptLag: number; resolveLag: number; follow1: number; follow2: number; closeLag: number; twoVisits: boolean },
): { status: CaseStatus; acceptLag: number; twoVisits: boolean } {
  const acceptLag = Math.min(p.acceptLag, elapsed);
  const resolvedAfter = acceptLag + p.resolveLag;
  const options: [CaseStatus, number][] = [['REJECTED', 4]];
  if (elapsed <= 7) options.push(['REPORTED', 35], ['ACCEPTED', 25], ['DISPATCHED', 20]);
  if (elapsed >= acceptLag + 1 && elapsed <= acceptLag + 45) options.push(['IN_PROGRESS', elapsed < resolvedAfter ? 70 : 4]);
  if (elapsed >= resolvedAfter) options.push(['RESOLVED', 12]);
  if (elapsed >= resolvedAfter + p.follow1 + p.closeLag) options.push(['CLOSED', 75]);
  const status = new WeightedTable(options).pick(rng);
  return { status, acceptLag, twoVisits: false };
}

/** Which committee handles a category: the community's industry committee when it covers it, else the community one. */
function committeeFor(facts: GridFacts, category: CaseCategory): CommitteePlan {
  const industry = facts.info.industryMediation;
  if (industry) {
    const covers =
      (industry.industry === 'PROPERTY' && category === 'PROPERTY_MANAGEMENT') ||
      (industry.industry === 'LABOUR' && category === 'LABOUR') ||
      (industry.industry === 'MEDICAL' && category === 'MEDICAL') ||
      (industry.industry === 'HOUSING' && category === 'HOUSES_HOMESTEADS') ||
      (industry.industry === 'LAND' && (category === 'LAND_ACQUISITION_DEMOLITION' || category === 'FORESTS_LAND')) ||
      (industry.industry === 'AGRICULTURE' && category === 'FORESTS_LAND');
    if (covers) return industry;
  }
  return facts.info.mediation;
}

/** The timestamps, records, agreement and follow-ups that go with a planned status. */
function lifeCycle(facts: GridFacts, rng: Rng, p: PlannedCase, id: string): DemoCase {
  const s = p.seed;
  const { acceptLag, resolveLag, follow1, follow2, closeLag, twoVisits } = p;
  const committee = s.source === 'POLICE_REFERRAL' ? facts.info.mediation : committeeFor(facts, s.category);
  const receivedDay = Math.floor(p.receivedMinute / 1440);
  const mediators = committee.mediators;
  const mediator = mediatorId(committee.id, rng.int(1, mediators));

  const order: CaseStatus[] = ['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED'];
  const withdrawnBeforeDispatch = p.status === 'WITHDRAWN' && rng.chance(WITHDRAWN_BEFORE_DISPATCH);
  const stage = p.status === 'ESCALATED' ? 5 : p.status === 'REJECTED' ? 0 : p.status === 'WITHDRAWN' ? (withdrawnBeforeDispatch ? 1 : 3) : order.indexOf(p.status);
  const accepted = stage >= 1 ? Math.min(END_MINUTE, p.receivedMinute + acceptLag * 1440 + rng.int(20, 240)) : null;
  const acceptedDay = accepted === null ? receivedDay : Math.floor(accepted / 1440);
  const settledDay = stage >= 4 ? Math.min(LAST_DAY, acceptedDay + resolveLag) : null;
  const settled = settledDay === null ? null : Math.max(accepted ?? 0, settledDay * 1440 + rng.int(9 * 60, 17 * 60));
  // An escalated case had an agreement the parties were twice unsatisfied with: only a mediation dealt to be resolved
  // or closed can fail instead.
  let outcome: DemoCase['outcome'] = settled === null ? null : p.status === 'ESCALATED' ? OUTCOMES_AGREED.pick(rng) : OUTCOMES.pick(rng);
  // A mediation that fails is terminated the day it fails, the parties told of other channels (art. 26): it is not
  // resolved, visited or escalated.
  let status = p.status;
  let ended: number | null = null;
  let informedChannels: DemoCase['informedChannels'] = null;
  let withdrawal: DemoCase['withdrawal'] = null;
  if (outcome === 'MEDIATION_FAILED') {
    status = 'TERMINATED';
    ended = settled;
    informedChannels = INFORMED_CHANNELS.pick(rng);
  }
  if (status === 'WITHDRAWN' && accepted !== null) {
    const day = Math.min(LAST_DAY, acceptedDay + rng.int(withdrawnBeforeDispatch ? 0 : 1, Math.max(2, resolveLag)));
    ended = Math.min(END_MINUTE, Math.max(accepted + rng.int(30, 120), day * 1440 + rng.int(9 * 60, 17 * 60)));
    withdrawal = { by: rng.chance(APPLICANT_WITHDRAWS) ? 'APPLICANT' : 'RESPONDENT', beforeDispatch: withdrawnBeforeDispatch };
    outcome = withdrawal.by === 'APPLICANT' ? 'PARTIES_WITHDREW' : 'PARTIES_REFUSED';
  }
  const resolvedDay = status === 'TERMINATED' ? null : settledDay;
  const resolved = status === 'TERMINATED' ? null : settled;
  const endedDay = ended === null ? null : Math.floor(ended / 1440);

  const followUps: DemoCase['followUps'] = [];
  if (resolvedDay !== null) {
    const first = Math.min(LAST_DAY, resolvedDay + follow1);
    if (status === 'ESCALATED') {
      followUps.push({ visitedOn: isoOf(first), satisfied: false, note: '当事人对调解结果不满意，认为对方未完全履行' });
      followUps.push({ visitedOn: isoOf(Math.min(LAST_DAY, first + follow2)), satisfied: false, note: '再次回访仍不满意，报送督查室督办' });
    } else if (status === 'CLOSED') {
      if (twoVisits) {
        followUps.push({ visitedOn: isoOf(first), satisfied: false, note: '当事人对履行进度有意见，督促继续履行' });
        followUps.push({ visitedOn: isoOf(Math.min(LAST_DAY, first + follow2)), satisfied: true, note: '已履行完毕，双方满意' });
      } else {
        followUps.push({ visitedOn: isoOf(first), satisfied: true, note: '回访当事人，对调解结果表示满意' });
      }
    } else if (status === 'RESOLVED' && resolvedDay + follow1 <= LAST_DAY && rng.chance(0.3)) {
      followUps.push({ visitedOn: isoOf(first), satisfied: false, note: '当事人对调解结果不满意，安排再次回访' });
    }
  }
  const lastVisit = followUps.length > 0 ? dayOfIso((followUps[followUps.length - 1] as { visitedOn: string }).visitedOn) : null;
  const closed = status === 'CLOSED' && lastVisit !== null ? Math.min(END_MINUTE, Math.min(LAST_DAY, lastVisit + closeLag) * 1440 + rng.int(9 * 60, 17 * 60)) : ended;

  const records: DemoCase['records'] = [];
  if (stage >= 3) {
    const end = resolvedDay ?? endedDay ?? LAST_DAY;
    const n = rng.int(1, 3);
    const days: number[] = [];
    for (let k = 0; k < n; k++) days.push(dayBetween(rng, acceptedDay, end));
    days.sort((a, b) => a - b);
    for (const d of days) {
      records.push({ heldOn: isoOf(d), mediatorId: rng.chance(0.8) ? mediator : mediatorId(committee.id, rng.int(1, mediators)), content: rng.pick(RECORD_TEXTS) });
    }
  }
  let agreement: DemoCase['agreement'] = null;
  if (outcome === 'AGREEMENT_REACHED' && resolvedDay !== null) {
    const performBy = resolvedDay + rng.int(15, 60);
    agreement = {
      reachedOn: isoOf(resolvedDay),
      terms: rng.pick(AGREEMENT_TERMS).replace('{a}', String(rng.int(2, 60) * 100)),
      performBy: isoOf(performBy),
      performed: status === 'CLOSED' ? true : performBy <= LAST_DAY && rng.chance(0.85),
    };
  }
  return {
    id,
    category: s.category,
    source: s.source,
    gridCode: facts.grid.code,
    committeeId: committee.id,
    mediatorId: stage >= 2 ? mediator : null,
    status,
    outcome,
    summary: s.summary,
    receivedAt: dateTimeOf(p.receivedMinute),
    acceptedAt: accepted === null ? null : dateTimeOf(accepted),
    resolvedAt: resolved === null ? null : dateTimeOf(resolved),
    closedAt: closed === null ? null : dateTimeOf(closed),
    dueOn: isoOf(addMonths(acceptedDay, 1)),
    informedChannels,
    withdrawal,
    incidentId: s.incidentId,
    houseCode: s.houseCode,
    parties: s.parties,
    records,
    agreement,
    followUps,
  };
}

/** Minutes since day 0 of an ISO date-time the generator wrote (always +08:00, whole minutes). */
function minuteOfIso(iso: string): number {
  return dayOfIso(iso.slice(0, 10)) * 1440 + Number(iso.slice(11, 13)) * 60 + Number(iso.slice(14, 16));
}
