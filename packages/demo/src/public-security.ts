/** Public security records of a grid: key persons (一人一策) and the last twelve months' police incidents. */
import { pad, topicRng } from './community.ts';
import { addYears, dateTimeOf, isoOf } from './dates.ts';
import { LAST_DAY, dayBetween, neighbour, otherAdult, randomRound, type GridFacts } from './facts.ts';
import { WeightedTable, type Rng } from './random.ts';
import { pickGivenName, pickSurname } from './names.ts';
import type { DemoIncident, DemoKeyPerson, DemoOwnership, DemoKeyPersonContact, DemoPublicSecurityRecords, DemoResident, DemoSpecialGroup, IncidentType, KeyPersonCategory, OwningUnit } from './types.ts';

/**
 * Registered rates per resident (在册率) of each special group, from national figures: 严重精神障碍 ≈ 0.45 % (国家卫健委:
 * some 6.6 million registered patients, 2021); 社区矫正 ≈ 0.046 % (司法部: about 650,000 under correction, 2022);
 * 刑满释放 in their five years of 安置帮教 ≈ 0.12 % (some 350,000 released a year); 吸毒 ≈ 0.064 % (《中国毒情形势报告》
 * 2023: 896,000 current drug users); 艾滋病危险人员 ≈ 0.01 % (the 综治 list keeps the few of the ~1.3 million living with
 * HIV who are a danger to others); 重点青少年 ≈ 0.08 %, no national figure, what districts report.
 */
export const SPECIAL_GROUP_RATES: Record<KeyPersonCategory, number> = {
  SEVERE_MENTAL_DISORDER: 0.0045,
  COMMUNITY_CORRECTION: 0.00046,
  RELEASED_PRISONER: 0.0012,
  DRUG_USER: 0.00064,
  KEY_YOUTH: 0.0008,
  AIDS_RISK: 0.0001,
};

/**
 * Overlaps (a person on two lists keeps one record, one plan, under the first): a third of drug users are released
 * prisoners too, and two in five AIDS-risk people use drugs. The overlapping people are counted in both rates.
 */
const ALSO: Partial<Record<KeyPersonCategory, readonly [KeyPersonCategory, number]>> = {
  DRUG_USER: ['RELEASED_PRISONER', 0.33],
  AIDS_RISK: ['DRUG_USER', 0.4],
};

/** Records opened per category: each rate less the people another category's record already lists under it. */
const PRIMARY_RATES: Record<KeyPersonCategory, number> = (() => {
  const rates = { ...SPECIAL_GROUP_RATES };
  for (const [primary, also] of Object.entries(ALSO) as [KeyPersonCategory, readonly [KeyPersonCategory, number]][]) {
    rates[also[0]] -= SPECIAL_GROUP_RATES[primary] * also[1];
  }
  return rates;
})();

/** Who owns each group in practice (主管单位). */
export const OWNING_UNIT: Record<KeyPersonCategory, OwningUnit> = {
  COMMUNITY_CORRECTION: 'JUSTICE_OFFICE',
  RELEASED_PRISONER: 'JUSTICE_OFFICE',
  SEVERE_MENTAL_DISORDER: 'HEALTH',
  DRUG_USER: 'NARCOTICS_CONTROL',
  KEY_YOUTH: 'GOVERNANCE_CENTRE',
  AIDS_RISK: 'HEALTH',
};
const CATEGORY_ORDER: readonly KeyPersonCategory[] = ['SEVERE_MENTAL_DISORDER', 'RELEASED_PRISONER', 'COMMUNITY_CORRECTION', 'KEY_YOUTH', 'DRUG_USER', 'AIDS_RISK'];
const INCIDENTS_PER_RESIDENT_YEAR = 0.015;
const REFERRAL_SHARE = 0.3;

