/**
 * How long `npm start` takes to bring the whole hub up, and how much memory the hub then holds.
 *
 *   npm run startup -w @hub/bench -- [--residents N]
 *
 * Runs the launcher as a user would, on free ports and a fresh data folder: a first start (cluster initialised,
 * databases created, demo district seeded) and a second start on the same folder. Memory is summed over the
 * launcher, every service process and every PostgreSQL process: RSS, and PSS (shared pages counted once), which is
 * the honest total for processes that share libraries and PostgreSQL's shared buffers.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoIssuer, departments, freePort } from '@hub/core';
import { parseDemoOptions } from '@hub/hub/options';
import { machineLine } from './machine.ts';

const START = fileURLToPath(new URL('../apps/hub/src/start.ts', import.meta.url));
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

async function memoryOf(pids: number[]): Promise<{ rssMiB: number; pssMiB: number }> {
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    try {
      const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return { rssMiB: Math.round(rss / 1024), pssMiB: Math.round(pss / 1024) };
}

async function startOnce(env: NodeJS.ProcessEnv) {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', START, '--residents', String(residents)], {
    env: { ...process.env, ...env },
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
  const pids = await descendants(child.pid!);
  const memory = await memoryOf(pids);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGINT');
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
  const first = await startOnce(env);
  const second = await startOnce(env);
  console.log(`machine: ${machineLine()}`);
  console.log(`command: npm run startup -w @hub/bench -- --residents ${residents}`);
  console.log('');
  console.log('| start | residents | ready after | processes | RSS (sum) | PSS (sum) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [label, r] of [['first (init + seed)', first], ['second', second]] as const) {
    console.log(`| ${label} | ${residents.toLocaleString('en')} | ${r.readySeconds.toFixed(1)} s | ${r.processes} | ${r.rssMiB} MiB | ${r.pssMiB} MiB |`);
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
