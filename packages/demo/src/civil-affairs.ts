/**
 * Civil affairs records of a grid: welfare entitlements, the disability register, the care lists and the details of
 * its social organizations. 低保 households are chosen here; some of them (10-20%) own more than they should, which
 * housing.ts arranges.
 */
import { pad, topicRng } from './community.ts';
import { addYears, dayOf, isoOf, yearOf } from './dates.ts';
import { LAST_DAY, dayBetween, money, randomRound, type GridFacts } from './facts.ts';
import type { GridOrganizations } from './organizations.ts';
import { WeightedTable } from './random.ts';
import { DISTRICT } from './places.ts';
import { pickGivenName, pickSurname } from './names.ts';
import type {
  CareKind,
  DemoAssistanceGrant,
  DemoCareRecord,
  DemoCivilAffairsRecords,
  DemoDisabilityRecord,
  DemoResident,
  DemoSocialOrganization,
  DemoWelfareEntitlement,
  WelfareKind,
} from './types.ts';

/** Share of registered households on the minimum living guarantee, and of those that own too much. */
const MINIMUM_LIVING_SHARE = 0.025;
const IMPROPER_SHARE = 0.15;
const EXTREME_POVERTY_SHARE = 0.003;
const POOR_DISABLED_SHARE = 0.15;
const SEVERELY_DISABLED_SHARE = 0.008;
/**
 * Certificate holders with no allowance (grades 3-4, not in need), per resident and age weight: with the allowance
 * holders the register reaches about 2.7% of registered residents (37.8 million certificates, 2021, of 1.41 billion).
 */
const UNSUPPORTED_DISABLED_BASE = 0.0125;
/** Children on the orphan and the de-facto-unsupported lists (about 0.08% and 0.1% of children, 民政部 2020-2021). */
const ORPHAN_SHARE = 0.0008;
const UNSUPPORTED_CHILD_SHARE = 0.001;
/**
 * Village children under 16 whose parents both work away while keeping their registration here (户在人不在): about
 * 6% of rural children (6.4 million, 民政部 2020).
 */
const LEFT_BEHIND_CHILD_SHARE = 0.06;
/** Village elderly in elderly-only households whose children have all left to work (农村留守老年人). */
const LEFT_BEHIND_ELDERLY_SHARE = 0.5;

const DISABILITY_CATEGORY = new WeightedTable([[1, 12], [2, 15], [3, 2], [4, 40], [5, 10], [6, 12], [7, 9]]);
const DISABILITY_GRADE = new WeightedTable([[1, 15], [2, 25], [3, 30], [4, 30]]);

export interface WelfareFacts {
  /** 低保 households by household index: whether the household owns more than the rules allow. */
  lowIncome: Map<number, { improper: boolean }>;
  /** Residents on 低保 or 特困 support: they own nothing beyond what the rules allow. */
  poor: Set<number>;
}

