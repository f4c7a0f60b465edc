import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { verifyAuditChain } from '@hub/audit-trail/verify';
import { DEMO_HUB_SECRET, departments, generateSigningKeyPair, TokenIssuer } from '@hub/core';
import { cloneDatabase } from '@hub/core/testing';
import type { ServiceProcess } from '@hub/hub/process';
import { forkGateway, forkSubgraph, TEST_AUDIENCE, TEST_ISSUER } from '@hub/hub/testing';
import { print } from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  AcceptCaseDocument,
  AcknowledgeCaseDocument,
  AddCaseRecordDocument,
  CaseEventFeedDocument,
  CaseTimelineDocument,
  DispatchCaseDocument,
  ReportCaseDocument,
  ResidentProfileDocument,
  type CaseChangeFieldsFragment,
  type CaseEventFeedQuery,
  type CaseTimelineQuery,
  type ResidentProfileQuery,
} from '../clients/__generated__/operations.ts';
import { stablePort, startBalancer, type Balancer } from './balancer.ts';
import { sampleValue } from './prometheus.ts';
import { grids, idOf, residentById, residents } from './world.ts';

/*
 * Replicas share nothing but PostgreSQL. Two gateways and two replicas of every subgraph, each its own process, a
 * round-robin balancer (test/balancer.ts, a Kubernetes Service in small) in front of each pair, one database per
 * department. Clients drive a mixed load through the gateways' balancer (cross-department reads, case workflows
 * with idempotency keys, a feed follower, a dataset export, an import); mid-run one replica of every subgraph and one
 * gateway are SIGKILLed, then started again. Afterwards: no acknowledged write lost or doubled, the case feed in
 * commit order, the audit chain intact, every read answered whole in the end, the export whole or clearly failed, the
 * import done once; and the errors clients saw during the kill, by kind, printed.
 */

const NAMES = departments.map((d) => d.name);
const REPLICAS = 2;
/** Hard bounds of the load: it stops at this age whatever its conditions say. */
const LOAD_MAX_MS = 60_000;
const WRITERS = 4;
const CASES_PER_WRITER = 40;
const READERS = 4;
const READS_PER_READER = 2_000;
const IMPORT_ROWS = 30;
/** Fourteen Node processes booting at once on a shared two-core machine take their time; a wait, not a pause. */
const READY_TIMEOUT_MS = 150_000;
const IMPORT_CLI = fileURLToPath(new URL('../apps/commands/src/import.ts', import.meta.url));

interface Replica {
  port: number;
  process: ServiceProcess;
}

let issuer: TokenIssuer;
const internalKeys = generateSigningKeyPair();
let folder: string;
let jwksFile: string;
const databases: Record<string, { url: string; drop(): Promise<void> }> = {};
const replicas: Record<string, Replica[]> = {};
const balancers: Record<string, Balancer> = {};
let gateways: Replica[] = [];
let front: Balancer;

const startSubgraph = (name: string, port: number) => forkSubgraph({ name, databaseUrl: databases[name]!.url, port, callerKey: internalKeys.publicKey, logLevel: process.env.REPLICAS_LOG_LEVEL ?? 'error', readyTimeoutMs: READY_TIMEOUT_MS });
const startGateway = (index: number, port: number) =>
  forkGateway({
    name: `gateway-${index}`,
    port,
    subgraphUrls: Object.fromEntries(NAMES.map((name) => [name, balancers[name]!.url()])),
    internalKey: internalKeys.privateKey,
    identity: { jwksFile, issuer: issuer.issuer, audience: issuer.audience },
    auditUrl: databases.audit!.url,
    logLevel: process.env.REPLICAS_LOG_LEVEL ?? 'error',
    readyTimeoutMs: READY_TIMEOUT_MS,
  });

