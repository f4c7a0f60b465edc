import { readdirSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import path from 'node:path';

const MIB = 1024 * 1024;
/** Below this PostgreSQL's buffer pool thrashes on ordinary work; it was the embedded server's fixed setting. */
export const MIN_SHARED_BUFFERS_MIB = 64;
/** PostgreSQL's own bounds for `shared_buffers` in 8 kB pages, as MiB (16 pages is 128 kB; we ask for at least 16 MiB). */
const SMALLEST_SETTABLE_MIB = 16;

/** What is wrong with a value of HUB_POSTGRES_SHARED_BUFFERS, or undefined when it is fine. */
export function sharedBuffersProblem(value: string): string | undefined {
  const v = value.trim();
  if (v === 'auto') return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < SMALLEST_SETTABLE_MIB || n > 1024 * 1024) {
    return `must be auto or a whole number of MiB from ${SMALLEST_SETTABLE_MIB} to 1048576, got "${value}"`;
  }
  return undefined;
}

/**
 * The embedded server's shared buffers in MiB. `auto` (the default) sizes them to the district: the databases' size
 * on disk, so that the hub-id lookups of a large district (random keys in indexes and tables 100 times larger than a
 * small one's) are hits in PostgreSQL's pool rather than reads through the operating system, bounded by an eighth of
 * the machine's memory (the services, the page cache and the rest of the machine keep the other seven) and never
 * below the 64 MiB a small district gets. Pages are only resident once read, so a pool larger than the working set
 * costs address space, not memory. A number sets it outright.
 */
export function sharedBuffersMiB(dataDir: string, env: NodeJS.ProcessEnv = process.env, machineBytes = totalmem()): number {
  const value = env.HUB_POSTGRES_SHARED_BUFFERS?.trim();
  if (value && value !== 'auto') {
    const problem = sharedBuffersProblem(value);
    if (problem) throw new Error(`HUB_POSTGRES_SHARED_BUFFERS ${problem}`);
    return Number(value);
  }
  return autoSharedBuffersMiB(databasesBytes(dataDir), machineBytes);
}

export function autoSharedBuffersMiB(databasesBytes: number, machineBytes: number): number {
  const ceiling = Math.max(MIN_SHARED_BUFFERS_MIB, Math.floor(machineBytes / 8 / MIB));
  return Math.min(ceiling, Math.max(MIN_SHARED_BUFFERS_MIB, Math.ceil(databasesBytes / MIB)));
}

/** Bytes of every database's relations in a cluster's data folder (`base/`); 0 before the cluster exists. */
export function databasesBytes(dataDir: string): number {
  let total = 0;
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        try {
          total += statSync(full).size;
        } catch {
          // removed while we looked (a vacuum truncating, a dropped table)
        }
      }
    }
  };
  walk(path.join(dataDir, 'base'));
  return total;
}