export function civilAffairs(facts: GridFacts, orgs: GridOrganizations): { records: DemoCivilAffairsRecords; welfare: WelfareFacts } {
  const { grid, residents, households, ages, birthDays, seed } = facts;
  const rng = topicRng(seed, grid.code, 'civil-affairs');
  const welfare: DemoWelfareEntitlement[] = [];
  const add = (
    i: number,
    kind: WelfareKind,
    amount: number,
    startsOn: number,
    status: DemoWelfareEntitlement['status'],
    endsOn: number | null,
    certificate: string | null = null,
  ) => {
    welfare.push({
      id: `MZ${grid.code}${pad(welfare.length + 1, 4)}`,
      idNumber: (residents[i] as DemoResident).idNumber,
      gridCode: grid.code,
      kind,
      monthlyAmount: money(amount),
      startsOn: isoOf(startsOn),
      endsOn: endsOn === null ? null : isoOf(endsOn),
      status,
      disabilityCertificateNumber: certificate,
    });
  };
  const pickStatus = (start: number, active: number, suspended: number) => {
    const r = rng.next();
    const status: DemoWelfareEntitlement['status'] = r < active ? 'ACTIVE' : r < active + suspended ? 'SUSPENDED' : 'ENDED';
    return { status, endsOn: status === 'ACTIVE' ? null : dayBetween(rng, Math.min(LAST_DAY, start + 90), LAST_DAY) };
  };

  // 低保: whole registered households (their registered members), the amount per person.
  const lowIncome = new Map<number, { improper: boolean }>();
  const poor = new Set<number>();
  const householdStatus = new Map<number, { status: DemoWelfareEntitlement['status']; endsOn: number | null }>();
  for (const h of households) {
    if (h.kind !== 'REGISTERED' || !rng.chance(MINIMUM_LIVING_SHARE)) continue;
    const improper = rng.chance(IMPROPER_SHARE);
    lowIncome.set(h.index, { improper });
    const amount = rng.int(600, 900);
    const start = dayBetween(rng, LAST_DAY - 8 * 365, LAST_DAY - 30);
    // Improper claims are current ones: that is what the cross-check is for. Of the rest, a fifth have left 低保 since
    // (dynamic management, 应退尽退), and the register keeps their ended entitlements.
    const st = improper ? { status: 'ACTIVE' as const, endsOn: null } : pickStatus(start, 0.75, 0.05);
    householdStatus.set(h.index, st);
    for (const m of h.members) {
      if (residents[m]?.populationType !== 'REGISTERED') continue;
      poor.add(m);
      const from = Math.max(start, birthDays[m] as number);
      add(m, 'MINIMUM_LIVING', amount, from, st.status, st.endsOn === null ? null : Math.max(st.endsOn, from));
    }
  }

  // 特困: elderly people living alone, not on 低保.
  const alone = households.filter(
    (h) => h.kind === 'REGISTERED' && h.members.length === 1 && (ages[h.head] as number) >= 60 && !lowIncome.has(h.index) &&
      residents[h.head]?.populationType === 'REGISTERED',
  );
  const nExtreme = Math.min(alone.length, randomRound(rng, residents.length * EXTREME_POVERTY_SHARE));
  const extremePoor = new Set<number>();
  for (const h of rng.shuffle(alone).slice(0, nExtreme)) {
    const i = h.head;
    poor.add(i);
    extremePoor.add(i);
    const start = dayBetween(rng, Math.max(addYears(birthDays[i] as number, 60), LAST_DAY - 10 * 365), LAST_DAY - 30);
    const st = pickStatus(start, 0.93, 0.02);
    householdStatus.set(h.index, st);
    add(i, 'EXTREME_POVERTY', rng.int(1000, 1300), start, st.status, st.endsOn);
  }

  // Disability allowances: the living allowance for disabled people of 低保/特困 households, the care allowance for
  // grades 1-2 whoever they are. One certificate per person: ID number + category + grade.
  const certified = new Map<number, { category: number; grade: number; issuedOn: number }>();
  for (let i = 0; i < residents.length; i++) {
    const r = residents[i] as DemoResident;
    if (r.populationType !== 'REGISTERED') continue;
    const isPoor = poor.has(i);
    if (!rng.chance(isPoor ? POOR_DISABLED_SHARE : SEVERELY_DISABLED_SHARE)) continue;
    const grade = isPoor ? DISABILITY_GRADE.pick(rng) : rng.chance(0.4) ? 1 : 2;
    const category = DISABILITY_CATEGORY.pick(rng);
    const certificate = `${r.idNumber}${category}${grade}`;
    const born = birthDays[i] as number;
    const start = dayBetween(rng, Math.max(born, LAST_DAY - 10 * 365), Math.max(born, LAST_DAY - 30));
    certified.set(i, { category, grade, issuedOn: start });
    if (isPoor) {
      const st = householdStatus.get(facts.householdOf[i] as number) ?? { status: 'ACTIVE' as const, endsOn: null };
      add(i, 'DISABILITY_LIVING', grade <= 2 ? 160 : 110, start, st.status, st.endsOn === null ? null : Math.max(st.endsOn, start), certificate);
    }
    if (grade <= 2) {
      const st = pickStatus(start, 0.9, 0.04);
      add(i, 'DISABILITY_CARE', grade === 1 ? 200 : 150, start, st.status, st.endsOn, certificate);
    }
  }

  // 高龄津贴: nearly every registered resident of 80 or more, by age band.
  for (let i = 0; i < residents.length; i++) {
    const age = ages[i] as number;
    if (age < 80 || residents[i]?.populationType !== 'REGISTERED' || !rng.chance(0.95)) continue;
    const start = Math.min(LAST_DAY, Math.max(addYears(birthDays[i] as number, 80), dayOf(2012, 1, 1)));
    const st = pickStatus(start, 0.97, 0.03);
    add(i, 'OLD_AGE', age >= 100 ? 300 : age >= 90 ? 200 : 100, start, st.status, st.endsOn);
  }

  // Social organizations registered in this grid: a resident of 30-75 represents each.
  const socialOrganizations: DemoSocialOrganization[] = [];
  if (orgs.socialOrganizations.length > 0) {
    const candidates: number[] = [];
    const fallback: number[] = [];
    residents.forEach((r, i) => {
      const age = ages[i] as number;
      if (age >= 30 && age <= 75 && r.populationType === 'REGISTERED') candidates.push(i);
      else if (age >= 18) fallback.push(i);
    });
    const pool = candidates.length > 0 ? candidates : fallback;
    for (const so of orgs.socialOrganizations) {
      const rep = residents[rng.pick(pool)] as DemoResident;
      socialOrganizations.push({ organizationId: so.id, type: so.type, legalRepresentativeIdNumber: rep.idNumber, businessScope: so.scope });
    }
  }

  const { care, disabilities } = careLists(facts, certified, poor);
  const assistance = assistanceGrants(facts, poor, extremePoor);
  return { records: { welfare, socialOrganizations, care, disabilities, assistance }, welfare: { lowIncome, poor } };
}