beforeAll(async () => {
  const templates = inject('hubTemplates');
  folder = mkdtempSync(join(tmpdir(), 'hub-replicas-'));
  issuer = TokenIssuer.generate(TEST_ISSUER, TEST_AUDIENCE);
  jwksFile = join(folder, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify(issuer.jwks));
  await Promise.all(NAMES.map(async (name) => (databases[name] = await cloneDatabase(templates[name]!))));
  // Every port is fixed before anything starts: a balancer is told its backends once, a restart comes back on them.
  const taken = new Set<number>();
  const port = async () => {
    const chosen = await stablePort(taken);
    taken.add(chosen);
    return chosen;
  };
  for (const name of NAMES) {
    const ports = [await port(), await port()];
    balancers[name] = await startBalancer(ports.map((port) => ({ host: '127.0.0.1', port })));
    replicas[name] = ports.map((port) => ({ port, process: startSubgraph(name, port) }));
  }
  const gatewayPorts = [await port(), await port()];
  front = await startBalancer(gatewayPorts.map((port) => ({ host: '127.0.0.1', port })));
  gateways = gatewayPorts.map((port, i) => ({ port, process: startGateway(i, port) }));
  await Promise.all([...Object.values(replicas).flat(), ...gateways].map((r) => r.process.ready));
}, 200_000);

afterAll(async () => {
  await Promise.allSettled([...Object.values(replicas).flat(), ...gateways].map((r) => r.process.stop('SIGKILL')));
  await Promise.allSettled([front, ...Object.values(balancers)].filter(Boolean).map((b) => b.close()));
  await Promise.allSettled(Object.values(databases).map((d) => d.drop()));
  if (folder) rmSync(folder, { recursive: true, force: true });
});

// --- what the clients saw ---

type Op = 'read' | 'mutation' | 'feed' | 'export' | 'import' | 'check';
/** One answer a client did not want: when, for which kind of operation, and what it was. */
interface ClientError {
  at: number;
  op: Op;
  kind: string;
}
const clientErrors: ClientError[] = [];
const seen = (op: Op, kind: string) => clientErrors.push({ at: Date.now(), op, kind });

interface Answer<TData> {
  ok: boolean;
  data?: TData | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  /** What went wrong, for the figure: `connection`, `timeout`, `http-<status>`, `graphql:<code>[/<service>/<reason>]`. */
  kind?: string;
}

/** One POST to the gateways' balancer; never throws. */
async function post<TData, TVariables>(document: TypedDocumentNode<TData, TVariables> | string, variables: TVariables, headers: Record<string, string>): Promise<Answer<TData>> {
  let response: Response;
  try {
    response = await fetch(front.url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables }),
      signal: AbortSignal.timeout(20_000),
    });
  } catch (error) {
    return { ok: false, kind: error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'connection' };
  }
  let body: { data?: TData | null; errors?: Answer<TData>['errors'] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    return { ok: false, kind: `http-${response.status}-unreadable` };
  }
  if (body.errors?.length) {
    const e = body.errors[0]!.extensions ?? {};
    const detail = [e.code ?? 'NO_CODE', e.service, e.reason].filter(Boolean).join('/');
    return { ok: false, data: body.data, errors: body.errors, kind: `graphql:${detail}` };
  }
  if (response.status !== 200) return { ok: false, kind: `http-${response.status}` };
  return { ok: true, data: body.data };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds, checking every 50 ms, for at most `timeoutMs`; says whether it came to hold. */
async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) return false;
    await sleep(50);
  }
  return true;
}

// --- the people ---

const home = grids.find((g) => g.mediation.committees.some((c) => c.type === 'COMMUNITY') && g.residents.length >= 3)!;
const GRID = home.grid.code;
const APPLICANT = idOf(home.residents[0]!.idNumber);
const inDays = (days: number) => new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
const bearer = async (claims: Record<string, unknown>) => `Bearer ${await issuer.mint(claims, { expiresIn: '1h' })}`;

/** One mutation a client made, as it was finally answered. */
interface Acknowledged {
  writer: number;
  key: string;
  userId: string;
  caseId: string;
  sequence: number;
  caseVersion: number;
  action: string;
  replayed: boolean;
  attempts: number;
  at: number;
}

/** Codes a careful client sends again with the same key: the write may or may not have happened. */
const RETRYABLE = /^(connection|timeout|http-5\d\d|graphql:(SUBGRAPH_UNAVAILABLE|INTERNAL_SERVER_ERROR|REQUEST_TIMEOUT|AUDIT_UNAVAILABLE))/;

