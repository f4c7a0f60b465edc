import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkEnvironment, department, hubSecret, internalTokenEnvForRun, parsePort, portOf, settleHeap, type ReadyMessage } from '@hub/core';
import { DEFAULT_DATA_DIR, prepareDatabases } from './databases.ts';
import { departmentRuntimes } from './departments.ts';
import { localSocketsEnabled, prepareLocalSockets, type LocalSockets } from './local-sockets.ts';
import { parseDemoOptions } from './options.ts';
import { builtEntry, GATEWAY_ENTRY, READY_TIMEOUT_MS, serviceArgsFor } from './process.ts';

const SEED_SOURCE = fileURLToPath(new URL('./seed-process.ts', import.meta.url));

/**
 * `npm start`: the whole hub on one machine. The embedded PostgreSQL server (unless every department's database is
 * given by URL), then every subgraph as its own process, then the gateway; one line per service when it is ready;
 * Ctrl-C stops them all and the database server.
 */
const startedAt = Date.now();
const say = (line: string) => process.stdout.write(`${line}\n`);

let options: ReturnType<typeof parseDemoOptions>;
let secret: string;
let internalKeys: ReturnType<typeof internalTokenEnvForRun>;
// Every variable the launcher reads, each bad one named on its own line, before the database server starts.
const configProblems = checkEnvironment('launcher');
if (configProblems.length > 0) {
  for (const { message } of configProblems) console.error(`invalid configuration: ${message}`);
  process.exit(2);
}
try {
  options = parseDemoOptions(process.argv.slice(2), process.env);
  secret = hubSecret();
  // The gateway signs each subgraph request with the hub secret; each subgraph holds only the key derived for it.
  // Unless a deployment configures the secret (or an ES256/EdDSA pair), each run makes its own, which never touches
  // the disk.
  internalKeys = internalTokenEnvForRun();
  for (const runtime of departmentRuntimes) {
    const dept = department(runtime.name);
    if (portOf(dept) === 0) throw new Error(`${dept.envPrefix}_PORT must be a fixed port under the launcher (the gateway is told it)`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
}
const children: { name: string; child: ChildProcess }[] = [];
let stopping = false;

const databases = await prepareDatabases({
  demo: options.demo,
  secret,
  reset: options.reset,
  dataDir: process.env.HUB_DATA_DIR || undefined,
  port: parsePort('HUB_POSTGRES_PORT', process.env.HUB_POSTGRES_PORT, 54329),
  postgresTransport: localSocketsEnabled() ? 'unix' : 'tcp',
  log: (line) => say(`  ${line}`),
  progress: true,
  // The first start's seeding runs in a child process: the launcher then holds nothing of the generated district.
  seedProcess: builtEntry(SEED_SOURCE),
}).catch((error: unknown) => {
  console.error(`could not prepare the department databases: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});

/** Starts a service as its own Node process and resolves with its URL once it says it is ready. */
function startService(name: string, entry: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn', ...process.env, ...env };
    for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key];
    const child = fork(entry, [], {
      // Services log JSON to stderr; under the launcher only warnings and errors, so the ready lines stand out.
      env: childEnv,
      execArgv: serviceArgsFor(entry),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push({ name, child });
    const timer = setTimeout(() => reject(new Error(`${name} did not become ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    child.on('message', (message: ReadyMessage) => {
      if (message?.type === 'ready') {
        clearTimeout(timer);
        resolve(message.url);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!stopping) {
        console.error(`${name} exited (${signal ?? `code ${code}`}); stopping the hub`);
        reject(new Error(`${name} exited`));
        void shutdown(1);
      }
    });
  });
}

async function shutdown(exitCode: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('stopping the hub…');
    const stop = ({ child }: { child: ChildProcess }) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    // The gateway first: it drains the requests in flight, which still need the departments to answer them.
    await Promise.all(children.filter((c) => c.name === 'gateway').map(stop));
    await Promise.all(children.filter((c) => c.name !== 'gateway').map(stop));
    await databases.stop();
    say('stopped');
  }
  process.exit(exitCode);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('uncaughtException', (error) => {
  console.error(error);
  void shutdown(1);
});

let sockets: LocalSockets = { enabled: false, env: {} };
try {
  sockets = prepareLocalSockets(process.env.HUB_DATA_DIR || DEFAULT_DATA_DIR, departmentRuntimes.map((r) => r.name));
  if (sockets.note) say(`  ${sockets.note}`);
} catch (error) {
  console.error(`could not make the services' socket folder: ${error instanceof Error ? error.message : error}`);
  await shutdown(1);
}

try {
  // The gateway plans over the committed supergraph and needs no subgraph to start, so all start at once; it is
  // told the ports the subgraphs will listen on.
  const subgraphUrls = Object.fromEntries(
    departmentRuntimes.map((r) => {
      const dept = department(r.name);
      return [`${dept.envPrefix}_URL`, `http://127.0.0.1:${portOf(dept)}/graphql`];
    }),
  );
  const ready = (name: string) => (url: string) => {
    const socket = name === 'gateway' ? undefined : sockets.env[`${department(name).envPrefix}_SOCKET`];
    say(`✔ ${name.padEnd(16)} ${url}${socket ? ` (gateway fetches over ${socket})` : ''}`);
  };
  await Promise.all([
    ...departmentRuntimes.map((runtime) => {
      const dept = department(runtime.name);
      return startService(runtime.name, builtEntry(runtime.entry), {
        [`${dept.envPrefix}_DATABASE_URL`]: databases.urls[runtime.name],
        // Each department appends what only it sees (a refused internal token, a system write) to the trail.
        AUDIT_DATABASE_URL: databases.urls.audit,
        [`${dept.envPrefix}_PORT`]: String(portOf(dept)),
        ...(sockets.env[`${dept.envPrefix}_SOCKET`] ? { [`${dept.envPrefix}_SOCKET`]: sockets.env[`${dept.envPrefix}_SOCKET`] } : {}),
        ...internalKeys.subgraph(runtime.name),
      }).then(ready(runtime.name));
    }),
    startService('gateway', builtEntry(GATEWAY_ENTRY), { ...subgraphUrls, ...sockets.env, ...internalKeys.gateway, AUDIT_DATABASE_URL: databases.urls.audit }).then(ready('gateway')),
  ]);
  say(`hub ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s — press Ctrl-C to stop`);
  // The launcher only waits from here on: what preparing the databases left goes back to the system (settle-heap.ts).
  settleHeap({ expose: true });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await shutdown(1);
}