/**
 * The disability register and the care lists of a grid, drawn from their own stream so that the welfare above stays
 * as it was. The register holds every certificate: the allowance holders' and those of people who receive nothing
 * (grades 3-4, not in need). The care lists follow the household a person lives in: 独居 (a registered household of
 * one, 60 or over), 空巢 (a household of two or more, all 60 or over); in villages, 留守 women (20-59, head or
 * spouse) of households with no man of working age living there, a share of the children under 16 (their parents
 * registered here but working away) and half the elderly-only households as 留守老年人.
 */
function careLists(
  facts: GridFacts,
  certified: Map<number, { category: number; grade: number; issuedOn: number }>,
  poor: Set<number>,
): { care: DemoCareRecord[]; disabilities: DemoDisabilityRecord[] } {
  const { grid, residents, households, ages, birthDays, seed, info } = facts;
  const rng = topicRng(seed, grid.code, 'care');
  for (let i = 0; i < residents.length; i++) {
    const r = residents[i] as DemoResident;
    if (r.populationType !== 'REGISTERED' || certified.has(i) || poor.has(i)) continue;
    const age = ages[i] as number;
    if (!rng.chance(UNSUPPORTED_DISABLED_BASE * (age >= 60 ? 2.5 : age >= 18 ? 1 : 0.3))) continue;
    const born = birthDays[i] as number;
    const issuedOn = dayBetween(rng, Math.max(born, LAST_DAY - 15 * 365), Math.max(born, LAST_DAY - 30));
    certified.set(i, { category: DISABILITY_CATEGORY.pick(rng), grade: rng.chance(0.45) ? 3 : 4, issuedOn });
  }
  const disabilities: DemoDisabilityRecord[] = [...certified.keys()].sort((a, b) => a - b).map((i, k) => {
    const c = certified.get(i)!;
    const idNumber = (residents[i] as DemoResident).idNumber;
    return {
      id: `CJ${grid.code}${pad(k + 1, 4)}`,
      idNumber,
      gridCode: grid.code,
      certificateNumber: `${idNumber}${c.category}${c.grade}`,
      category: c.category as DemoDisabilityRecord['category'],
      grade: c.grade as DemoDisabilityRecord['grade'],
      issuedOn: isoOf(c.issuedOn),
    };
  });

  const care: DemoCareRecord[] = [];
  const list = (i: number, kind: CareKind, from: number) => {
    care.push({
      id: `GA${grid.code}${pad(care.length + 1, 4)}`,
      idNumber: (residents[i] as DemoResident).idNumber,
      gridCode: grid.code,
      kind,
      listedOn: isoOf(Math.min(LAST_DAY, Math.max(from, dayBetween(rng, LAST_DAY - 6 * 365, LAST_DAY - 7)))),
    });
  };
  const village = info.community.kind === 'VILLAGE';
  for (const h of households) {
    if (h.kind !== 'REGISTERED') continue;
    const members = h.members.filter((m) => residents[m]?.populationType === 'REGISTERED');
    if (members.length === 0) continue;
    const age = (m: number) => ages[m] as number;
    const elderlyOnly = members.length === h.members.length && members.every((m) => age(m) >= 60);
    if (elderlyOnly) {
      const kind: CareKind = members.length === 1 ? 'LIVING_ALONE_ELDERLY' : 'EMPTY_NEST_ELDERLY';
      const leftBehind = village && rng.chance(LEFT_BEHIND_ELDERLY_SHARE);
      for (const m of members) {
        list(m, kind, addYears(birthDays[m] as number, 60));
        if (leftBehind) list(m, 'LEFT_BEHIND_ELDERLY', addYears(birthDays[m] as number, 60));
      }
    }
    if (!village) continue;
    const working = h.members.filter((m) => age(m) >= 18 && age(m) <= 59);
    if (working.length > 0 && rng.chance(LEFT_BEHIND_CHILD_SHARE)) {
      for (const m of members) if (age(m) < 16) list(m, 'LEFT_BEHIND_CHILD', birthDays[m] as number);
    }
    if (!working.some((m) => residents[m]?.sex === 'MALE' && age(m) >= 20)) {
      for (const m of members) {
        const r = residents[m] as DemoResident;
        if (r.sex === 'FEMALE' && age(m) >= 20 && age(m) <= 59 && (r.relationToHead === 'SELF' || r.relationToHead === 'SPOUSE')) {
          list(m, 'LEFT_BEHIND_WOMAN', addYears(birthDays[m] as number, 20));
        }
      }
    }
  }
  for (let i = 0; i < residents.length; i++) {
    if (residents[i]?.populationType !== 'REGISTERED' || (ages[i] as number) >= 18) continue;
    const r = rng.next();
    if (r < ORPHAN_SHARE) list(i, 'ORPHAN', birthDays[i] as number);
    else if (r < ORPHAN_SHARE + UNSUPPORTED_CHILD_SHARE) list(i, 'UNSUPPORTED_CHILD', birthDays[i] as number);
  }
  return { care, disabilities };
}

