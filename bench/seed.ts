/**
 * Where the demo district's seeding spends its time, and how long it takes.
 *
 *   npm run bench:seed -- [--residents N] [--seed N] [--writer copy,insert] [--entry bundle|source|<file>,…] [--skip-generation]
 *
 * Two measurements on one embedded server in a fresh data folder:
 * 1. generation alone: the district generated grid by grid in this process and thrown away (what every seeding
 *    process pays before writing a row);
 * 2. the launcher's seeding as a first start does it (`prepareDatabases` with the seeding child process, on freshly
 *    created and migrated databases): wall time, and the CPU of the seeding processes and of PostgreSQL, from /proc.
 * `--writer` names the writers to run, one after the other on fresh servers: `copy` (the launcher's) and `insert` (the
 * unnest INSERTs seeding used before, for the comparison). `--entry bundle` (default) runs the seeding process's bundle (`npm run build` first), `source` its TypeScript,
 * a file path another build's `apps/hub/dist/seed-process.js` (a worktree of an earlier commit, built: its seeding
 * against the same server settings, migrations and machine); several, comma-separated, run one after the other per
 * writer, so a before and an after share the machine's load. Besides the CPU, the seeding process's peak resident
 * memory (VmHWM) and the moment every department had been handed its last rows (the rest is key and index builds
 * and the commit). This tree's seeding runs the launcher's flow (a first start's databases commit their rows, then build
 * their keys on several connections); another build's seeding process is run with the one-transaction flow it knew.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, chmod } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_HUB_SECRET } from '@hub/core';
import { generateDemoWorld } from '@hub/demo';
import { prepareDatabases } from '@hub/hub';
import { parseDemoOptions } from '@hub/hub/options';
import { builtEntry } from '@hub/hub/process';
import { machineLine } from './machine.ts';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const demo = parseDemoOptions(
  argv.filter((a, i) => !['--entry', '--writer', '--skip-generation'].includes(a) && !['--entry', '--writer'].includes(argv[i - 1] ?? '')),
  {},
).demo;
const writers = (flag('--writer') ?? 'copy').split(',');
for (const writer of writers) if (writer !== 'copy' && writer !== 'insert') throw new Error(`--writer takes copy and insert, got ${writer}`);
const SEED_SOURCE = fileURLToPath(new URL('../apps/hub/src/seed-process.ts', import.meta.url));
const seedEntries = (flag('--entry') ?? 'bundle').split(',').map((kind) => {
  if (kind === 'bundle') return builtEntry(SEED_SOURCE);
  if (kind === 'source') return SEED_SOURCE;
  const file = path.resolve(kind);
  if (!existsSync(file) || !/seed-process\.(js|ts)$/.test(file)) throw new Error(`--entry is bundle, source or a seed-process.js file, got ${kind}`);
  return file;
});

/** A seeding process of another build (`--entry <file>`), not this tree's bundle or source. */
const foreign = (entry: string) => entry !== SEED_SOURCE && !entry.startsWith(path.dirname(path.dirname(SEED_SOURCE)) + path.sep);

const TICK = 100; // clock ticks per second in /proc/<pid>/stat on Linux

interface Seen {
  name: string;
  seconds: number;
  /** Peak resident set (VmHWM), KiB. */
  peakKiB: number;
}

/** CPU seconds (user + system) and peak memory of every process whose command line (and parent) matches, by name, read from /proc. */
async function cpuByProcess(match: (commandLine: string, pid: number, parent: number) => string | null): Promise<Map<number, Seen>> {
  const found = new Map<number, Seen>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const name = match(commandLine, Number(entry), Number(fields[1]));
      if (!name) continue;
      const status = await readFile(`/proc/${entry}/status`, 'utf8');
      const peakKiB = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
      found.set(Number(entry), { name, seconds: (Number(fields[11]) + Number(fields[12])) / TICK, peakKiB });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

console.log(machineLine());
console.log(`load average before: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`residents ${demo.residents.toLocaleString('en')}, seed ${demo.seed}`);

if (!argv.includes('--skip-generation')) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const world = generateDemoWorld(demo);
  let residents = 0;
  let peakHeap = 0;
  for (const contents of world.gridContents()) {
    residents += contents.residents.length;
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const used = process.cpuUsage(cpu);
  console.log(
    `generation alone: ${seconds(performance.now() - started)} wall, ${((used.user + used.system) / 1e6).toFixed(1)} s CPU, ` +
      `${residents.toLocaleString('en')} residents in ${world.grids.length} grids, heap peak ${Math.round(peakHeap / 2 ** 20)} MiB`,
  );
}

for (const writer of writers as ('copy' | 'insert')[]) for (const seedEntry of seedEntries) {
console.log(`writer: ${writer}, seeding process: ${path.relative(process.cwd(), seedEntry)}`);
const dataDir = await mkdtemp(path.join(tmpdir(), 'hub-bench-seed-'));
await chmod(dataDir, 0o755);
try {
  const started = performance.now();
  // The seeding processes and PostgreSQL's backends, sampled as they run (a process's CPU is lost when it exits).
  const seen = new Map<number, Seen>();
  // Only this run's server counts (its postmaster, restarted after the seed, and the postmaster's children): other
  // servers on a shared machine are not the seed's.
  const postmaster = async () => Number((await readFile(path.join(dataDir, 'data', 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]) || -1;
  const sample = async () => {
    const server = await postmaster();
    const now = await cpuByProcess((c, pid, parent) =>
      c.includes('seed-process') ? 'seeding' : pid === server || parent === server ? 'postgres' : null,
    );
    for (const [pid, value] of now) seen.set(pid, value);
  };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  let seededAt = 0;
  let rowsHandedAt = 0;
  const prepared = await prepareDatabases({
    demo,
    secret: DEMO_HUB_SECRET,
    // The server as a first start runs it (fsync on, 64 MB of shared buffers), in a folder removed afterwards.
    dataDir: path.join(dataDir, 'data'),
    seedProcess: seedEntry,
    seedWriter: writer,
    // An earlier build's seeding process gets the launcher's flow of its time: one transaction per department.
    buildAfterCommit: !foreign(seedEntry),
    onSeedProgress: (residents) => {
      if (residents === demo.residents && !rowsHandedAt) {
        rowsHandedAt = performance.now();
        console.log(`  ${seconds(rowsHandedAt - started)}  every department handed its last rows (key and index builds and the commit follow)`);
      }
    },
    log: (line) => {
      if (line.startsWith('seeded ')) seededAt = performance.now();
      if (/^(embedded PostgreSQL (ready|restarted)|generating|seeded |analysed )/.test(line)) {
        console.log(`  ${seconds(performance.now() - started)}  ${line}`);
      }
    },
  });
  sampling = false;
  await sampler;
  const total = performance.now() - started;
  const cpu = new Map<string, number>();
  let seedingPeakKiB = 0;
  for (const value of seen.values()) {
    cpu.set(value.name, (cpu.get(value.name) ?? 0) + value.seconds);
    if (value.name === 'seeding') seedingPeakKiB = Math.max(seedingPeakKiB, value.peakKiB);
  }
  console.log(
    `first start's databases (server start, create, migrate, seed): ${seconds(total)}; ` +
      `CPU: seeding processes ${(cpu.get('seeding') ?? 0).toFixed(1)} s, PostgreSQL ${(cpu.get('postgres') ?? 0).toFixed(1)} s; ` +
      `seeding process peak RSS ${Math.round(seedingPeakKiB / 1024)} MiB` +
      (seededAt ? '' : ' (nothing seeded)'),
  );
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  await prepared.stop();
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
}
