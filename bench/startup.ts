/**
 * How long `npm start` takes to bring the whole hub up, and how much memory the hub then holds.
 *
 *   npm run bench:startup -- [--residents N]
 *
 * Runs `npm start` as a user would, on free ports and a fresh data folder: a first start as on a fresh clone (no
 * bundles built yet, cluster initialised, databases created, demo district seeded) and a second start on the same
 * folder with the bundles built. Memory is summed over the launcher, every service process and every PostgreSQL
 * process (not npm's own): RSS, and PSS (shared pages counted once), which is the honest total for processes that
 * share libraries and PostgreSQL's shared buffers. Then each service's own start: process start to listening.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildablePackages } from '@hub/build';
import { demoIssuer, departments, ensureDatabase, freePort, generateSigningKeyPair, privatePem, publicPem, startEmbeddedPostgres, TokenIssuer } from '@hub/core';
import { parseDemoOptions } from '@hub/hub/options';
import { machineLine } from './machine.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const residents = parseDemoOptions(argv, {}).demo.residents;

/** Every process descended from `root`, found through /proc. */
async function descendants(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const found = [root];
  for (let i = 0; i < found.length; i++) for (const [pid, ppid] of parents) if (ppid === found[i]) found.push(pid);
  return found;
}

function readCommandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** What a process of the hub is, for the breakdown: a service by its bundle, PostgreSQL's backends apart from its own processes. */
function kindOf(pid: number): string {
  const command = readCommandLine(pid);
  const bundle = /(subgraphs\/([a-z-]+)|gateway|apps\/hub)\/dist\/[a-z-]+\.js/.exec(command);
  if (bundle) return bundle[2] ?? (bundle[1] === 'apps/hub' ? 'launcher' : 'gateway');
  if (/^postgres: .*(\[local\]|\d+\.\d+\.\d+\.\d+\(\d+\))/.test(command)) return 'PostgreSQL connections';
  // The postmaster by its binary's path, its own processes by the titles they set.
  if (command.startsWith('postgres') || /^\S*\/postgres\s/.test(command)) return 'PostgreSQL server';
  return command.split(' ')[0] || 'other';
}

async function memoryOf(pids: number[]): Promise<{ rssMiB: number; pssMiB: number; byKind: Map<string, { processes: number; pssKiB: number }> }> {
  let rss = 0;
  let pss = 0;
  const byKind = new Map<string, { processes: number; pssKiB: number }>();
  for (const pid of pids) {
    try {
      const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
      const processPss = Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      pss += processPss;
      const kind = kindOf(pid);
      const entry = byKind.get(kind) ?? { processes: 0, pssKiB: 0 };
      entry.processes++;
      entry.pssKiB += processPss;
      byKind.set(kind, entry);
    } catch {
      // gone
    }
  }
  return { rssMiB: Math.round(rss / 1024), pssMiB: Math.round(pss / 1024), byKind };
}

