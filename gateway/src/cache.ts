import type { GatewayConfig } from '@apollo/gateway';
import type { DocumentNode } from 'graphql';

/**
 * A least-recently-used cache of a fixed number of entries, in the shape Apollo's `KeyValueCache` asks for (the
 * parsed-document store and the query-plan store), counting its hits and misses for `/metrics`. Entries are counted,
 * not sized: both stores hold one entry per distinct operation, and a hub's clients send a few hundred at most.
 */
export class CountingLruCache<V> {
  private readonly entries = new Map<string, V>();
  hits = 0;
  misses = 0;

  constructor(
    readonly name: string,
    readonly maxEntries: number,
    private readonly onLookup?: (cache: string, hit: boolean) => void,
  ) {
    if (!(maxEntries >= 1)) throw new Error(`the ${name} cache needs room for at least one entry`);
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<V | undefined> {
    const value = this.entries.get(key);
    const hit = value !== undefined;
    if (hit) {
      // Most recently used goes last; the first key is the one to evict.
      this.entries.delete(key);
      this.entries.set(key, value);
      this.hits++;
    } else {
      this.misses++;
    }
    this.onLookup?.(this.name, hit);
    return value;
  }

  /** The entry, if held, without counting a lookup or refreshing its place. */
  peek(key: string): V | undefined {
    return this.entries.get(key);
  }

  async set(key: string, value: V): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  async delete(key: string): Promise<boolean> {
    return this.entries.delete(key);
  }

  /** The gateway empties its plan cache when the supergraph changes. */
  clear(): void {
    this.entries.clear();
  }
}

/** The query plan type, as the gateway's plan cache option names it (the planner is not a dependency of ours). */
export type PlanOf<C> = C extends { queryPlannerConfig?: { cache?: { get(key: string): Promise<infer P | undefined> } } } ? P : never;

/** The two caches of one entry per distinct operation: Apollo Server's parsed documents and the gateway's query plans. */
export function operationCaches(entries: { documents: number; plans: number }, onLookup: (cache: string, hit: boolean) => void) {
  return {
    documents: new CountingLruCache<DocumentNode>('documents', entries.documents, onLookup),
    plans: new CountingLruCache<PlanOf<GatewayConfig>>('plans', entries.plans, onLookup),
  };
}
