/**
 * Our gateway against stock @apollo/gateway and Hive Gateway, in one run, on the same subgraphs and supergraph.
 *
 *   npm run bench:gateways -- [--residents 10000|100000|1000000] [--duration 10] [--connections 10] [--warmup 3]
 *                             [--gateways hub,hub-apollo,apollo,hive] [--operations ResidentProfile,GridOverview,…] [--write]
 *                             [--profile <folder>] [--soak <minutes>] [--baseline <commit>] [--rounds 1]
 *   npm run bench:gateways -- --sizes 10000,1000000 [--duration --connections --warmup --operations --rounds --write]
 *   npm run bench:gateways -- --node-flags 'default;--max-semi-space-size=1;…' [--residents N] [the same]
 *   npm run bench:gateways -- --node-binaries '/path/to/node;/other/node [flags]' [--residents N] [the same]
 *
 * The operations are the departmental apps' (`clients/<app>/*.graphql`). Boots the embedded PostgreSQL server with the demo district of that size (kept under .data/bench-<N>, seeded on
 * first use), every subgraph as its own process, and each gateway as its own process; then, operation by operation
 * (the gateways' order rotated each time), drives each gateway with autocannon at a fixed number of connections.
 * Reports requests per second, p50/p95/p99 latency, errors (non-2xx, timeouts, answers with GraphQL errors), each
 * gateway process's CPU seconds per request, the subgraphs' and PostgreSQL's CPU per request, the gateway's peak RSS, the answers' mean
 * size and the whole hub's CPU per subgraph fetch and per answer KiB (questions of different sizes compared). `--write`
 * puts the table into docs/benchmarks.md between its gateway-benchmark markers.
 *
 * Everything (load generator included) shares the machine: compare gateways within one run, as ratios. `hub-apollo` is
 * our gateway again with its prepared path off (HUB_GATEWAY_EXECUTOR=apollo), to measure that path in the same run.
 *
 * Before the load, the internal caller tokens' own cost is measured in this process (`measureCallerTokens`): signing
 * and verifying one token per subgraph fetch, bound to its body and single-use, with each signer (the gateway's HMAC
 * signer, a whole HMAC, ES256 or EdDSA token), against the map lookups of the reused tokens it replaced. During the
 * load, the subgraphs' own request counters give the fetches each gateway request makes, so the table states the CPU
 * of the tokens each gateway actually sends per gateway request (`tokenCostOf`) beside the measured CPU per request.
 *
 * Latency: each round's slice records every answered request's latency, and for each request its end cut off, the
 * time it had waited (a lower bound); the rounds' latencies are pooled before
 * p50/p95/p99 are read (the p99 of all requests measured, not an average of per-round percentiles), and each round's
 * own p99 is reported beside it, with the number of latencies, so the noise between rounds is in the table.
 * Variables (`operations.ts`): two streets, ten grids of each, pages every one fills, the same shape at every size.
 *
 * `--sizes A,B` runs our whole hub twice, over two districts (each its own data folder and PostgreSQL server, both
 * seeded on first use and kept, vacuumed and analysed before the load), and the two take turns slice by slice, so a
 * 1M ÷ 10k ratio is measured under one machine load (`compareHubs`). `--node-flags 'X;Y'` does the same for whole hubs
 * whose services run with different V8 flags over one district's server (`default` for none), and `--node-binaries
 * 'A;B'` for whole hubs whose services (every subgraph and the gateway, from the same bundles) run on different node
 * binaries, each entry a binary's path optionally followed by flags for its services.
 *
 * `--baseline <commit>` runs that commit's whole hub beside the current one (`baseline-hub.ts`: built once in a
 * worktree under .data/, its own launcher, its own subgraphs and gateway, the same PostgreSQL server and data) as one
 * more gateway of the run, and adds a table of current ÷ baseline per operation.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  callerFromClaims,
  createCallerTokenVerifier,
  declarePurpose,
  DEMO_HUB_SECRET,
  DEMO_ROLES,
  demoIssuer,
  department,
  freePort,
  generateSigningKeyPair,
  internalKeysForRun,
  internalTokenEnvForRun,
  parseKey,
  parseInternalSecret,
  signCallerToken,
  subgraphTokenKey,
  type Caller,
} from '@hub/core';
import { readSupergraph, subgraphsOf, DEFAULT_SUPERGRAPH } from '@hub/gateway';
import { createCallerTokenSigner } from '@hub/gateway/caller-tokens';
import { prepareDatabases } from '@hub/hub';
import { departmentRuntimes } from '@hub/hub/departments';
import { localSocketsEnabled, prepareLocalSockets } from '@hub/hub/local-sockets';
import { DEFAULT_DEMO_SEED } from '@hub/hub/options';
import { builtEntry, forkService, type ServiceProcess } from '@hub/hub/process';
import { migrationsDiffer, prepareBaseline, resolveCommit, startBaselineHub, type BaselineHub } from './baseline-hub.ts';
import { forkBenchGateway } from './hub-gateway.ts';
import { machineLine } from './machine.ts';
import { untilIdle } from './proc.ts';
import { pickVariables, readOperations } from './operations.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCHMARKS = path.join(ROOT, 'docs/benchmarks.md');
const PURPOSE = 'case-handling';
/** The six cross-department questions of the five-department issue. */
const DEFAULT_OPERATIONS = ['ResidentProfile', 'GridOverview', 'GroupRentalRemediation', 'GridPartyMembers', 'WelfareCrossCheck', 'PoliceReferrals'];

const GATEWAYS = {
  hub: { label: 'ours (hub gateway)', entry: path.join(ROOT, 'gateway/dist/index.js') },
  // Our gateway with its prepared path off (HUB_GATEWAY_EXECUTOR=apollo): every request through Apollo Server's
  // pipeline, the twin that shows what the prepared path saves, in the same run.
  'hub-apollo': { label: 'ours, Apollo Server pipeline only', entry: path.join(ROOT, 'gateway/dist/index.js') },
  // Ours again, its subgraph fetches over loopback TCP instead of the subgraphs' Unix sockets: the A/B of the launcher's
  // local sockets in one run (HUB_LOCAL_SOCKETS=0 turns the sockets off for every gateway, PostgreSQL's too).
  'hub-tcp': { label: 'ours over loopback TCP', entry: path.join(ROOT, 'gateway/dist/index.js') },
  apollo: { label: 'stock @apollo/gateway', entry: path.join(ROOT, 'bench/peers/apollo-gateway.ts') },
  hive: { label: 'Hive Gateway', entry: path.join(ROOT, 'bench/peers/hive/hive-gateway.ts') },
} as const;
type PeerKind = keyof typeof GATEWAYS;
/** A gateway of the run: ours, a peer, or the baseline commit's hub (its own gateway over its own subgraphs). */
type GatewayKind = PeerKind | 'baseline';
const labelOf = (kind: GatewayKind) => (kind === 'baseline' ? `ours at ${baselineCommit?.slice(0, 7)} (baseline)` : GATEWAYS[kind].label);

/**
 * Hive Gateway and its ~580 MiB of packages are this benchmark's alone: installed on first use into its own folder
 * from its own lockfile (bench/peers/hive), and again whenever that lockfile changes, never by the hub's npm ci.
 */
function installHivePeer(): void {
  const folder = path.join(ROOT, 'bench/peers/hive');
  const installed = path.join(folder, 'node_modules/.package-lock.json');
  const lock = path.join(folder, 'package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('installing the Hive Gateway peer (bench/peers/hive, once)…');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: folder, stdio: 'inherit' });
}

function parseArgs(argv: string[]) {
  const known = ['--residents', '--duration', '--connections', '--warmup', '--gateways', '--operations', '--write', '--profile', '--soak', '--baseline', '--rounds', '--sizes', '--node-flags', '--node-binaries'];
  // A value may itself start with "--" (the flags of --node-flags and --node-binaries): it is not an option.
  for (const [i, arg] of argv.entries()) {
    if (arg.startsWith('--') && !known.includes(arg) && !['--node-flags', '--node-binaries'].includes(argv[i - 1] ?? '')) throw new Error(`unknown option ${arg}; known: ${known.join(', ')}`);
  }
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const integer = (flag: string, fallback: number, min: number, max: number) => {
    const raw = value(flag);
    if (raw === undefined) return fallback;
    const n = Number(raw.replaceAll('_', '').replaceAll(',', ''));
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${flag} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  const gateways = (value('--gateways') ?? 'hub,apollo,hive').split(',') as GatewayKind[];
  for (const g of gateways) if (!(g in GATEWAYS)) throw new Error(`--gateways: no gateway "${g}"; known: ${Object.keys(GATEWAYS).join(', ')}`);
  const baseline = value('--baseline');
  if (argv.includes('--baseline') && (!baseline || baseline.startsWith('--'))) throw new Error('--baseline needs a commit (e.g. --baseline 9583791)');
  if (baseline) gateways.push('baseline');
  // The baseline's processes cannot be profiled (node refuses --cpu-prof in NODE_OPTIONS), and a profiled hub beside an
  // unprofiled one would make the profiler's cost look like the change's.
  if (baseline && argv.includes('--profile')) throw new Error('--profile and --baseline cannot be used together: the baseline hub runs unprofiled');
  const sizes = value('--sizes')?.split(',').map((raw) => Number(raw.replaceAll('_', '')));
  if (argv.includes('--sizes')) {
    if (!sizes || sizes.length !== 2 || sizes.some((n) => !Number.isInteger(n) || n < 100 || n > 1_000_000) || sizes[0] === sizes[1]) {
      throw new Error(`--sizes takes two different district sizes from 100 to 1000000, e.g. --sizes 10000,1000000; got "${value('--sizes')}"`);
    }
    for (const other of ['--residents', '--gateways', '--baseline', '--soak', '--profile', '--node-flags', '--node-binaries']) {
      if (argv.includes(other)) throw new Error(`--sizes runs our gateway over two districts of its own; ${other} does not apply`);
    }
  }
  // `default` (or nothing) is a hub with V8's own settings; each other entry is flags separated by spaces.
  const nodeFlags = value('--node-flags')?.split(';').map((set) => set.trim().split(/\s+/).filter((f) => f !== '' && f !== 'default'));
  if (argv.includes('--node-flags')) {
    if (!nodeFlags || nodeFlags.length < 2) throw new Error(`--node-flags takes two or more sets of V8 flags separated by ";" (default for none), e.g. 'default;--max-semi-space-size=1'; got "${value('--node-flags')}"`);
    for (const other of ['--gateways', '--baseline', '--soak', '--profile', '--node-binaries']) {
      if (argv.includes(other)) throw new Error(`--node-flags runs our gateway in hubs of its own; ${other} does not apply`);
    }
  }
  // Each entry: a node binary's path, then (optionally) V8 flags for every service of its hub.
  const nodeBinaries = value('--node-binaries')
    ?.split(';')
    .map((set) => set.trim().split(/\s+/).filter((f) => f !== ''))
    .filter((set) => set.length > 0)
    .map(([binary, ...flags]) => {
      let version: string;
      try {
        version = execFileSync(binary!, ['--version'], { encoding: 'utf8' }).trim();
      } catch {
        throw new Error(`--node-binaries: "${binary}" does not run as node (\`${binary} --version\` failed)`);
      }
      return { binary: binary!, flags: flags.filter((f) => f !== 'default'), version };
    });
  if (argv.includes('--node-binaries')) {
    if (!nodeBinaries || nodeBinaries.length < 2) throw new Error(`--node-binaries takes two or more node binaries separated by ";", each optionally followed by flags, e.g. "$(command -v node);/work/node24/bin/node"; got "${value('--node-binaries')}"`);
    for (const other of ['--gateways', '--baseline', '--soak', '--profile']) {
      if (argv.includes(other)) throw new Error(`--node-binaries runs our gateway in hubs of its own; ${other} does not apply`);
    }
  }
  return {
    residents: integer('--residents', 10_000, 100, 1_000_000),
    duration: integer('--duration', 10, 1, 600),
    connections: integer('--connections', 10, 1, 1000),
    warmup: integer('--warmup', 3, 0, 60),
    gateways,
    operations: value('--operations')?.split(',') ?? DEFAULT_OPERATIONS,
    write: argv.includes('--write'),
    /** A folder for V8 CPU profiles of every gateway and subgraph process (written when they stop). */
    profile: value('--profile'),
    /** Slices each gateway's `--duration` is measured in, the gateways taking turns slice by slice. */
    rounds: integer('--rounds', 1, 1, 60),
    /** Minutes of steady load on the first gateway and operation, RSS of every process read each minute. */
    soak: integer('--soak', 0, 0, 120),
    /** A commit whose whole hub runs beside the current one (`baseline-hub.ts`). */
    baseline,
    /** Two district sizes, each with its own whole hub (PostgreSQL server, subgraphs, our gateway), taking turns (`compareHubs`). */
    sizes: sizes as [number, number] | undefined,
    /** Sets of V8 flags, one whole hub each over one district's server, taking turns (`compareHubs`). */
    nodeFlags,
    /** Node binaries (each with flags for its services), one whole hub each over one district's server, taking turns (`compareHubs`). */
    nodeBinaries,
  };
}

/** utime + stime of a process, in seconds, from /proc (clock ticks of 1/100 s on Linux). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * The embedded PostgreSQL server of the run's data folder (the postmaster) and, read each time, every process it has
 * started (connection backends, WAL writer, checkpointer): the database's own CPU, which the departments' and the
 * audit trail's statements cost and which shares the machine's cores with everything else.
 */
async function findPostmaster(dir: string): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const args = await readFile(`/proc/${entry}/cmdline`, 'utf8').then((text) => text.split('\0'), () => [] as string[]);
    const at = args.indexOf('-D');
    if (at >= 0 && args[0]?.endsWith('postgres') && path.resolve(args[at + 1] ?? '') === path.resolve(dir)) return Number(entry);
  }
  return undefined;
}