const AGES: Record<KeyPersonCategory, readonly [number, number]> = {
  COMMUNITY_CORRECTION: [18, 70],
  RELEASED_PRISONER: [22, 75],
  SEVERE_MENTAL_DISORDER: [16, 85],
  DRUG_USER: [18, 60],
  KEY_YOUTH: [12, 25],
  AIDS_RISK: [20, 60],
};
const MALE_WEIGHT: Record<KeyPersonCategory, number> = {
  COMMUNITY_CORRECTION: 4, RELEASED_PRISONER: 6, SEVERE_MENTAL_DISORDER: 1, DRUG_USER: 4, KEY_YOUTH: 2, AIDS_RISK: 3,
};
const CONTACT_METHODS = new WeightedTable<DemoKeyPersonContact['method']>([['HOME_VISIT', 50], ['PHONE', 30], ['VIDEO', 5], ['INTERVIEW', 5], ['REPORT_IN', 10]]);
/** Days between contacts by risk level: monthly, fortnightly, weekly. */
const CONTACT_INTERVAL: Record<DemoKeyPerson['riskLevel'], number> = { LOW: 30, MEDIUM: 14, HIGH: 7 };
const FINDINGS: Record<KeyPersonCategory, readonly string[]> = {
  COMMUNITY_CORRECTION: ['按时报到，思想稳定，在附近工厂务工', '遵守请销假规定，参加公益活动', '家庭关系和睦，未发现违规情况'],
  RELEASED_PRISONER: ['已在社区推荐下就业，生活稳定', '与家人同住，暂未就业，已介绍技能培训', '交往正常，未发现异常'],
  SEVERE_MENTAL_DISORDER: ['规律服药，情绪稳定，监护人在家', '近期睡眠欠佳，已提醒按时复诊', '病情稳定，按时领取免费药品'],
  DRUG_USER: ['尿检阴性，按期参加社区康复', '情绪稳定，在家附近打零工', '毛发检测阴性，家属配合帮教'],
  KEY_YOUTH: ['按时上学，与家长沟通情况良好', '参加社区志愿服务，表现积极', '交友情况有所改善，继续关注'],
  AIDS_RISK: ['按时随访服药，身体状况稳定', '已告知防护义务，配合疾控随访', '生活规律，未发现危险行为'],
};
const RISK = new WeightedTable<DemoKeyPerson['riskLevel']>([['LOW', 55], ['MEDIUM', 35], ['HIGH', 10]]);

const PLANS: Record<KeyPersonCategory, readonly string[]> = {
  COMMUNITY_CORRECTION: [
    '配合司法所落实社区矫正监管，每月当面报到并参加教育学习和公益活动，网格员每周了解其工作与生活情况。',
    '落实电子定位与请销假制度，民警每月走访一次，发现脱管、漏管立即报告司法所。',
  ],
  RELEASED_PRISONER: [
    '刑满释放后五年内列管，协助落实就业与社会保障，民警每季度走访，网格员每月掌握其动态。',
    '落实安置帮教措施，联系社区提供技能培训和就业推荐，关注其交往人员，防止重新违法犯罪。',
  ],
  SEVERE_MENTAL_DISORDER: [
    '落实监护责任和以奖代补政策，督促规律服药和定期复诊，精防医生每季度随访，病情波动时及时送诊。',
    '监护人签订监护责任书，网格员每周上门了解服药情况，发现肇事肇祸苗头立即报告派出所和社区卫生服务中心。',
  ],
  DRUG_USER: [
    '落实社区戒毒（康复）措施，按期开展毛发和尿液检测，民警每月见面谈话，帮助其回归社会。',
    '纳入动态管控，定期检测并记录，联系戒毒社工开展心理疏导和就业帮扶。',
  ],
  KEY_YOUTH: [
    '联系学校和家长共同教育，社工每月开展一次谈心辅导，组织参加志愿服务和文体活动。',
    '关注其交友和上网情况，落实家庭监护责任，网格员每月走访，防止其受不良影响。',
  ],
  AIDS_RISK: [
    '配合疾控中心落实随访和抗病毒治疗，告知其防止传播的法定义务，民警与社区医生每月联合见面了解情况。',
    '纳入关怀救助，协助申请医疗救助和就业帮扶，关注其交往人员，发现可能故意传播的苗头立即报告派出所。',
  ],
};
const RISK_NOTES: Record<DemoKeyPerson['riskLevel'], string> = {
  LOW: '目前表现稳定，按常规频次管控。',
  MEDIUM: '近期情绪和生活状况有波动，增加走访频次。',
  HIGH: '风险较高，列为重点关注对象，民警与网格员每周联合走访，必要时启动应急处置预案。',
};

const INCIDENT_TYPES = new WeightedTable<IncidentType>([
  ['DISPUTE', 30], ['THEFT', 15], ['FRAUD', 10], ['TRAFFIC', 12], ['NOISE', 12], ['DOMESTIC', 10], ['OTHER', 11],
]);
const SUMMARIES: Record<IncidentType, readonly string[]> = {
  DISPUTE: ['邻里因停车位问题发生口角，民警到场调解', '因楼道堆放杂物发生争执，双方情绪激动', '因房屋漏水造成楼下损失发生纠纷', '因借款未还发生争吵，报警求助'],
  THEFT: ['报警称停放在楼下的电动自行车被盗', '报警称家中财物被盗，民警到场勘查', '报警称快递包裹被人拿走'],
  FRAUD: ['报警称接到冒充客服电话被骗转账', '报警称网络刷单被骗', '报警称被冒充公检法人员诈骗'],
  TRAFFIC: ['小区内车辆刮擦，双方对责任认定有争议', '电动自行车与行人相撞致轻微伤', '车辆倒车时碰撞路边停放车辆'],
  NOISE: ['报警称楼上深夜噪音扰民', '报警称邻居装修噪音影响休息', '报警称楼下商铺音响声音过大'],
  DOMESTIC: ['家庭成员之间因琐事发生争吵并有推搡', '夫妻因家庭开支问题发生争执', '家庭成员因赡养老人问题发生纠纷'],
  OTHER: ['报警称老人走失，民警协助寻找', '报警称有人在小区内散发小广告', '报警称楼道内有异味，民警到场查看'],
};

