/**
 * Dataset exports side by side: another built tree's subgraphs and gateway (`--before`, e.g. a worktree of main after
 * `npm run build`) and this tree's, on the same server and seeded district (`.data/bench-<N>`, as `datasets.ts` keeps
 * it), each dataset exported by each in turns, the order swapped every round. On a shared machine only such ratios
 * mean anything: per export, the wall time, the time to the first byte, and the CPU seconds of the hub's processes
 * (the gateway's apart) and of PostgreSQL (every backend, so nothing else may use the server meanwhile); medians;
 * and the gateway's peak resident size since it started (VmHWM), read after each export.
 * First each exports one grid five times (what an export costs beside its rows) and one street (warm-up).
 *
 *   node --import tsx datasets-side-by-side.ts --before <tree> [--residents 1000000] [--rounds 5]
 *        [--dataset cases,group-rentals,welfare-cross-check,care-lists] [--profile <folder>] [--only before|after]
 *        [--after-flags '<node flags>']
 *
 * With `--profile`, every process writes a V8 CPU profile under <folder>/<before|after>/<service>, and each export's
 * window (`window <stack> <dataset> <start µs> <end µs>`, the monotonic clock the profiles use) is printed to cut them.
 * `--after-flags` gives this tree's processes (every department and the gateway) further Node/V8 flags, e.g.
 * `--max-semi-space-size=32` against a `--before` of the same tree to weigh a flag.
 */
import { request } from 'node:http';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DEMO_HUB_SECRET, demoIssuer, department, freePort, internalTokenEnvForRun } from '@hub/core';
import { prepareDatabases } from '@hub/hub';
import { departmentRuntimes } from '@hub/hub/departments';
import { DEFAULT_DEMO_SEED } from '@hub/hub/options';
import { forkService, type ServiceProcess } from '@hub/hub/process';
import { cpuSeconds, postgresPids } from './proc.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const say = (line: string) => process.stderr.write(`${line}\n`);
const argv = process.argv.slice(2);
const value = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
const residents = Number(value('--residents') ?? '100000');
const beforeArg = value('--before');
if (beforeArg === undefined && value('--only') !== 'after') throw new Error('--before <a built tree> is required (or --only after)');
const before = path.resolve(beforeArg ?? ROOT);
const datasets = (value('--dataset') ?? 'cases,group-rentals,welfare-cross-check,care-lists').split(',');
const rounds = Number(value('--rounds') ?? '5');
const profile = value('--profile');
const only = value('--only'); // 'before' | 'after'
const afterFlags = (value('--after-flags') ?? '').split(' ').filter((flag) => flag !== '');

/** A process's peak resident size since it started (VmHWM), MiB: the gateway's, read after each export. */
async function peakMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function cpuOf(pids: number[], postgres: number[]): Promise<{ hub: number; pg: number; gw: number }> {
  const hub = await Promise.all(pids.map((p) => cpuSeconds(p)));
  const pgs = await Promise.all(postgres.map((p, i) => cpuSeconds(p, i === 0)));
  return { hub: hub.reduce((a, b) => a + b, 0), pg: pgs.reduce((a, b) => a + b, 0), gw: hub.at(-1) ?? 0 };
}
function exportOnce(url: URL, token: string): Promise<{ rows: number; bytes: number; firstByte: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}`, 'x-hub-purpose': 'statistics' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`export answered ${res.statusCode}`));
      let bytes = 0;
      let firstByte = 0;
      res.on('data', (chunk: Buffer) => {
        if (bytes === 0) firstByte = performance.now() - t0;
        bytes += chunk.length;
      });
      res.on('end', () => resolve({ rows: Number(res.trailers['x-hub-rows']), bytes, firstByte }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const dataDir = path.join(ROOT, '.data', `bench-${residents}`);
const keys = internalTokenEnvForRun({});
const started: ServiceProcess[] = [];
const databases = await prepareDatabases({ demo: { residents, seed: DEFAULT_DEMO_SEED }, secret: DEMO_HUB_SECRET, dataDir, port: 0, env: {}, log: say, progress: true });
const issuerDir = path.join(ROOT, '.data', 'bench-issuer');
const token = await demoIssuer({ HUB_DEMO_ISSUER_DIR: issuerDir }).mint({ sub: 'bench', role: 'district-analyst' }, { expiresIn: '8h' });
const rateLimitsFile = path.join(dataDir, 'bench-rate-limits.json');
await writeFile(rateLimitsFile, JSON.stringify({ roles: { 'district-analyst': { perMinute: 1e12, burst: 1e12 } } }));

async function stack(tree: string, label: string) {
  const pids: number[] = [];
  const urls: Record<string, string> = {};
  const prof = (name: string) => [...(label === 'after' ? afterFlags : []), ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profile, label, name)}`] : [])];
  for (const runtime of departmentRuntimes) {
    const dept = department(runtime.name);
    const port = await freePort();
    const rel = path.relative(ROOT, runtime.entry);
    const entry = path.join(tree, path.dirname(path.dirname(rel)), 'dist', `${path.basename(rel, '.ts')}.js`);
    const service = forkService(`${label} ${runtime.name}`, entry, {
      PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'error', HUB_SECRET: DEMO_HUB_SECRET,
      [`${dept.envPrefix}_DATABASE_URL`]: databases.urls[runtime.name],
      [`${dept.envPrefix}_PORT`]: String(port),
      ...keys.subgraph(runtime.name),
    }, { execArgv: prof(runtime.name) });
    started.push(service);
    await service.ready;
    pids.push(service.child.pid as number);
    urls[`${dept.envPrefix}_URL`] = `http://127.0.0.1:${port}/graphql`;
  }
  const gatewayPort = await freePort();
  const gateway = forkService(`${label} gateway`, path.join(tree, 'gateway/dist/index.js'), {
    PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'error', GATEWAY_PORT: String(gatewayPort),
    HUB_DEMO_ISSUER_DIR: issuerDir, ...keys.gateway, AUDIT_DATABASE_URL: databases.urls.audit as string, HUB_RATE_LIMITS_FILE: rateLimitsFile, ...urls,
  }, { execArgv: ['--max-old-space-size=256', ...prof('gateway')] });
  started.push(gateway);
  await gateway.ready;
  pids.push(gateway.child.pid as number);
  return { label, pids, port: gatewayPort };
}

