import { describe, expect, it } from 'vitest';
import { lazyLoaders, RequestLoader } from '../src/index.ts';

describe("a request's loaders", () => {
  const request = (built: string[]) =>
    lazyLoaders({
      byId: () => {
        built.push('byId');
        return new RequestLoader<number, string>(async (keys) => keys.map((k) => `row ${k}`));
      },
      byName: () => {
        built.push('byName');
        return new RequestLoader<string, number>(async (keys) => keys.map((k) => k.length));
      },
      // A loader family (one per argument asked), as the departments have.
      countsBy: () => {
        built.push('countsBy');
        const each = new Map<string, RequestLoader<string, number>>();
        return (kind: string) => each.get(kind) ?? each.set(kind, new RequestLoader<string, number>(async (keys) => keys.map(() => kind.length))).get(kind)!;
      },
    });

  it('builds a loader when the request first uses it, once, and never one it does not use', async () => {
    const built: string[] = [];
    const loaders = request(built);
    expect(built).toEqual([]);
    expect(await loaders.byId.load(7)).toBe('row 7');
    expect(loaders.byId).toBe(loaders.byId);
    expect(await loaders.countsBy('welfare').load('g')).toBe(7);
    expect(loaders.countsBy('welfare')).toBe(loaders.countsBy('welfare'));
    expect(built).toEqual(['byId', 'countsBy']);
  });

  it("gives every request loaders of its own: nothing one request loaded is another's", async () => {
    const first: string[] = [];
    const second: string[] = [];
    const a = request(first);
    const b = request(second);
    const loadedByA = a.byId;
    await loadedByA.load(1);
    expect(second).toEqual([]);
    expect(b.byId).not.toBe(loadedByA);
    expect(second).toEqual(['byId']);
    // Every loader's name is there to see, built or not.
    expect(Object.keys(Object.getPrototypeOf(b))).toEqual(['byId', 'byName', 'countsBy']);
    expect('byName' in b).toBe(true);
  });
});
