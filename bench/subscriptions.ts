/**
 * Subscriptions under load: many concurrent subscribers across roles, half over GraphQL over SSE (the graphql-sse
 * client) and half over graphql-transport-ws (the graphql-ws client), while cases are reported at a fixed rate.
 *
 *   npm run bench:subscriptions -- [--residents 10000] [--subscribers 1000] [--rate 20] [--duration 30]
 *                                  [--restart-at <s>] [--restart-down <s>]
 *
 * Boots the embedded PostgreSQL server with the demo district (kept under .data/bench-<N>), every subgraph and the
 * gateway as their own processes (the built bundles: run `npm run build` first). Subscribers are dispatchers and
 * housing officers (every event) and grid workers of ten grids (their grid's events only), each with its own token, all
 * from the feed's head at the start. Reports: commit-to-client latency p50/p99 (the event's `at`, set in its
 * transaction, to its arrival), the gateway's memory per idle subscriber (RSS growth over the subscriptions, divided
 * by their number), the gateway's CPU time per delivered event, and whether every subscriber got exactly the events of
 * the feed it may see (none lost, none doubled). `--restart-at` SIGKILLs the mediation subgraph that many seconds in
 * and starts it again `--restart-down` seconds later: writes refused meanwhile are retried with their idempotency key.
 *
 * Everything (load generator included) shares the machine: the figures are this machine's, at its load.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_HUB_SECRET, demoIssuer, department, encodeCursor, freePort, internalKeysForRun, residentKey } from '@hub/core';
import { generateDemoWorld } from '@hub/demo';
import { prepareDatabases } from '@hub/hub';
import { departmentRuntimes } from '@hub/hub/departments';
import { DEFAULT_DEMO_SEED } from '@hub/hub/options';
import { builtEntry, forkService, type ServiceProcess } from '@hub/hub/process';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { machineLine } from './machine.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const say = (line: string) => process.stderr.write(`${line}\n`);

function parseArgs(argv: string[]) {
  const number = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    if (i < 0) return fallback;
    const value = Number(argv[i + 1]);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} takes a number`);
    return value;
  };
  return {
    residents: number('--residents', 10_000),
    subscribers: number('--subscribers', 1000),
    rate: number('--rate', 20),
    duration: number('--duration', 30),
    restartAt: number('--restart-at', 0),
    restartDown: number('--restart-down', 2),
  };
}

const SUBSCRIPTION = /* GraphQL */ `
  subscription BenchEvents($after: String) {
    caseEvents(after: $after) {
      cursor
      node { sequence at action toStatus case { id category grid { code name } } }
    }
  }
`;
interface Event {
  cursor: string;
  node: { sequence: string; at: string; case: { grid: { code: string } } };
}