export interface SecurityFacts {
  incidents: DemoIncident[];
}

export function publicSecurity(facts: GridFacts, ownerships: readonly DemoOwnership[]): { records: DemoPublicSecurityRecords; security: SecurityFacts } {
  const { grid, residents, ages, birthDays, info, seed, households, householdOf, session } = facts;
  recordTenure(facts, ownerships);
  const rng = topicRng(seed, grid.code, 'public-security');
  const n = residents.length;

  // Key persons: each category at its registered rate. The fractions a grid cannot hold carry over to the next grid
  // (session.specialGroupCarry), so a district of any size has its rates, and a small one every category.
  const keyPersons: DemoKeyPerson[] = [];
  const taken = new Set<number>();
  const deck: KeyPersonCategory[] = [];
  for (const category of CATEGORY_ORDER) {
    const expected = n * PRIMARY_RATES[category] + (session.specialGroupCarry[category] ?? 0);
    const count = Math.floor(expected);
    session.specialGroupCarry[category] = expected - count;
    for (let k = 0; k < count; k++) deck.push(category);
  }
  for (const category of deck) {
    const [lo, hi] = AGES[category];
    const candidates: number[] = [];
    residents.forEach((r, i) => {
      const age = ages[i] as number;
      if (age >= lo && age <= hi && !taken.has(i)) candidates.push(i);
    });
    if (candidates.length === 0) continue;
    // Men are several times likelier in most categories: draw twice and keep a man when one comes up.
    let i = rng.pick(candidates);
    if (residents[i]?.sex === 'FEMALE' && rng.chance(1 - 1 / MALE_WEIGHT[category])) i = rng.pick(candidates);
    taken.add(i);
    const r = residents[i] as DemoResident;
    const riskLevel = RISK.pick(rng);
    const officer = rng.pick(info.officers);
    let guardian: string | null = null;
    if (category === 'SEVERE_MENTAL_DISORDER') {
      const h = households[householdOf[i] as number];
      const g = h?.members.find((m) => m !== i && (ages[m] as number) >= 18 && residents[m]?.relationToHead !== 'TENANT');
      if (g !== undefined) guardian = (residents[g] as DemoResident).idNumber;
    }
    const earliest = addYears(birthDays[i] as number, Math.max(lo, 12));
    const since = dayBetween(rng, Math.max(earliest, LAST_DAY - 6 * 365), Math.max(LAST_DAY - 7, Math.min(earliest, LAST_DAY)));
    const specialGroups: DemoSpecialGroup[] = [{ category, owningUnit: OWNING_UNIT[category], since: isoOf(since) }];
    const also = ALSO[category];
    if (also && rng.chance(also[1])) specialGroups.push({ category: also[0], owningUnit: OWNING_UNIT[also[0]], since: isoOf(dayBetween(rng, since, LAST_DAY)) });
    // The owning units' workers share the case with the police officer (a key youth's is the centre's social worker).
    const officers = [...new Set(specialGroups.map((g) => g.owningUnit))].map((unit) => ({ unit, name: workerName(rng) }));
    keyPersons.push({
      id: `ZD${grid.code}${pad(keyPersons.length + 1, 3)}`,
      idNumber: r.idNumber,
      category,
      riskLevel,
      responsibleOfficerName: officer.name,
      responsibleOfficerBadge: officer.badge,
      plan: `${rng.pick(PLANS[category])}${RISK_NOTES[riskLevel]}`,
      since: isoOf(since),
      guardianIdNumber: guardian,
      specialGroups,
      officers,
      contacts: contactLog(rng, category, riskLevel, since, officer.name, officers),
    });
  }

  // Incidents of the last twelve months.
  const adults = facts.adults;
  const couples = households.filter((h) => h.kind !== 'GROUP' && h.members.filter((m) => (ages[m] as number) >= 18).length >= 2);
  const incidents: (DemoIncident & { minute: number })[] = [];
  const nIncidents = adults.length === 0 ? 0 : randomRound(rng, n * INCIDENTS_PER_RESIDENT_YEAR);
  for (let k = 0; k < nIncidents; k++) {
    let type = INCIDENT_TYPES.pick(rng);
    if (type === 'DOMESTIC' && couples.length === 0) type = 'DISPUTE';
    const involved = involvedIn(facts, rng, type, adults, couples);
    const day = dayBetween(rng, LAST_DAY - 364, LAST_DAY);
    const minute = day * 1440 + rng.int(0, 1439);
    const referable = type === 'DISPUTE' || type === 'DOMESTIC' || type === 'NOISE';
    const referred = referable && rng.chance(REFERRAL_SHARE);
    const first = residents[involved[0] as number] as DemoResident;
    const house = facts.houseByCode.get(first.houseCode);
    incidents.push({
      id: '',
      occurredAt: dateTimeOf(minute),
      gridCode: grid.code,
      address: type === 'TRAFFIC' && facts.plan.road ? `${facts.plan.addressPrefix}${facts.plan.road}` : (house?.address ?? first.registeredAddress),
      type,
      summary: rng.pick(SUMMARIES[type]),
      involvedIdNumbers: involved.map((i) => (residents[i] as DemoResident).idNumber),
      referredToMediation: referred,
      referredOn: referred ? isoOf(Math.min(LAST_DAY, day + rng.int(0, 3))) : null,
      minute,
    });
  }
  incidents.sort((a, b) => a.minute - b.minute);
  const out: DemoIncident[] = incidents.map(({ minute, ...incident }, k) => ({
    ...incident,
    id: `JQ${isoOf(Math.floor(minute / 1440)).replaceAll('-', '')}${grid.code}${pad(k + 1, 3)}`,
  }));
  return { records: { keyPersons, incidents: out }, security: { incidents: out } };
}