describe('two gateways and two replicas of every subgraph over one database per department', () => {
  it('lose and double nothing when one replica of every service is killed under mixed load, and say what clients saw', async () => {
    const started = Date.now();
    const admin = { authorization: await bearer({ sub: 'replica-admin', role: 'administrator' }) };
    const auditor = { authorization: await bearer({ sub: 'replica-auditor', role: 'auditor' }), 'x-hub-purpose': 'audit' };
    const analyst = { authorization: await bearer({ sub: 'replica-analyst', role: 'district-analyst' }), 'x-hub-purpose': 'statistics' };
    const dispatcher = { authorization: await bearer({ sub: 'replica-feed', role: 'dispatcher' }) };
    // Everything answers through the balancers before the load starts.
    const warm = await post(ResidentProfileDocument, { id: APPLICANT }, admin);
    expect(warm.ok, JSON.stringify(warm.errors)).toBe(true);

    const acknowledged: Acknowledged[] = [];
    const unexpected: string[] = [];
    let stopping = false;
    const loadDeadline = Date.now() + LOAD_MAX_MS;
    const running = () => !stopping && Date.now() < loadDeadline;
    let killedAt = 0;
    let killIssued!: () => void;
    const killed = new Promise<void>((resolve) => (killIssued = resolve));
    let restartedAt = 0;

    /** A careful client's mutation: sent again with the same key until it is acknowledged (bounded). */
    async function mutate(writer: number, userId: string, headers: Record<string, string>, document: TypedDocumentNode<any, any>, input: Record<string, unknown>): Promise<Acknowledged | null> {
      const key = randomUUID();
      const end = Date.now() + 40_000;
      for (let attempt = 1; attempt <= 200 && Date.now() < end; attempt++) {
        const answer = await post(document, { input: { idempotencyKey: key, ...input } }, headers);
        const change = answer.data ? (Object.values(answer.data as Record<string, CaseChangeFieldsFragment | null>)[0] ?? null) : null;
        if (answer.ok && change) {
          const done: Acknowledged = {
            writer,
            key,
            userId,
            caseId: change.case.id,
            sequence: Number(change.event.sequence),
            caseVersion: change.event.caseVersion,
            action: change.event.action,
            replayed: change.replayed,
            attempts: attempt,
            at: Date.now(),
          };
          acknowledged.push(done);
          return done;
        }
        const kind = answer.kind ?? 'no-change';
        seen('mutation', kind);
        if (!RETRYABLE.test(kind)) {
          unexpected.push(`writer ${writer}: ${kind} ${JSON.stringify(answer.errors ?? null).slice(0, 300)}`);
          return null;
        }
        await sleep(Math.min(500, 25 * attempt));
      }
      unexpected.push(`writer ${writer}: a mutation was never acknowledged`);
      return null;
    }

    /** A writer: cases reported by the centre, accepted, dispatched to housing, acknowledged and visited by housing. */
    async function writer(w: number) {
      const userId = `replica-writer-${w}`;
      const centre = { authorization: await bearer({ sub: userId, role: 'dispatcher' }) };
      const housing = { authorization: await bearer({ sub: userId, role: 'housing-officer', department: 'housing' }) };
      for (let n = 0; n < CASES_PER_WRITER && running(); n++) {
        const reported = await mutate(w, userId, centre, ReportCaseDocument, {
          category: 'NEIGHBOURS',
          source: 'PARTY_APPLICATION',
          gridCode: GRID,
          summary: `副本测试 ${w}-${n}`,
          parties: [{ role: 'APPLICANT', residentId: APPLICANT }],
        });
        if (!reported) return;
        const caseId = reported.caseId;
        let version = reported.caseVersion;
        const steps: [Record<string, string>, TypedDocumentNode<any, any>, Record<string, unknown>][] = [
          [centre, AcceptCaseDocument, {}],
          [centre, DispatchCaseDocument, { department: 'HOUSING', dueOn: inDays(7), note: '请住建部门处理' }],
          [housing, AcknowledgeCaseDocument, { note: '已报到' }],
          [housing, AddCaseRecordDocument, { kind: 'VISIT', heldOn: inDays(0), content: '现场查看' }],
        ];
        // A case once begun is carried to its last step, so the check below knows every case's whole story.
        for (const [headers, document, extra] of steps) {
          const change = await mutate(w, userId, headers, document, { caseId, expectedVersion: version, ...extra });
          if (!change) return;
          version = change.caseVersion;
        }
      }
    }

    /** A reader: residents' profiles across five departments, now and then the audit trail; a failed read is asked again. */
    const reads = { whole: 0, retriedToWhole: 0, neverWhole: 0 };
    async function reader(r: number) {
      for (let n = 0; n < READS_PER_READER && running(); n++) {
        const auditRead = n % 5 === 4;
        const id = idOf(residents[(r * 977 + n * 31) % residents.length]!.idNumber);
        const first = Date.now();
        let whole = false;
        for (let attempt = 1; attempt <= 50 && Date.now() - first < 15_000; attempt++) {
          const answer = auditRead
            ? await post<{ auditRecords: { edges: { node: { seq: string } }[] } }, Record<string, never>>('{ auditRecords(first: 3) { edges { node { seq } } } }', {}, auditor)
            : await post<ResidentProfileQuery, { id: string }>(ResidentProfileDocument, { id }, admin);
          if (answer.ok) {
            const resident = auditRead ? null : (answer.data as ResidentProfileQuery).resident;
            if (resident && (resident.id !== id || resident.grid?.code !== residentById.get(id)!.gridCode)) unexpected.push(`reader ${r}: a wrong resident ${JSON.stringify(resident).slice(0, 200)}`);
            whole = true;
            if (attempt === 1) reads.whole++;
            else reads.retriedToWhole++;
            break;
          }
          seen('read', answer.kind ?? 'unknown');
          await sleep(Math.min(500, 50 * attempt));
        }
        if (!whole) reads.neverWhole++;
      }
    }

    /** Follows the case feed from the start as an app would, keeping its cursor, for as long as the load runs. */
    const followed: { sequence: number; caseId: string; caseVersion: number }[] = [];
    async function follow(untilDone: () => boolean) {
      let after: string | null = null;
      let finalPass = false;
      for (let polls = 0; polls < 5_000; polls++) {
        const page: Answer<CaseEventFeedQuery> = await post<CaseEventFeedQuery, { first: number; after: string | null }>(CaseEventFeedDocument, { first: 500, after }, dispatcher);
        if (!page.ok) {
          seen('feed', page.kind ?? 'unknown');
          await sleep(100);
          continue;
        }
        const events: NonNullable<CaseEventFeedQuery['caseEvents']> = page.data!.caseEvents!;
        followed.push(...events.edges.map((e) => ({ sequence: Number(e.node.sequence), caseId: e.node.case.id, caseVersion: e.node.caseVersion })));
        after = events.pageInfo.endCursor ?? after;
        if (!events.pageInfo.hasNextPage) {
          if (finalPass) return;
          // Writes settled before this read began? Then one more read to the end and the follower is done.
          if (untilDone()) finalPass = true;
          else await sleep(100);
        }
      }
    }

    /** One export through the gateways' balancer; after its first bytes it waits for the kill, then reads to its end. */
    interface ExportResult {
      outcome: 'whole' | 'failed';
      status?: number;
      rows?: number;
      trailer?: string;
      bytes: number;
      bytesBeforeKill: number;
      gateway?: number;
      error?: string;
    }
    const exportProgress = { bytes: 0, done: false };
    function exportDataset(waitFor: Promise<void>): Promise<ExportResult> {
      return new Promise((resolve) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        let bytesBeforeKill = -1;
        let gateway: number | undefined;
        let settled = false;
        const finish = (result: Omit<ExportResult, 'bytes' | 'bytesBeforeKill' | 'gateway'>) => {
          if (settled) return;
          settled = true;
          exportProgress.done = true;
          resolve({ ...result, bytes, bytesBeforeKill: bytesBeforeKill < 0 ? bytes : bytesBeforeKill, gateway });
        };
        const request = http.get(front.url('/datasets/party-members-by-grid.csv'), { headers: analyst, agent: false }, (response) => {
          const localPort = response.socket.localPort;
          if (localPort !== undefined) gateway = front.connectionOf(localPort)?.backend;
          let paused = false;
          response.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            bytes += chunk.length;
            exportProgress.bytes = bytes;
            // The kill waits for the export's first bytes; the reader waits for the kill, so the export is in flight.
            if (!paused && bytesBeforeKill < 0) {
              paused = true;
              response.pause();
              void waitFor.then(() => {
                bytesBeforeKill = bytes;
                response.resume();
              });
            }
          });
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const lines = text.split('\r\n').filter((l) => l.length > 0);
            finish({ outcome: 'whole', status: response.statusCode, rows: lines.length - 1, trailer: response.trailers['x-hub-rows'] });
          });
          response.on('error', (error) => finish({ outcome: 'failed', status: response.statusCode, error: error.message }));
          response.on('close', () => finish({ outcome: 'failed', status: response.statusCode, error: 'closed before its end' }));
        });
        request.on('error', (error) => finish({ outcome: 'failed', error: error.message }));
        request.setTimeout(60_000, () => request.destroy(new Error('export timed out')));
      });
    }

    /** The import command as an operator runs it, its references checked through the graph (the gateways' balancer). */
    const importFolder = join(folder, 'import');
    const importFile = join(importFolder, 'cases.csv');
    const legacyNumbers = Array.from({ length: IMPORT_ROWS }, (_, i) => `（2024）副本调字第${String(i + 1).padStart(3, '0')}号`);
    {
      const header = ['案件编号', '受理日期', '纠纷类别', '来源', '网格编码', '案件状态', '简要情况', '当事人'];
      // Parties named by citizen ID number, as the legacy ledger names them (people without one are keyed by document).
      const citizens = home.residents.filter((r) => r.document === null);
      const rows = legacyNumbers.map((number, i) => [number, `2024-05-${String((i % 28) + 1).padStart(2, '0')}`, '邻里纠纷', '当事人申请', GRID, '已登记', `历史案件 ${i}`, `申请人：${citizens[i % citizens.length]!.idNumber}`]);
      rmSync(importFolder, { recursive: true, force: true });
      mkdirSync(importFolder, { recursive: true });
      writeFileSync(importFile, `\uFEFF${[header, ...rows].map((r) => r.join(',')).join('\r\n')}\r\n`);
    }
    const importToken = (await bearer({ sub: 'replica-importer', role: 'administrator' })).slice('Bearer '.length);
    function runImport(): Promise<{ code: number | null; out: string }> {
      return new Promise((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', IMPORT_CLI, 'mediation', 'cases', importFile, '--no-progress', '--batch-size', '5', '--gateway', front.url()], {
          env: { ...process.env, MEDIATION_DATABASE_URL: databases.mediation!.url, HUB_SECRET: DEMO_HUB_SECRET, HUB_IMPORT_TOKEN: importToken, HUB_IMPORT_USER: 'replica-importer', INIT_CWD: importFolder },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.once('exit', (code) => {
          clearTimeout(timer);
          resolve({ code, out });
        });
      });
    }

    // --- the run ---
    const load = Promise.all([...Array.from({ length: WRITERS }, (_, w) => writer(w)), ...Array.from({ length: READERS }, (_, r) => reader(r))]);
    let loadDone = false;
    void load.finally(() => (loadDone = true));
    // The follower stops only once every write has been answered: its last read then reaches the feed's end.
    let writesSettled = false;
    const follower = follow(() => writesSettled);
    let exported!: Promise<ExportResult>;
    const ackedAfter = (t: number) => acknowledged.filter((a) => a.at > t).length;

    // Some work done by everyone first.
    expect(await until(() => acknowledged.length >= 20 && reads.whole >= 20, 60_000), 'load under way').toBe(true);
    // The export starts; the kill comes once its first rows are out, while the gateway still reads the later grids.
    exported = exportDataset(killed);
    expect(await until(() => exportProgress.bytes > 0 || exportProgress.done, 60_000), 'the export under way').toBe(true);

    // One replica of every subgraph and one gateway die, with no chance to clean up.
    // First one replica of every subgraph, under both gateways: their reads are retried on the survivors.
    const victims = [...NAMES.map((name) => replicas[name]![0]!), gateways[0]!];
    killedAt = Date.now();
    for (const name of NAMES) replicas[name]![0]!.process.child.kill('SIGKILL');
    killIssued();
    const imported = (async () => {
      const first = await runImport();
      if (first.code === 0) return { runs: [first] };
      seen('import', `exit-${first.code}`);
      // A careful operator runs the same file again once the hub is whole (the README's advice for exit 1).
      await until(() => restartedAt > 0, 60_000);
      return { runs: [first, await runImport()] };
    })();
    // Then, a few writes later, one gateway (what it saw of the subgraphs' deaths read from it first).
    await until(() => ackedAfter(killedAt) >= 5, 20_000);
    const killedGatewayMetrics = await fetch(`http://127.0.0.1:${gateways[0]!.port}/metrics`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.text(), () => '');
    const gatewayKilledAt = Date.now();
    gateways[0]!.process.child.kill('SIGKILL');
    await Promise.all(victims.map((v) => v.process.exited()));

    // The survivors carry the load alone for a while...
    const survived = await until(() => ackedAfter(killedAt) >= 15 && reads.whole + reads.retriedToWhole >= 40, 30_000);
    expect(survived, 'writes and reads go on through the survivors').toBe(true);
    const survivorsAlone = { mutations: ackedAfter(killedAt), ms: Date.now() - killedAt };

    // ...then the dead come back on their ports, as a Deployment replaces a pod.
    for (const name of NAMES) replicas[name]![0] = { port: replicas[name]![0]!.port, process: startSubgraph(name, replicas[name]![0]!.port) };
    gateways[0] = { port: gateways[0]!.port, process: startGateway(0, gateways[0]!.port) };
    await Promise.all([...NAMES.map((name) => replicas[name]![0]!.process.ready), gateways[0]!.process.ready]);
    restartedAt = Date.now();
    const exportResult = await exported;
    const importResult = await imported;
    await until(() => ackedAfter(restartedAt) >= 15 || loadDone, 20_000);
    stopping = true;
    await load;
    writesSettled = true;
    await follower;
    const endedAt = Date.now();

    // --- the figure: what clients saw ---
    const byKind = new Map<string, number>();
    for (const e of clientErrors) byKind.set(`${e.op} ${e.kind}`, (byKind.get(`${e.op} ${e.kind}`) ?? 0) + 1);
    const afterKill = clientErrors.filter((e) => e.at >= killedAt);
    const replays = acknowledged.filter((a) => a.replayed);
    const retriedWrites = acknowledged.filter((a) => a.attempts > 1);
    const survivorMetrics = await (await fetch(`http://127.0.0.1:${gateways[1]!.port}/metrics`)).text();
    const figure = {
      runSeconds: +((endedAt - started) / 1000).toFixed(1),
      killAtSecond: +((killedAt - started) / 1000).toFixed(1),
      restartedAfterSeconds: +((restartedAt - killedAt) / 1000).toFixed(1),
      survivorsAlone,
      mutations: { acknowledged: acknowledged.length, retried: retriedWrites.length, acknowledgedAsReplay: replays.length, maxAttempts: Math.max(0, ...acknowledged.map((a) => a.attempts)) },
      reads: { ...reads },
      clientErrors: { total: clientErrors.length, beforeKill: clientErrors.length - afterKill.length, lastErrorSecondsAfterKill: afterKill.length ? +((Math.max(...afterKill.map((e) => e.at)) - killedAt) / 1000).toFixed(2) : null, byKind: Object.fromEntries([...byKind].sort((a, b) => b[1] - a[1])) },
      export: exportResult,
      import: importResult.runs.map((r) => ({ code: r.code, summary: r.out.split('\n').find((l) => l.includes('inserted')) ?? r.out.slice(-300) })),
      balancers: Object.fromEntries([...NAMES.map((n) => [n, balancers[n]!.counters()] as const), ['gateways', front.counters()] as const]),
      gatewayKilledAfterSeconds: +((gatewayKilledAt - killedAt) / 1000).toFixed(2),
      gatewaysSaw: { killedOne: gatewayFigures(killedGatewayMetrics), survivor: gatewayFigures(survivorMetrics) },
    };
    console.log(`replicas: what clients saw\n${JSON.stringify(figure, null, 2)}`);

    // --- the checks ---
    expect(unexpected).toEqual([]);
    expect(reads.neverWhole, 'every read answered whole in the end').toBe(0);
    expect(clientErrors.length - afterKill.length, 'no client error before the kill').toBe(0);

    // Every acknowledged change is there exactly once, as the client was told.
    const cases = new Map<string, Acknowledged[]>();
    for (const a of acknowledged) cases.set(a.caseId, [...(cases.get(a.caseId) ?? []), a]);
    expect(new Set(acknowledged.map((a) => a.sequence)).size).toBe(acknowledged.length);
    for (const [caseId, changes] of cases) {
      const timeline = await checked(() => post<CaseTimelineQuery, { id: string }>(CaseTimelineDocument, { id: caseId }, admin));
      const events = timeline.case!.timeline;
      expect(events.map((e) => [Number(e.sequence), e.caseVersion, e.action]), caseId).toEqual(changes.map((c) => [c.sequence, c.caseVersion, c.action]));
      expect(timeline.case!.version).toBe(changes.at(-1)!.caseVersion);
    }
    const mediation = new pg.Client({ connectionString: databases.mediation!.url });
    await mediation.connect();
    try {
      // No case from a report written twice: one case per summary the writers sent.
      const { rows: reported } = await mediation.query<{ summary: string; n: string }>("select summary, count(*) n from cases where summary like '副本测试 %' group by summary");
      expect(reported.filter((r) => Number(r.n) !== 1)).toEqual([]);
      expect(reported.length).toBe(acknowledged.filter((a) => a.action === 'REPORT').length);
      // Each key once, pointing at the event its client was told; no event of these cases without its key.
      const { rows: keys } = await mediation.query<{ caller_user_id: string; key: string; event_sequence: string }>(
        "select caller_user_id, key, event_sequence from case_idempotency_keys where caller_user_id like 'replica-writer-%'",
      );
      expect(new Map(keys.map((k) => [`${k.caller_user_id}|${k.key}`, Number(k.event_sequence)]))).toEqual(new Map(acknowledged.map((a) => [`${a.userId}|${a.key}`, a.sequence])));
      const { rows: [events] } = await mediation.query<{ n: string }>('select count(*) n from case_events where case_id = any($1)', [[...cases.keys()]]);
      expect(Number(events!.n)).toBe(acknowledged.length);
      // No case half written: each row agrees with its events.
      const { rows: inconsistent } = await mediation.query(`
        select c.id from cases c left join lateral (select count(*) n, max(case_version) v from case_events e where e.case_id = c.id) e on true
         where e.n <> c.version or e.v <> c.version`);
      expect(inconsistent).toEqual([]);

      // The import: done (at once, or by the operator's second run), each legacy case once with its one event.
      expect(importResult.runs.at(-1)!.code, importResult.runs.at(-1)!.out).toBe(0);
      const { rows: imported } = await mediation.query<{ legacy_number: string; events: string }>(
        'select i.legacy_number, (select count(*) from case_events e where e.case_id = i.case_id) events from imported_cases i where i.legacy_number = any($1)',
        [legacyNumbers],
      );
      expect(imported.map((r) => r.legacy_number).sort()).toEqual([...legacyNumbers].sort());
      expect(imported.filter((r) => Number(r.events) !== 1)).toEqual([]);
      const { rows: runs } = await mediation.query<{ completed: boolean; inserted: string; unchanged: string }>(
        "select completed, inserted, unchanged from import_runs where imported_by = 'replica-importer' order by id",
      );
      // The run that succeeded is recorded as completed, last; a failed one only if it had committed a batch, as not
      // completed; between them every row was inserted once, and the last run found the earlier rows unchanged.
      expect(runs.at(-1)).toMatchObject({ completed: true });
      expect(runs.slice(0, -1).every((r) => !r.completed)).toBe(true);
      expect(runs.length).toBeLessThanOrEqual(importResult.runs.length);
      expect(runs.reduce((n, r) => n + Number(r.inserted), 0)).toBe(IMPORT_ROWS);
      expect(Number(runs.at(-1)!.inserted) + Number(runs.at(-1)!.unchanged)).toBe(IMPORT_ROWS);
    } finally {
      await mediation.end();
    }

    // The feed: sequence strictly increasing, each case's versions consecutive from 1, and the follower, which read it
    // while writers in two replicas (and the import) appended, saw exactly the whole feed: nothing committed behind
    // its cursor, so feed order is commit order.
    const feed: { sequence: number; caseId: string; caseVersion: number }[] = [];
    let after: string | null = null;
    for (let page = 0; page < 1_000; page++) {
      const answer = await checked(() => post<CaseEventFeedQuery, { first: number; after: string | null }>(CaseEventFeedDocument, { first: 500, after }, dispatcher));
      feed.push(...answer.caseEvents!.edges.map((e) => ({ sequence: Number(e.node.sequence), caseId: e.node.case.id, caseVersion: e.node.caseVersion })));
      if (!answer.caseEvents!.pageInfo.hasNextPage) break;
      after = answer.caseEvents!.pageInfo.endCursor ?? null;
    }
    for (let i = 1; i < feed.length; i++) expect(feed[i]!.sequence).toBeGreaterThan(feed[i - 1]!.sequence);
    const lastVersion = new Map<string, number>();
    const gaps: string[] = [];
    for (const e of feed) {
      if (e.caseVersion !== (lastVersion.get(e.caseId) ?? 0) + 1) gaps.push(`${e.caseId} v${e.caseVersion} after v${lastVersion.get(e.caseId) ?? 0}`);
      lastVersion.set(e.caseId, e.caseVersion);
    }
    expect(gaps).toEqual([]);
    expect(followed.map((e) => e.sequence)).toEqual(feed.map((e) => e.sequence));
    for (const a of acknowledged) expect(lastVersion.get(a.caseId)).toBeGreaterThanOrEqual(a.caseVersion);

    // The export: whole (rows = trailer = the graph's count) or failed clearly (no end, no trailer); a failed one is
    // fetched again now and must be whole.
    const counted = await checked(() => post<{ district: { partyMemberCounts: { total: number } } }, Record<string, never>>('{ district { partyMemberCounts { total } } }', {}, analyst));
    const graphCount = counted.district.partyMemberCounts.total;
    expect(graphCount).toBe(grids.flatMap((g) => g.party.members).length);
    const wholeExport = (result: ExportResult) => {
      expect(result.status).toBe(200);
      expect(result.trailer, 'a finished export carries its row count').toBeDefined();
      expect(result.rows).toBe(Number(result.trailer));
      expect(result.rows).toBe(graphCount);
    };
    if (exportResult.outcome === 'whole') wholeExport(exportResult);
    else {
      seen('export', exportResult.error ?? 'failed');
      expect(exportResult.trailer).toBeUndefined();
      wholeExport(await exportDataset(Promise.resolve()));
    }

    // The audit trail two gateways appended to (one of them killed mid-write) is one unbroken chain.
    const verdict = await verifyAuditChain(databases.audit!.url);
    expect(verdict).toMatchObject({ ok: true });
    expect(verdict.records).toBeGreaterThan(acknowledged.length);
  }, 170_000);
});

