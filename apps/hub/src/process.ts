import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReadyMessage } from '@hub/core';

/** The gateway's source entry module; `builtEntry` of it is what `npm start` runs. */
export const GATEWAY_ENTRY = fileURLToPath(new URL('../../../gateway/src/index.ts', import.meta.url));

/**
 * The built module of a service's source entry (`<package>/src/index.ts` → `<package>/dist/index.js`, as
 * `npm run build` writes it): what the launcher runs, with plain node and no TypeScript loader.
 */
export function builtEntry(source: string): string {
  const built = path.join(path.dirname(path.dirname(source)), 'dist', `${path.basename(source, '.ts')}.js`);
  if (!existsSync(built)) throw new Error(`${path.relative(process.cwd(), built)} is missing: run \`npm run build\` first`);
  return built;
}

/** How node must run a short-lived module (the seeding process): a TypeScript source through tsx, a bundle with its source map. */
export const nodeArgsFor = (entry: string): string[] => (entry.endsWith('.ts') ? ['--import', 'tsx'] : ['--enable-source-maps']);

/**
 * V8's flags for a long-running service (the gateway, each subgraph), beside `nodeArgsFor`'s, as the image's command
 * runs them (deploy/Dockerfile): the young generation's semi-spaces at 16 MiB, Node 20's default. Node 24 (V8 13)
 * sizes them at 32 MiB, which took the gateway's RSS under load from ~210 to ~310 MiB for no CPU per request measured
 * (whole hub 0.82 and 0.98 of V8's default in two side-by-side runs, docs/benchmarks.md#start-up-time-and-memory); on
 * Node 20 the flag changes nothing. And `--expose-gc`, so a service settles its heap once it has started (`settleHeap`
 * in packages/core/src/settle-heap.ts): on Node 24 that hands back the young generation and the garbage of its start,
 * ~135 MiB of the whole hub at rest. An operator or a benchmark gives flags to try in `HUB_NODE_FLAGS`, which replace these.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16', '--expose-gc'];

/** The service flags: `HUB_NODE_FLAGS` of the launching process when set (blank for none), else `SERVICE_NODE_FLAGS`. */
export function serviceNodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  const given = env.HUB_NODE_FLAGS;
  if (given === undefined) return [...SERVICE_NODE_FLAGS];
  return given.trim() === '' ? [] : given.trim().split(/\s+/);
}

/**
 * The gateway's own flags, as its Kubernetes manifest runs it: the JavaScript heap bounded. Left alone, V8 lets the
 * old generation grow with the allocation rate of a long export (pages promoted while they wait to be written)
 * instead of collecting it: a 1,000,000-row export took the gateway from ~270 to ~590 MiB of resident memory that
 * it never handed back, where the export holds a few pages (docs/benchmarks.md, dataset exports).
 * `HUB_NODE_FLAGS` comes after, so an operator's own bound wins.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-old-space-size=256'];

const GATEWAY_BUILT = path.join(path.dirname(path.dirname(GATEWAY_ENTRY)), 'dist', 'index.js');

/**
 * How node must run a long-running service: from source through tsx, a bundle as its image runs it, without
 * `--enable-source-maps` (Node keeps each bundle's decoded map for the life of the process: 13-15 MiB a service, ~80
 * MiB of the hub's PSS; stack traces keep their function names and point into the bundle, and
 * `HUB_NODE_FLAGS=--enable-source-maps` maps them); then the gateway's flags if it is the gateway, and the service
 * flags.
 */
export const serviceArgsFor = (entry: string, env: NodeJS.ProcessEnv = process.env): string[] => [
  ...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []),
  ...(path.resolve(entry) === GATEWAY_ENTRY || path.resolve(entry) === GATEWAY_BUILT ? GATEWAY_NODE_FLAGS : []),
  ...serviceNodeFlags(env),
];

export interface ServiceProcess {
  child: ChildProcess;
  /** The service's GraphQL URL once it reported ready over IPC. */
  ready: Promise<string>;
  /** Resolves when the process has exited (at once if it already has). */
  exited(): Promise<void>;
  /** Sends the signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * How long a service that neither says it is ready nor exits may take to start. A service that fails exits, and that is
 * noticed at once; this only bounds one that hangs. A loaded 2-core machine took over 60 s to start the gateway.
 */
export const READY_TIMEOUT_MS = 300_000;

/**
 * Starts a service module (a subgraph's or the gateway's `index.ts`, or its bundle) as its own Node process (`execPath`,
 * else this process's node binary). Its `ready` settles
 * on the service's IPC ready message, or fails when the process exits first or stays silent past `readyTimeoutMs`.
 */
export function forkService(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  options: { readyTimeoutMs?: number; stdio?: 'inherit' | 'ignore'; execArgv?: string[]; execPath?: string } = {},
): ServiceProcess {
  const childEnv: NodeJS.ProcessEnv = { ...env };
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key];
  const stdio = options.stdio ?? 'inherit';
  const child = fork(entry, [], {
    env: childEnv,
    execArgv: [...serviceArgsFor(entry), ...(options.execArgv ?? [])],
    // Another node binary than this process's (a benchmark comparing Node versions); by default the same as this one.
    ...(options.execPath ? { execPath: options.execPath } : {}),
    stdio: ['ignore', stdio, stdio, 'ipc'],
  });
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<string>((resolve, reject) => {
    const timeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
    const timer = setTimeout(() => reject(new Error(`${name} did not become ready within ${timeoutMs / 1000} s`)), timeoutMs);
    child.on('message', (message: ReadyMessage) => {
      if (message?.type === 'ready') {
        clearTimeout(timer);
        resolve(message.url);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? `code ${code}`})`));
    });
  });
  // A caller that only awaits `exited` must not see an unhandled rejection from `ready`.
  ready.catch(() => {});
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    ready,
    exited: () => (hasExited() ? Promise.resolve() : exit),
    stop: async (signal = 'SIGTERM') => {
      if (hasExited()) return;
      child.kill(signal);
      await exit;
    },
  };
}