const FEED = 'query Feed($after: String) { caseEvents(first: 500, after: $after) { edges { cursor node { sequence at case { grid { code } } } } pageInfo { hasNextPage endCursor } } }';
type FeedPage = { caseEvents: { edges: { cursor: string; node: Event['node'] }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

const options = parseArgs(process.argv.slice(2));
const dataDir = path.join(ROOT, '.data', `bench-${options.residents}`);
const issuerDir = path.join(ROOT, '.data', 'bench-issuer');
const keys = internalKeysForRun({});
const started: ServiceProcess[] = [];

async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 1024;
}
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

say(`preparing the demo district of ${options.residents.toLocaleString('en')} residents in ${path.relative(ROOT, dataDir)}…`);
const databases = await prepareDatabases({ demo: { residents: options.residents, seed: DEFAULT_DEMO_SEED }, secret: DEMO_HUB_SECRET, dataDir, port: 0, env: {}, log: say, progress: true });

const ports: Record<string, number> = {};
for (const runtime of departmentRuntimes) ports[runtime.name] = await freePort();
const subgraphEnv = (name: string) => {
  const dept = department(name);
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'error',
    HUB_SECRET: DEMO_HUB_SECRET,
    [`${dept.envPrefix}_DATABASE_URL`]: databases.urls[name],
    [`${dept.envPrefix}_PORT`]: String(ports[name]),
    HUB_INTERNAL_PUBLIC_KEY: keys.HUB_INTERNAL_PUBLIC_KEY,
  };
};
const mediationRuntime = departmentRuntimes.find((r) => r.name === 'mediation')!;
let mediation: ServiceProcess | undefined;
const exitCode = await (async () => {
  try {
    for (const runtime of departmentRuntimes) {
      const service = forkService(runtime.name, builtEntry(runtime.entry), subgraphEnv(runtime.name));
      started.push(service);
      if (runtime.name === 'mediation') mediation = service;
    }
    const urls = await Promise.all(started.map((s) => s.ready));
    const gatewayPort = await freePort();
    const gateway = forkService('gateway', path.join(ROOT, 'gateway/dist/index.js'), {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'error',
      GATEWAY_PORT: String(gatewayPort),
      HUB_DEMO_ISSUER_DIR: issuerDir,
      HUB_TRUSTED_DOCUMENTS: 'allow',
      HUB_SUBSCRIPTIONS_PER_GATEWAY: String(Math.max(10_000, options.subscribers * 2)),
      AUDIT_DATABASE_URL: databases.urls.audit,
      ...Object.fromEntries(departmentRuntimes.map((r, i) => [`${department(r.name).envPrefix}_URL`, urls[i]])),
      ...keys,
    });
    started.push(gateway);
    const gatewayUrl = await gateway.ready;
    const gatewayPid = gateway.child.pid!;
    say(`gateway ready at ${gatewayUrl}`);
    const issuer = demoIssuer({ HUB_DEMO_ISSUER_DIR: issuerDir });
    const token = (claims: Record<string, unknown>) => issuer.mint({ sub: `bench-${randomUUID()}`, ...claims }, { expiresIn: '8h' });
    const world = generateDemoWorld({ residents: options.residents, seed: DEFAULT_DEMO_SEED });
    const grids = [...world.gridContents()].filter((g) => g.residents.length > 0).slice(0, 10);

    // The feed's head before anyone subscribes: every subscriber starts there, so what each must get is known.
    const admin = `Bearer ${await token({ role: 'administrator' })}`;
    const headSequence = await feedHead(gatewayUrl, admin);
    const after = encodeCursor('case-events', String(headSequence));

    interface Subscriber { label: string; grid: string | null; received: Event[]; latencies: number[]; dispose: () => void }
    const subscribers: Subscriber[] = [];
    await new Promise((r) => setTimeout(r, 1000));
    const rssBefore = await rssMiB(gatewayPid);
    say(`subscribing ${options.subscribers} clients (half SSE, half WebSocket)…`);
    const streamUrl = gatewayUrl.replace(/\/graphql$/, '/graphql/stream');
    const wsUrl = gatewayUrl.replace(/^http/, 'ws');
    for (let i = 0; i < options.subscribers; i++) {
      const kind = i % 10 < 4 ? 'grid-worker' : i % 10 < 7 ? 'dispatcher' : 'housing-officer';
      const grid = kind === 'grid-worker' ? grids[i % grids.length]!.grid.code : null;
      const authorization = `Bearer ${await token({ role: kind, ...(grid ? { grids: [grid] } : {}) })}`;
      const s: Subscriber = { label: `${kind} over ${i % 2 === 0 ? 'SSE' : 'WebSocket'}`, grid, received: [], latencies: [], dispose: () => {} };
      const next = (payload: { data?: { caseEvents: Event } | null }) => {
        const event = payload.data?.caseEvents;
        if (!event) return;
        s.received.push(event);
        s.latencies.push(Date.now() - Date.parse(event.node.at));
      };
      let lastCursor = after;
      const onNext = (payload: { data?: { caseEvents: Event } | null }) => {
        if (payload.data?.caseEvents) lastCursor = payload.data.caseEvents.cursor;
        next(payload);
      };
      if (i % 2 === 0) {
        // graphql-sse retries a dropped stream itself; the header function resumes it from the last event received.
        const client = createSseClient({ url: streamUrl, retryAttempts: 1000, retry: () => new Promise((r) => setTimeout(r, 200 + Math.random() * 300)), headers: () => ({ authorization, 'last-event-id': lastCursor }) });
        client.subscribe({ query: SUBSCRIPTION, variables: { after } }, { next: onNext, error: (e) => say(`sse error ${String(e)}`), complete: () => {} });
        s.dispose = () => client.dispose();
      } else {
        // graphql-ws resubscribes with the same payload after a reconnect: the payload carries the resume point.
        const payload = { query: SUBSCRIPTION, variables: { after }, extensions: { lastEventId: after } };
        const client = createWsClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 1000, shouldRetry: () => true, connectionParams: { authorization } });
        client.subscribe(payload, {
          next: (p) => {
            onNext(p as { data?: { caseEvents: Event } });
            payload.extensions.lastEventId = lastCursor;
          },
          error: (e) => say(`ws error ${String(e)}`),
          complete: () => {},
        });
        s.dispose = () => void client.dispose();
      }
      subscribers.push(s);
    }
    await new Promise((r) => setTimeout(r, 3000));
    const rssIdle = await rssMiB(gatewayPid);
    const kibPerSubscriber = ((rssIdle - rssBefore) * 1024) / options.subscribers;
    say(`idle: gateway RSS ${rssBefore.toFixed(0)} → ${rssIdle.toFixed(0)} MiB (${kibPerSubscriber.toFixed(1)} KiB per subscriber)`);

    // The writer: one report every 1/rate s, round the grids, as each grid's worker; refused writes retried with their key.
    const writers = await Promise.all(grids.map(async (g) => ({ grid: g.grid.code, resident: residentKey(g.residents[0]!.idNumber, DEMO_HUB_SECRET), authorization: `Bearer ${await token({ role: 'grid-worker', grids: [g.grid.code] })}` })));
    let written = 0;
    let refused = 0;
    const pending = new Set<Promise<void>>();
    const write = async (n: number) => {
      const w = writers[n % writers.length]!;
      const input = { idempotencyKey: randomUUID(), category: 'NEIGHBOURS', source: 'GRID_WORKER_REPORT', gridCode: w.grid, summary: '压测：楼道堆物', parties: [{ role: 'APPLICANT', residentId: w.resident }] };
      for (;;) {
        try {
          const response = await fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: w.authorization }, body: JSON.stringify({ query: 'mutation R($input: ReportCaseInput!) { reportCase(input: $input) { case { id } } }', variables: { input } }) });
          const body = (await response.json()) as { data?: { reportCase?: unknown } };
          if (body.data?.reportCase) break;
        } catch {
          // The gateway answers while mediation is down; a fetch failure is the same: try again with the same key.
        }
        refused++;
        await new Promise((r) => setTimeout(r, 250));
      }
      written++;
    };
    const cpuStart = await cpuSeconds(gatewayPid);
    const startedAt = Date.now();
    let n = 0;
    const writer = setInterval(() => {
      const p = write(n++);
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }, 1000 / options.rate);
    let restarted = false;
    if (options.restartAt > 0) {
      setTimeout(async () => {
        say('killing the mediation subgraph…');
        await mediation!.stop('SIGKILL');
        await new Promise((r) => setTimeout(r, options.restartDown * 1000));
        mediation = forkService('mediation', builtEntry(mediationRuntime.entry), subgraphEnv('mediation'));
        started.push(mediation);
        await mediation.ready;
        restarted = true;
        say('mediation is back');
      }, options.restartAt * 1000);
    }
    await new Promise((r) => setTimeout(r, options.duration * 1000));
    clearInterval(writer);
    while (pending.size > 0) await Promise.all([...pending]);
    const writeSeconds = (Date.now() - startedAt) / 1000;

    // What each subscriber may see, from the feed itself; wait (bounded) until every one has it.
    const events = await feedAfter(gatewayUrl, admin, after);
    const expectedFor = (s: Subscriber) => events.filter((e) => s.grid === null || e.node.case.grid.code === s.grid).map((e) => e.node.sequence);
    const complete = (s: Subscriber) => s.received.length >= expectedFor(s).length;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !subscribers.every(complete)) await new Promise((r) => setTimeout(r, 250));
    const cpu = (await cpuSeconds(gatewayPid)) - cpuStart;
    let lost = 0;
    let doubled = 0;
    for (const s of subscribers) {
      const got = s.received.map((e) => e.node.sequence);
      const want = new Set(expectedFor(s));
      doubled += got.length - new Set(got).size;
      lost += [...want].filter((q) => !got.includes(q)).length;
    }
    const behind = new Map<string, number>();
    for (const s of subscribers) if (!complete(s)) behind.set(s.label, (behind.get(s.label) ?? 0) + 1);
    if (behind.size > 0) say(`subscribers still missing events after 60 s: ${[...behind].map(([label, count]) => `${count} ${label}`).join(', ')}`);
    const latencies = subscribers.flatMap((s) => s.latencies).sort((a, b) => a - b);
    const delivered = latencies.length;
    for (const s of subscribers) s.dispose();

    const row = [
      `\`npm run bench:subscriptions -- ${process.argv.slice(2).join(' ')}\``.replace(' -- `', '`'),
      options.subscribers,
      `${(written / writeSeconds).toFixed(1)}/s`,
      events.length,
      delivered,
      `${percentile(latencies, 50)} ms`,
      `${percentile(latencies, 99)} ms`,
      `${kibPerSubscriber.toFixed(1)} KiB`,
      `${((cpu / delivered) * 1e6).toFixed(0)} µs`,
      options.restartAt > 0 ? (restarted ? `killed at ${options.restartAt} s, ${refused} writes retried` : 'restart did not finish') : 'no',
      `${lost} / ${doubled}`,
    ];
    console.log(`Machine: ${machineLine()}; load average ${loadavg().map((l) => l.toFixed(1)).join(', ')}`);
    console.log('| command | subscribers | writes | events | deliveries | p50 | p99 | RSS per idle subscriber | gateway CPU per delivery | mediation restart | lost / doubled |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    console.log(`| ${row.join(' | ')} |`);
    return lost === 0 && doubled === 0 ? 0 : 1;
  } finally {
    await Promise.allSettled(started.map((s) => s.stop('SIGTERM')));
    await databases.stop();
  }
})();
process.exit(exitCode);

async function graphql<T>(url: string, authorization: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function feedAfter(url: string, authorization: string, after: string | null): Promise<Event[]> {
  const events: Event[] = [];
  let cursor = after;
  for (;;) {
    const page = await graphql<FeedPage>(url, authorization, FEED, { after: cursor });
    events.push(...page.caseEvents.edges.map((e) => ({ cursor: e.cursor, node: e.node })));
    cursor = page.caseEvents.pageInfo.endCursor;
    if (!page.caseEvents.pageInfo.hasNextPage) return events;
  }
}

async function feedHead(url: string, authorization: string): Promise<number> {
  const events = await feedAfter(url, authorization, null);
  return Number(events.at(-1)?.node.sequence ?? 0);
}