async function postgresCpuSeconds(postmaster: number | undefined): Promise<number> {
  if (postmaster === undefined) return Number.NaN;
  let total = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // The postmaster's own time, and (cutime, cstime) that of the backends it has reaped: a connection closed
    // between two readings still counts.
    if (Number(entry) === postmaster) total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
    else if (Number(fields[1]) === postmaster) total += (Number(fields[11]) + Number(fields[12])) / 100;
  }
  return total;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 1024;
}

/** What a cell says when a gateway completed no request in its measured time, so has no per-request figure. */
const NONE = 'none completed';

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);

/** Each round's own p99, in round order (up to six), else their range and median: the noise between rounds. */
function roundsCell(m: Measured): string {
  const p99s = m.roundP99s.filter((p) => Number.isFinite(p));
  if (p99s.length === 0) return NONE;
  if (p99s.length <= 6) return p99s.map((p) => p.toFixed(0)).join(' / ');
  const sorted = [...p99s].sort((a, b) => a - b);
  return `${sorted[0]!.toFixed(0)}-${sorted.at(-1)!.toFixed(0)} (median ${percentile(sorted, 50).toFixed(0)})`;
}

/** How many of a gateway's variable sets for one operation answered a full page, and the rows of each. */
interface PageFill {
  sets: number;
  full: number;
  first: number | undefined;
  rows: number[];
}

/** Counts one answer's page (its rows against the `first` its variables asked for) into `fill`. */
function countFill(fill: PageFill, first: unknown, data: unknown): void {
  const rows = pageRows(data);
  if (typeof first !== 'number' || rows === undefined) return;
  fill.first = first;
  fill.rows.push(rows);
  if (rows === first) fill.full++;
}

/** The rows of the answer's page: the `edges` of the first connection found, depth first (none: undefined). */
function pageRows(value: unknown): number | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (!Array.isArray(value) && Array.isArray((value as { edges?: unknown }).edges)) return (value as { edges: unknown[] }).edges.length;
  for (const child of Object.values(value)) {
    const rows = pageRows(child);
    if (rows !== undefined) return rows;
  }
  return undefined;
}

/** An answer that does less work than the question asks: a null or an empty list at the top, or an empty page. */
function findsNothing(data: Record<string, unknown> | null | undefined): boolean {
  return !data || Object.values(data).some((v) => v === null || (Array.isArray(v) && v.length === 0)) || pageRows(data) === 0;
}

/** A gateway under test and the subgraph processes that answer it. */
interface Served {
  url: string;
  pid: number;
  headers: Record<string, string>;
  subgraphPids: number[];
  subgraphUrls: string[];
}

interface Measured {
  operation: string;
  gateway: GatewayKind;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  /** The p99 of each round's slice alone, in round order: the spread a reader needs to judge the merged p99. */
  roundP99s: number[];
  /** Latencies measured (every round's, merged): the merged p50/p95/p99 are order statistics of these. */
  samples: number;
  errors: number;
  gatewayCpuMsPerRequest: number;
  subgraphsCpuMsPerRequest: number;
  postgresCpuMsPerRequest: number;
  peakRssMiB: number;
  /** Subgraph requests (each with its own signed, verified token) per gateway request. */
  fetchesPerRequest: number;
  /** Mean size of the answers over the run's variable sets (each asked once before the load), in KiB. */
  answerKiB: number;
}

/**
 * Drives one gateway: the bodies are sent in turn (different variables), so a gateway that merges identical requests
 * in flight gains only what real traffic, which rarely repeats itself exactly, would give it.
 */
async function drive(url: string, headers: Record<string, string>, bodies: string[], seconds: number, connections: number) {
  let turn = 0;
  const latencies: number[] = [];
  let graphqlErrors = 0;
  // When each connection last had an answer (autocannon sends its next request at once): at the end, each
  // connection's request in flight is cut off, and how long it had waited is a lower bound of its latency.
  const lastAnswer = new Map<unknown, number>();
  const startedAt = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: bodies[0],
        requests: [{ setupRequest: (request) => ({ ...request, body: bodies[turn++ % bodies.length] }) }],
        connections,
        duration: seconds,
        // An answer with GraphQL errors is an error here, though it came with HTTP 200.
        verifyBody: (text) => {
          const ok = !String(text ?? '').includes('"errors"');
          if (!ok) graphqlErrors++;
          return ok;
        },
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
      lastAnswer.set(client, performance.now());
    });
  });
  // The requests cut off by the end count with the time they had waited, so a stall longer than the slice stays
  // in the tail instead of leaving it (a slice where nothing was answered would otherwise have no latency at all).
  const endedAt = performance.now();
  for (const at of lastAnswer.values()) latencies.push(endedAt - at);
  for (let i = lastAnswer.size; i < connections; i++) latencies.push(endedAt - startedAt);
  latencies.sort((a, b) => a - b);
  return {
    requests: result.requests.total,
    rps: result.requests.total / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: result.non2xx + result.errors + result.timeouts + graphqlErrors,
    latencies,
  };
}

const options = parseArgs(process.argv.slice(2));
const dataDir = path.join(ROOT, '.data', `bench-${options.residents}`);
const issuerDir = path.join(ROOT, '.data', 'bench-issuer');
// The hub's services with the launcher's default keys (HMAC, a key per subgraph from a run's secret); the ES256 pair
// only for the token-cost comparison below.
const internal = internalTokenEnvForRun({});
const keys = internalKeysForRun({});
const started: ServiceProcess[] = [];
const say = (line: string) => process.stderr.write(`${line}\n`);
if (options.sizes || options.nodeFlags || options.nodeBinaries) {
  await compareHubs(options.sizes ? 'sizes' : options.nodeFlags ? 'flags' : 'binaries');
  process.exit(0);
}
// Resolved and built before anything starts: a wrong commit or a failed build stops the run at once.
const baselineCommit = options.baseline ? resolveCommit(ROOT, options.baseline) : undefined;
const baselineDir = baselineCommit ? await prepareBaseline(ROOT, baselineCommit, say) : undefined;
let baseline: BaselineHub | undefined;

say(`preparing the demo district of ${options.residents.toLocaleString('en')} residents in ${path.relative(ROOT, dataDir)}…`);
const databases = await prepareDatabases({
  demo: { residents: options.residents, seed: DEFAULT_DEMO_SEED },
  secret: DEMO_HUB_SECRET,
  dataDir,
  port: 0,
  env: {},
  log: say,
  progress: true,
  postgresTransport: localSocketsEnabled() ? 'unix' : 'tcp',
});
// As the launcher gives them: each subgraph a socket besides its port, and our gateway the sockets to fetch over.
const sockets = prepareLocalSockets(dataDir, departmentRuntimes.map((r) => r.name));

