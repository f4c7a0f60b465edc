/**
 * What one subgraph fetch costs a department, layer by layer, before and after, side by side in one run.
 *
 *   npm run bench:subgraph-fetch -- [--residents 10000] [--duration 2] [--rounds 3] [--warmup 1] [--connections 4]
 *                                   [--before 3884cd7] [--operations ResidentProfile,…] [--keep <folder>] [--write]
 *
 * 1. Seeds the demo district (kept under .data/bench-N), starts this tree's built services (`npm run build`, started
 *    as `npm start` starts them: their bundles, plain node) and our gateway, with a recording proxy in front of each
 *    subgraph, and sends the gateway each of the six operations once per variable set: the proxies keep the exact
 *    bodies the gateway sent each subgraph.
 * 2. Builds the "before" commit in a git worktree of its own (.data/subgraph-fetch-before: its node_modules copied
 *    from this tree's when the lockfiles agree, else `npm ci`; then its `npm run build`).
 * 3. Starts the subgraphs of both trees at once over the same databases, each with V8's CPU profiler on, and drives
 *    each (operation, subgraph) pair directly with those bodies, each request with a fresh internal caller token
 *    signed for its body as that tree's gateway signs it (signed before the run, in this process) and an
 *    `x-request-id` as the gateway sends (a department takes it rather than drawing its own), the two trees
 *    alternating pair by pair.
 * 4. Reports, per tree and pair, requests per second and CPU µs per fetch (the process's own CPU from /proc), and
 *    from the profile's samples in the pair's time window the CPU per fetch by layer: each sample is given to the
 *    innermost frame of ours or a library's on its stack (mapped through the bundle's source map), and that frame's
 *    source file names the layer.
 *
 * Everything shares the machine (both trees' services, PostgreSQL, the load generator): read the after ÷ before
 * ratios of one run, not the absolute figures.
 */
import { execFileSync } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { SourceMap } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import {
  callerFromClaims,
  CALLER_HEADER,
  declarePurpose,
  DEMO_HUB_SECRET,
  DEMO_ROLES,
  demoIssuer,
  department,
  freePort,
  freshRequestId,
  internalKeysForRun,
  internalSigningKey,
  internalTokenEnvForRun,
  internalVerificationKey,
  parseKey,
  REQUEST_ID_HEADER,
  signCallerToken,
  type Caller,
} from '@hub/core';
import { readSupergraph, subgraphsOf, DEFAULT_SUPERGRAPH } from '@hub/gateway';
import { prepareDatabases } from '@hub/hub';
import { departmentRuntimes } from '@hub/hub/departments';
import { DEFAULT_DEMO_SEED } from '@hub/hub/options';
import { builtEntry, forkService, type ServiceProcess } from '@hub/hub/process';
import { forkBenchGateway } from './hub-gateway.ts';
import { machineLine } from './machine.ts';
import { pickVariables, readOperations } from './operations.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCHMARKS = path.join(ROOT, 'docs/benchmarks.md');
const PURPOSE = 'case-handling';
const DEFAULT_OPERATIONS = ['ResidentProfile', 'GridOverview', 'GroupRentalRemediation', 'GridPartyMembers', 'WelfareCrossCheck', 'PoliceReferrals'];
/** The commit this round of work started from. */
const DEFAULT_BEFORE = '3884cd7';
/** Sampling interval of the services' profilers, µs (V8's default is 1000). */
const PROFILE_INTERVAL_US = 250;

function parseArgs(argv: string[]) {
  const known = ['--residents', '--duration', '--rounds', '--connections', '--warmup', '--before', '--operations', '--keep', '--write'];
  for (const arg of argv) if (arg.startsWith('--') && !known.includes(arg)) throw new Error(`unknown option ${arg}; known: ${known.join(', ')}`);
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
  return {
    residents: integer('--residents', 10_000, 100, 1_000_000),
    /** Seconds per pair, tree and round. */
    duration: integer('--duration', 2, 1, 600),
    /** Times every pair is driven on each tree, the rounds one after another: load that comes and goes evens out. */
    rounds: integer('--rounds', 3, 1, 100),
    connections: integer('--connections', 4, 1, 256),
    warmup: integer('--warmup', 1, 0, 60),
    before: value('--before') ?? DEFAULT_BEFORE,
    operations: value('--operations')?.split(',') ?? DEFAULT_OPERATIONS,
    /** Where the CPU profiles go (kept); a temporary folder, removed after the run, otherwise. */
    keep: value('--keep'),
    write: argv.includes('--write'),
  };
}

/* ------------------------------------------------------------------------------------------------------------------ */
/* Layers                                                                                                             */
/* ------------------------------------------------------------------------------------------------------------------ */

/** The layers of a subgraph fetch, in request order; a sample's frame source decides its layer. */
const LAYERS = [
  'Node I/O (HTTP server, sockets, event loop)',
  'internal token',
  'request context and request id',
  'request pipeline (Apollo Server, prepared path)',
  'parse and validate',
  'policy and limits plugins',
  'execute (graphql-js, @apollo/subgraph, resolvers)',
  'loaders and SQL building (dataloader, drizzle)',
  'pg driver',
  'serialisation (JSON)',
  'metrics',
  'tracing',
  'logging',
  'garbage collection',
  'other (V8, native)',
] as const;
type Layer = (typeof LAYERS)[number];