async function startOnce(env: NodeJS.ProcessEnv) {
  const started = Date.now();
  const child = spawn('npm', ['start', '--', '--residents', String(residents)], {
    cwd: ROOT,
    // Its own process group, stopped as Ctrl-C stops it in a terminal: SIGINT to the whole group.
    detached: true,
    // npm's scripts run the first \`node\` on PATH: this one's, so the hub runs on the node the machine line names.
    env: { ...process.env, ...env, PATH: [path.dirname(process.execPath), process.env.PATH].filter(Boolean).join(path.delimiter) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('hub ready in')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the hub exited (${code}) before it was ready:\n${output}`)));
  });
  const readySeconds = (Date.now() - started) / 1000;
  // Let the services settle (JIT, pools) before reading memory, then exercise the gateway once.
  await new Promise((r) => setTimeout(r, 2000));
  const token = await demoIssuer(env).mint({ sub: 'bench', role: 'administrator' });
  const response = await fetch(`http://127.0.0.1:${env.GATEWAY_PORT}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ grids(first: 50) { edges { node { name residents(first: 100) { totalCount edges { node { name grid { name } } } } } } } }' }),
  });
  if (!response.ok) throw new Error(`the gateway answered ${response.status}: ${await response.text()}`);
  // The launcher and what it started; npm and its shell are not the hub.
  const launcher = (await descendants(child.pid!)).find((pid) => readCommandLine(pid).includes('apps/hub/dist/start.js'));
  if (!launcher) throw new Error('no launcher process (apps/hub/dist/start.js) under npm start');
  const pids = await descendants(launcher);
  const memory = await memoryOf(pids);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  process.kill(-child.pid!, 'SIGINT');
  await exited;
  return { readySeconds, processes: pids.length, ...memory };
}

const dataDir = await mkdtemp(path.join(tmpdir(), 'hub-bench-'));
await chmod(dataDir, 0o755);
const env: NodeJS.ProcessEnv = {
  HUB_DATA_DIR: path.join(dataDir, 'postgres'),
  HUB_DEMO_ISSUER_DIR: path.join(dataDir, 'demo-issuer'),
  HUB_POSTGRES_PORT: '0',
  GATEWAY_PORT: String(await freePort()),
};
for (const dept of departments) {
  env[`${dept.envPrefix}_PORT`] = String(await freePort());
  delete process.env[`${dept.envPrefix}_DATABASE_URL`]; // the embedded server is what this measures
}
try {
  // As on a fresh clone: no bundle built yet.
  for (const pkg of buildablePackages()) await rm(path.join(pkg.dir, 'dist'), { recursive: true, force: true });
  const first = await startOnce(env);
  const second = await startOnce(env);
  const services = await serviceStarts(env);
  console.log(`machine: ${machineLine()}`);
  console.log(`command: ${process.env.HUB_NODE_FLAGS !== undefined ? `HUB_NODE_FLAGS='${process.env.HUB_NODE_FLAGS}' ` : ''}npm run bench:startup -- --residents ${residents}`);
  console.log('');
  console.log('| start | residents | ready after | processes | RSS (sum) | PSS (sum) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [label, r] of [['first (init + seed)', first], ['second', second]] as const) {
    console.log(`| ${label} | ${residents.toLocaleString('en')} | ${r.readySeconds.toFixed(1)} s | ${r.processes} | ${r.rssMiB} MiB | ${r.pssMiB} MiB |`);
  }
  console.log('');
  console.log('| process (the second start) | processes | PSS |');
  console.log('|---|---:|---:|');
  for (const [kind, entry] of [...second.byKind].sort((a, b) => b[1].pssKiB - a[1].pssKiB)) console.log(`| ${kind} | ${entry.processes} | ${Math.round(entry.pssKiB / 1024)} MiB |`);
  console.log('');
  console.log('| service (built) | process start to listening, median of 5 |');
  console.log('|---|---:|');
  for (const [name, ms] of services) console.log(`| ${name} | ${ms} ms |`);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

/**
 * Each service's bundle started alone, as a container starts it, until its port accepts a connection; the median of
 * five starts. Subgraphs over an empty database of their own on a throw-away embedded server (migrations already in
 * after the first start), the gateway with no subgraph up (it plans over the committed supergraph).
 */
async function serviceStarts(env: NodeJS.ProcessEnv): Promise<[string, number][]> {
  const server = await startEmbeddedPostgres({ dataDir: path.join(path.dirname(env.HUB_DATA_DIR!), 'service-starts'), port: 0, ephemeral: true });
  const results: [string, number][] = [];
  try {
    const keys = generateSigningKeyPair();
    const common = { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'warn', HUB_SECRET: 'x'.repeat(32), HUB_INTERNAL_PUBLIC_KEY: publicPem(keys.publicKey) };
    const jwks = path.join(path.dirname(env.HUB_DATA_DIR!), 'jwks.json');
    await writeFile(jwks, JSON.stringify(TokenIssuer.generate('bench', 'bench').jwks));
    const services: [string, string, (port: number) => NodeJS.ProcessEnv][] = [
      ...departments.map((dept): [string, string, (port: number) => NodeJS.ProcessEnv] => [
        dept.name,
        path.join(ROOT, 'subgraphs', dept.name, 'dist', 'index.js'),
        (port) => ({ ...common, [`${dept.envPrefix}_PORT`]: String(port), [`${dept.envPrefix}_DATABASE_URL`]: server.url(`start_${dept.database}`) }),
      ]),
      [
        'gateway',
        path.join(ROOT, 'gateway', 'dist', 'index.js'),
        (port) => ({
          ...common,
          GATEWAY_PORT: String(port),
          HUB_INTERNAL_PRIVATE_KEY: privatePem(keys.privateKey),
          HUB_JWKS_FILE: jwks,
          HUB_JWT_ISSUER: 'bench',
          HUB_JWT_AUDIENCE: 'bench',
          AUDIT_DATABASE_URL: server.url('start_audit'),
          ...Object.fromEntries(departments.map((d) => [`${d.envPrefix}_URL`, `http://127.0.0.1:1/graphql`])),
        }),
      ],
    ];
    for (const dept of departments) await ensureDatabase(server.url(`start_${dept.database}`));
    for (const [name, entry, envFor] of services) {
      const times: number[] = [];
      for (let run = 0; run < 6; run++) {
        const port = await freePort();
        const started = performance.now();
        const child = spawn(process.execPath, [entry], { env: envFor(port), stdio: ['ignore', 'ignore', 'inherit'] });
        while (!(await accepts(port))) {
          if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before it listened`);
          await new Promise((r) => setTimeout(r, 5));
        }
        // The first run applies the migrations; the figure is a start on a warm disk over a migrated database.
        if (run > 0) times.push(performance.now() - started);
        const exited = new Promise((resolve) => child.on('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      times.sort((a, b) => a - b);
      results.push([name, Math.round(times[Math.floor(times.length / 2)]!)]);
    }
  } finally {
    await server.stop();
  }
  return results;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