/**
 * Temporary assistance (临时救助), per year: about 0.5 % of registered adults and 0.1 % of floating ones (急难型
 * assistance asks for no hukou), 6 % of 低保/特困 people. Nationally it is roughly 10 million grants a year (民政事业
 * 发展统计公报), 0.7 % of the population, rural poverty included, which an urban district has little of.
 */
const TEMPORARY_PER_YEAR = { registered: 0.005, floating: 0.001, poor: 0.06 };
/**
 * Medical assistance (医疗救助) is for 低保, 特困 and 低保边缘 people: each 低保/特困 person has about 0.6 episodes
 * a year reimbursed, and about 0.25 % of the other registered residents (低边, 因病致贫) one.
 */
const MEDICAL_PER_YEAR = { poor: 0.6, marginal: 0.0025 };
/** Years of assistance the ledger keeps in the demo: the reference year and the two before. */
const ASSISTANCE_YEARS = 3;
/** A street approves temporary assistance up to this; above it the district's civil affairs bureau does. */
const STREET_APPROVAL_LIMIT = 3000;
const TEMPORARY_REASONS = new WeightedTable<DemoAssistanceGrant['reason']>([
  ['SUDDEN_ILLNESS', 35], ['LIVING_HARDSHIP', 25], ['ACCIDENT', 15], ['EDUCATION', 12], ['DISASTER', 5], ['OTHER', 8],
]);
const HOSPITALS = ['徐州医科大学附属医院', '徐州市中心医院', '徐州市第一人民医院', '徐州市中医院', '徐州市肿瘤医院', '徐州市儿童医院', `${DISTRICT.name}人民医院`];

