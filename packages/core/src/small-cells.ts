/**
 * Small-cell suppression (小数抑制) of aggregate tables that leave the hub (datasets, statistics pages): a cell that
 * counts fewer than `SMALL_CELL` people could point at the people themselves in a small community, so it is published
 * as null, as are sums over so few people. Zero stays zero: it names no one.
 */
export const SMALL_CELL = 5;

/** A count of people as published: null for 1 to `SMALL_CELL - 1`. */
export function suppressCount(count: number): number | null {
  return count > 0 && count < SMALL_CELL ? null : count;
}

/** A sum over some people (their service hours) as published: null when it is over 1 to `SMALL_CELL - 1` of them. */
export function suppressSum(sum: number, people: number): number | null {
  return people > 0 && people < SMALL_CELL ? null : sum;
}

/**
 * Counts that add up to a published total (in-service + floating = reported in; a grid's disability holders by
 * category, or by grade), as published: small ones null, and
 * when exactly one is null the smallest other non-zero one too, since the total less the rest would give it back
 * (secondary suppression).
 */
export function suppressParts(parts: readonly number[]): (number | null)[] {
  const published = parts.map(suppressCount);
  if (published.filter((p, i) => p === null && (parts[i] as number) > 0).length === 1) {
    let smallest = -1;
    published.forEach((p, i) => {
      if (p !== null && p > 0 && (smallest < 0 || p < (published[smallest] as number))) smallest = i;
    });
    if (smallest >= 0) published[smallest] = null;
  }
  return published;
}