/** The layer of a frame of ours or a library's, by its original source file (and for a few, its function). */
function layerOfSource(source: string, functionName: string): Layer | undefined {
  const s = source.replaceAll('\\', '/');
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(s)?.[1];
  if (/prettyJSONStringify|stringify/i.test(functionName) && (module === '@apollo/server' || !module)) return 'serialisation (JSON)';
  if (module) {
    if (module === 'graphql') {
      if (/\/(language|validation)\//.test(s)) return 'parse and validate';
      if (/\/utilities\/(TypeInfo|typeFromAST|valueFromAST)/.test(s)) return 'parse and validate';
      return 'execute (graphql-js, @apollo/subgraph, resolvers)';
    }
    if (module === '@apollo/subgraph' || module === '@apollo/federation-internals' || module === 'graphql-jit') return 'execute (graphql-js, @apollo/subgraph, resolvers)';
    if (module === '@apollo/server' || module === '@apollo/utils.keyvaluecache' || module === 'lru-cache' || module === '@apollo/utils.createhash' || module === 'negotiator' || module === 'uuid')
      return 'request pipeline (Apollo Server, prepared path)';
    if (module === 'jose') return 'internal token';
    if (module === 'dataloader' || module === 'drizzle-orm') return 'loaders and SQL building (dataloader, drizzle)';
    if (/^pg(-|$)/.test(module) || module === 'postgres-array' || module === 'postgres-date' || module === 'postgres-interval' || module === 'postgres-bytea' || module === 'buffer-writer' || module === 'packet-reader')
      return 'pg driver';
    if (module === 'prom-client' || module === 'tdigest' || module === 'bintrees') return 'metrics';
    if (module.startsWith('@opentelemetry/')) return 'tracing';
    return undefined;
  }
  if (s.includes('packages/core/src/access/internal-token.ts') || s.includes('packages/core/src/access/keys.ts')) return 'internal token';
  if (s.includes('packages/core/src/request-context.ts')) return 'request context and request id';
  if (s.includes('packages/core/src/tracing.ts')) return 'tracing';
  if (s.includes('packages/core/src/metrics.ts')) return 'metrics';
  if (/packages\/core\/src\/(log|log-redaction)\.ts/.test(s)) return 'logging';
  if (s.includes('packages/core/src/http.ts') || s.includes('packages/core/src/lean-http.ts')) return 'Node I/O (HTTP server, sockets, event loop)';
  if (/packages\/core\/src\/(access\/(policy-plugin|policy|enforce)|limits\/|request-guard)/.test(s)) return 'policy and limits plugins';
  // The prepared path's answer: its JSON text is serialisation, its error formatting and the rest the pipeline's.
  // The prepared path's executor: graphql-jit's compiled queries are execution, as graphql-js's walk was.
  if (s.includes('packages/core/src/execution/compiled-documents.ts')) return 'execute (graphql-js, @apollo/subgraph, resolvers)';
  if (s.includes('packages/core/src/execution/apollo-answer.ts')) return functionName === 'completeAnswer' ? 'serialisation (JSON)' : 'request pipeline (Apollo Server, prepared path)';
  if (s.includes('packages/core/src/execution/')) return 'request pipeline (Apollo Server, prepared path)';
  // Core's row queries and its wire do node-postgres's work for the prepared selects (submitting them, reading their rows).
  if (s.includes('packages/core/src/db/row-query.ts') || s.includes('packages/core/src/db/wire.ts')) return 'pg driver';
  if (/packages\/core\/src\/db\/(loaders|place-counts|prepared|batch-gate|any-of|filtered-page|database)\.ts/.test(s) || /subgraphs\/[^/]+\/src\/loaders\.ts/.test(s))
    return 'loaders and SQL building (dataloader, drizzle)';
  if (/subgraphs\/[^/]+\/src\/context\.ts/.test(s) || s.includes('packages/core/src/access/disclosure.ts') || s.includes('packages/core/src/subgraph.ts'))
    return 'request context and request id';
  if (/subgraphs\/|packages\//.test(s)) return 'execute (graphql-js, @apollo/subgraph, resolvers)';
  return undefined;
}

/** Function names graphql-jit's compiled queries are made of (`query`, and `<Type><path>Resolver`, `…Handler` …). */
const JIT_GENERATED = /^(query|.+(Resolver|Handler|Serializer|TypeResolver)\d*)$/;

/**
 * A node's frame in Node's own code: only the stack above it says whose work it is. node:crypto works for its caller
 * (the token's HMAC and body digest, the request id's UUID, the driver's SCRAM handshake), async_hooks for the request
 * context (AsyncLocalStorage's hooks on every promise and callback of a request).
 */
function layerOfNodeInternal(url: string): Layer | undefined {
  if (/async_hooks|async_local_storage/.test(url)) return 'request context and request id';
  return undefined;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Maps a bundle's (line, column) to its original source through the bundle's source map, read once per bundle. */
const sourceMaps = new Map<string, SourceMap | null>();
function originalSource(url: string, line: number, column: number): string | undefined {
  if (!url.startsWith('file://')) return undefined;
  const file = fileURLToPath(url);
  let map = sourceMaps.get(file);
  if (map === undefined) {
    map = existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))) : null;
    sourceMaps.set(file, map);
  }
  if (!map) return file;
  const entry = map.findEntry(line, column) as { originalSource?: string };
  return entry.originalSource ?? file;
}

