/**
 * A map of at most `maxEntries` entries that forgets what has not been used for longest, in O(1) per operation: two
 * generations of at most half the bound each. Entries are written to the young one; a read of an old one moves it
 * to the young one; when the young one is full it becomes the old one and the old one is dropped whole. (A single
 * insertion-ordered Map that drops its first key is O(1) only on paper: V8 leaves a deleted slot behind, and each
 * `keys().next()` steps over all of them, which cost 90 µs a check under a flood of distinct keys.)
 */
export class BoundedMap<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private readonly generation: number;

  constructor(maxEntries: number) {
    this.generation = Math.max(1, Math.floor(maxEntries / 2));
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  get(key: string): V | undefined {
    const young = this.young.get(key);
    if (young !== undefined) return young;
    const old = this.old.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  /** The value without counting as a use. */
  peek(key: string): V | undefined {
    return this.young.get(key) ?? this.old.get(key);
  }

  set(key: string, value: V): void {
    if (this.young.has(key)) {
      this.young.set(key, value);
      return;
    }
    this.old.delete(key);
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}