/**
 * How each household holds its dwelling (居住方式), as the register records it from the housing department's
 * certificates: owned when a member holds one for the house, rented otherwise (from a landlord or, for 公租房, the
 * committee). A group rental's tenants rent whoever signed the lease.
 */
function recordTenure(facts: GridFacts, ownerships: readonly DemoOwnership[]): void {
  const ownersOf = new Map<string, Set<string>>();
  for (const o of ownerships) if (o.ownerIdNumber) ownersOf.set(o.houseCode, (ownersOf.get(o.houseCode) ?? new Set()).add(o.ownerIdNumber));
  for (const h of facts.households) {
    const owners = ownersOf.get(h.house.code);
    const owned = h.kind !== 'GROUP' && h.members.some((m) => owners?.has((facts.residents[m] as DemoResident).idNumber));
    for (const m of h.members) (facts.residents[m] as DemoResident).tenure = owned ? 'OWNED' : 'RENTED';
  }
}

/** A name for a justice office, health or narcotics office worker. */
function workerName(rng: Rng): string {
  const sex = rng.chance(0.5) ? 'MALE' : 'FEMALE';
  return pickSurname(rng) + pickGivenName(rng, sex, rng.int(1970, 1998));
}

/** The last three months' visits and contacts, at the risk level's interval, by the police officer or a unit's worker. */
function contactLog(
  rng: Rng,
  category: KeyPersonCategory,
  risk: DemoKeyPerson['riskLevel'],
  since: number,
  policeOfficer: string,
  officers: { name: string; unit: OwningUnit }[],
): DemoKeyPersonContact[] {
  const contacts: DemoKeyPersonContact[] = [];
  const step = CONTACT_INTERVAL[risk];
  const seen = new Set<string>();
  for (let day = Math.max(since, LAST_DAY - 90) + rng.int(0, step - 1); day <= LAST_DAY; day += step + rng.int(-2, 2)) {
    const worker = rng.chance(0.4) ? { name: policeOfficer, unit: 'POLICE_STATION' as const } : rng.pick(officers);
    const method = CONTACT_METHODS.pick(rng);
    const key = `${day}|${worker.name}|${method}`;
    if (seen.has(key)) continue;
    seen.add(key);
    contacts.push({ contactedOn: isoOf(day), byName: worker.name, byUnit: worker.unit, method, finding: rng.pick(FINDINGS[category]) });
  }
  return contacts;
}

function involvedIn(facts: GridFacts, rng: Rng, type: IncidentType, adults: number[], couples: GridFacts['households']): number[] {
  const { residents, ages, householdOf } = facts;
  const one = rng.pick(adults);
  if (type === 'DOMESTIC') {
    const h = rng.pick(couples);
    const grown = h.members.filter((m) => (ages[m] as number) >= 18);
    const a = rng.pick(grown);
    const b = rng.pick(grown.filter((m) => m !== a));
    return [a, b];
  }
  if (type === 'DISPUTE' || type === 'NOISE' || (type === 'TRAFFIC' && rng.chance(0.5))) {
    // Two people of different households, neighbours in the same building when there are any.
    const household = householdOf[one] as number;
    const building = facts.houseByCode.get((residents[one] as DemoResident).houseCode)?.buildingCode ?? '';
    const near = type !== 'TRAFFIC' && rng.chance(0.8) ? neighbour(facts, rng, building, household) : null;
    const other = near ?? otherAdult(facts, rng, household);
    return other === null ? [one] : [one, other];
  }
  return [one];
}