/**
 * Each node's layer: its own frame's when that is ours or a library's, else its parent's (a builtin such as
 * JSON.stringify or a Node internal works for whoever called it); the stack's root gets HTTP (the event loop's
 * socket and parser work), and V8's pseudo-frames their own.
 */
function layersOf(profile: CpuProfile): Map<number, Layer | 'idle'> {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const memo = new Map<number, Layer | 'idle'>();
  const cache = new Map<string, Layer | undefined>();
  const resolve = (id: number): Layer | 'idle' => {
    const known = memo.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    let layer: Layer | 'idle' | undefined;
    if (functionName === '(idle)') layer = 'idle';
    else if (functionName === '(garbage collector)') layer = 'garbage collection';
    else if (functionName === '(program)' || functionName === '(root)') layer = 'other (V8, native)';
    else if (url.startsWith('node:')) layer = layerOfNodeInternal(url);
    else if (url) {
      const key = `${url}:${lineNumber}:${columnNumber}:${functionName}`;
      if (!cache.has(key)) {
        const source = originalSource(url, lineNumber, columnNumber);
        cache.set(key, source ? layerOfSource(source, functionName) : undefined);
      }
      layer = cache.get(key);
    } else if (/stringify/i.test(functionName)) layer = 'serialisation (JSON)';
    // graphql-jit's generated code (new Function: no script) under the names it gives its functions.
    else if (JIT_GENERATED.test(functionName)) layer = 'execute (graphql-js, @apollo/subgraph, resolvers)';
    if (!layer) {
      const up = parent.get(id);
      const parentNode = up === undefined ? undefined : byId.get(up);
      layer = up === undefined || parentNode?.callFrame.functionName === '(root)' ? 'Node I/O (HTTP server, sockets, event loop)' : resolve(up);
    }
    memo.set(id, layer);
    return layer;
  };
  for (const node of profile.nodes) resolve(node.id);
  return memo;
}

/**
 * Each layer's share of the busy samples within [from, to] (µs on the monotonic clock, as V8 stamps its samples).
 * Shares, not the samples' intervals: on a loaded machine an interval also holds the time the process waited for a
 * core, so the shares are applied to the CPU time the kernel counted.
 */
function layerShares(profile: CpuProfile, layers: Map<number, Layer | 'idle'>, from: number, to: number): Map<Layer, number> {
  const counts = new Map<Layer, number>();
  let busy = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i]!;
    if (at < from || at > to) continue;
    const layer = layers.get(profile.samples[i]!)!;
    if (layer === 'idle') continue;
    busy++;
    counts.set(layer, (counts.get(layer) ?? 0) + 1);
  }
  return new Map([...counts].map(([layer, n]) => [layer, n / Math.max(1, busy)]));
}

async function readProfile(folder: string): Promise<CpuProfile> {
  const files = (await readdir(folder)).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length !== 1) throw new Error(`expected one CPU profile in ${folder}, found ${files.length}`);
  return JSON.parse(await readFile(path.join(folder, files[0]!), 'utf8')) as CpuProfile;
}

/* ------------------------------------------------------------------------------------------------------------------ */
/* Trees, services, capture                                                                                           */
/* ------------------------------------------------------------------------------------------------------------------ */

const say = (line: string) => process.stderr.write(`${line}\n`);
const run = (command: string, args: string[], cwd: string) => execFileSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });

/** The "before" commit as a built tree of its own (made once, rebuilt when its bundles are missing). */
async function beforeTree(commit: string): Promise<string> {
  const dir = path.join(ROOT, '.data', 'subgraph-fetch-before');
  const head = existsSync(dir) ? execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim() : '';
  const wanted = execFileSync('git', ['rev-parse', commit], { cwd: ROOT, encoding: 'utf8' }).trim();
  if (head !== wanted) {
    if (existsSync(dir)) run('git', ['worktree', 'remove', '--force', dir], ROOT);
    say(`checking out ${commit} into ${path.relative(ROOT, dir)}…`);
    run('git', ['worktree', 'add', '--detach', dir, wanted], ROOT);
  }
  const installed = path.join(dir, 'node_modules', '.subgraph-fetch-installed');
  if (!existsSync(installed)) {
    if (readFileSync(path.join(dir, 'package-lock.json'), 'utf8') === readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) {
      say('copying node_modules (same lockfile)…');
      // Workspace links in node_modules are relative, so the copy's point into the copy's tree; a workspace's own
      // node_modules (a version of its own) is copied with it.
      const folders = ['.', 'gateway', 'schema', 'test', 'bench'];
      for (const parent of ['apps', 'packages', 'subgraphs']) for (const name of await readdir(path.join(ROOT, parent))) folders.push(path.join(parent, name));
      for (const folder of folders) {
        const from = path.join(ROOT, folder, 'node_modules');
        if (existsSync(from)) await cp(from, path.join(dir, folder, 'node_modules'), { recursive: true, verbatimSymlinks: true, force: true });
      }
      await writeFile(installed, '');
    } else {
      say('npm ci in the before tree…');
      run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], dir);
      await writeFile(installed, '');
    }
  }
  say(`building ${commit}…`);
  run('node', ['--import', 'tsx', 'packages/build/src/cli.ts', '--quiet'], dir);
  return dir;
}