/** What a gateway's metrics say of the subgraphs: retried attempts, fetches that found one unreachable, breaker openings. */
function gatewayFigures(metrics: string) {
  const of = (name: string, labels: Record<string, string>) => sampleValue(metrics, name, labels) ?? 0;
  const sum = (f: (n: string) => number) => Object.fromEntries(NAMES.map((n) => [n, f(n)]).filter(([, v]) => v !== 0));
  return {
    scraped: metrics.length > 0,
    retries: sum((n) => of('hub_gateway_subgraph_retries_total', { subgraph: n })),
    unreachableFetches: sum((n) => of('hub_gateway_subgraph_fetches_total', { subgraph: n, outcome: 'unreachable' })),
    breakerOpened: sum((n) => of('hub_gateway_breaker_transitions_total', { subgraph: n, state: 'open' })),
  };
}

/** Asked through the balancer until answered whole (bounded): for the checks after the run. */
async function checked<TData>(ask: () => Promise<Answer<TData>>): Promise<TData> {
  let last: Answer<TData> | undefined;
  for (let attempt = 0; attempt < 20; attempt++) {
    last = await ask();
    if (last.ok) return last.data!;
    seen('check', last.kind ?? 'unknown');
    await sleep(200);
  }
  throw new Error(`no whole answer: ${last?.kind} ${JSON.stringify(last?.errors)}`);
}
