import { BoundedMap } from './bounded-map.ts';
import type { Budget } from './config.ts';

interface Bucket {
  /** Units left at `at`; negative when a forced charge (a dataset page) overdrew it. */
  units: number;
  at: number;
}

/** What a charge came to. */
export type Charge = { ok: true; left: number } | { ok: false; left: number; retryAfterSeconds: number };

/**
 * Token buckets by key (a caller's subject, a client address), at most `maxEntries` of them (`BoundedMap`): under a
 * flood of distinct keys the ones unused for longest are dropped. A dropped bucket comes back full, which is what an
 * idle one would have refilled to anyway.
 */
export class TokenBuckets {
  private readonly buckets: BoundedMap<Bucket>;

  constructor(
    maxEntries: number,
    private readonly clock: () => number,
  ) {
    this.buckets = new BoundedMap(maxEntries);
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Units in the key's bucket now. */
  level(key: string, budget: Budget): number {
    return this.refilled(this.buckets.peek(key), budget, this.clock());
  }

  /**
   * Takes `cost` units. Refused when the bucket holds fewer than `min(cost, burst)`: an operation dearer than the
   * whole bucket runs only on a full one, and leaves it in debt. `force` takes them all the same (work already
   * promised, such as the pages of an export under way), overdrawing the bucket.
   */
  take(key: string, budget: Budget, cost: number, force = false): Charge {
    const now = this.clock();
    const known = this.buckets.peek(key);
    const units = this.refilled(known, budget, now);
    const needed = Math.min(cost, budget.burst);
    if (units < needed && !force) {
      // Untouched: a refusal costs nothing, so retrying after Retry-After succeeds.
      return { ok: false, left: units, retryAfterSeconds: Math.max(1, Math.ceil(((needed - units) * 60) / budget.perMinute)) };
    }
    this.buckets.set(key, { units: units - cost, at: now });
    return { ok: true, left: units - cost };
  }

  /** Seconds until the key's bucket holds `units` again. */
  secondsUntil(key: string, budget: Budget, units: number): number {
    const level = this.level(key, budget);
    return level >= units ? 0 : Math.max(1, Math.ceil(((units - level) * 60) / budget.perMinute));
  }

  private refilled(bucket: Bucket | undefined, budget: Budget, now: number): number {
    if (!bucket) return budget.burst;
    return Math.min(budget.burst, bucket.units + ((now - bucket.at) * budget.perMinute) / 60_000);
  }
}