/**
 * The grid's assistance grants over the last three years, from their own stream so the records above stay as they
 * were. Medical grants reimburse a share of the out-of-pocket cost within policy: all of it for 特困, 70 % for 低保,
 * 60 % for the marginal, capped at 50,000 yuan a grant.
 */
function assistanceGrants(facts: GridFacts, poor: Set<number>, extremePoor: Set<number>): DemoAssistanceGrant[] {
  const { grid, residents, ages, birthDays, seed, plan } = facts;
  const rng = topicRng(seed, grid.code, 'assistance');
  const grants: (Omit<DemoAssistanceGrant, 'id'> & { day: number })[] = [];
  const street = `${DISTRICT.name}${plan.street.name}${plan.street.kind === 'TOWN' ? '人民政府' : '办事处'}`;
  const bureau = `徐州市${DISTRICT.name}民政局`;
  const approvers = { street: [0, 1].map(() => pickSurname(rng) + pickGivenName(rng, rng.chance(0.5) ? 'MALE' : 'FEMALE', rng.int(1970, 1992))), bureau: pickSurname(rng) + pickGivenName(rng, 'MALE', rng.int(1968, 1985)) };
  const firstDay = dayOf(yearOf(LAST_DAY) - ASSISTANCE_YEARS + 1, 1, 1);
  const grantDay = (born: number) => dayBetween(rng, Math.max(firstDay, born), LAST_DAY);
  for (let i = 0; i < residents.length; i++) {
    const r = residents[i] as DemoResident;
    const born = birthDays[i] as number;
    // Only people with a citizen ID (the hub keys assistance by it); the ledger names the applicant.
    if (r.document !== null) continue;
    const isPoor = poor.has(i);
    const temporaryRate = isPoor ? TEMPORARY_PER_YEAR.poor : r.populationType === 'REGISTERED' ? TEMPORARY_PER_YEAR.registered : TEMPORARY_PER_YEAR.floating;
    for (let y = 0; y < ASSISTANCE_YEARS; y++) {
      if (rng.chance(temporaryRate) && (ages[i] as number) >= 18) {
        const amount = money(rng.int(5, 60) * 100);
        grants.push({
          idNumber: r.idNumber, gridCode: grid.code, kind: 'TEMPORARY', reason: TEMPORARY_REASONS.pick(rng), amount, grantedOn: '', day: grantDay(born),
          ...(amount <= STREET_APPROVAL_LIMIT ? { approvingOffice: street, approverName: rng.pick(approvers.street) } : { approvingOffice: bureau, approverName: approvers.bureau }),
          episode: null,
        });
      }
      const medicalRate = isPoor ? MEDICAL_PER_YEAR.poor : r.populationType === 'REGISTERED' ? MEDICAL_PER_YEAR.marginal * ((ages[i] as number) >= 60 ? 2 : 1) : 0;
      if (!rng.chance(medicalRate)) continue;
      const inpatient = rng.chance(0.7);
      const day = grantDay(born);
      const admitted = Math.max(born, day - rng.int(20, 60));
      const cost = inpatient ? rng.int(2_000, 60_000) : rng.int(500, 6_000);
      const percent = extremePoor.has(i) ? 100 : isPoor ? 70 : 60;
      grants.push({
        idNumber: r.idNumber, gridCode: grid.code, kind: 'MEDICAL', reason: inpatient ? 'INPATIENT' : 'OUTPATIENT_CHRONIC',
        amount: money(Math.min(50_000, (cost * percent) / 100)), grantedOn: '', day,
        approvingOffice: bureau, approverName: approvers.bureau,
        episode: {
          hospital: rng.pick(HOSPITALS),
          admittedOn: isoOf(admitted),
          dischargedOn: inpatient ? isoOf(Math.min(day, admitted + rng.int(3, 20))) : null,
          eligibleCost: money(cost),
          reimbursedPercent: percent,
        },
      });
    }
  }
  // Numbered in the order granted, as a ledger numbers them.
  grants.sort((a, b) => a.day - b.day);
  return grants.map(({ day, ...g }, k) => ({ ...g, id: `JZ${grid.code}${pad(k + 1, 4)}`, grantedOn: isoOf(day) }));
}
