import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { settleHeap } from '../src/settle-heap.ts';

const MODULE = fileURLToPath(new URL('../src/settle-heap.ts', import.meta.url));

/** Runs `settleHeap` in a node process of its own after it made garbage, and reports the heap before and after. */
function settleInChild(flags: string[], expose: boolean) {
  const script = `
    import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
    import { settleHeap } from ${JSON.stringify(MODULE)};
    const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').physical_space_size;
    let kept = [];
    for (let i = 0; i < 2e6; i++) { kept.push({ i, s: 'x' + i }); if (kept.length > 300000) kept = []; }
    kept = null;
    const before = { used: getHeapStatistics().used_heap_size, newSpace: newSpace(), rss: process.memoryUsage.rss() };
    const ms = settleHeap({ expose: ${expose} });
    console.log(JSON.stringify({ ms: ms ?? null, before, after: { used: getHeapStatistics().used_heap_size, newSpace: newSpace(), rss: process.memoryUsage.rss() } }));
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', ...flags, '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { ms: number | null; before: { used: number; newSpace: number; rss: number }; after: { used: number; newSpace: number; rss: number } };
}

// Each case starts node processes that load tsx: seconds on a quiet machine, more than vitest's default on a loaded one.
const CHILDREN_TIMEOUT_MS = 180_000;

describe('settleHeap', () => {
  it('does nothing in a process started without --expose-gc', () => {
    expect(typeof (globalThis as { gc?: unknown }).gc === 'function' ? 'exposed' : settleHeap()).toBe(undefined);
    const child = settleInChild(['--max-semi-space-size=16'], false);
    expect(child.ms).toBe(null);
  }, CHILDREN_TIMEOUT_MS);

  it('collects the garbage of the start, and on Node 22+ gives back the young generation', () => {
    for (const child of [settleInChild(['--max-semi-space-size=16', '--expose-gc'], false), settleInChild(['--max-semi-space-size=16'], true)]) {
      expect(child.ms).toBeGreaterThan(0);
      expect(child.after.used).toBeLessThan(child.before.used);
      // V8 13 shrinks new space to its initial size and hands its pages back to the system, which an ordinary
      // collection does not (it keeps them in V8's page pool); V8 11, Node 20's, keeps new space as it is.
      if (Number(process.versions.node.split('.')[0]) >= 22) {
        expect(child.before.newSpace).toBeGreaterThanOrEqual(16 * 1024 * 1024);
        expect(child.after.newSpace).toBeLessThan(4 * 1024 * 1024);
        expect(child.before.rss - child.after.rss).toBeGreaterThan(child.before.newSpace / 2);
      }
    }
  }, CHILDREN_TIMEOUT_MS);
});
