/**
 * Civil affairs records of a grid: welfare entitlements and the details of its social organizations.
 * 低保 households are chosen here; some of them (10-20%) own more than they should, which housing.ts arranges.
 */
import { pad, topicRng } from './community.ts';
import { addYears, dayOf, isoOf } from './dates.ts';
import { LAST_DAY, dayBetween, money, randomRound, type GridFacts } from './facts.ts';
import type { GridOrganizations } from './organizations.ts';
import { WeightedTable } from './random.ts';
import type { DemoCivilAffairsRecords, DemoResident, DemoSocialOrganization, DemoWelfareEntitlement, WelfareKind } from './types.ts';

/** Share of registered households on the minimum living guarantee, and of those that own too much. */
const MINIMUM_LIVING_SHARE = 0.025;
const IMPROPER_SHARE = 0.15;
const EXTREME_POVERTY_SHARE = 0.003;
const POOR_DISABLED_SHARE = 0.15;
const SEVERELY_DISABLED_SHARE = 0.008;

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
    // Improper claims are current ones: that is what the cross-check is for.
    const st = improper ? { status: 'ACTIVE' as const, endsOn: null } : pickStatus(start, 0.8, 0.05);
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
  for (const h of rng.shuffle(alone).slice(0, nExtreme)) {
    const i = h.head;
    poor.add(i);
    const start = dayBetween(rng, Math.max(addYears(birthDays[i] as number, 60), LAST_DAY - 10 * 365), LAST_DAY - 30);
    const st = pickStatus(start, 0.93, 0.02);
    householdStatus.set(h.index, st);
    add(i, 'EXTREME_POVERTY', rng.int(1000, 1300), start, st.status, st.endsOn);
  }

  // Disability allowances: the living allowance for disabled people of 低保/特困 households, the care allowance for
  // grades 1-2 whoever they are. One certificate per person: ID number + category + grade.
  for (let i = 0; i < residents.length; i++) {
    const r = residents[i] as DemoResident;
    if (r.populationType !== 'REGISTERED') continue;
    const isPoor = poor.has(i);
    if (!rng.chance(isPoor ? POOR_DISABLED_SHARE : SEVERELY_DISABLED_SHARE)) continue;
    const grade = isPoor ? DISABILITY_GRADE.pick(rng) : rng.chance(0.4) ? 1 : 2;
    const certificate = `${r.idNumber}${DISABILITY_CATEGORY.pick(rng)}${grade}`;
    const born = birthDays[i] as number;
    const start = dayBetween(rng, Math.max(born, LAST_DAY - 10 * 365), Math.max(born, LAST_DAY - 30));
    if (isPoor) {
      const st = householdStatus.get(facts.householdOf[i] as number) ?? { status: 'ACTIVE' as const, endsOn: null };
      add(i, 'DISABILITY_LIVING', grade <= 2 ? 160 : 110, start, st.status, st.endsOn === null ? null : Math.max(st.endsOn, start), certificate);
    }
    if (grade <= 2) {
      const st = pickStatus(start, 0.92, 0.04);
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

  return { records: { welfare, socialOrganizations }, welfare: { lowIncome, poor } };
}