interface Tree {
  name: 'before' | 'after';
  root: string;
  services: Map<string, { url: string; pid: number; process: ServiceProcess; profileDir: string }>;
}

function serviceEnv(name: string, databaseUrl: string, port: number, internalKeys: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const dept = department(name);
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'error',
    HUB_SECRET: DEMO_HUB_SECRET,
    [`${dept.envPrefix}_DATABASE_URL`]: databaseUrl,
    [`${dept.envPrefix}_PORT`]: String(port),
    ...internalKeys,
  };
}

/** utime + stime of a process, in µs, from /proc (clock ticks of 1/100 s). */
async function cpuMicroseconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** A proxy in front of one subgraph that keeps every body it forwards, under the operation being captured. */
function recordingProxy(target: string, record: (body: string) => void): Server {
  return createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (req.method === 'POST') record(body.toString('utf8'));
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string' && key !== 'host' && key !== 'content-length') headers[key] = value;
    const answer = await fetch(target, { method: req.method, headers, body: req.method === 'POST' ? body : undefined });
    res.statusCode = answer.status;
    answer.headers.forEach((value, key) => {
      if (key !== 'content-length' && key !== 'transfer-encoding' && key !== 'connection' && key !== 'keep-alive') res.setHeader(key, value);
    });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
}

/* ------------------------------------------------------------------------------------------------------------------ */
/* Load                                                                                                               */
/* ------------------------------------------------------------------------------------------------------------------ */

/** Tokens for `count` requests, request i carrying bodies[i % n] with a token signed for it alone. */
type Sign = (caller: Caller, audience: string, privateKey: KeyObject, body: string) => Promise<string>;
type SignerModule = { createCallerTokenSigner: (privateKey: KeyObject, seconds?: number) => { sign(caller: Caller, subgraph: string, body: string): Promise<string> } };

/**
 * How a tree's gateway signs its fetches' tokens: its `gateway/src/caller-tokens.ts` signer (HS256 tokens written
 * from a kept fixed part per caller and subgraph, the layout its subgraphs then read), or `signCallerToken` for a
 * tree from before that signer. Tokens live 60 s here: they are signed ahead of the run.
 */
async function gatewaySigner(root: string): Promise<Sign> {
  const file = path.join(root, 'gateway/src/caller-tokens.ts');
  if (!existsSync(file)) return (caller, audience, privateKey, body) => signCallerToken(caller, audience, privateKey, { body, seconds: 60 });
  const { createCallerTokenSigner } = (await import(file)) as SignerModule;
  const signers = new Map<KeyObject, ReturnType<SignerModule['createCallerTokenSigner']>>();
  return (caller, audience, privateKey, body) => {
    let signer = signers.get(privateKey);
    if (!signer) signers.set(privateKey, (signer = createCallerTokenSigner(privateKey, 60)));
    return signer.sign(caller, audience, body);
  };
}

async function signTokens(sign: Sign, caller: Caller, audience: string, privateKey: KeyObject, bodies: string[], count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) tokens.push(await sign(caller, audience, privateKey, bodies[i % bodies.length]!));
  return tokens;
}

async function drive(url: string, bodies: string[], tokens: string[], seconds: number, connections: number, refill?: (from: number) => Promise<string>) {
  let turn = 0;
  let errors = 0;
  // Should the run outpace the tokens signed beforehand, more are signed as it goes, ahead of the requests.
  let refilling = false;
  const topUp = () => {
    if (!refill || refilling || tokens.length - turn > 500) return;
    refilling = true;
    void (async () => {
      while (tokens.length - turn < 1000) tokens.push(await refill(tokens.length));
      refilling = false;
    })();
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections,
        duration: seconds,
        requests: [
          {
            setupRequest: (request) => {
              const i = turn++;
              topUp();
              // Past the tokens signed beforehand a request goes without one and is refused (counted as an error).
              const token = tokens[i];
              // A request id on every fetch, as the gateway sends its own (a department takes it rather than drawing one).
              const ids = { [REQUEST_ID_HEADER]: freshRequestId() };
              return { ...request, body: bodies[i % bodies.length], headers: { ...request.headers, ...ids, ...(token ? { [CALLER_HEADER]: token } : {}) } };
            },
          },
        ],
        verifyBody: (text) => {
          const ok = !String(text ?? '').includes('"errors"');
          if (!ok) errors++;
          return ok;
        },
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
  });
  return { requests: result.requests.total, errors: errors + result.non2xx + result.errors + result.timeouts, seconds };
}

/* ------------------------------------------------------------------------------------------------------------------ */
/* The run                                                                                                            */
/* ------------------------------------------------------------------------------------------------------------------ */

interface PairResult {
  tree: 'before' | 'after';
  operation: string;
  subgraph: string;
  requests: number;
  errors: number;
  rps: number;
  /** From /proc: the service process's CPU during the run, per fetch. */
  cpuPerFetchUs: number;
  /** From the profile's samples in the run's window, per fetch. */
  layers: Map<Layer, number>;
  window: [number, number];
  pid: number;
}