try {
  // Subgraphs on free ports; every gateway reads one supergraph that names them.
  let supergraph = readSupergraph(DEFAULT_SUPERGRAPH);
  const postmaster = await findPostmaster(dataDir);
  if (postmaster === undefined) say('could not find the PostgreSQL server process: its CPU is not reported');
  const subgraphPids: number[] = [];
  const ports: Record<string, number> = {};
  for (const runtime of departmentRuntimes) ports[runtime.name] = await freePort();
  // Pushed in departmentRuntimes' order (before any await), so `started[i]` is runtime i.
  await Promise.all(
    departmentRuntimes.map(async (runtime) => {
      const dept = department(runtime.name);
      const service = forkService(runtime.name, builtEntry(runtime.entry), {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        LOG_LEVEL: 'error',
        HUB_SECRET: DEMO_HUB_SECRET,
        [`${dept.envPrefix}_DATABASE_URL`]: databases.urls[runtime.name],
        [`${dept.envPrefix}_PORT`]: String(ports[runtime.name]),
        ...(sockets.env[`${dept.envPrefix}_SOCKET`] ? { [`${dept.envPrefix}_SOCKET`]: sockets.env[`${dept.envPrefix}_SOCKET`] } : {}),
        ...internal.subgraph(runtime.name),
      }, options.profile ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${path.resolve(options.profile, runtime.name)}`] } : {});
      started.push(service);
      await service.ready;
    }),
  );
  // In departmentRuntimes' order, as `started` holds them (not in the order they became ready).
  subgraphPids.push(...started.map((s) => s.child.pid!));
  supergraph = await rewriteUrls(supergraph);
  const subgraphUrls = await Promise.all(started.map((s) => s.ready));
  const supergraphFile = path.join(dataDir, 'bench-supergraph.graphql');
  await writeFile(supergraphFile, supergraph);

  const issuer = demoIssuer({ HUB_DEMO_ISSUER_DIR: issuerDir });
  const claims = { sub: 'bench', role: 'administrator' };
  const token = await issuer.mint(claims, { expiresIn: '8h' });
  const caller = declarePurpose(callerFromClaims({ ...claims, exp: 0 }, DEMO_ROLES), PURPOSE, DEMO_ROLES);
  const tokenCosts = await measureCallerTokens(caller, keys.HUB_INTERNAL_PRIVATE_KEY);
  for (const cost of tokenCosts) say(`caller tokens, ${cost.label}: ${cost.microseconds.toFixed(1)} µs per subgraph fetch`);
  const sharedMemory = await measureSharedTokenMemory(databases.urls['public-security']!, postmaster);
  say(`token ids in PostgreSQL: ${sharedMemory.latencyMs.toFixed(2)} ms per request, ${sharedMemory.postgresCpuMicroseconds.toFixed(0)} µs of PostgreSQL CPU`);

  // The rate limits stay on, so their cost is measured, with a budget no benchmark spends: it measures the
  // gateway's throughput, not the default budget of an administrator.
  const rateLimitsFile = path.join(dataDir, 'bench-rate-limits.json');
  await writeFile(rateLimitsFile, JSON.stringify({ roles: { administrator: { perMinute: 1e12, burst: 1e12 } } }));

  const gateways = new Map<GatewayKind, Served>();
  if (options.gateways.includes('hive')) installHivePeer();
  const hubHeaders = { authorization: `Bearer ${token}`, 'x-hub-purpose': PURPOSE };
  for (const kind of options.gateways) {
    if (kind === 'baseline') {
      const shareDatabases = !migrationsDiffer(ROOT, baselineCommit!);
      say(`starting the baseline hub ${baselineCommit!.slice(0, 12)} (${shareDatabases ? 'on the same databases' : 'migrations differ: on databases of its own, seeded by its own code'})…`);
      baseline = await startBaselineHub({
        dir: baselineDir!,
        commit: baselineCommit!,
        urls: databases.urls,
        departments: departmentRuntimes.map((r) => r.name),
        shareDatabases,
        say,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          LOG_LEVEL: 'error',
          HUB_SECRET: DEMO_HUB_SECRET,
          HUB_DEMO_RESIDENTS: String(options.residents),
          HUB_DEMO_ISSUER_DIR: issuerDir,
          HUB_TRUSTED_DOCUMENTS: 'allow',
          HUB_RATE_LIMITS_FILE: rateLimitsFile,
        },
      });
      gateways.set(kind, {
        url: baseline.gateway.url,
        pid: baseline.gateway.pid,
        headers: hubHeaders,
        subgraphPids: baseline.subgraphs.map((s) => s.pid),
        subgraphUrls: baseline.subgraphs.map((s) => s.url),
      });
      say(`${labelOf(kind)} ready at ${baseline.gateway.url}`);
      continue;
    }
    const service = forkService(kind, GATEWAYS[kind].entry, {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'error',
      SUPERGRAPH_PATH: supergraphFile,
      GATEWAY_PORT: String(await freePort()),
      PEER_PORT: String(await freePort()),
      HUB_DEMO_ISSUER_DIR: issuerDir,
      HUB_TRUSTED_DOCUMENTS: 'allow',
      HUB_RATE_LIMITS_FILE: rateLimitsFile,
      AUDIT_DATABASE_URL: databases.urls.audit,
      BENCH_CALLER: JSON.stringify(caller),
      ...(kind === 'hub-apollo' ? { HUB_GATEWAY_EXECUTOR: 'apollo' } : {}),
      ...(kind === 'hub' || kind === 'hub-apollo' ? sockets.env : {}),
      ...internal.gateway,
    }, options.profile ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${path.resolve(options.profile, kind)}`] } : {});
    started.push(service);
    const url = await service.ready;
    gateways.set(kind, { url, pid: service.child.pid!, headers: kind === 'hub' || kind === 'hub-apollo' || kind === 'hub-tcp' ? hubHeaders : {}, subgraphPids, subgraphUrls });
    say(`${labelOf(kind)} ready at ${url}`);
  }

  // Statistics and visibility maps in place before any load, for every database of the server (a baseline's own too).
  await settleDatabases(databases.urls.audit!, say);
  // Every service's start-up work done before any load (mediation's first supervision check, at a million residents).
  await untilIdle(Object.fromEntries([...new Set([...gateways.values()].flatMap((g) => [g.pid, ...g.subgraphPids]))].map((pid) => [String(pid), pid])), say, 900, options.profile ? 0.15 : 0.05);
  const documents = await readOperations();
  const hub = gateways.get('hub') ?? [...gateways.values()][0]!;
  const variables = await pickVariables(hub.url, hub.headers, say);
  // Each gateway asks about its own district: a baseline on databases of its own was seeded by its own code, so the
  // current district's resident ids are not in it (its resident profiles would answer "not found" for less work).
  // Picked the same way (`pickVariables`: two streets, ten grids of each), through its own gateway.
  const variablesOf = new Map<GatewayKind, Record<string, Record<string, unknown>[]>>();
  for (const [kind, g] of gateways) variablesOf.set(kind, kind === 'baseline' && baseline?.databases === 'own' ? await pickVariables(g.url, g.headers, (line) => say(`baseline ${line}`)) : variables);
  const loadAtStart = loadavg();
  if (options.soak > 0) {
    await soak(gateways, documents, variables, subgraphPids);
    process.exit(0);
  }
  const results: Measured[] = [];
  const sameAnswer = new Map<string, boolean>();
  /** Operations some of whose variable sets found nothing, in any gateway's district (the current one or the baseline's own). */
  const misses = new Set<string>();
  /** Per operation and gateway: how many of its variable sets answered a full page (`first` rows). */
  const pagesFilled = new Map<string, Map<GatewayKind, PageFill>>();
  /** Operations and gateways whose p99 came from a slice of fewer than 1,000 latencies. */
  const thinSlices = new Set<string>();
  let rotation = 0;
  for (const operation of options.operations) {
    const query = documents.get(operation);
    if (!query) throw new Error(`no query ${operation} under clients/ or test/operations/`);
    const bodiesOf = new Map<GatewayKind, string[]>();
    for (const kind of gateways.keys()) bodiesOf.set(kind, (variablesOf.get(kind)![operation] ?? [{}]).map((v) => JSON.stringify({ query, operationName: operation, variables: v })));
    // One answer from each, compared: a gateway that answers something else is not doing the same work. A baseline
    // with a district of its own is compared with itself instead: every one of its variable sets must find data
    // (an answer with an empty list or a null at the top is doing less work than the current hub's).
    // Every variable set asked once: the answers' mean size says whether two runs (two district sizes, two hubs)
    // answer the same amount of data per request.
    const answers = new Map<GatewayKind, string>();
    const answerKiB = new Map<GatewayKind, number>();
    const filled = new Map<GatewayKind, PageFill>();
    pagesFilled.set(operation, filled);
    for (const [kind, g] of gateways) {
      let bytes = 0;
      const mine = bodiesOf.get(kind)!;
      const sets = variablesOf.get(kind)![operation] ?? [{}];
      const fill: PageFill = { sets: mine.length, full: 0, first: undefined, rows: [] };
      for (const [i, body] of mine.entries()) {
        const response = await fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json', ...g.headers }, body });
        const text = await response.text();
        bytes += Buffer.byteLength(text);
        const answer = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: { message: string }[] };
        if (answer.errors) say(`${kind} ${operation}: ${answer.errors.map((e) => e.message).join('; ').slice(0, 300)}`);
        if (i === 0) answers.set(kind, JSON.stringify(answer.data ?? null));
        if (findsNothing(answer.data)) {
          say(`${kind} ${operation}: variable set ${i} (${JSON.stringify(sets[i])}) finds nothing in its district`);
          misses.add(operation);
        }
        countFill(fill, sets[i]?.first, answer.data);
      }
      if (fill.first !== undefined) filled.set(kind, fill);
      answerKiB.set(kind, bytes / mine.length / 1024);
      const pages = fill.first === undefined ? '' : `; pages of ${fill.first}: ${fill.full} of ${fill.sets} full (rows ${Math.min(...fill.rows)}-${Math.max(...fill.rows)})`;
      say(`${operation} ${kind}: answers of ${(bytes / mine.length / 1024).toFixed(1)} KiB on average over its ${mine.length} variable sets${pages}`);
    }
    const compared = [...answers].filter(([kind]) => !(kind === 'baseline' && baseline?.databases === 'own')).map(([, text]) => text);
    sameAnswer.set(operation, new Set(compared).size === 1 && !misses.has(operation));
    const order = [...gateways.keys()];
    const rotated = [...order.slice(rotation % order.length), ...order.slice(0, rotation % order.length)];
    rotation++;
    // Each gateway's measured time in `--rounds` slices, the gateways taking turns slice by slice: a swing in the
    // machine's other load falls on all of them instead of on whichever ran during it.
    // Every round's latencies are kept whole and merged (pooled) before the percentiles are read: the merged p99 is
    // the p99 of all requests measured, not an average of the rounds' p99s; each round's own p99 is kept beside it.
    const totals = new Map<GatewayKind, { requests: number; errors: number; latencies: number[]; roundP99s: number[]; cpu: number; subgraphsCpu: number; postgresCpu: number; fetches: number; peak: number }>();
    for (const kind of rotated) {
      const g = gateways.get(kind)!;
      if (options.warmup > 0) await drive(g.url, g.headers, bodiesOf.get(kind)!, options.warmup, options.connections);
      totals.set(kind, { requests: 0, errors: 0, latencies: [], roundP99s: [], cpu: 0, subgraphsCpu: 0, postgresCpu: 0, fetches: 0, peak: 0 });
    }
    const slice = options.duration / options.rounds;
    for (let round = 0; round < options.rounds; round++) {
      for (const kind of rotated) {
        const g = gateways.get(kind)!;
        const total = totals.get(kind)!;
        const cpuBefore = await cpuSeconds(g.pid);
        const subgraphsBefore = (await Promise.all(g.subgraphPids.map(cpuSeconds))).reduce((a, b) => a + b, 0);
        const postgresBefore = await postgresCpuSeconds(postmaster);
        const fetchesBefore = await subgraphRequests(g.subgraphUrls);
        total.peak = Math.max(total.peak, await rssMiB(g.pid));
        const sampler = setInterval(() => void rssMiB(g.pid).then((mib) => (total.peak = Math.max(total.peak, mib))), 200);
        const run = await drive(g.url, g.headers, bodiesOf.get(kind)!, slice, options.connections);
        clearInterval(sampler);
        total.cpu += (await cpuSeconds(g.pid)) - cpuBefore;
        total.subgraphsCpu += (await Promise.all(g.subgraphPids.map(cpuSeconds))).reduce((a, b) => a + b, 0) - subgraphsBefore;
        total.postgresCpu += (await postgresCpuSeconds(postmaster)) - postgresBefore;
        total.fetches += (await subgraphRequests(g.subgraphUrls)) - fetchesBefore;
        total.requests += run.requests;
        total.errors += run.errors;
        for (const latency of run.latencies) total.latencies.push(latency);
        total.roundP99s.push(run.p99);
        // A p99 read from fewer than 1,000 latencies rests on fewer than 10 requests above it.
        if (run.latencies.length < 1000) thinSlices.add(`${operation} ${kind}`);
      }
    }
    for (const kind of rotated) {
      const { cpu, subgraphsCpu, postgresCpu, fetches, peak, latencies, roundP99s, ...counts } = totals.get(kind)!;
      latencies.sort((a, b) => a - b);
      const run = { ...counts, rps: counts.requests / options.duration, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), roundP99s, samples: latencies.length };
      const measured: Measured = {
        operation,
        gateway: kind,
        ...run,
        gatewayCpuMsPerRequest: (cpu * 1000) / Math.max(1, run.requests),
        subgraphsCpuMsPerRequest: (subgraphsCpu * 1000) / Math.max(1, run.requests),
        postgresCpuMsPerRequest: (postgresCpu * 1000) / Math.max(1, run.requests),
        peakRssMiB: peak,
        fetchesPerRequest: fetches / Math.max(1, run.requests),
        answerKiB: answerKiB.get(kind)!,
      };
      results.push(measured);
      if (measured.requests === 0) {
        say(`${operation.padEnd(24)} ${kind.padEnd(7)} ${NONE} in ${options.duration} s  errors ${measured.errors}  peak ${measured.peakRssMiB.toFixed(0)} MiB`);
        continue;
      }
      say(
        `${operation.padEnd(24)} ${kind.padEnd(7)} ${measured.rps.toFixed(0).padStart(6)} req/s  p50 ${measured.p50.toFixed(0)} ms  p95 ${measured.p95.toFixed(0)} ms  p99 ${measured.p99.toFixed(0)} ms (rounds ${roundsCell(measured)}, ${measured.samples} samples)  ` +
          `errors ${measured.errors}  fetches ${measured.fetchesPerRequest.toFixed(2)}/req  cpu ${measured.gatewayCpuMsPerRequest.toFixed(2)} ms/req  subgraphs ${measured.subgraphsCpuMsPerRequest.toFixed(2)} ms/req  postgres ${measured.postgresCpuMsPerRequest.toFixed(2)} ms/req  peak ${measured.peakRssMiB.toFixed(0)} MiB`,
      );
    }
  }

  const command = `npm run bench:gateways -- ${process.argv.slice(2).join(' ')}`.trim();
  const table = renderTable(results, { sameAnswer, pagesFilled, thinSlices, loadAtStart }, options, command, tokenCosts, sharedMemory);
  process.stdout.write(`${table}\n`);
  if (options.write) await writeIntoBenchmarks(table);
} finally {
  await Promise.allSettled([...started.map((s) => s.stop('SIGTERM')), baseline?.stop()]);
  await databases.stop();
}

