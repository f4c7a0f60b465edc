/**
 * Subscriptions under load: many concurrent subscribers across roles, half over GraphQL over SSE (the graphql-sse
 * client) and half over graphql-transport-ws (the graphql-ws client), while cases change at a fixed rate (reports,
 * acceptances and dispatches to housing).
 *
 *   npm run bench:subscriptions -- [--residents 10000] [--subscribers 1000] [--rate 20] [--duration 30]
 *                                  [--restart-at <s>] [--restart-down <s>] [--compare] [--compare-read-ahead]
 *                                  [--baseline <bundle>] [--client-processes <n>] [--cpu-prof <dir>]
 *
 * Boots the embedded PostgreSQL server with the demo district (kept under .data/bench-<N>), every subgraph and the
 * gateway as their own processes (the built bundles: run `npm run build` first). Subscribers are dispatchers (every
 * event), housing officers (the cases sent to housing, by the unit row rule) and grid workers of ten grids (their
 * grid's events only), each with its own token, all from the feed's head at the start. Reports: commit-to-client
 * latency p50/p99 (the event's time, set in its transaction, to its arrival), the gateway's memory per idle subscriber
 * (RSS growth over the subscriptions, divided by their number), the gateway's CPU time per delivered event, and whether
 * every subscriber got exactly the events of the feed as its caller class reads it (none lost, none doubled, none it
 * may not see); a refused subscription is reported and fails the run. `--restart-at` SIGKILLs the mediation subgraph that many seconds in
 * and starts it again `--restart-down` seconds later: writes refused meanwhile are retried with their idempotency key.
 *
 * `--baseline <bundle>` runs a second gateway beside the first from another build of it (a gateway/dist/index.js
 * built at an earlier commit, copied out of the way): the same comparison, one change against the code before it.
 *
 * `--compare` runs a second gateway beside the first, with routed wake-ups off (HUB_SUBSCRIPTION_ROUTES=off: every
 * group reads on every event, as before routes), each with the same subscribers, at the same time under the same
 * writes: one row each and their ratios, so that a loaded machine's noise falls on both alike.
 *
 * Memory per idle subscriber is also measured after a forced garbage collection, by protocol: the gateways run with
 * the inspector on a local port, and the benchmark collects garbage and reads `process.memoryUsage()` through it
 * before subscribing, after the SSE subscribers and after the WebSocket ones (heap + external, which holds the array buffers).
 *
 * `--compare-read-ahead` runs a second gateway of this build with HUB_SUBSCRIPTION_READ_AHEAD=off (a wake-up during a
 * group's read waits for it), the same way.
 *
 * The clients run in `--client-processes` processes of their own (4 by default, `subscription-clients.ts`), so their
 * parsing is not in this process, which follows the mediation subgraph's wake-up stream itself. Latency is measured
 * from each event's time to the millisecond (read from its row: the API's `at` is to the second) to its arrival, and
 * split: event time → wake-up received (the rest of the write's transaction, its commit, the NOTIFY's relay), wake-up →
 * client, and within the gateway (its `hub_gateway_subscription_delivery_seconds` histogram, per group and event)
 * queued, read and written; the client processes report how late their event loops ran.
 *
 * Everything (load generator included) shares the machine: the figures are this machine's, at its load.
 */
import { fork } from 'node:child_process';
import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CALLER_HEADER, DEMO_HUB_SECRET, demoIssuer, department, encodeCursor, FEED_WAKEUP_PATH, freePort, internalKeysForRun, residentKey, signCallerToken, type Caller } from '@hub/core';
import { generateDemoWorld } from '@hub/demo';
import { prepareDatabases } from '@hub/hub';
import { departmentRuntimes } from '@hub/hub/departments';
import { DEFAULT_DEMO_SEED } from '@hub/hub/options';
import { builtEntry, forkService, type ServiceProcess } from '@hub/hub/process';
import pg from 'pg';
import WebSocket from 'ws';
import { machineLine } from './machine.ts';
import type { ClientCommand, ClientReport, ClientSpec } from './subscription-clients.ts';

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
    /** Processes the clients run in (`subscription-clients.ts`), beside the benchmark's own. */
    clientProcesses: number('--client-processes', 4),
    compare: argv.includes('--compare'),
    /** A second gateway of this build with HUB_SUBSCRIPTION_READ_AHEAD=off: what reading ahead changes, under the same load. */
    compareReadAhead: argv.includes('--compare-read-ahead'),
    /** Another build of the gateway (its bundle) to run beside this one, under the same subscribers and writes. */
    baseline: (() => {
      const i = argv.indexOf('--baseline');
      return i < 0 ? null : path.resolve(argv[i + 1] ?? '');
    })(),
    /** A directory to write each gateway's CPU profile to (`--cpu-prof`), read with Chrome's DevTools. */
    cpuProf: (() => {
      const i = argv.indexOf('--cpu-prof');
      return i < 0 ? null : path.resolve(argv[i + 1] ?? '.data/cpu-prof');
    })(),
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
  node: { sequence: string; at: string; action: string; case: { id: string; grid: { code: string } } };
}