const options = parseArgs(process.argv.slice(2));
const dataDir = path.join(ROOT, '.data', `bench-${options.residents}`);
const issuerDir = path.join(ROOT, '.data', 'bench-issuer');
const profileRoot = options.keep ? path.resolve(options.keep) : path.join(tmpdir(), `subgraph-fetch-${process.pid}`);
// Each tree with its launcher's default keys: HMAC keys (the hub secret for the gateway, each subgraph its own derived
// key) where the tree knows them, else the ES256 pair (all a tree from before HMAC tokens knows).
const keys = internalKeysForRun({});
const hmac = internalTokenEnvForRun({});
const hmacKeys = { signing: internalSigningKey(hmac.gateway), subgraph: (name: string) => hmac.subgraph(name), verifying: (name: string) => internalVerificationKey(hmac.subgraph(name), name) };
const es256Keys = {
  signing: parseKey(keys.HUB_INTERNAL_PRIVATE_KEY, 'private', 'HUB_INTERNAL_PRIVATE_KEY'),
  subgraph: (_name: string): Record<string, string | undefined> => ({ HUB_INTERNAL_PUBLIC_KEY: keys.HUB_INTERNAL_PUBLIC_KEY }),
  verifying: (_name: string) => parseKey(keys.HUB_INTERNAL_PUBLIC_KEY, 'public', 'HUB_INTERNAL_PUBLIC_KEY'),
};
const started: ServiceProcess[] = [];
const proxies: Server[] = [];

say('building this tree…');
run('node', ['--import', 'tsx', 'packages/build/src/cli.ts', '--quiet'], ROOT);
const beforeRoot = await beforeTree(options.before);
const beforeKnowsHmac = treeKnowsHmac(options.before);
const treeKeys = { before: beforeKnowsHmac ? hmacKeys : es256Keys, after: hmacKeys };
const tokenKind = { before: beforeKnowsHmac ? 'HS256' : 'ES256', after: 'HS256' };

say(`preparing the demo district of ${options.residents.toLocaleString('en')} residents in ${path.relative(ROOT, dataDir)}…`);
const databases = await prepareDatabases({
  demo: { residents: options.residents, seed: DEFAULT_DEMO_SEED },
  secret: DEMO_HUB_SECRET,
  dataDir,
  port: 0,
  env: {},
  log: say,
  progress: true,
});

// Interrupted, it still stops what it started: the services (their profiles are written) and PostgreSQL.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const proxy of proxies) proxy.close();
    void Promise.allSettled(started.map((s) => s.stop('SIGTERM')))
      .then(() => databases.stop())
      .finally(() => process.exit(130));
  });
}