/**
 * Steady load for `--soak` minutes on the first gateway with the first operation; each minute, every process's RSS.
 * Growth is read from the second minute on (the first fills caches and warms the JIT).
 */
async function soak(
  gateways: Map<GatewayKind, Served>,
  documents: Map<string, string>,
  variables: Record<string, Record<string, unknown>[]>,
  subgraphPids: number[],
): Promise<void> {
  const [kind, g] = [...gateways][0]!;
  const operation = options.operations[0]!;
  const query = documents.get(operation)!;
  const bodies = (variables[operation] ?? [{}]).map((v) => JSON.stringify({ query, operationName: operation, variables: v }));
  const pids: [string, number][] = [[kind, g.pid], ...departmentRuntimes.map((r, i): [string, number] => [r.name, g.subgraphPids[i]!])];
  const rows: string[] = [];
  const samples: number[][] = [];
  for (let minute = 1; minute <= options.soak; minute++) {
    const run = await drive(g.url, g.headers, bodies, 60, options.connections);
    const rss = await Promise.all(pids.map(([, pid]) => rssMiB(pid)));
    samples.push(rss);
    rows.push(`| ${minute} | ${run.rps.toFixed(0)} | ${run.errors} | ${rss.map((m) => m.toFixed(0)).join(' | ')} |`);
    say(rows.at(-1)!);
  }
  const growth = pids.map((_, i) => (samples.length > 1 ? samples.at(-1)![i]! - samples[1 < samples.length ? 1 : 0]![i]! : 0));
  process.stdout.write(
    [
      `Machine: ${machineLine()}. Command: \`npm run bench:gateways -- ${process.argv.slice(2).join(' ')}\`. ${labelOf(kind)}, ${operation}, ${options.connections} connections.`,
      '',
      `| minute | req/s | errors | ${pids.map(([name]) => `${name} RSS MiB`).join(' | ')} |`,
      `|---:|---:|---:|${pids.map(() => '---:').join('|')}|`,
      ...rows,
      `| growth from minute 2 | | | ${growth.map((m) => `${m >= 0 ? '+' : ''}${m.toFixed(0)}`).join(' | ')} |`,
    ].join('\n') + '\n',
  );
}

/** Points every subgraph URL of the supergraph at the port its process reported ready on. */
async function rewriteUrls(sdl: string): Promise<string> {
  let out = sdl;
  const ready = await Promise.all(started.map((s) => s.ready));
  for (const [i, runtime] of departmentRuntimes.entries()) {
    const entry = subgraphsOf(sdl).find((s) => s.name === runtime.name);
    if (entry) out = out.replace(`url: "${entry.url}"`, `url: "${ready[i]}"`);
  }
  return out;
}

/** What the run checked besides its figures: the answers, the pages' fill, the slices' sizes, the load it began under. */
interface RunChecks {
  sameAnswer: Map<string, boolean>;
  pagesFilled: Map<string, Map<GatewayKind, PageFill>>;
  thinSlices: Set<string>;
  loadAtStart: number[];
}

function renderTable(results: Measured[], checks: RunChecks, opts: typeof options, command: string, tokenCosts: TokenCost[], sharedMemory: SharedTokenMemory): string {
  const { sameAnswer, pagesFilled, thinSlices, loadAtStart } = checks;
  const lines = [
    `Load average (1, 5, 15 min) when the load began: ${loadAtStart.map((l) => l.toFixed(1)).join(', ')}; when it ended: ${loadavg().map((l) => l.toFixed(1)).join(', ')} (${cpus().length} cores).`,
    `Machine: ${machineLine()} (${new Date().toISOString().slice(0, 10)}). Command: \`${command}\`.`,
    `${opts.residents.toLocaleString('en')} residents, ${opts.connections} connections, ${opts.duration} s per gateway and operation after ${opts.warmup} s of warm-up${opts.rounds > 1 ? `, measured in ${opts.rounds} slices of ${(opts.duration / opts.rounds).toFixed(1)} s, the gateways taking turns` : ''}.`,
    '',
    '| operation | gateway | req/s | p50 ms | p95 ms | p99 ms | p99 ms of each round | latencies measured | errors | gateway CPU ms/req | subgraphs CPU ms/req | PostgreSQL CPU ms/req | whole hub CPU ÷ PostgreSQL CPU | gateway peak RSS MiB | ours ÷ this (req/s) | this ÷ ours (CPU/req) | subgraph fetches/req | caller tokens CPU ms/req, of the tokens it sends (share of gateway + subgraphs) | answer KiB | whole hub CPU ms per subgraph fetch | whole hub CPU ms per answer KiB |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const ours = results.find((o) => o.operation === r.operation && o.gateway === 'hub');
    const versus = ours && r.gateway !== 'hub';
    const ratio = versus ? ratioCell(ours, r, ours.rps, r.rps) : '';
    const cpuRatio = versus ? ratioCell(ours, r, r.gatewayCpuMsPerRequest, ours.gatewayCpuMsPerRequest) : '';
    const head = `| ${r.operation}${sameAnswer.get(r.operation) === false ? ' ‡' : ''} | ${labelOf(r.gateway)} | ${r.rps.toFixed(0)} |`;
    if (r.requests === 0) {
      // Every per-request figure would be a division by zero: say so once per cell instead of Infinity or NaN.
      lines.push(`${head} ${Array(3).fill(NONE).join(' | ')} | ${NONE} | 0 | ${r.errors} | ${Array(4).fill(NONE).join(' | ')} | ${r.peakRssMiB.toFixed(0)} | ${ratio} | ${cpuRatio} | ${NONE} | ${NONE} | ${r.answerKiB.toFixed(1)} | ${NONE} | ${NONE} |`);
      continue;
    }
    lines.push(
      `${head} ${r.p50.toFixed(0)} | ${r.p95.toFixed(0)} | ${r.p99.toFixed(0)} | ${roundsCell(r)} | ${r.samples.toLocaleString('en')} | ${r.errors} | ${r.gatewayCpuMsPerRequest.toFixed(2)} | ${r.subgraphsCpuMsPerRequest.toFixed(2)} | ${r.postgresCpuMsPerRequest.toFixed(2)} | ${hubOverPostgres(r).toFixed(1)} | ${r.peakRssMiB.toFixed(0)} | ${ratio} | ${cpuRatio} | ${r.fetchesPerRequest.toFixed(2)} | ${tokenShare(r, tokenCostOf(r.gateway, tokenCosts))} | ${r.answerKiB.toFixed(1)} | ${perUnit(r, r.fetchesPerRequest)} | ${perUnit(r, r.answerKiB)} |`,
    );
  }
  if (results.some((r) => r.gateway === 'baseline')) lines.push('', ...baselineTable(results));
  lines.push(
    '',
    'Caller tokens, measured in the benchmark process before the load (µs of CPU per subgraph fetch: the gateway\'s part and the subgraph\'s; bodies of the run\'s operations):',
    '',
    '| tokens | algorithm | gateway (sign) µs | subgraph (verify) µs | per fetch µs |',
    '|---|---|---:|---:|---:|',
    ...tokenCosts.map((c) => `| ${c.label} | ${c.algorithm} | ${c.signMicroseconds.toFixed(1)} | ${c.verifyMicroseconds.toFixed(1)} | ${c.microseconds.toFixed(1)} |`),
    '',
    `Token ids kept in PostgreSQL instead of each replica's memory (measured, not built): one \`INSERT … ON CONFLICT DO NOTHING\` per subgraph request, one connection, ${sharedMemory.inserts} in a row: ${sharedMemory.latencyMs.toFixed(2)} ms of latency and ${sharedMemory.postgresCpuMicroseconds.toFixed(0)} µs of PostgreSQL CPU each, besides the node-postgres round trip in the subgraph.`,
  );
  if (baseline?.databases === 'own') {
    lines.push('', `The baseline's district is its own (seeded by its own code): its variables are picked from it the same way, through its own gateway, so each hub answers about residents and grids it holds.`);
  }
  if ([...sameAnswer.values()].includes(false)) lines.push('', '‡ the gateways over the current district did not all return the same data for this operation, or one of a gateway\'s variable sets found nothing in its district (see the run\'s log).');
  lines.push('', `Variables: ${pagesLine(pagesFilled)}`);
  if (thinSlices.size > 0) lines.push('', `Fewer than 1,000 latencies in a round's slice (its p99 rests on fewer than 10 requests; a longer \`--duration\` or fewer \`--rounds\` give more): ${[...thinSlices].join(', ')}.`);
  return lines.join('\n');
}

