/** Public security records of a grid: key persons (一人一策) and the last twelve months' police incidents. */
import { pad, topicRng } from './community.ts';
import { addYears, dateTimeOf, isoOf } from './dates.ts';
import { LAST_DAY, dayBetween, neighbour, otherAdult, randomRound, type GridFacts } from './facts.ts';
import { WeightedTable, type Rng } from './random.ts';
import type { DemoIncident, DemoKeyPerson, DemoPublicSecurityRecords, DemoResident, IncidentType, KeyPersonCategory } from './types.ts';

const KEY_PERSON_SHARE = 0.003;
const INCIDENTS_PER_RESIDENT_YEAR = 0.015;
const REFERRAL_SHARE = 0.3;

const CATEGORIES = new WeightedTable<KeyPersonCategory>([
  ['COMMUNITY_CORRECTION', 20], ['RELEASED_PRISONER', 25], ['SEVERE_MENTAL_DISORDER', 30], ['DRUG_USER', 10], ['KEY_YOUTH', 15],
]);
const CATEGORY_DECK: readonly KeyPersonCategory[] = [
  'SEVERE_MENTAL_DISORDER', 'RELEASED_PRISONER', 'COMMUNITY_CORRECTION', 'KEY_YOUTH', 'DRUG_USER',
  'SEVERE_MENTAL_DISORDER', 'RELEASED_PRISONER', 'COMMUNITY_CORRECTION', 'SEVERE_MENTAL_DISORDER', 'RELEASED_PRISONER',
  'KEY_YOUTH', 'COMMUNITY_CORRECTION', 'SEVERE_MENTAL_DISORDER', 'RELEASED_PRISONER', 'DRUG_USER',
  'SEVERE_MENTAL_DISORDER', 'COMMUNITY_CORRECTION', 'RELEASED_PRISONER', 'KEY_YOUTH', 'SEVERE_MENTAL_DISORDER',
];
const AGES: Record<KeyPersonCategory, readonly [number, number]> = {
  COMMUNITY_CORRECTION: [18, 70],
  RELEASED_PRISONER: [22, 75],
  SEVERE_MENTAL_DISORDER: [16, 85],
  DRUG_USER: [18, 60],
  KEY_YOUTH: [12, 25],
};
const MALE_WEIGHT: Record<KeyPersonCategory, number> = {
  COMMUNITY_CORRECTION: 4, RELEASED_PRISONER: 6, SEVERE_MENTAL_DISORDER: 1, DRUG_USER: 4, KEY_YOUTH: 2,
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

export function publicSecurity(facts: GridFacts): { records: DemoPublicSecurityRecords; security: SecurityFacts } {
  const { grid, residents, ages, birthDays, info, seed, households, householdOf, session } = facts;
  const rng = topicRng(seed, grid.code, 'public-security');
  const n = residents.length;

  // Key persons.
  const keyPersons: DemoKeyPerson[] = [];
  const taken = new Set<number>();
  const nKey = randomRound(rng, n * KEY_PERSON_SHARE);
  for (let k = 0; k < nKey; k++) {
    // Categories are dealt from a deck in the pass's order (exact shares, every category even in a small
    // district); a card no one in the grid fits is left for the next key person.
    const dealt = CATEGORY_DECK[session.keyPersons % CATEGORY_DECK.length] as KeyPersonCategory;
    const fits = residents.some((_, i) => (ages[i] as number) >= AGES[dealt][0] && (ages[i] as number) <= AGES[dealt][1] && !taken.has(i));
    const category = fits ? dealt : CATEGORIES.pick(rng);
    if (fits) session.keyPersons++;
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
    keyPersons.push({
      id: `ZD${grid.code}${pad(keyPersons.length + 1, 3)}`,
      idNumber: r.idNumber,
      category,
      riskLevel,
      responsibleOfficerName: officer.name,
      responsibleOfficerBadge: officer.badge,
      plan: `${rng.pick(PLANS[category])}${RISK_NOTES[riskLevel]}`,
      since: isoOf(dayBetween(rng, Math.max(earliest, LAST_DAY - 6 * 365), Math.max(LAST_DAY - 7, Math.min(earliest, LAST_DAY)))),
      guardianIdNumber: guardian,
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