try {
  const issuer = demoIssuer({ HUB_DEMO_ISSUER_DIR: issuerDir });
  const claims = { sub: 'bench', role: 'administrator' };
  const caller = declarePurpose(callerFromClaims({ ...claims, exp: 0 }, DEMO_ROLES), PURPOSE, DEMO_ROLES);
  // The before tree refuses a token that names a scope it does not know (one added since), so it is sent the caller
  // with the scopes it knows; the fields the captured bodies read need none of the newer ones.
  const { isScope: beforeKnows } = (await import(path.join(beforeRoot, 'packages/core/src/access/model.ts'))) as { isScope: (value: unknown) => boolean };
  const callers: Record<'before' | 'after', Caller> = { before: { ...caller, scopes: caller.scopes.filter((scope) => beforeKnows(scope)) }, after: caller };

  // 1. The bodies the gateway sends, captured through proxies in front of this tree's subgraphs.
  const captured = new Map<string, Map<string, string[]>>();
  let capturing = '';
  let supergraph = readSupergraph(DEFAULT_SUPERGRAPH);
  const captureServices: ServiceProcess[] = [];
  for (const runtime of departmentRuntimes) {
    const service = forkService(runtime.name, builtEntry(runtime.entry), serviceEnv(runtime.name, databases.urls[runtime.name]!, await freePort(), treeKeys.after.subgraph(runtime.name)));
    started.push(service);
    captureServices.push(service);
    const url = await service.ready;
    const proxy = recordingProxy(url, (body) => {
      if (!capturing) return;
      const bySubgraph = captured.get(capturing) ?? new Map<string, string[]>();
      captured.set(capturing, bySubgraph);
      bySubgraph.set(runtime.name, [...(bySubgraph.get(runtime.name) ?? []), body]);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
    proxies.push(proxy);
    const entry = subgraphsOf(supergraph).find((s) => s.name === runtime.name);
    if (entry) supergraph = supergraph.replace(`url: "${entry.url}"`, `url: "http://127.0.0.1:${port}/graphql"`);
  }
  const gateway = await forkBenchGateway({
    name: 'gateway',
    entry: path.join(ROOT, 'gateway/dist/index.js'),
    supergraph,
    supergraphFile: path.join(dataDir, 'subgraph-fetch-supergraph.graphql'),
    rateLimitsFile: path.join(dataDir, 'subgraph-fetch-rate-limits.json'),
    port: await freePort(),
    issuerDir,
    auditDatabaseUrl: databases.urls.audit!,
    env: hmac.gateway,
  });
  started.push(gateway);
  const gatewayUrl = await gateway.ready;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${await issuer.mint(claims, { expiresIn: '8h' })}`, 'x-hub-purpose': PURPOSE };
  const documents = await readOperations();
  const variables = await pickVariables(gatewayUrl, headers);
  for (const operation of options.operations) {
    const query = documents.get(operation);
    if (!query) throw new Error(`no query ${operation} under clients/ or test/operations/`);
    capturing = operation;
    for (const v of variables[operation] ?? [{}]) {
      const answer = (await (await fetch(gatewayUrl, { method: 'POST', headers, body: JSON.stringify({ query, operationName: operation, variables: v }) })).json()) as { errors?: unknown };
      if (answer.errors) throw new Error(`${operation} failed through the gateway: ${JSON.stringify(answer.errors).slice(0, 300)}`);
    }
    capturing = '';
    const fetches = [...(captured.get(operation) ?? new Map()).entries()].map(([s, b]) => `${s} ${b.length}`).join(', ');
    say(`captured ${operation}: ${fetches}`);
  }
  await gateway.stop('SIGTERM');
  await Promise.all(captureServices.map((s) => s.stop('SIGTERM')));
  for (const proxy of proxies) proxy.close();

  // Each tree's tokens signed as its gateway signs them.
  const signers = { before: await gatewaySigner(beforeRoot), after: await gatewaySigner(ROOT) };
  // The tokens' own cost, both trees' code in this process, interleaved (load on the machine hits both alike).
  const tokenCosts = await measureTokens(signers, beforeRoot, callers, [...captured.values()].flatMap((m) => [...m.values()].flat()));
  say(`caller tokens, sign + verify µs: before ${tokenCosts.before.sign.toFixed(0)} + ${tokenCosts.before.verify.toFixed(0)}, after ${tokenCosts.after.sign.toFixed(0)} + ${tokenCosts.after.verify.toFixed(0)}`);

  // 2. Both trees' subgraphs, profiled.
  await rm(profileRoot, { recursive: true, force: true });
  const trees: Tree[] = [];
  const needed = new Set([...captured.values()].flatMap((m) => [...m.keys()]));
  for (const [name, root] of [['before', beforeRoot], ['after', ROOT]] as const) {
    const tree: Tree = { name, root, services: new Map() };
    for (const runtime of departmentRuntimes.filter((r) => needed.has(r.name))) {
      const profileDir = path.join(profileRoot, name, runtime.name);
      await mkdir(profileDir, { recursive: true });
      const entry = builtEntry(path.join(root, path.relative(ROOT, runtime.entry)));
      const service = forkService(`${name} ${runtime.name}`, entry, serviceEnv(runtime.name, databases.urls[runtime.name]!, await freePort(), treeKeys[name].subgraph(runtime.name)), {
        execArgv: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-interval=${PROFILE_INTERVAL_US}`],
      });
      started.push(service);
      tree.services.set(runtime.name, { url: await service.ready, pid: service.child.pid!, process: service, profileDir });
    }
    trees.push(tree);
  }

  // 3. Each (operation, subgraph) pair on both trees, alternating which goes first, in rounds.
  const results: PairResult[] = [];
  const rates = new Map<string, number>();
  let flip = 0;
  for (let round = 0; round < options.rounds; round++) {
    for (const operation of options.operations) {
      for (const [subgraph, bodies] of captured.get(operation) ?? []) {
        const order = flip++ % 2 === 0 ? trees : [...trees].reverse();
        for (const tree of order) {
          const service = tree.services.get(subgraph)!;
          // Tokens are signed before each run (they cost this process, not the service): for the warm-up at most 1,500
          // fetches a second, for the run twice the rate the warm-up reached.
          const rateKey = `${tree.name}|${operation}|${subgraph}`;
          const privateKey = treeKeys[tree.name].signing;
          if (options.warmup > 0 && round === 0) {
            const warm = await signTokens(signers[tree.name], callers[tree.name], subgraph, privateKey, bodies, 1500 * options.warmup);
            rates.set(rateKey, (await drive(service.url, bodies, warm, options.warmup, options.connections)).requests / options.warmup);
          }
          const rate = rates.get(rateKey) ?? 1500;
          const tokens = await signTokens(signers[tree.name], callers[tree.name], subgraph, privateKey, bodies, Math.ceil(Math.max(rate, 100) * 2 * options.duration));
          const cpuBefore = await cpuMicroseconds(service.pid);
          const from = Number(process.hrtime.bigint() / 1000n);
          const measured = await drive(service.url, bodies, tokens, options.duration, options.connections, (i) =>
            signers[tree.name](callers[tree.name], subgraph, privateKey, bodies[i % bodies.length]!),
          );
          const to = Number(process.hrtime.bigint() / 1000n);
          const cpu = (await cpuMicroseconds(service.pid)) - cpuBefore;
          const result: PairResult = {
            tree: tree.name,
            operation,
            subgraph,
            requests: measured.requests,
            errors: measured.errors,
            rps: measured.requests / options.duration,
            cpuPerFetchUs: cpu / Math.max(1, measured.requests),
            layers: new Map(),
            window: [from, to],
            pid: service.pid,
          };
          results.push(result);
          say(
            `${operation.padEnd(24)} ${subgraph.padEnd(16)} ${tree.name.padEnd(6)} ${result.rps.toFixed(0).padStart(6)} req/s  ${result.cpuPerFetchUs.toFixed(0).padStart(6)} µs CPU/fetch  errors ${result.errors}`,
          );
        }
      }
    }
  }

  // 4. Profiles are written as the services exit; then each pair's window is read out of its service's profile.
  for (const tree of trees) for (const service of tree.services.values()) await service.process.stop('SIGTERM');
  for (const tree of trees) {
    for (const [subgraph, service] of tree.services) {
      const profile = await readProfile(service.profileDir);
      const layers = layersOf(profile);
      for (const r of results.filter((x) => x.tree === tree.name && x.subgraph === subgraph)) {
        for (const [layer, share] of layerShares(profile, layers, r.window[0], r.window[1])) r.layers.set(layer, share * r.cpuPerFetchUs);
      }
    }
  }

  const command = `npm run bench:subgraph-fetch -- ${process.argv.slice(2).join(' ')}`.trim();
  const table = `${render(mergeRounds(results), command)}\n\n${renderTokens(tokenCosts)}`;
  process.stdout.write(`${table}\n`);
  if (options.write) await writeIntoBenchmarks(table);
} finally {
  for (const proxy of proxies) proxy.close();
  await Promise.allSettled(started.map((s) => s.stop('SIGTERM')));
  await databases.stop();
  if (!options.keep) await rm(profileRoot, { recursive: true, force: true });
}