/** How many of each gateway's variable sets answered a full page, per paged operation (`operations.ts` picks them). */
function pagesLine(pagesFilled: Map<string, Map<GatewayKind, PageFill>>): string {
  const parts: string[] = [];
  for (const [operation, byGateway] of pagesFilled) {
    const fills = [...byGateway.values()];
    if (fills.length === 0) continue;
    // One figure when every gateway's answers filled the same pages (the same district), else one per gateway.
    const same = fills.every((f) => f.full === fills[0]!.full && f.sets === fills[0]!.sets);
    const fill = (f: PageFill) => `${f.full} of ${f.sets} full${f.full < f.sets ? ` (rows ${Math.min(...f.rows)}-${Math.max(...f.rows)})` : ''}`;
    parts.push(`${operation} (first ${fills[0]!.first}) ${same ? fill(fills[0]!) : [...byGateway].map(([kind, f]) => `${kind}: ${fill(f)}`).join(', ')}`);
  }
  return `two streets (the first street and the first town by code), the ten grids of each with the most party members, a party member of each grid, each request taking the next set in turn (\`bench/operations.ts\`); pages answered: ${parts.join('; ')}.`;
}

/**
 * The whole hub's CPU per request over the question's size (subgraph fetches or answer KiB per request): two district
 * sizes, or two variable sets, that ask questions of different sizes compare on what each unit of the answer costs.
 */
function perUnit(r: Measured, units: number): string {
  return units > 0 ? ((r.gatewayCpuMsPerRequest + r.subgraphsCpuMsPerRequest + r.postgresCpuMsPerRequest) / units).toFixed(2) : '';
}

/** Gateway, subgraphs and PostgreSQL per request over PostgreSQL's own: what the hub costs beyond the database. */
function hubOverPostgres(r: Measured): number {
  return (r.gatewayCpuMsPerRequest + r.subgraphsCpuMsPerRequest + r.postgresCpuMsPerRequest) / r.postgresCpuMsPerRequest;
}

/** `a ÷ b` of two gateways' figures, or which of them completed no request (a ratio of nothing is not a figure). */
function ratioCell(first: Measured, second: Measured, a: number, b: number, digits = 2): string {
  const idle = [first, second].filter((m) => m.requests === 0).map((m) => labelOf(m.gateway));
  if (idle.length > 0) return `${NONE} (${[...new Set(idle)].join(', ')})`;
  const value = a / b;
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/**
 * The current hub against the baseline commit's, operation by operation, measured in the same run: current ÷ baseline
 * of throughput, p99 and CPU per request of each part (below 1 is less CPU, a lower p99; above 1 more throughput).
 */
function baselineTable(results: Measured[]): string[] {
  const lines = [
    `Current (the working tree) against the baseline ${labelOf('baseline')}: its whole hub, its gateway over its own subgraphs (databases ${baseline?.databases === 'shared' ? 'shared with the current hub' : 'of its own on the same server, seeded by its own code'}), in the same run.`,
    '',
    '| operation | req/s current | req/s baseline | req/s current ÷ baseline | p99 ms current | p99 ms baseline | p99 current ÷ baseline | p99 current ÷ baseline, each round | gateway CPU ms/req current ÷ baseline | subgraphs CPU ms/req current ÷ baseline | PostgreSQL CPU ms/req current ÷ baseline | whole hub ÷ PostgreSQL current | whole hub ÷ PostgreSQL baseline |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const pair = (a: number, b: number) => `${a.toFixed(2)} ÷ ${b.toFixed(2)} = ${(a / b).toFixed(2)}`;
  for (const base of results.filter((r) => r.gateway === 'baseline')) {
    const now = results.find((r) => r.operation === base.operation && r.gateway === 'hub');
    if (!now) continue;
    if (now.requests === 0 || base.requests === 0) {
      const idle = ratioCell(now, base, 0, 1);
      const p99 = (m: Measured) => (m.requests === 0 ? NONE : m.p99.toFixed(0));
      const hub = (m: Measured) => (m.requests === 0 ? NONE : hubOverPostgres(m).toFixed(1));
      lines.push(`| ${base.operation} | ${now.rps.toFixed(0)} | ${base.rps.toFixed(0)} | ${idle} | ${p99(now)} | ${p99(base)} | ${idle} | ${idle} | ${idle} | ${idle} | ${idle} | ${hub(now)} | ${hub(base)} |`);
      continue;
    }
    lines.push(
      `| ${base.operation} | ${now.rps.toFixed(0)} | ${base.rps.toFixed(0)} | ${(now.rps / base.rps).toFixed(2)} | ${now.p99.toFixed(0)} | ${base.p99.toFixed(0)} | ${(now.p99 / base.p99).toFixed(2)} | ${roundRatios(now, base)} | ` +
        `${pair(now.gatewayCpuMsPerRequest, base.gatewayCpuMsPerRequest)} | ${pair(now.subgraphsCpuMsPerRequest, base.subgraphsCpuMsPerRequest)} | ${pair(now.postgresCpuMsPerRequest, base.postgresCpuMsPerRequest)} | ${hubOverPostgres(now).toFixed(1)} | ${hubOverPostgres(base).toFixed(1)} |`,
    );
  }
  return lines;
}

/**
 * Current ÷ baseline p99 round by round: the two take turns within each round, so each round's ratio is measured
 * under the same machine load; their spread is the noise of the merged ratio (up to six listed, else the range).
 */
function roundRatios(now: Measured, base: Measured): string {
  const ratios = now.roundP99s.map((p, i) => p / base.roundP99s[i]!).filter((r) => Number.isFinite(r));
  if (ratios.length <= 1) return ratios.map((r) => r.toFixed(2)).join('');
  if (ratios.length <= 6) return ratios.map((r) => r.toFixed(2)).join(' / ');
  const sorted = [...ratios].sort((a, b) => a - b);
  return `${sorted[0]!.toFixed(2)}-${sorted.at(-1)!.toFixed(2)} (median ${percentile(sorted, 50).toFixed(2)})`;
}

async function writeIntoBenchmarks(table: string): Promise<void> {
  const begin = `<!-- bench:gateways ${options.residents} begin -->`;
  const end = `<!-- bench:gateways ${options.residents} end -->`;
  const current = await readFile(BENCHMARKS, 'utf8');
  const block = `${begin}\n${table}\n${end}`;
  const at = current.indexOf(begin);
  const next = at >= 0 ? current.slice(0, at) + block + current.slice(current.indexOf(end) + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  await writeFile(BENCHMARKS, next);
}

/** The subgraphs' `/graphql` requests so far, summed from their Prometheus counters. */
async function subgraphRequests(urls: string[]): Promise<number> {
  let total = 0;
  for (const url of urls) {
    const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
    for (const [, count] of text.matchAll(/^hub_http_requests_total\{[^}]*route="\/graphql"[^}]*\} (\d+(?:\.\d+)?)$/gm)) total += Number(count);
  }
  return total;
}

interface TokenCost {
  kind: 'reused' | 'bound';
  /** Which signer: the gateway's (HS256 from a kept fixed part), signCallerToken's, or an asymmetric key's. */
  signer: 'gateway' | 'whole' | 'asymmetric' | 'reused';
  label: string;
  algorithm: 'ES256' | 'EdDSA' | 'HS256';
  signMicroseconds: number;
  verifyMicroseconds: number;
  microseconds: number;
}

/**
 * The token each gateway of the run actually sends, per subgraph fetch: ours and the peers sign HMAC (HS256) tokens
 * with our gateway's signer (`@hub/gateway/caller-tokens`, a kept fixed part per caller and subgraph; the bench gives
 * every gateway the launcher's default HUB_INTERNAL_SECRET keys); the baseline 9583791 signs a whole ES256 token per
 * fetch with the P-256 pair its own launcher makes (measured here with this tree's signCallerToken and verifier).
 */
function tokenCostOf(kind: GatewayKind, costs: TokenCost[]): TokenCost {
  const wanted = kind === 'baseline' ? (c: TokenCost) => c.kind === 'bound' && c.algorithm === 'ES256' : (c: TokenCost) => c.kind === 'bound' && c.signer === 'gateway';
  return costs.find(wanted)!;
}

/**
 * The tokens' CPU per gateway request and its share of the gateway's and the subgraphs' measured CPU per request
 * (the peers sign the same tokens per fetch: `bench/peers/caller-tokens.ts`).
 */
function tokenShare(r: Measured, cost: TokenCost): string {
  const ms = (r.fetchesPerRequest * cost.microseconds) / 1000;
  return `${ms.toFixed(3)} (${((100 * ms) / (r.gatewayCpuMsPerRequest + r.subgraphsCpuMsPerRequest)).toFixed(1)} %)`;
}

/**
 * Microseconds of CPU per subgraph fetch for the internal caller token, in this process: as the hub does it now (a
 * fresh token per fetch, signed over the body; verified, body hashed, jti remembered) with the run's key (ES256) and
 * with an Ed25519 key, against the reused tokens it replaced (one per caller and subgraph for 30 s: a map lookup to
 * sign, and a verified-token cache lookup to verify). The bodies are the run's own operations.
 */
async function measureCallerTokens(caller: Caller, privatePem: string): Promise<TokenCost[]> {
  const documents = await readOperations();
  const bodies = DEFAULT_OPERATIONS.map((name) => JSON.stringify({ query: documents.get(name) ?? '{ __typename }', variables: { code: '320311001001001' } }));
  const rounds = 2000;
  const timed = async (work: (i: number) => Promise<unknown>): Promise<number> => {
    for (let i = 0; i < 200; i++) await work(i);
    const started = process.cpuUsage();
    for (let i = 0; i < rounds; i++) await work(i);
    const used = process.cpuUsage(started);
    return (used.user + used.system) / rounds;
  };
  const costs: TokenCost[] = [];
  const es256 = parseKey(privatePem, 'private', 'HUB_INTERNAL_PRIVATE_KEY');
  const ed25519 = generateKeyPairSync('ed25519').privateKey;
  // The hub's default: HMAC under each subgraph's key derived from the hub secret, signed as the gateway signs them
  // (its kept fixed part per caller and subgraph) and as `signCallerToken` builds a whole token.
  const secret = parseInternalSecret(randomBytes(32).toString('base64'));
  const gatewaySigner = createCallerTokenSigner(secret);
  const signers = [
    { algorithm: 'HS256', signer: 'gateway', label: "per fetch, bound to the body, single-use: the gateway's signer (what ours and the peers send in this run)", key: secret, sign: (body: string) => gatewaySigner.sign(caller, 'party', body) },
    { algorithm: 'HS256', signer: 'whole', label: 'per fetch, bound to the body, single-use: signCallerToken (before)', key: secret, sign: (body: string) => signCallerToken(caller, 'party', secret, { body }) },
    { algorithm: 'ES256', signer: 'asymmetric', label: "per fetch, bound to the body, single-use: a whole token (what the baseline 9583791 sends)", key: es256, sign: (body: string) => signCallerToken(caller, 'party', es256, { body }) },
    { algorithm: 'EdDSA', signer: 'asymmetric', label: 'per fetch, bound to the body, single-use: a whole token (HUB_INTERNAL_PRIVATE_KEY an Ed25519 key)', key: ed25519, sign: (body: string) => signCallerToken(caller, 'party', ed25519, { body }) },
  ] as const;
  for (const { algorithm, signer, label, key, sign } of signers) {
    const verify = createCallerTokenVerifier('party', key.type === 'secret' ? subgraphTokenKey(key, 'party') : createPublicKey(key), { maxRemembered: 10 * rounds });
    // Each token verified as soon as it is signed (the two CPU times kept apart): on a loaded machine, signing all of
    // them first outlasted the first tokens' life.
    let signed = 0;
    let verifiedCpu = 0;
    const signMicroseconds = await timed(async (i) => {
      const body = bodies[i % bodies.length]!;
      const token = await sign(body);
      const before = process.cpuUsage();
      await verify(token, body);
      const used = process.cpuUsage(before);
      if (i >= 200) verifiedCpu += used.user + used.system;
      signed++;
    }) - verifiedCpu / rounds;
    const verifyMicroseconds = verifiedCpu / rounds;
    if (signed !== 200 + rounds) throw new Error('caller tokens: not every token was signed and verified');
    costs.push({ kind: 'bound', signer, label, algorithm, signMicroseconds, verifyMicroseconds, microseconds: signMicroseconds + verifyMicroseconds });
  }
  // What it replaced: the gateway found the caller's token in a map; the subgraph found the token among verified ones.
  const reusedToken = await signCallerToken(caller, 'party', generateSigningKeyPair().privateKey, { body: '' });
  const signed = new Map([[`party\u0000${JSON.stringify(caller)}`, reusedToken]]);
  const verified = new Map([[reusedToken, { caller, validUntilMs: Date.now() + 60_000 }]]);
  const keyOf = new WeakMap<Caller, string>();
  const signMicroseconds = await timed(async () => {
    let key = keyOf.get(caller);
    if (key === undefined) keyOf.set(caller, (key = JSON.stringify(caller)));
    return signed.get(`party\u0000${key}`);
  });
  const verifyMicroseconds = await timed(async () => {
    const hit = verified.get(reusedToken);
    return hit && Date.now() < hit.validUntilMs ? { ...hit.caller, scopes: [...hit.caller.scopes] } : undefined;
  });
  costs.push({ kind: 'reused', signer: 'reused', label: 'reused per caller and subgraph for 30 s (before)', algorithm: 'ES256', signMicroseconds, verifyMicroseconds, microseconds: signMicroseconds + verifyMicroseconds });
  return costs;
}

interface SharedTokenMemory {
  inserts: number;
  latencyMs: number;
  postgresCpuMicroseconds: number;
}

/**
 * What sharing the used-token memory between replicas through PostgreSQL would cost a subgraph request: the statement
 * it would run (an insert of the token id that finds a replay by conflict, into an unlogged table, expired ids
 * deleted as it goes), timed on one connection to a department's database of this run. Nothing of the hub uses it.
 */
async function measureSharedTokenMemory(url: string, postmaster: number | undefined): Promise<SharedTokenMemory> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const inserts = 2000;
  try {
    await client.query('create unlogged table if not exists bench_seen_tokens (jti text primary key, expires_at timestamptz not null)');
    await client.query('truncate bench_seen_tokens');
    const insert = { name: 'bench-seen-token', text: 'insert into bench_seen_tokens (jti, expires_at) values ($1, now() + interval \'12 seconds\') on conflict do nothing' };
    for (let i = 0; i < 200; i++) await client.query(insert, [`warm-${i}`]);
    const cpuBefore = await postgresCpuSeconds(postmaster);
    const started = performance.now();
    for (let i = 0; i < inserts; i++) {
      await client.query(insert, [randomJti()]);
      if (i % 500 === 499) await client.query('delete from bench_seen_tokens where expires_at < now()');
    }
    const latencyMs = (performance.now() - started) / inserts;
    const cpu = (await postgresCpuSeconds(postmaster)) - cpuBefore;
    return { inserts, latencyMs, postgresCpuMicroseconds: (cpu * 1e6) / inserts };
  } finally {
    await client.query('drop table if exists bench_seen_tokens').catch(() => undefined);
    await client.end();
  }
}

