/**
 * One garbage collection at the end of a process's start, when it has started serving and holds only what it keeps:
 * V8's last-resort flavour, which collects the start-up's garbage, shrinks the young generation to its initial size and
 * hands the pages it freed back to the system. On Node 24 (V8 13) an ordinary collection, V8's own memory reducer
 * included, shrinks the young generation into V8's page pool and keeps the pool's pages resident: a department at rest
 * held its 16-30 MiB of start-up young generation for good, the gateway its 32 MiB. The young generation grows back
 * under load as it would have grown at start (docs/benchmarks.md#start-up-time-and-memory). On Node 20 it changes little.
 *
 * It runs only when the process was started with `--expose-gc` (`SERVICE_NODE_FLAGS`, the image's command), so a
 * deployment's own flags decide, and a benchmark weighs it by flags alone; `expose` makes it run without the flag (the
 * launcher, which serves nothing). Returns the CPU milliseconds it took, or undefined when it did not run.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;

export function settleHeap(options: { expose?: boolean } = {}): number | undefined {
  let gc = (globalThis as { gc?: GcFunction }).gc;
  if (typeof gc !== 'function' && options.expose) {
    // A context made after the flag is set carries V8's `gc` extension; the flag stays set, nothing else changes.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as GcFunction;
  }
  if (typeof gc !== 'function') return undefined;
  const before = process.cpuUsage();
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}