type TokenModule = Pick<typeof import('@hub/core'), 'createCallerTokenVerifier'>;
interface TokenCost {
  sign: number;
  verify: number;
}

/**
 * CPU µs to sign and to verify one caller token (bound to a captured body, single use), with the before tree's own
 * internal-token module and this tree's, in this process: 20 alternating rounds of 200 tokens each, each tree with its
 * launcher's default keys (HS256, the subgraph's key derived from the hub secret; ES256 for a tree before those).
 */
async function measureTokens(signers: Record<'before' | 'after', Sign>, beforeRoot: string, callers: Record<'before' | 'after', Caller>, bodies: string[]): Promise<{ before: TokenCost; after: TokenCost }> {
  const modules: Record<'before' | 'after', TokenModule> = {
    before: (await import(path.join(beforeRoot, 'packages/core/src/access/internal-token.ts'))) as TokenModule,
    after: (await import(path.join(ROOT, 'packages/core/src/access/internal-token.ts'))) as TokenModule,
  };
  const verifyKeys = { before: treeKeys.before.verifying('party'), after: treeKeys.after.verifying('party') };
  const totals = { before: { sign: 0, verify: 0 }, after: { sign: 0, verify: 0 } };
  const perRound = 200;
  const rounds = 20;
  for (let round = 0; round < rounds; round++) {
    for (const tree of round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const)) {
      const { createCallerTokenVerifier } = modules[tree];
      const sign = signers[tree];
      const verify = createCallerTokenVerifier('party', verifyKeys[tree]);
      const privateKey = treeKeys[tree].signing;
      const tokens: string[] = [];
      let at = process.cpuUsage();
      for (let i = 0; i < perRound; i++) tokens.push(await sign(callers[tree], 'party', privateKey, bodies[i % bodies.length]!));
      let used = process.cpuUsage(at);
      totals[tree].sign += used.user + used.system;
      at = process.cpuUsage();
      for (let i = 0; i < perRound; i++) await verify(tokens[i], bodies[i % bodies.length]!);
      used = process.cpuUsage(at);
      totals[tree].verify += used.user + used.system;
    }
  }
  const per = (t: TokenCost) => ({ sign: t.sign / (rounds * perRound), verify: t.verify / (rounds * perRound) });
  return { before: per(totals.before), after: per(totals.after) };
}