function randomJti(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Every database of the server (the departments', the audit trail's, a baseline's own) vacuumed and analysed before
 * the load. A district seeded by COPY has no planner statistics and no visibility map until autovacuum gets to it,
 * which it does on its own schedule, possibly inside the measured slices (its CPU counted as PostgreSQL's, and the
 * plans before it made without statistics). A
 * baseline on databases of its own is seeded by its launcher during the run, on the same server: the same, at once.
 */
async function settleDatabases(anyUrl: string, log: (line: string) => void): Promise<void> {
  const t0 = performance.now();
  const admin = new pg.Client({ connectionString: anyUrl });
  await admin.connect();
  let names: string[];
  try {
    names = (await admin.query<{ datname: string }>('select datname from pg_database where datallowconn and not datistemplate order by datname')).rows.map((r) => r.datname);
  } finally {
    await admin.end();
  }
  for (const name of names) {
    const url = new URL(anyUrl);
    url.pathname = `/${name}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query('vacuum (analyze)');
    } finally {
      await client.end();
    }
  }
  // The vacuum's own writes flushed now, not by a checkpoint in the middle of a slice.
  const last = new pg.Client({ connectionString: anyUrl });
  await last.connect();
  try {
    await last.query('checkpoint');
  } finally {
    await last.end();
  }
  log(`databases vacuumed and analysed (${names.join(', ')}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** A PostgreSQL server of a `--sizes` or `--node-flags` run, on `.data/bench-<N>` (seeded on first use, kept). */
interface Server {
  residents: number;
  dir: string;
  databases: Awaited<ReturnType<typeof prepareDatabases>>;
  postmaster: number | undefined;
}

/** A whole hub of such a run: its subgraph processes and our gateway, as `npm start` runs them (the bundles). */
interface Hub {
  label: string;
  server: Server;
  /** V8 flags given to every service of this hub (after the launcher's own, as `HUB_NODE_FLAGS` would be). */
  flags: string[];
  /** The node binary every service of this hub runs on, and its version. */
  node: { binary: string; version: string };
  services: ServiceProcess[];
  served: Served;
  variables: Record<string, Record<string, unknown>[]>;
}

async function prepareServer(residents: number, log: (line: string) => void): Promise<Server> {
  const dir = path.join(ROOT, '.data', `bench-${residents}`);
  log(`preparing the demo district of ${residents.toLocaleString('en')} residents in ${path.relative(ROOT, dir)}…`);
  const databases = await prepareDatabases({
    demo: { residents, seed: DEFAULT_DEMO_SEED },
    secret: DEMO_HUB_SECRET,
    dataDir: dir,
    port: 0,
    env: {},
    log,
    progress: true,
    postgresTransport: localSocketsEnabled() ? 'unix' : 'tcp',
  });
  try {
    await settleDatabases(databases.urls.audit!, log);
    const postmaster = await findPostmaster(dir);
    if (postmaster === undefined) log(`${residents}: could not find the PostgreSQL server process: its CPU is not reported`);
    return { residents, dir, databases, postmaster };
  } catch (error) {
    await databases.stop();
    throw error;
  }
}

/**
 * Starts a hub's subgraphs and gateway on a server. Its sockets go in a folder of its own (`<server>/hub-<i>/run`):
 * the launcher's place (`run` beside the data folder) is one folder for every `.data/bench-*`, where a second hub's
 * subgraphs would take over the first's socket paths.
 */
async function startHub(
  server: Server,
  index: number,
  label: string,
  flags: string[],
  caller: Caller,
  token: string,
  log: (line: string) => void,
  node: { binary: string; version: string } = { binary: process.execPath, version: process.version },
): Promise<Hub> {
  const { databases, dir } = server;
  const hub: Hub = { label, server, flags, node, services: [], served: undefined as unknown as Served, variables: {} };
  try {
    const sockets = prepareLocalSockets(path.join(dir, `hub-${index}`, 'data'), departmentRuntimes.map((r) => r.name));
    const execArgv = { ...(flags.length > 0 ? { execArgv: flags } : {}), execPath: node.binary };
    for (const runtime of departmentRuntimes) {
      const dept = department(runtime.name);
      hub.services.push(forkService(`${runtime.name} (${label})`, builtEntry(runtime.entry), {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        LOG_LEVEL: 'error',
        HUB_SECRET: DEMO_HUB_SECRET,
        [`${dept.envPrefix}_DATABASE_URL`]: databases.urls[runtime.name],
        [`${dept.envPrefix}_PORT`]: String(await freePort()),
        ...(sockets.env[`${dept.envPrefix}_SOCKET`] ? { [`${dept.envPrefix}_SOCKET`]: sockets.env[`${dept.envPrefix}_SOCKET`] } : {}),
        ...internal.subgraph(runtime.name),
      }, execArgv));
    }
    // In departmentRuntimes' order, as `services` holds them.
    const subgraphUrls = await Promise.all(hub.services.map((s) => s.ready));
    let supergraph = readSupergraph(DEFAULT_SUPERGRAPH);
    for (const [i, runtime] of departmentRuntimes.entries()) {
      const entry = subgraphsOf(supergraph).find((s) => s.name === runtime.name);
      if (entry) supergraph = supergraph.replace(`url: "${entry.url}"`, `url: "${subgraphUrls[i]}"`);
    }
    const gateway = await forkBenchGateway({
      name: `gateway (${label})`,
      entry: GATEWAYS.hub.entry,
      supergraph,
      supergraphFile: path.join(dir, `bench-supergraph-${index}.graphql`),
      rateLimitsFile: path.join(dir, 'bench-rate-limits.json'),
      port: await freePort(),
      issuerDir,
      auditDatabaseUrl: databases.urls.audit!,
      env: { BENCH_CALLER: JSON.stringify(caller), ...sockets.env, ...internal.gateway },
      execArgv: flags.length > 0 ? flags : undefined,
      execPath: node.binary,
    });
    hub.services.push(gateway);
    const url = await gateway.ready;
    hub.served = {
      url,
      pid: gateway.child.pid!,
      headers: { authorization: `Bearer ${token}`, 'x-hub-purpose': PURPOSE },
      subgraphPids: hub.services.slice(0, departmentRuntimes.length).map((s) => s.child.pid!),
      subgraphUrls,
    };
    log(`${label}: our gateway ready at ${url}`);
    return hub;
  } catch (error) {
    await Promise.allSettled(hub.services.map((s) => s.stop('SIGTERM')));
    throw error;
  }
}

/** One hub's figures for one operation in a `--sizes` or `--node-flags` run. */
interface HubMeasured extends Omit<Measured, 'gateway'> {
  hub: Hub;
  fill: PageFill | undefined;
  /** The subgraph processes' resident memory summed, the highest sum read (before and after each slice). */
  subgraphsPeakRssMiB: number;
}

/**
 * `--sizes A,B`: two districts' whole hubs up at once, each on its own PostgreSQL server and data folder;
 * `--node-flags 'X;Y;…'`: one whole hub per set of V8 flags (`default` for none) over one district's server. Every
 * database vacuumed and analysed first, then the hubs driven in turns, slice by slice, operation by operation (which
 * goes first rotating by operation, the order reversed every other round), so the machine's drift falls on all of
 * them alike. Each hub's CPU is read from its own processes; PostgreSQL's from its server, during that hub's slices.
 */
async function compareHubs(kind: 'sizes' | 'flags' | 'binaries'): Promise<void> {
  const issuer = demoIssuer({ HUB_DEMO_ISSUER_DIR: issuerDir });
  const claims = { sub: 'bench', role: 'administrator' };
  const token = await issuer.mint(claims, { expiresIn: '8h' });
  const caller = declarePurpose(callerFromClaims({ ...claims, exp: 0 }, DEMO_ROLES), PURPOSE, DEMO_ROLES);
  const servers: Server[] = [];
  const hubs: Hub[] = [];
  try {
    // One after the other: two seeds at once would each take twice as long.
    if (kind === 'sizes') {
      for (const [i, residents] of options.sizes!.entries()) {
        const server = await prepareServer(residents, say);
        servers.push(server);
        hubs.push(await startHub(server, i, `${residents.toLocaleString('en')} residents`, [], caller, token, say));
      }
    } else if (kind === 'flags') {
      const server = await prepareServer(options.residents, say);
      servers.push(server);
      for (const [i, flags] of options.nodeFlags!.entries()) hubs.push(await startHub(server, i, flags.length > 0 ? flags.join(' ') : "the launcher's flags", flags, caller, token, say));
    } else {
      const server = await prepareServer(options.residents, say);
      servers.push(server);
      for (const [i, { binary, flags, version }] of options.nodeBinaries!.entries()) {
        hubs.push(await startHub(server, i, `Node ${version}${flags.length > 0 ? ` ${flags.join(' ')}` : ''}`, flags, caller, token, say, { binary, version }));
      }
    }
    await untilIdle(Object.fromEntries(hubs.flatMap((h, i) => [h.served.pid, ...h.served.subgraphPids].map((pid) => [`${i}:${pid}`, pid]))), say);
    for (const h of hubs) h.variables = await pickVariables(h.served.url, h.served.headers, (line) => say(`${h.label}: ${line}`));
    const documents = await readOperations();
    const loadAtStart = loadavg();
    const results: HubMeasured[] = [];
    const thin = new Set<string>();
    for (const [index, operation] of options.operations.entries()) {
      const query = documents.get(operation);
      if (!query) throw new Error(`no query ${operation} under clients/ or test/operations/`);
      const bodiesOf = new Map(hubs.map((h) => [h, (h.variables[operation] ?? [{}]).map((v) => JSON.stringify({ query, operationName: operation, variables: v }))]));
      const answerKiB = new Map<Hub, number>();
      const fills = new Map<Hub, PageFill | undefined>();
      for (const h of hubs) {
        let bytes = 0;
        const sets = h.variables[operation] ?? [{}];
        const fill: PageFill = { sets: sets.length, full: 0, first: undefined, rows: [] };
        for (const [i, body] of bodiesOf.get(h)!.entries()) {
          const text = await (await fetch(h.served.url, { method: 'POST', headers: { 'content-type': 'application/json', ...h.served.headers }, body })).text();
          bytes += Buffer.byteLength(text);
          const answer = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: { message: string }[] };
          if (answer.errors) say(`${h.label} ${operation}: ${answer.errors.map((e) => e.message).join('; ').slice(0, 300)}`);
          if (findsNothing(answer.data)) say(`${h.label} ${operation}: variable set ${i} (${JSON.stringify(sets[i])}) finds nothing`);
          countFill(fill, sets[i]?.first, answer.data);
        }
        answerKiB.set(h, bytes / sets.length / 1024);
        fills.set(h, fill.first === undefined ? undefined : fill);
      }
      const order = [...hubs.slice(index % hubs.length), ...hubs.slice(0, index % hubs.length)];
      const totals = new Map(hubs.map((h) => [h, { requests: 0, errors: 0, latencies: [] as number[], roundP99s: [] as number[], cpu: 0, subgraphsCpu: 0, postgresCpu: 0, fetches: 0, peak: 0, subgraphsPeak: 0 }]));
      for (const h of order) if (options.warmup > 0) await drive(h.served.url, h.served.headers, bodiesOf.get(h)!, options.warmup, options.connections);
      const slice = options.duration / options.rounds;
      for (let round = 0; round < options.rounds; round++) {
        for (const h of round % 2 === 0 ? order : [...order].reverse()) {
          const g = h.served;
          const total = totals.get(h)!;
          const cpuBefore = await cpuSeconds(g.pid);
          const subgraphsBefore = (await Promise.all(g.subgraphPids.map(cpuSeconds))).reduce((a, b) => a + b, 0);
          const postgresBefore = await postgresCpuSeconds(h.server.postmaster);
          const fetchesBefore = await subgraphRequests(g.subgraphUrls);
          total.peak = Math.max(total.peak, await rssMiB(g.pid));
          total.subgraphsPeak = Math.max(total.subgraphsPeak, (await Promise.all(g.subgraphPids.map(rssMiB))).reduce((a, b) => a + b, 0));
          const run = await drive(g.url, g.headers, bodiesOf.get(h)!, slice, options.connections);
          total.cpu += (await cpuSeconds(g.pid)) - cpuBefore;
          total.subgraphsCpu += (await Promise.all(g.subgraphPids.map(cpuSeconds))).reduce((a, b) => a + b, 0) - subgraphsBefore;
          total.postgresCpu += (await postgresCpuSeconds(h.server.postmaster)) - postgresBefore;
          total.fetches += (await subgraphRequests(g.subgraphUrls)) - fetchesBefore;
          total.peak = Math.max(total.peak, await rssMiB(g.pid));
          total.subgraphsPeak = Math.max(total.subgraphsPeak, (await Promise.all(g.subgraphPids.map(rssMiB))).reduce((a, b) => a + b, 0));
          total.requests += run.requests;
          total.errors += run.errors;
          for (const latency of run.latencies) total.latencies.push(latency);
          total.roundP99s.push(run.p99);
          if (run.latencies.length < 1000) thin.add(`${operation} (${h.label})`);
        }
      }
      for (const h of hubs) {
        const { cpu, subgraphsCpu, postgresCpu, fetches, peak, subgraphsPeak, latencies, roundP99s, requests, errors } = totals.get(h)!;
        latencies.sort((a, b) => a - b);
        const per = (seconds: number) => (seconds * 1000) / Math.max(1, requests);
        const m: HubMeasured = {
          operation,
          hub: h,
          requests,
          errors,
          rps: requests / options.duration,
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          p99: percentile(latencies, 99),
          roundP99s,
          samples: latencies.length,
          gatewayCpuMsPerRequest: per(cpu),
          subgraphsCpuMsPerRequest: per(subgraphsCpu),
          postgresCpuMsPerRequest: per(postgresCpu),
          peakRssMiB: peak,
          subgraphsPeakRssMiB: subgraphsPeak,
          fetchesPerRequest: fetches / Math.max(1, requests),
          answerKiB: answerKiB.get(h)!,
          fill: fills.get(h),
        };
        results.push(m);
        say(
          `${operation.padEnd(24)} ${h.label.padEnd(28)} ${m.rps.toFixed(0).padStart(5)} req/s  p99 ${m.p99.toFixed(0)} ms  errors ${errors}  fetches ${m.fetchesPerRequest.toFixed(2)}/req  ` +
            `gateway ${m.gatewayCpuMsPerRequest.toFixed(2)}  subgraphs ${m.subgraphsCpuMsPerRequest.toFixed(2)}  postgres ${m.postgresCpuMsPerRequest.toFixed(2)} ms/req  peak ${peak.toFixed(0)} MiB`,
        );
      }
    }
    const command = `npm run bench:gateways -- ${process.argv.slice(2).map((a) => (/\s|;/.test(a) ? `'${a}'` : a)).join(' ')}`.trim();
    const head = [
      `Load average (1, 5, 15 min) when the load began: ${loadAtStart.map((l) => l.toFixed(1)).join(', ')}; when it ended: ${loadavg().map((l) => l.toFixed(1)).join(', ')} (${cpus().length} cores).`,
      `Machine: ${machineLine(hubs.map((h) => h.node))} (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC). Command: \`${command}\`.`,
    ];
    const table = [...head, ...(kind === 'sizes' ? sizesTable(results, thin) : kind === 'flags' ? flagsTable(hubs, results, thin) : binariesTable(hubs, results, thin))].join('\n');
    process.stdout.write(`${table}\n`);
    if (options.write) await writeBetweenMarkers(`bench:gateways ${kind === 'sizes' ? 'sizes' : kind === 'flags' ? 'node-flags' : 'node-binaries'}`, table);
  } finally {
    await Promise.allSettled(hubs.flatMap((h) => h.services.map((s) => s.stop('SIGTERM'))));
    for (const server of servers) await server.databases.stop();
  }
}

// Declarations, not consts: `compareHubs` runs from the module's top level before the consts below it are set.
function whole(m: HubMeasured): number {
  return m.gatewayCpuMsPerRequest + m.subgraphsCpuMsPerRequest + m.postgresCpuMsPerRequest;
}

function ratioOf(a: number, b: number): string {
  return Number.isFinite(a / b) ? (a / b).toFixed(2) : 'n/a';
}

/** The `--sizes` table: each size's figures side by side and the larger ÷ the smaller, per operation. */
function sizesTable(results: HubMeasured[], thin: Set<string>): string[] {
  const [small, large] = [...options.sizes!].sort((a, b) => a - b) as [number, number];
  const name = (n: number) => (n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));
  const [S, L] = [name(small), name(large)];
  const two = (a: number, b: number) => `${a.toFixed(2)} / ${b.toFixed(2)}`;
  const lines = [
    `Our gateway, ${options.connections} connections, ${options.duration} s per size and operation after ${options.warmup} s of warm-up, in ${options.rounds} slices of ${(options.duration / options.rounds).toFixed(1)} s, the two sizes' hubs taking turns. Each figure is ${L} / ${S}; the ratios ${L} ÷ ${S}.`,
    '',
    `| operation | req/s ${L} / ${S} | p99 ms ${L} / ${S} | whole hub CPU ms/req ${L} / ${S} | **whole hub ${L} ÷ ${S}** | gateway CPU ms/req ${L} / ${S} (ratio) | subgraphs CPU ms/req ${L} / ${S} (ratio) | PostgreSQL CPU ms/req ${L} / ${S} (ratio) | whole hub ÷ PostgreSQL ${L} / ${S} | subgraph fetches/req ${L} / ${S} | answer KiB ${L} / ${S} | errors ${L} / ${S} |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const pages: string[] = [];
  for (const operation of new Set(results.map((r) => r.operation))) {
    const l = results.find((r) => r.operation === operation && r.hub.server.residents === large)!;
    const s = results.find((r) => r.operation === operation && r.hub.server.residents === small)!;
    if (l.requests === 0 || s.requests === 0) {
      lines.push(`| ${operation} | ${l.rps.toFixed(0)} / ${s.rps.toFixed(0)} | ${Array(8).fill(NONE).join(' | ')} | ${two(l.answerKiB, s.answerKiB)} | ${l.errors} / ${s.errors} |`);
      continue;
    }
    lines.push(
      `| ${operation} | ${l.rps.toFixed(0)} / ${s.rps.toFixed(0)} | ${l.p99.toFixed(0)} / ${s.p99.toFixed(0)} | ${two(whole(l), whole(s))} | **${ratioOf(whole(l), whole(s))}** | ` +
        `${two(l.gatewayCpuMsPerRequest, s.gatewayCpuMsPerRequest)} (${ratioOf(l.gatewayCpuMsPerRequest, s.gatewayCpuMsPerRequest)}) | ` +
        `${two(l.subgraphsCpuMsPerRequest, s.subgraphsCpuMsPerRequest)} (${ratioOf(l.subgraphsCpuMsPerRequest, s.subgraphsCpuMsPerRequest)}) | ` +
        `${two(l.postgresCpuMsPerRequest, s.postgresCpuMsPerRequest)} (${ratioOf(l.postgresCpuMsPerRequest, s.postgresCpuMsPerRequest)}) | ` +
        `${(whole(l) / l.postgresCpuMsPerRequest).toFixed(1)} / ${(whole(s) / s.postgresCpuMsPerRequest).toFixed(1)} | ${two(l.fetchesPerRequest, s.fetchesPerRequest)} | ${l.answerKiB.toFixed(1)} / ${s.answerKiB.toFixed(1)} | ${l.errors} / ${s.errors} |`,
    );
    const fill = (m: HubMeasured) => (m.fill ? `${m.fill.full} of ${m.fill.sets}` : '');
    if (l.fill || s.fill) pages.push(`${operation} ${fill(l)} / ${fill(s)}`);
  }
  if (pages.length > 0) lines.push('', `Pages full (the apps' page size), ${L} / ${S}: ${pages.join('; ')}.`);
  if (thin.size > 0) lines.push('', `Fewer than 1,000 latencies in a slice (its p99 rests on fewer than 10 requests): ${[...thin].join(', ')}.`);
  return lines;
}

/** The `--node-flags` table: each set of flags per operation, and its CPU per request over the first set's. */
function flagsTable(hubs: Hub[], results: HubMeasured[], thin: Set<string>): string[] {
  const first = hubs[0]!;
  const lines = [
    `Our gateway, ${options.residents.toLocaleString('en')} residents, ${options.connections} connections, ${options.duration} s per hub and operation after ${options.warmup} s of warm-up, in ${options.rounds} slices of ${(options.duration / options.rounds).toFixed(1)} s, the hubs taking turns; each hub's flags given to all of its services (gateway and subgraphs). Ratios are over the first hub's (${first.label}).`,
    '',
    '| operation | flags | req/s | p99 ms | gateway CPU ms/req (÷ first) | subgraphs CPU ms/req (÷ first) | PostgreSQL CPU ms/req | whole hub CPU ms/req (÷ first) | gateway peak RSS MiB | errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const operation of new Set(results.map((r) => r.operation))) {
    const base = results.find((r) => r.operation === operation && r.hub === first)!;
    for (const m of results.filter((r) => r.operation === operation)) {
      lines.push(
        `| ${operation} | ${m.hub.label} | ${m.rps.toFixed(0)} | ${m.p99.toFixed(0)} | ${m.gatewayCpuMsPerRequest.toFixed(2)} (${ratioOf(m.gatewayCpuMsPerRequest, base.gatewayCpuMsPerRequest)}) | ` +
          `${m.subgraphsCpuMsPerRequest.toFixed(2)} (${ratioOf(m.subgraphsCpuMsPerRequest, base.subgraphsCpuMsPerRequest)}) | ${m.postgresCpuMsPerRequest.toFixed(2)} | ${whole(m).toFixed(2)} (${ratioOf(whole(m), whole(base))}) | ${m.peakRssMiB.toFixed(0)} | ${m.errors} |`,
      );
    }
  }
  // Each hub's ratios over the first, as the geometric mean over the operations.
  const mean = (values: number[]) => Math.exp(values.reduce((a, v) => a + Math.log(v), 0) / values.length);
  lines.push('', '| flags | gateway CPU ÷ first (geometric mean over the operations) | subgraphs CPU ÷ first | whole hub CPU ÷ first |', '|---|---:|---:|---:|');
  for (const h of hubs) {
    const pairs = [...new Set(results.map((r) => r.operation))].map((op) => [results.find((r) => r.operation === op && r.hub === h)!, results.find((r) => r.operation === op && r.hub === first)!] as const);
    const of = (f: (m: HubMeasured) => number) => mean(pairs.map(([m, b]) => f(m) / f(b))).toFixed(3);
    lines.push(`| ${h.label} | ${of((m) => m.gatewayCpuMsPerRequest)} | ${of((m) => m.subgraphsCpuMsPerRequest)} | ${of(whole)} |`);
  }
  if (thin.size > 0) lines.push('', `Fewer than 1,000 latencies in a slice (its p99 rests on fewer than 10 requests): ${[...thin].join(', ')}.`);
  return lines;
}

/**
 * The `--node-binaries` table: each hub (one node binary, the same bundles) per operation with the whole hub's CPU
 * over PostgreSQL's, then each later hub's figures over the first's, per operation and as the geometric mean.
 */
function binariesTable(hubs: Hub[], results: HubMeasured[], thin: Set<string>): string[] {
  const first = hubs[0]!;
  const operations = [...new Set(results.map((r) => r.operation))];
  const lines = [
    `Our whole hub (six subgraphs and the gateway, the same bundles, as \`npm start\` runs them) once per node binary, ${options.residents.toLocaleString('en')} residents, one PostgreSQL server; ${options.connections} connections, ${options.duration} s per hub and operation after ${options.warmup} s of warm-up, in ${options.rounds} slices of ${(options.duration / options.rounds).toFixed(1)} s, the hubs taking turns. CPU in ms per request; peak RSS read before and after each slice (departments: the six summed).`,
    '',
    '| operation | hub on | req/s | p99 ms | gateway | departments | PostgreSQL | whole | whole ÷ PostgreSQL | gateway peak RSS MiB | departments peak RSS MiB | errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const operation of operations) {
    for (const m of results.filter((r) => r.operation === operation)) {
      lines.push(
        `| ${operation} | ${m.hub.label} | ${m.rps.toFixed(0)} | ${m.p99.toFixed(0)} | ${m.gatewayCpuMsPerRequest.toFixed(2)} | ${m.subgraphsCpuMsPerRequest.toFixed(2)} | ${m.postgresCpuMsPerRequest.toFixed(2)} | ` +
          `${whole(m).toFixed(2)} | ${ratioOf(whole(m), m.postgresCpuMsPerRequest)} | ${m.peakRssMiB.toFixed(0)} | ${m.subgraphsPeakRssMiB.toFixed(0)} | ${m.errors} |`,
      );
    }
  }
  const mean = (values: number[]) => Math.exp(values.reduce((a, v) => a + Math.log(v), 0) / values.length);
  for (const h of hubs.slice(1)) {
    lines.push(
      '',
      `${h.label} ÷ ${first.label}:`,
      '',
      '| operation | req/s | p99 | gateway CPU/req | departments CPU/req | PostgreSQL CPU/req | whole CPU/req | gateway peak RSS | departments peak RSS |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    const fields: ((m: HubMeasured) => number)[] = [
      (m) => m.rps,
      (m) => m.p99,
      (m) => m.gatewayCpuMsPerRequest,
      (m) => m.subgraphsCpuMsPerRequest,
      (m) => m.postgresCpuMsPerRequest,
      whole,
      (m) => m.peakRssMiB,
      (m) => m.subgraphsPeakRssMiB,
    ];
    const pairs = operations.map((op) => [op, results.find((r) => r.operation === op && r.hub === h)!, results.find((r) => r.operation === op && r.hub === first)!] as const);
    for (const [op, m, b] of pairs) lines.push(`| ${op} | ${fields.map((f) => ratioOf(f(m), f(b))).join(' | ')} |`);
    const usable = pairs.filter(([, m, b]) => m.requests > 0 && b.requests > 0);
    if (usable.length > 0) lines.push(`| geometric mean | ${fields.map((f) => mean(usable.map(([, m, b]) => f(m) / f(b))).toFixed(2)).join(' | ')} |`);
  }
  if (thin.size > 0) lines.push('', `Fewer than 1,000 latencies in a slice (its p99 rests on fewer than 10 requests): ${[...thin].join(', ')}.`);
  return lines;
}

async function writeBetweenMarkers(name: string, table: string): Promise<void> {
  const begin = `<!-- ${name} begin -->`;
  const end = `<!-- ${name} end -->`;
  const current = await readFile(BENCHMARKS, 'utf8');
  const block = `${begin}\n${table}\n${end}`;
  const at = current.indexOf(begin);
  const next = at >= 0 ? current.slice(0, at) + block + current.slice(current.indexOf(end) + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  await writeFile(BENCHMARKS, next);
}
