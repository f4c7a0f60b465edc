import { suppressCount, suppressSum, type Caller } from '@hub/core';
import type { AssistanceYearTotals, CareCounts, CareKind, WelfareCategory, WelfareCounts, WelfareKind } from './__generated__/resolvers-types.ts';

/** `WelfareCounts` of a grid or a place from its counts by kind; kinds it has none of count zero. */
export function welfareCounts(counts: { total: number; by: Partial<Record<WelfareKind, number>> }): WelfareCounts {
  return {
    total: counts.total,
    minimumLiving: counts.by.MINIMUM_LIVING ?? 0,
    extremePoverty: counts.by.EXTREME_POVERTY ?? 0,
    disabilityLiving: counts.by.DISABILITY_LIVING ?? 0,
    disabilityCare: counts.by.DISABILITY_CARE ?? 0,
    oldAge: counts.by.OLD_AGE ?? 0,
  };
}

/**
 * Which kinds are social assistance (社会救助, means-tested: the property cross-check reviews them) and which welfare
 * (社会福利: 高龄津贴 by age, the disability allowances by certificate).
 */
export const WELFARE_KINDS_OF: Record<WelfareCategory, readonly WelfareKind[]> = {
  SOCIAL_ASSISTANCE: ['MINIMUM_LIVING', 'EXTREME_POVERTY'],
  WELFARE: ['DISABILITY_LIVING', 'DISABILITY_CARE', 'OLD_AGE'],
};

export function welfareCategoryOf(kind: WelfareKind): WelfareCategory {
  return WELFARE_KINDS_OF.SOCIAL_ASSISTANCE.includes(kind) ? 'SOCIAL_ASSISTANCE' : 'WELFARE';
}

/** The total of a grid's welfare counts over the kinds asked: one kind, one category, both, or all. */
export function welfareTotal(counts: { total: number; by: Partial<Record<WelfareKind, number>> }, kind: WelfareKind | null | undefined, category: WelfareCategory | null | undefined): number {
  if (!category) return kind ? (counts.by[kind] ?? 0) : counts.total;
  const kinds = WELFARE_KINDS_OF[category].filter((k) => !kind || k === kind);
  return kinds.reduce((sum, k) => sum + (counts.by[k] ?? 0), 0);
}

/** `CareCounts` of a grid or a place from its counts by list; lists it has none on count zero. */
export function careCounts(counts: { total: number; by: Partial<Record<CareKind, number>> }): CareCounts {
  return {
    total: counts.total,
    leftBehindElderly: counts.by.LEFT_BEHIND_ELDERLY ?? 0,
    leftBehindWomen: counts.by.LEFT_BEHIND_WOMAN ?? 0,
    leftBehindChildren: counts.by.LEFT_BEHIND_CHILD ?? 0,
    livingAloneElderly: counts.by.LIVING_ALONE_ELDERLY ?? 0,
    emptyNestElderly: counts.by.EMPTY_NEST_ELDERLY ?? 0,
    orphans: counts.by.ORPHAN ?? 0,
    unsupportedChildren: counts.by.UNSUPPORTED_CHILD ?? 0,
  };
}

/**
 * Whether a caller gets a kind's assistance totals as published (小数抑制), by the `assistance-grants-by-grid` rule: a
 * caller who may not list the grants of that kind (temporary: welfare:read; medical, health data: welfare:read and
 * health:read) reads the totals on statistics:read alone, and a handful of people's grants would point at them. A caller
 * who may list the grants gets them whole: hiding their count would hide nothing.
 */
export function assistanceTotalsPublishedFor(caller: Pick<Caller, 'scopes'>): Record<'temporary' | 'medical', boolean> {
  const welfare = caller.scopes.includes('welfare:read');
  return { temporary: !welfare, medical: !(welfare && caller.scopes.includes('health:read')) };
}

/**
 * A grid's assistance per year, newest first, from its totals by year and kind; a kind without grants that year
 * counts zero. Amounts are summed in yuan and rounded to the fen, as the ledger keeps them. A kind `published`
 * (`assistanceTotalsPublishedFor`) has its grants, people and yuan null where 1 to 4 people were granted.
 */
export function assistanceYearTotals(
  rows: readonly { year: number; kind: 'TEMPORARY' | 'MEDICAL'; grants: number; recipients: number; amount: number }[],
  published: Record<'temporary' | 'medical', boolean> = { temporary: false, medical: false },
): AssistanceYearTotals[] {
  const zero = () => ({ grants: 0, recipients: 0, amount: 0 });
  const years = new Map<number, AssistanceYearTotals>();
  for (const row of rows) {
    let totals = years.get(row.year);
    if (!totals) years.set(row.year, (totals = { year: row.year, temporary: zero(), medical: zero() }));
    const kind = row.kind === 'TEMPORARY' ? 'temporary' : 'medical';
    const amount = Math.round(row.amount * 100) / 100;
    totals[kind] = published[kind]
      ? { grants: suppressSum(row.grants, row.recipients), recipients: suppressCount(row.recipients), amount: suppressSum(amount, row.recipients) }
      : { grants: row.grants, recipients: row.recipients, amount };
  }
  return [...years.values()].sort((a, b) => b.year - a.year);
}