try {
  const stacks = [];
  if (only !== 'after') stacks.push(await stack(before, 'before'));
  if (only !== 'before') stacks.push(await stack(ROOT, 'after'));
  // idle
  for (let quiet = 0; quiet < 2; ) {
    const all = stacks.flatMap((s) => s.pids);
    const a = await Promise.all(all.map((p) => cpuSeconds(p)));
    await new Promise((r) => setTimeout(r, 1000));
    const b = await Promise.all(all.map((p) => cpuSeconds(p)));
    quiet = b.every((x, i) => x - (a[i] ?? 0) < 0.05) ? quiet + 1 : 0;
  }
  const client = new pg.Client({ connectionString: databases.urls['civil-affairs'] });
  await client.connect();
  const street = (await client.query<{ code: string }>('select code from streets order by code limit 1')).rows[0]!.code;
  await client.end();
  const results: Record<string, Record<string, { s: number; cpu: number; pg: number; gw: number; fb: number; peak: number }[]>> = {};
  for (const s of stacks) for (const d of datasets) await exportOnce(new URL(`http://127.0.0.1:${s.port}/datasets/${d}.csv?street=${street}`), token);
  const grid = (await (async () => { const c = new pg.Client({ connectionString: databases.urls['civil-affairs'] }); await c.connect(); try { return (await c.query<{ code: string }>('select code from grids order by code limit 1')).rows[0]!.code; } finally { await c.end(); } })());
  for (const s of stacks) for (const d of datasets) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) { const t0 = performance.now(); await exportOnce(new URL(`http://127.0.0.1:${s.port}/datasets/${d}.csv?grid=${grid}`), token); times.push(performance.now() - t0); }
    say(`one grid ${s.label} ${d}: ${times.map((t) => t.toFixed(0)).join(' ')} ms`);
  }
  for (let round = 0; round < rounds; round++) {
    for (const d of datasets) {
      const order = round % 2 === 0 ? stacks : [...stacks].reverse();
      for (const s of order) {
        const pgPids = await postgresPids(dataDir);
        const c0 = await cpuOf(s.pids, pgPids);
        const t0 = performance.now();
        const h0 = process.hrtime.bigint() / 1000n;
        const r = await exportOnce(new URL(`http://127.0.0.1:${s.port}/datasets/${d}.csv`), token);
        const sec = (performance.now() - t0) / 1000;
        say(`window ${s.label} ${d} ${h0} ${process.hrtime.bigint() / 1000n}`);
        const c1 = await cpuOf(s.pids, await postgresPids(dataDir));
        const peak = await peakMiB(s.pids.at(-1) as number);
        ((results[d] ??= {})[s.label] ??= []).push({ s: sec, cpu: c1.hub - c0.hub, pg: c1.pg - c0.pg, gw: c1.gw - c0.gw, fb: r.firstByte / 1000, peak });
        say(`${round} ${d} ${s.label}: ${r.rows} rows ${sec.toFixed(3)} s, first byte ${(r.firstByte / 1000).toFixed(3)} s, hub CPU ${(c1.hub - c0.hub).toFixed(2)} (gw ${(c1.gw - c0.gw).toFixed(2)}), pg ${(c1.pg - c0.pg).toFixed(2)}, gateway peak RSS so far ${peak.toFixed(0)} MiB`);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  say(`load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (const [d, byStack] of Object.entries(results)) {
    const line = Object.entries(byStack).map(([label, xs]) => `${label}: wall ${median(xs.map((x) => x.s)).toFixed(3)} s fb ${median(xs.map((x) => x.fb)).toFixed(3)} hub CPU ${median(xs.map((x) => x.cpu)).toFixed(2)} gw ${median(xs.map((x) => x.gw)).toFixed(2)} pg ${median(xs.map((x) => x.pg)).toFixed(2)} gateway peak RSS ${Math.max(...xs.map((x) => x.peak)).toFixed(0)} MiB`);
    process.stdout.write(`${d}: ${line.join(' | ')}\n`);
  }
} finally {
  for (const service of started.reverse()) await service.stop();
  await databases.stop();
}