const FEED = 'query Feed($after: String) { caseEvents(first: 500, after: $after) { edges { cursor node { sequence at action case { id grid { code } } } } pageInfo { hasNextPage endCursor } } }';
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
    const mediationUrl = urls[departmentRuntimes.indexOf(mediationRuntime)]!.replace(/\/graphql$/, FEED_WAKEUP_PATH);
    const startGateway = async (label: string, env: Record<string, string>, entry = path.join(ROOT, 'gateway/dist/index.js')) => {
      const inspectPort = await freePort();
      const service = forkService(
        `gateway (${label})`,
        entry,
        {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          LOG_LEVEL: 'error',
          GATEWAY_PORT: String(await freePort()),
          HUB_DEMO_ISSUER_DIR: issuerDir,
          HUB_TRUSTED_DOCUMENTS: 'allow',
          HUB_SUBSCRIPTIONS_PER_GATEWAY: String(Math.max(10_000, options.subscribers * 2)),
          AUDIT_DATABASE_URL: databases.urls.audit!,
          ...Object.fromEntries(departmentRuntimes.map((r, i) => [`${department(r.name).envPrefix}_URL`, urls[i]])),
          ...keys,
          ...env,
        },
        {
          execArgv: [
            `--inspect=127.0.0.1:${inspectPort}`,
            ...(options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.join(options.cpuProf, label.replace(/[^a-z0-9]+/gi, '-'))}`] : []),
          ],
        },
      );
      started.push(service);
      const url = await service.ready;
      say(`gateway (${label}) ready at ${url}`);
      return { label, url, pid: service.child.pid!, probe: await inspector(inspectPort) };
    };
    const gateways = [await startGateway('routed wake-ups', {})];
    if (options.compare) gateways.push(await startGateway('every group woken', { HUB_SUBSCRIPTION_ROUTES: 'off' }));
    if (options.compareReadAhead) gateways.push(await startGateway('no read ahead', { HUB_SUBSCRIPTION_READ_AHEAD: 'off' }));
    if (options.baseline) gateways.push(await startGateway('baseline build', {}, options.baseline));
    const issuer = demoIssuer({ HUB_DEMO_ISSUER_DIR: issuerDir });
    const token = (claims: Record<string, unknown>) => issuer.mint({ sub: `bench-${randomUUID()}`, ...claims }, { expiresIn: '8h' });
    const world = generateDemoWorld({ residents: options.residents, seed: DEFAULT_DEMO_SEED });
    const grids = [...world.gridContents()].filter((g) => g.residents.length > 0).slice(0, 10);

    // The feed's head before anyone subscribes: every subscriber starts there, so what each must get is known.
    const admin = `Bearer ${await token({ role: 'administrator' })}`;
    const headSequence = await feedHead(gateways[0]!.url, admin);
    const after = encodeCursor('case-events', String(headSequence));

    interface Subscriber {
      id: number;
      label: string;
      /** The caller class: role and grids, as the subscriber's token names them (its feed is read as this class). */
      kind: string;
      grid: string | null;
      /** The sequences of the events it got, in order, and when each arrived (ms on the machine's clock). */
      received: string[];
      arrivals: number[];
      /** What ended or refused the subscription, if anything did: a refusal is reported as one, never as lost events. */
      refused: string | null;
    }
    interface Served {
      gateway: (typeof gateways)[number];
      subscribers: Subscriber[];
      rssIdleKiB: number;
      /** Heap + external after a forced GC, per SSE and per WebSocket subscriber (KiB). */
      sseKiB: number;
      wsKiB: number;
      cpuStart: number;
      readsStart: number;
      stagesStart: Stages;
    }
    // The clients live in processes of their own (`subscription-clients.ts`): their parsing is not this process's,
    // which times the writes and the wake-ups. Subscriber i is in process i mod N.
    const bySubscriber = new Map<number, Subscriber>();
    const clients = await Promise.all(
      Array.from({ length: Math.max(1, options.clientProcesses) }, async (_, n) => {
        const child = fork(fileURLToPath(new URL('./subscription-clients.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        const acks: ((count: number) => void)[] = [];
        let disposed: ((delay: Extract<ClientReport, { type: 'disposed' }>['loopDelayMs']) => void) | undefined;
        child.on('message', (report: ClientReport) => {
          if (report.type === 'subscribed') acks.shift()?.(report.count);
          else if (report.type === 'disposed') disposed?.(report.loopDelayMs);
          else if (report.type === 'refused') {
            const s = bySubscriber.get(report.id);
            if (s) {
              s.refused = report.reason;
              say(`${s.label}: subscription refused or ended: ${s.refused}`);
            }
          } else if (report.type === 'arrivals') {
            const { batch } = report;
            for (let i = 0; i + 2 < batch.length; i += 3) {
              const s = bySubscriber.get(Number(batch[i]))!;
              s.received.push(String(batch[i + 1]));
              s.arrivals.push(Number(batch[i + 2]));
            }
          }
        });
        child.once('exit', (code, signal) => {
          if (!disposed) say(`client process ${n} exited early (${signal ?? `code ${code}`})`);
        });
        return {
          child,
          subscribe: (command: Extract<ClientCommand, { type: 'subscribe' }>) =>
            new Promise<number>((resolve) => {
              acks.push(resolve);
              child.send(command);
            }),
          /** Ends its clients; answers how late its event loop ran over the run (its clients' own queueing). */
          dispose: () =>
            new Promise<Extract<ClientReport, { type: 'disposed' }>['loopDelayMs']>((resolve) => {
              disposed = resolve;
              child.send({ type: 'dispose' } satisfies ClientCommand);
            }),
        };
      }),
    );
    let nextId = 0;
    const subscribeAll = async (gateway: (typeof gateways)[number], indices: number[]): Promise<Subscriber[]> => {
      const streamUrl = gateway.url.replace(/\/graphql$/, '/graphql/stream');
      const wsUrl = gateway.url.replace(/^http/, 'ws');
      const specs = new Map<number, ClientSpec[]>();
      const subscribers: Subscriber[] = [];
      for (const i of indices) {
        const kind = i % 10 < 4 ? 'grid-worker' : i % 10 < 7 ? 'dispatcher' : 'housing-officer';
        const grid = kind === 'grid-worker' ? grids[i % grids.length]!.grid.code : null;
        const protocol = i % 2 === 0 ? 'sse' : 'ws';
        const s: Subscriber = { id: nextId++, label: `${kind} over ${protocol === 'sse' ? 'SSE' : 'WebSocket'}`, kind, grid, received: [], arrivals: [], refused: null };
        bySubscriber.set(s.id, s);
        subscribers.push(s);
        const authorization = `Bearer ${await token({ role: kind, ...(grid ? { grids: [grid] } : {}) })}`;
        const n = i % clients.length;
        specs.set(n, [...(specs.get(n) ?? []), { id: s.id, protocol, authorization }]);
      }
      await Promise.all([...specs].map(([n, list]) => clients[n]!.subscribe({ type: 'subscribe', streamUrl, wsUrl, query: SUBSCRIPTION, after, subscribers: list })));
      return subscribers;
    };
    const metricsOf = async (url: string) => {
      const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
      let reads = 0;
      let open = 0;
      let subscribing = 0;
      const stages: Stages = new Map();
      for (const line of text.split('\n')) {
        // The gateway's own timing of each event, per group: `le` buckets of each stage (cumulative), and the sum.
        const bucket = /^hub_gateway_subscription_delivery_seconds_bucket\{.*?le="([^"]+)".*?stage="([^"]+)"|^hub_gateway_subscription_delivery_seconds_bucket\{.*?stage="([^"]+)".*?le="([^"]+)"/.exec(line);
        if (bucket) {
          const [le, stage] = bucket[1] ? [bucket[1], bucket[2]!] : [bucket[4]!, bucket[3]!];
          const entry = stages.get(stage) ?? { buckets: new Map(), sum: 0 };
          entry.buckets.set(le, Number(line.split(' ').at(-1)));
          stages.set(stage, entry);
        }
        const sum = /^hub_gateway_subscription_delivery_seconds_sum\{.*?stage="([^"]+)"/.exec(line);
        if (sum) {
          const entry = stages.get(sum[1]!) ?? { buckets: new Map(), sum: 0 };
          entry.sum = Number(line.split(' ').at(-1));
          stages.set(sum[1]!, entry);
        }
        if (line.startsWith('hub_gateway_subscription_reads_total')) reads += Number(line.split(' ').at(-1));
        // Labels as the registry writes them: `what` first, then the service's default label.
        if (line.startsWith('hub_gateway_subscriptions{what="subscriptions"')) open = Number(line.split(' ').at(-1));
        if (line.startsWith('hub_gateway_subscriptions{what="subscribing"')) subscribing = Number(line.split(' ').at(-1));
      }
      return { reads, open, subscribing, stages };
    };
    const waitUntilSubscribed = async (gateway: (typeof gateways)[number], subscribers: Subscriber[]) => {
      // Every subscription admitted (or refused, which the client is told) and none still on its first read: the
      // gateway holds them idle.
      for (;;) {
        const { open, subscribing } = await metricsOf(gateway.url);
        if (open >= subscribers.filter((s) => s.refused === null).length && subscribing === 0) break;
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const served: Served[] = [];
    for (const gateway of gateways) {
      await new Promise((r) => setTimeout(r, 1000));
      const before = await gateway.probe.memory();
      const rssBefore = await rssMiB(gateway.pid);
      say(`subscribing ${options.subscribers} clients to the gateway (${gateway.label}): the SSE half, then the WebSocket half…`);
      const subscribers: Subscriber[] = [];
      const order = Array.from({ length: options.subscribers }, (_, i) => i);
      const sse = order.filter((i) => i % 2 === 0);
      const ws = order.filter((i) => i % 2 === 1);
      subscribers.push(...(await subscribeAll(gateway, sse)));
      await waitUntilSubscribed(gateway, subscribers);
      const afterSse = await gateway.probe.memory();
      subscribers.push(...(await subscribeAll(gateway, ws)));
      await waitUntilSubscribed(gateway, subscribers);
      const afterWs = await gateway.probe.memory();
      const rssIdle = await rssMiB(gateway.pid);
      const rssIdleKiB = ((rssIdle - rssBefore) * 1024) / options.subscribers;
      const sseKiB = (afterSse - before) / 1024 / Math.max(1, sse.length);
      const wsKiB = (afterWs - afterSse) / 1024 / Math.max(1, ws.length);
      say(`idle (${gateway.label}): RSS ${rssBefore.toFixed(0)} → ${rssIdle.toFixed(0)} MiB (${rssIdleKiB.toFixed(1)} KiB per subscriber); after GC ${sseKiB.toFixed(1)} KiB per SSE and ${wsKiB.toFixed(1)} KiB per WebSocket subscriber`);
      served.push({ gateway, subscribers, rssIdleKiB, sseKiB, wsKiB, cpuStart: 0, readsStart: 0, stagesStart: new Map() });
    }

    // The writer: one case change every 1/rate s, as the grid workers and the centre make them: of every four, two
    // reports (round the grids, each as its grid's worker), then the centre accepts a reported case and dispatches an
    // accepted one to housing (a quarter of the changes are dispatches; an acceptance waits for a report, a dispatch
    // for an acceptance, however slow the writes), so that housing officers (who see only the cases sent to their
    // unit) get events too.
    // Refused writes are retried with their idempotency key. Compared gateways take turns, so that each carries half
    // the writes' work.
    const writeUrl = gateways[0]!.url;
    const writeUrlOf = (n: number) => gateways[n % gateways.length]!.url;
    const writers = await Promise.all(grids.map(async (g) => ({ grid: g.grid.code, resident: residentKey(g.residents[0]!.idNumber, DEMO_HUB_SECRET), authorization: `Bearer ${await token({ role: 'grid-worker', grids: [g.grid.code] })}` })));
    const centre = `Bearer ${await token({ role: 'dispatcher' })}`;
    // Cases waiting for the centre's next step; an acceptance or a dispatch waits for its case (so the mix holds
    // however slow the writes are: every acceptance has a report before it, every dispatch an acceptance).
    const cases = () => {
      const ready: string[] = [];
      const waiting: ((id: string) => void)[] = [];
      return {
        put: (id: string) => (waiting.length > 0 ? waiting.shift()!(id) : void ready.push(id)),
        take: () => (ready.length > 0 ? Promise.resolve(ready.shift()!) : new Promise<string>((resolve) => waiting.push(resolve))),
      };
    };
    const toAccept = cases();
    const toDispatch = cases();
    const dueOn = new Date(Date.now() + 8 * 3_600_000 + 7 * 86_400_000).toISOString().slice(0, 10);
    let written = 0;
    let refused = 0;
    const writes = { reports: 0, acceptances: 0, dispatches: 0 };
    const pending = new Set<Promise<void>>();
    /** Each write's round trip through the gateway (the one that committed), ms. */
    const writeTimes: number[] = [];
    const change = async (n: number): Promise<{ authorization: string; query: string; input: Record<string, unknown>; done: (caseId: string) => void }> => {
      if (n % 4 === 2) {
        const caseId = await toAccept.take();
        return { authorization: centre, query: 'mutation A($input: AcceptCaseInput!) { acceptCase(input: $input) { case { id } } }', input: { caseId, expectedVersion: 1 }, done: (id) => (writes.acceptances++, toDispatch.put(id)) };
      }
      if (n % 4 === 3) {
        const caseId = await toDispatch.take();
        return { authorization: centre, query: 'mutation D($input: DispatchCaseInput!) { dispatchCase(input: $input) { case { id } } }', input: { caseId, expectedVersion: 2, department: 'HOUSING', dueOn, note: '压测：请住建部门处理' }, done: () => writes.dispatches++ };
      }
      const w = writers[n % writers.length]!;
      return {
        authorization: w.authorization,
        query: 'mutation R($input: ReportCaseInput!) { reportCase(input: $input) { case { id } } }',
        input: { category: 'NEIGHBOURS', source: 'GRID_WORKER_REPORT', gridCode: w.grid, summary: '压测：楼道堆物', parties: [{ role: 'APPLICANT', residentId: w.resident }] },
        done: (id) => (writes.reports++, toAccept.put(id)),
      };
    };
    const write = async (n: number) => {
      const c = await change(n);
      const input = { idempotencyKey: randomUUID(), ...c.input };
      for (;;) {
        const sentAt = performance.now();
        try {
          const response = await fetch(writeUrlOf(n), { method: 'POST', headers: { 'content-type': 'application/json', authorization: c.authorization }, body: JSON.stringify({ query: c.query, variables: { input } }) });
          const body = (await response.json()) as { data?: Record<string, { case: { id: string } } | null> };
          const changed = Object.values(body.data ?? {})[0];
          if (changed) {
            writeTimes.push(performance.now() - sentAt);
            c.done(changed.case.id);
            break;
          }
        } catch {
          // The gateway answers while mediation is down; a fetch failure is the same: try again with the same key.
        }
        refused++;
        await new Promise((r) => setTimeout(r, 250));
      }
      written++;
    };
    const wakeups = listenWakeups(() => mediationUrl, createPrivateKey(keys.HUB_INTERNAL_PRIVATE_KEY));
    for (const s of served) {
      s.cpuStart = await cpuSeconds(s.gateway.pid);
      s.readsStart = (await metricsOf(s.gateway.url)).reads;
      s.stagesStart = (await metricsOf(s.gateway.url)).stages;
    }
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

    // What each subscriber may see, from the feed itself read as the subscriber's caller class (its role and grids:
    // row scope and the unit rule decide, not the benchmark); wait (bounded) until every one has it.
    const events = await feedAfter(writeUrl, admin, after);
    const classOf = (s: { kind: string; grid: string | null }) => `${s.kind}:${s.grid ?? ''}`;
    const classFeeds = new Map<string, Event[]>();
    for (const g of served) {
      for (const s of g.subscribers) {
        if (classFeeds.has(classOf(s))) continue;
        const authorization = `Bearer ${await token({ role: s.kind, ...(s.grid ? { grids: [s.grid] } : {}) })}`;
        classFeeds.set(classOf(s), await feedAfter(writeUrl, authorization, after));
      }
    }
    // An event of a case that only later came to the caller's unit (its report and acceptance, before the dispatch to
    // housing) is in the feed read afterwards, but a stream whose cursor had passed it cannot have it: a stream
    // delivers what the caller may see when it is read. Such events may come or not; every other one must come once.
    const mayMiss = (feed: Event[]) => {
      const firstSeen = new Map<string, number>();
      for (const e of feed) if (e.node.action === 'DISPATCH' && !firstSeen.has(e.node.case.id)) firstSeen.set(e.node.case.id, Number(e.node.sequence));
      return new Set(feed.filter((e) => Number(e.node.sequence) < (firstSeen.get(e.node.case.id) ?? -Infinity)).map((e) => e.node.sequence));
    };
    const expectations = new Map([...classFeeds].map(([key, feed]) => {
      const optional = key.startsWith('housing-officer:') ? mayMiss(feed) : new Set<string>();
      return [key, { all: new Set(feed.map((e) => e.node.sequence)), required: feed.map((e) => e.node.sequence).filter((q) => !optional.has(q)) }];
    }));
    const expectedFor = (s: Subscriber) => expectations.get(classOf(s))!;
    const complete = (s: Subscriber) => {
      if (s.refused !== null) return true;
      const have = new Set(s.received);
      return expectedFor(s).required.every((q) => have.has(q));
    };
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !served.every((g) => g.subscribers.every(complete))) await new Promise((r) => setTimeout(r, 250));
    console.log(`Machine: ${machineLine()}; load average ${loadavg().map((l) => l.toFixed(1)).join(', ')}`);
    console.log(`Writes: ${writes.reports} reports, ${writes.acceptances} acceptances, ${writes.dispatches} dispatches to housing; events each class may see: ${[...expectations].map(([key, e]) => `${key.replace(/:$/, '')} ${e.all.size} (${e.required.length} required)`).join(', ')}`);
    console.log('| command | gateway | subscribers | writes | events | deliveries | feed reads per event | p50 | p99 | RSS per idle subscriber | after GC: per SSE / per WebSocket subscriber | gateway CPU per delivery | mediation restart | lost / doubled |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    let failed = false;
    const stageLines: string[] = [];
    // The events' times to the millisecond (the API's `at` is to the second): read from the mediation database.
    const eventTimes = new Map<string, number>();
    {
      const db = new pg.Client({ connectionString: databases.urls.mediation });
      await db.connect();
      const { rows } = await db.query<{ sequence: string; ms: number }>('select sequence::text as sequence, extract(epoch from at)::float8 * 1000 as ms from case_events where sequence > $1', [headSequence]);
      for (const row of rows) eventTimes.set(row.sequence, Number(row.ms));
      await db.end();
    }
    wakeups.close();
    const toNotify = [...wakeups.times].flatMap(([sequence, t]) => (eventTimes.has(sequence) ? [t - eventTimes.get(sequence)!] : [])).sort((a, b) => a - b);
    const figures: { p50: number; p99: number; cpu: number; reads: number }[] = [];
    for (const g of served) {
      const cpu = (await cpuSeconds(g.gateway.pid)) - g.cpuStart;
      const reads = (await metricsOf(g.gateway.url)).reads - g.readsStart;
      let lost = 0;
      let doubled = 0;
      let foreign = 0;
      let refusedSubscribers = 0;
      const empty = new Map<string, number>();
      for (const s of g.subscribers) {
        if (s.refused !== null) refusedSubscribers++;
        const got = s.received;
        const have = new Set(got);
        const { all, required } = expectedFor(s);
        doubled += got.length - have.size;
        lost += required.filter((q) => !have.has(q)).length;
        // Anything outside what the caller may see would be a leak: counted, and it fails the run.
        foreign += [...have].filter((q) => !all.has(q)).length;
        if (got.length === 0 && s.refused === null) empty.set(s.label, (empty.get(s.label) ?? 0) + 1);
      }
      failed ||= lost > 0 || doubled > 0 || foreign > 0 || refusedSubscribers > 0;
      if (refusedSubscribers > 0) say(`(${g.gateway.label}) ${refusedSubscribers} subscriptions were refused or ended by the gateway (their errors above)`);
      if (foreign > 0) say(`(${g.gateway.label}) ${foreign} deliveries of events outside what the subscriber may see`);
      if (empty.size > 0) say(`(${g.gateway.label}) subscribers that got no event (their class's feed may be empty): ${[...empty].map(([label, count]) => `${count} ${label}`).join(', ')}`);
      const behind = new Map<string, number>();
      for (const s of g.subscribers) if (!complete(s)) behind.set(s.label, (behind.get(s.label) ?? 0) + 1);
      if (behind.size > 0) say(`(${g.gateway.label}) subscribers still missing events after 60 s: ${[...behind].map(([label, count]) => `${count} ${label}`).join(', ')}`);
      // Per delivery: from the event's time in its transaction (to the millisecond, from its row) to the client, and
      // from the wake-up this process got at its commit to the client.
      const latencies: number[] = [];
      const fromNotify: number[] = [];
      const fromSecond: number[] = [];
      for (const s of g.subscribers) {
        s.received.forEach((sequence, i) => {
          const at = eventTimes.get(sequence);
          const notified = wakeups.times.get(sequence);
          if (at !== undefined) latencies.push(s.arrivals[i]! - at);
          if (at !== undefined) fromSecond.push(s.arrivals[i]! - Math.floor(at / 1000) * 1000);
          if (notified !== undefined) fromNotify.push(s.arrivals[i]! - notified);
        });
      }
      for (const list of [latencies, fromNotify, fromSecond]) list.sort((a, b) => a - b);
      const delivered = g.subscribers.reduce((sum, s) => sum + s.received.length, 0);
      const stagesEnd = (await metricsOf(g.gateway.url)).stages;
      const stage = (name: string) => {
        const [p50, p99, mean, count] = histogramFigures(stagesEnd.get(name), g.stagesStart.get(name));
        return `${name} p50 ≤${p50} ms, p99 ≤${p99} ms (mean ${mean.toFixed(1)} ms, ${count} group-events)`;
      };
      stageLines.push(
        `(${g.gateway.label}) where the time goes: wake-up → client p50 ${ms(percentile(fromNotify, 50))} / p99 ${ms(percentile(fromNotify, 99))}; in the gateway (its histogram, per group and event): ${stage('queued')}; ${stage('read')}; ${stage('written')}; ` +
          `the same deliveries from the API's \`at\` (whole seconds, as this benchmark measured before): p50 ${ms(percentile(fromSecond, 50))} / p99 ${ms(percentile(fromSecond, 99))}`,
      );
      figures.push({ p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpu: cpu / delivered, reads: reads / Math.max(1, events.length) });
      const row = [
        `\`npm run bench:subscriptions -- ${process.argv.slice(2).join(' ')}\``.replace(' -- `', '`'),
        g.gateway.label,
        options.subscribers,
        `${(written / writeSeconds).toFixed(1)}/s`,
        events.length,
        delivered,
        (reads / Math.max(1, events.length)).toFixed(1),
        ms(percentile(latencies, 50)),
        ms(percentile(latencies, 99)),
        `${g.rssIdleKiB.toFixed(1)} KiB`,
        `${g.sseKiB.toFixed(1)} / ${g.wsKiB.toFixed(1)} KiB`,
        `${((cpu / delivered) * 1e6).toFixed(0)} µs`,
        options.restartAt > 0 ? (restarted ? `killed at ${options.restartAt} s, ${refused} writes retried` : 'restart did not finish') : 'no',
        `${lost} / ${doubled}${refusedSubscribers ? ` (${refusedSubscribers} refused)` : ''}`,
      ];
      console.log(`| ${row.join(' | ')} |`);
    }
    // The first gateway (this build, routed) against each one beside it.
    for (let i = 1; i < figures.length; i++) {
      const [on, off] = [figures[0]!, figures[i]!];
      const [a, b] = [served[0]!, served[i]!];
      console.log(
        `${a.gateway.label} / ${b.gateway.label}: feed reads ${(on.reads / off.reads).toFixed(2)}×, p50 ${(on.p50 / off.p50).toFixed(2)}×, p99 ${(on.p99 / off.p99).toFixed(2)}×, CPU per delivery ${(on.cpu / off.cpu).toFixed(2)}×, memory per SSE / WebSocket subscriber ${(a.sseKiB / b.sseKiB).toFixed(2)}× / ${(a.wsKiB / b.wsKiB).toFixed(2)}×`,
      );
    }
    writeTimes.sort((a, b) => a - b);
    console.log(`Writes' round trip through the gateway (request to answer, the change committed): p50 ${ms(percentile(writeTimes, 50))} / p99 ${ms(percentile(writeTimes, 99))}; event time → wake-up received by this process (the rest of the write's transaction, its commit and the NOTIFY's relay): p50 ${ms(percentile(toNotify, 50))} / p99 ${ms(percentile(toNotify, 99))}`);
    for (const line of stageLines) console.log(line);
    const delays = await Promise.all(clients.map((c) => c.dispose()));
    console.log(`Client processes (${clients.length}): event-loop delay p99 ${delays.map((d) => `${d.p99} ms`).join(', ')}; max ${delays.map((d) => `${d.max} ms`).join(', ')}`);
    for (const g of served) g.gateway.probe.close();
    return failed ? 1 : 0;
  } finally {
    await Promise.allSettled(started.map((s) => s.stop('SIGTERM')));
    await databases.stop();
  }
})();
process.exit(exitCode);

/** The gateway's inspector: collects garbage and reads the process's memory (heap + external, which holds the array buffers). */
async function inspector(port: number) {
  let targets: { webSocketDebuggerUrl: string }[] = [];
  for (let i = 0; i < 50 && targets.length === 0; i++) {
    try {
      targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as typeof targets;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const ws = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await once(ws, 'open');
  let id = 0;
  const pending = new Map<number, (message: { result?: { result?: { value?: string } } }) => void>();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: { result?: { value?: string } } };
    if (message.id !== undefined) pending.get(message.id)?.(message);
    if (message.id !== undefined) pending.delete(message.id);
  });
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<{ result?: { result?: { value?: string } } }>((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    async memory(): Promise<number> {
      await send('HeapProfiler.collectGarbage');
      await send('HeapProfiler.collectGarbage');
      const answer = await send('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
      const usage = JSON.parse(answer.result!.result!.value!) as { heapUsed: number; external: number; arrayBuffers: number };
      return usage.heapUsed + usage.external;
    },
    close: () => ws.close(),
  };
}

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

type Stages = Map<string, StageHistogram>;

function ms(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value).toLocaleString('en')} ms` : '–';
}

/**
 * p50 and p99 (the upper bound of the bucket each falls in, ms), mean (ms) and count of one stage of the gateway's
 * histogram between two scrapes.
 */
type StageHistogram = { buckets: Map<string, number>; sum: number };
function histogramFigures(end: StageHistogram | undefined, start: StageHistogram | undefined): [string, string, number, number] {
  if (!end) return ['–', '–', 0, 0];
  const bounds = [...end.buckets.keys()].sort((a, b) => (a === '+Inf' ? 1 : b === '+Inf' ? -1 : Number(a) - Number(b)));
  const counts = bounds.map((le) => end.buckets.get(le)! - (start?.buckets.get(le) ?? 0));
  const count = counts.at(-1) ?? 0;
  const at = (p: number) => {
    const i = counts.findIndex((c) => c >= (p / 100) * count);
    const le = bounds[i] ?? '+Inf';
    return le === '+Inf' ? '∞' : String(Number(le) * 1000);
  };
  return [at(50), at(99), count ? ((end.sum - (start?.sum ?? 0)) / count) * 1000 : 0, count];
}

/**
 * The mediation subgraph's wake-up stream, followed as the gateways follow it: when each committed event's NOTIFY
 * reached a process on this machine (ms on the machine's clock, by sequence). Reconnects after the mediation kill.
 */
function listenWakeups(url: () => string, privateKey: KeyObject) {
  const caller: Caller = { userId: 'bench-wakeups', role: 'gateway', department: null, scopes: [], purpose: null, grids: [], communities: [], ownGridsOnly: true, namesMasked: true };
  const times = new Map<string, number>();
  const abort = new AbortController();
  void (async () => {
    while (!abort.signal.aborted) {
      try {
        const token = await signCallerToken(caller, 'mediation', privateKey, { body: '' });
        const response = await fetch(url(), { headers: { accept: 'text/event-stream', [CALLER_HEADER]: token }, signal: abort.signal });
        if (response.status !== 200 || !response.body) throw new Error(`wake-up stream answered HTTP ${response.status}`);
        const decoder = new TextDecoder();
        let buffer = '';
        for await (const chunk of response.body) {
          const t = performance.timeOrigin + performance.now();
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (!frame.startsWith('event: wake')) continue;
            const data = /^data:(.*)$/m.exec(frame)?.[1];
            if (!data) continue;
            const sequence = String((JSON.parse(data) as { sequence: number }).sequence);
            if (!times.has(sequence)) times.set(sequence, t);
          }
        }
      } catch {
        // The mediation subgraph is away (killed): follow it again when it is back.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return { times, close: () => abort.abort() };
}
