/** What the benches read of a process from /proc (Linux). */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** CPU seconds (user + system) a process has used so far, and with `reaped`, its waited-for children's; 0 once gone. */
export async function cpuSeconds(pid: number, reaped = false): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start at field 3; utime, stime, cutime, cstime are 14 to 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return ((fields[11] ?? 0) + (fields[12] ?? 0) + (reaped ? (fields[13] ?? 0) + (fields[14] ?? 0) : 0)) / 100;
  } catch {
    return 0;
  }
}

/** The PostgreSQL server's processes: the postmaster of the data folder first, then its backends. */
export async function postgresPids(dataDir: string): Promise<number[]> {
  const postmaster = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const pids = [postmaster];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster) pids.push(Number(entry));
  }
  return pids;
}

/**
 * Waits until every process named is idle: under `busyCpu` CPU seconds (0.05; V8's CPU profiler alone keeps an idle
 * process at ~0.06, so profiled runs pass more) in each of two seconds running. A department's
 * start-up work (mediation's first supervision check issues the notices of every overdue case: ~20 s of inserts at a
 * million residents) would otherwise run beside the measurement, on its event loop and in its CPU seconds. Gives up
 * after `limitSeconds` and says which were still busy.
 */
export async function untilIdle(pids: Record<string, number>, say: (line: string) => void, limitSeconds = 900, busyCpu = 0.05): Promise<void> {
  const t0 = performance.now();
  const cpuNow = async () => Object.fromEntries(await Promise.all(Object.entries(pids).map(async ([name, pid]) => [name, await cpuSeconds(pid)] as const)));
  let quietSeconds = 0;
  for (;;) {
    const before = await cpuNow();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await cpuNow();
    const busy = Object.entries(after).map(([name, s]) => [name, s - (before[name] ?? 0)] as const).filter(([, s]) => s >= busyCpu);
    quietSeconds = busy.length === 0 ? quietSeconds + 1 : 0;
    const waited = (performance.now() - t0) / 1000;
    if (quietSeconds >= 2) {
      if (waited > 3) say(`services idle after ${waited.toFixed(0)} s`);
      return;
    }
    if (waited > limitSeconds) {
      say(`warning: still busy after ${limitSeconds} s: ${busy.map(([name, s]) => `${name} ${s.toFixed(2)} CPU s/s`).join(', ')}`);
      return;
    }
  }
}