/** Whether a commit's launcher signs HMAC caller tokens (`git grep` finds nothing, exit 1, in a tree before them). */
function treeKnowsHmac(commit: string): boolean {
  try {
    return execFileSync('git', ['grep', '-l', 'export function internalTokenEnvForRun', commit, '--', 'packages/core/src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

function renderTokens(costs: { before: TokenCost; after: TokenCost }): string {
  const row = (name: string, c: TokenCost) => `| ${name} | ${c.sign.toFixed(0)} | ${c.verify.toFixed(0)} | ${(c.sign + c.verify).toFixed(0)} |`;
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  return [
    `Caller tokens alone, in the benchmark process, both trees' code interleaved (CPU µs per token, bound to the captured bodies, signed as each tree's gateway signs them; before ${tokenKind.before}, after ${tokenKind.after}; HS256 with the subgraph's derived key):`,
    '',
    '| tree | sign (gateway) | verify (subgraph) | per fetch |',
    '|---|---:|---:|---:|',
    row(`before (${options.before})`, costs.before),
    row('after', costs.after),
    `| after ÷ before | ${ratio(costs.after.sign, costs.before.sign)} | ${ratio(costs.after.verify, costs.before.verify)} | ${ratio(costs.after.sign + costs.after.verify, costs.before.sign + costs.before.verify)} |`,
  ].join('\n');
}

/** A pair's rounds on one tree as one result: fetches and CPU summed, layers weighted by fetches. */
function mergeRounds(results: PairResult[]): PairResult[] {
  const merged = new Map<string, PairResult>();
  for (const r of results) {
    const key = `${r.tree}|${r.operation}|${r.subgraph}`;
    const into = merged.get(key);
    if (!into) {
      merged.set(key, { ...r, layers: new Map(r.layers) });
      continue;
    }
    const requests = into.requests + r.requests;
    const weigh = (a: number, b: number) => (a * into.requests + b * r.requests) / Math.max(1, requests);
    for (const layer of new Set([...into.layers.keys(), ...r.layers.keys()])) into.layers.set(layer, weigh(into.layers.get(layer) ?? 0, r.layers.get(layer) ?? 0));
    into.cpuPerFetchUs = weigh(into.cpuPerFetchUs, r.cpuPerFetchUs);
    into.errors += r.errors;
    into.requests = requests;
    into.rps = requests / (options.duration * options.rounds);
  }
  return [...merged.values()];
}

/** Sum over `rows` of `value`, weighted by each pair's requests (fetches): µs per fetch over all of them. */
function perFetch(rows: PairResult[], value: (r: PairResult) => number): number {
  const fetches = rows.reduce((a, r) => a + r.requests, 0);
  return rows.reduce((a, r) => a + value(r) * r.requests, 0) / Math.max(1, fetches);
}

function render(results: PairResult[], command: string): string {
  const before = results.filter((r) => r.tree === 'before');
  const after = results.filter((r) => r.tree === 'after');
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '');
  const lines = [
    `Load average when it ended: ${loadavg().map((l) => l.toFixed(1)).join(', ')} (2 cores).`,
    `Machine: ${machineLine()} (${new Date().toISOString().slice(0, 10)}). Command: \`${command}\`.`,
    `${options.residents.toLocaleString('en')} residents; each (operation, subgraph) pair driven ${options.rounds} × ${options.duration} s on each tree (after ${options.warmup} s of warm-up) at ${options.connections} connections, before (${options.before}) and after (this tree) alternating; CPU profiles sampled every ${PROFILE_INTERVAL_US} µs.`,
    '',
    '| operation | subgraph | fetches/s before | after | after ÷ before | CPU µs/fetch before | after | after ÷ before | errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const b of before) {
    const a = after.find((x) => x.operation === b.operation && x.subgraph === b.subgraph)!;
    lines.push(
      `| ${b.operation} | ${b.subgraph} | ${b.rps.toFixed(0)} | ${a.rps.toFixed(0)} | ${ratio(a.rps, b.rps)} | ${b.cpuPerFetchUs.toFixed(0)} | ${a.cpuPerFetchUs.toFixed(0)} | ${ratio(a.cpuPerFetchUs, b.cpuPerFetchUs)} | ${b.errors + a.errors} |`,
    );
  }
  const operations = [...new Set(results.map((r) => r.operation))];
  lines.push(
    '',
    "CPU µs per fetch by layer (each layer's share of the profile's samples in the pair's window, times the process's CPU per fetch; all pairs weighted by their fetches), before → after:",
    '',
    `| layer | all fetches before | after | after ÷ before | ${operations.map((o) => `${o} before → after`).join(' | ')} |`,
    `|---|---:|---:|---:|${operations.map(() => '---:').join('|')}|`,
  );
  const rowsOf = (rows: PairResult[], operation?: string) => (operation ? rows.filter((r) => r.operation === operation) : rows);
  for (const layer of LAYERS) {
    const value = (r: PairResult) => r.layers.get(layer) ?? 0;
    const b = perFetch(before, value);
    const a = perFetch(after, value);
    const cells = operations.map((o) => `${perFetch(rowsOf(before, o), value).toFixed(0)} → ${perFetch(rowsOf(after, o), value).toFixed(0)}`);
    lines.push(`| ${layer} | ${b.toFixed(0)} | ${a.toFixed(0)} | ${ratio(a, b)} | ${cells.join(' | ')} |`);
  }
  const cpuB = perFetch(before, (r) => r.cpuPerFetchUs);
  const cpuA = perFetch(after, (r) => r.cpuPerFetchUs);
  const rps = (rows: PairResult[]) => rows.reduce((x, r) => x + r.requests, 0) / Math.max(1, rows.length * options.duration * options.rounds);
  lines.push(
    `| **CPU per fetch** (the process's, from /proc) | ${cpuB.toFixed(0)} | ${cpuA.toFixed(0)} | ${ratio(cpuA, cpuB)} | ${operations.map((o) => `${perFetch(rowsOf(before, o), (r) => r.cpuPerFetchUs).toFixed(0)} → ${perFetch(rowsOf(after, o), (r) => r.cpuPerFetchUs).toFixed(0)}`).join(' | ')} |`,
    `| fetches/s (mean of pairs) | ${rps(before).toFixed(0)} | ${rps(after).toFixed(0)} | ${ratio(rps(after), rps(before))} | ${operations.map((o) => `${rps(rowsOf(before, o)).toFixed(0)} → ${rps(rowsOf(after, o)).toFixed(0)}`).join(' | ')} |`,
  );
  return lines.join('\n');
}

async function writeIntoBenchmarks(table: string): Promise<void> {
  const begin = `<!-- bench:subgraph-fetch ${options.residents} begin -->`;
  const end = `<!-- bench:subgraph-fetch ${options.residents} end -->`;
  const current = await readFile(BENCHMARKS, 'utf8');
  const block = `${begin}\n${table}\n${end}`;
  const at = current.indexOf(begin);
  const next = at >= 0 ? current.slice(0, at) + block + current.slice(current.indexOf(end) + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  await writeFile(BENCHMARKS, next);
}
