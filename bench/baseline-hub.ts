/**
 * Another commit's whole hub, run beside the current one (`bench/gateways.ts --baseline <commit>`), so a change is
 * measured against what it replaced in one run on one machine, where noise moves both alike.
 *
 * The commit is checked out into a git worktree under `.data/baseline-<sha>`, installed (`npm ci`) and built
 * (`npm run build`) once; a marker file keeps that build for the next run. Its own launcher (`apps/hub/dist/start.js`,
 * what its `npm start` runs after building) then starts its subgraphs and its gateway as processes of their own, on
 * the current run's PostgreSQL server: on the current hub's databases when both commits' migrations are the same (the
 * same rows, seeded once), else on databases of its own on that server (`<database>_baseline_<sha>`), which its own
 * launcher migrates and seeds from the same demo size and seed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { department, freePort } from '@hub/core';

/** Where each department's migrations live: equal at both commits, the databases are shared. */
const MIGRATIONS = ['packages/audit-trail/src/db/migrations', 'subgraphs/*/src/db/migrations'];
const BUILT = '.bench-built';

export interface BaselineHub {
  /** The full commit id. */
  commit: string;
  /** Whether it serves the current hub's databases (`shared`) or its own on the same server (`own`). */
  databases: 'shared' | 'own';
  gateway: { url: string; pid: number };
  subgraphs: { name: string; url: string; pid: number }[];
  stop(): Promise<void>;
}

const git = (root: string, args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();

/** The commit a name stands for, refused clearly when there is none. */
export function resolveCommit(root: string, ref: string): string {
  try {
    return git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--baseline: "${ref}" names no commit of this repository`);
  }
}

/**
 * The commit's worktree, installed and built: made on first use, kept (by commit) for the next run. A build that
 * failed half way is redone, not trusted: the marker is written only after `npm run build` succeeded.
 */
export async function prepareBaseline(root: string, commit: string, say: (line: string) => void): Promise<string> {
  const dir = path.join(root, '.data', `baseline-${commit.slice(0, 12)}`);
  if (existsSync(path.join(dir, BUILT))) return dir;
  if (!existsSync(path.join(dir, '.git'))) {
    say(`checking out ${commit.slice(0, 12)} into ${path.relative(root, dir)} (once)…`);
    // A stale registration (its folder deleted by hand) would refuse the same path.
    git(root, ['worktree', 'prune']);
    git(root, ['worktree', 'add', '--detach', dir, commit]);
  }
  const run = (args: string[]) => execFileSync('npm', args, { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
  say(`installing and building the baseline ${commit.slice(0, 12)} (once; a few minutes)…`);
  run(['ci', '--no-audit', '--no-fund', '--loglevel=error']);
  run(['run', 'build']);
  await writeFile(path.join(dir, BUILT), `${commit}\n`);
  return dir;
}

/** Whether the working tree's migrations differ from the commit's (then the baseline cannot share the databases). */
export function migrationsDiffer(root: string, commit: string): boolean {
  try {
    execFileSync('git', ['-C', root, 'diff', '--quiet', commit, '--', ...MIGRATIONS], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
}

/** The same server's URL for another database name. */
function otherDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** Processes whose parent is `parent`, with their command lines. */
async function childrenOf(parent: number): Promise<{ pid: number; cmdline: string }[]> {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (!stat || Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== parent) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    found.push({ pid: Number(entry), cmdline: cmdline.replaceAll('\0', ' ') });
  }
  return found;
}

/**
 * Starts the baseline's launcher on the current run's PostgreSQL server, with fixed free ports for its subgraphs and
 * its gateway, and resolves once it says the hub is ready. `env` is what its gateway needs to serve the benchmark
 * (the demo issuer's folder, trusted-documents mode, rate-limits file); it makes its own internal keys.
 */
export async function startBaselineHub(options: {
  dir: string;
  commit: string;
  /** The current hub's database URL per department. */
  urls: Record<string, string>;
  departments: readonly string[];
  shareDatabases: boolean;
  env: NodeJS.ProcessEnv;
  say: (line: string) => void;
  readyTimeoutMs?: number;
}): Promise<BaselineHub> {
  const short = options.commit.slice(0, 12);
  const env: NodeJS.ProcessEnv = { ...options.env, GATEWAY_PORT: String(await freePort()) };
  const subgraphs: { name: string; url: string; pid: number }[] = [];
  for (const name of options.departments) {
    const dept = department(name);
    const port = await freePort();
    const url = options.urls[name];
    if (!url) throw new Error(`no database URL for ${name}`);
    env[`${dept.envPrefix}_DATABASE_URL`] = options.shareDatabases ? url : otherDatabase(url, `${dept.database}_baseline_${short}`);
    env[`${dept.envPrefix}_PORT`] = String(port);
    subgraphs.push({ name, url: `http://127.0.0.1:${port}/graphql`, pid: 0 });
  }
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  const launcher: ChildProcess = spawn(process.execPath, ['--enable-source-maps', 'apps/hub/dist/start.js'], {
    cwd: options.dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => launcher.once('exit', () => resolve()));
  let output = '';
  const gatewayUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the baseline hub was not ready within ${(options.readyTimeoutMs ?? 600_000) / 1000} s:\n${output.slice(-2000)}`)), options.readyTimeoutMs ?? 600_000);
    let gateway: string | undefined;
    const read = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      for (const line of text.split('\n')) {
        if (/seeding|seeded|generating/.test(line)) options.say(`baseline: ${line.trim()}`);
        const ready = /✔ gateway\s+(\S+)/.exec(line);
        if (ready) gateway = ready[1];
        if (/hub ready in/.test(line) && gateway) {
          clearTimeout(timer);
          resolve(gateway);
        }
      }
    };
    launcher.stdout!.on('data', read);
    launcher.stderr!.on('data', read);
    launcher.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the baseline hub's launcher exited (${signal ?? `code ${code}`}):\n${output.slice(-2000)}`));
    });
  });
  // Its output after start-up is not the benchmark's (and would fill the pipe).
  launcher.stdout!.resume();
  launcher.stderr!.resume();
  const children = await childrenOf(launcher.pid!);
  const gatewayProcess = children.find((c) => c.cmdline.includes(path.join('gateway', 'dist')));
  if (!gatewayProcess) throw new Error('could not find the baseline gateway process');
  for (const subgraph of subgraphs) {
    const runtime = children.find((c) => c.cmdline.includes(path.join('subgraphs', subgraph.name, 'dist')));
    if (!runtime) throw new Error(`could not find the baseline ${subgraph.name} process`);
    subgraph.pid = runtime.pid;
  }
  return {
    commit: options.commit,
    databases: options.shareDatabases ? 'shared' : 'own',
    gateway: { url: gatewayUrl, pid: gatewayProcess.pid },
    subgraphs,
    async stop() {
      if (launcher.exitCode === null && launcher.signalCode === null) launcher.kill('SIGTERM');
      await exited;
    },
  };
}
