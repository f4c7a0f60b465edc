import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEMO_HUB_SECRET, residentKey, type Caller, type ReadyMessage } from '@hub/core';
import { callerHeaders, cloneDatabase, postGraphQL, testCaller, testCallerKeyFor } from '@hub/core/testing';
import { generateDemoWorld } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mediationDatabase, type MediationDatabase } from '../src/db/index.ts';
import { caseEvents, cases } from '../src/db/schema.ts';
import { SUBGRAPH_NAME } from '../src/server.ts';
import { inconsistentCases } from './invariants.ts';

/**
 * The mediation subgraph as its own process, killed (SIGKILL, no chance to clean up) in the middle of a burst of
 * writes: every write it acknowledged must be there after a restart, no case may be half written, and retrying the
 * unanswered writes with their keys must neither lose nor double anything.
 */
let database: MediationDatabase;
let databaseUrl: string;
let dropClone: () => Promise<void>;
let child: ChildProcess | null = null;

const world = [...generateDemoWorld(TEST_DEMO).gridContents()];
const home = world.find((g) => g.mediation.committees.some((c) => c.type === 'COMMUNITY') && g.residents.length > 0)!;
const applicant = residentKey(home.residents[0]!.idNumber, DEMO_HUB_SECRET);

beforeAll(async () => {
  const clone = await cloneDatabase(inject('templateUrl'));
  dropClone = clone.drop;
  databaseUrl = clone.url;
  database = mediationDatabase.open(clone.url);
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await database?.close();
  await dropClone?.();
});

/** Starts `src/index.ts` as the launcher would, on a free port, and waits for its ready message. */
function startService(): Promise<{ process: ChildProcess; url: string }> {
  const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));
  const started = fork(entry, [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      // As under `npm start`, not vitest's NODE_ENV=test (with which Apollo Server leaves signals alone).
      NODE_ENV: 'development',
      MEDIATION_DATABASE_URL: databaseUrl,
      MEDIATION_PORT: '0',
      HUB_INTERNAL_TOKEN_KEY: testCallerKeyFor('mediation').export().toString('base64url'),
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('mediation did not become ready in 60 s')), 60_000);
    started.on('message', (message: ReadyMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve({ process: started, url: message.url });
      }
    });
    started.on('exit', (code) => reject(new Error(`mediation exited with ${code} before it was ready`)));
  });
}

const CENTRE: Caller = testCaller('dispatcher');

/** One write and what came of it: acknowledged with its result, refused with a GraphQL error, or unanswered. */
interface Attempt {
  query: string;
  input: Record<string, unknown> & { idempotencyKey: string };
  outcome: { kind: 'acknowledged'; caseId: string; sequence: number; caseVersion: number } | { kind: 'refused'; code: unknown } | { kind: 'unanswered' };
}

const REPORT = `mutation ($input: ReportCaseInput!) { reportCase(input: $input) { replayed case { id version } event { sequence caseVersion } } }`;
const ACCEPT = `mutation ($input: AcceptCaseInput!) { acceptCase(input: $input) { replayed case { id version } event { sequence caseVersion } } }`;
const RECORD = `mutation ($input: AddCaseRecordInput!) { addCaseRecord(input: $input) { replayed case { id version } event { sequence caseVersion } } }`;
const REPORT_UP = `mutation ($input: ChangeCaseLevelInput!) { reportCaseUp(input: $input) { replayed case { id version } event { sequence caseVersion } } }`;
const DISPATCH = `mutation ($input: DispatchCaseInput!) { dispatchCase(input: $input) { replayed case { id version } event { sequence caseVersion } } }`;
const inDays = (days: number) => new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
type ChangeAnswer = { replayed: boolean; case: { id: string; version: number }; event: { sequence: string; caseVersion: number } };

async function attempt(url: string, query: string, input: Attempt['input']): Promise<Attempt> {
  try {
    const response = await postGraphQL<Record<string, ChangeAnswer | null>>(url, query, { input }, await callerHeaders(SUBGRAPH_NAME, CENTRE));
    const change = Object.values(response.data ?? {})[0];
    if (change) {
      return { query, input, outcome: { kind: 'acknowledged', caseId: change.case.id, sequence: Number(change.event.sequence), caseVersion: change.event.caseVersion } };
    }
    return { query, input, outcome: { kind: 'refused', code: response.errors?.[0]?.extensions?.code } };
  } catch {
    return { query, input, outcome: { kind: 'unanswered' } };
  }
}

describe('killing the mediation service in a burst of writes', () => {
  it('loses no acknowledged write and leaves no half-written case', async () => {
    const first = await startService();
    child = first.process;
    const attempts: Attempt[] = [];
    let acknowledged = 0;
    let killed = false;
    const killAfter = 40 + Math.floor(Math.random() * 40);

    // Twelve writers, each reporting cases and working on them; the service dies under them.
    await Promise.all(
      Array.from({ length: 12 }, async (_, writer) => {
        for (let n = 0; n < 100 && !killed; n++) {
          const report = await attempt(first.url, REPORT, {
            idempotencyKey: `crash-${writer}-${n}-report`,
            category: 'NEIGHBOURS',
            source: 'PARTY_APPLICATION',
            gridCode: home.grid.code,
            summary: `写入中断测试 ${writer}-${n}`,
            parties: [{ role: 'APPLICANT', residentId: applicant }],
          });
          attempts.push(report);
          if (report.outcome.kind !== 'acknowledged') continue;
          acknowledged++;
          let version = report.outcome.caseVersion;
          const caseId = report.outcome.caseId;
          for (const [query, extra] of [
            [ACCEPT, {}],
            [RECORD, { kind: 'EVIDENCE_NOTE', heldOn: inDays(0), content: '当事人提交照片' }],
            [REPORT_UP, { reason: '社区协调不成，上报街道' }],
            // A dispatch writes the case, its parts (lead and co-handler) and the event: all or nothing.
            [DISPATCH, { leadUnit: 'HOUSING', dueOn: inDays(10), coHandlers: [{ unit: 'URBAN_MANAGEMENT', dueOn: inDays(5) }] }],
          ] as const) {
            const change = await attempt(first.url, query, { idempotencyKey: `crash-${writer}-${n}-${version}`, caseId, expectedVersion: version, ...extra });
            attempts.push(change);
            if (change.outcome.kind !== 'acknowledged') break;
            acknowledged++;
            version = change.outcome.caseVersion;
          }
          if (!killed && acknowledged >= killAfter) {
            killed = true;
            first.process.kill('SIGKILL');
          }
        }
      }),
    );
    expect(killed).toBe(true);
    await new Promise((resolve) => (first.process.exitCode !== null || first.process.signalCode !== null ? resolve(null) : first.process.once('exit', resolve)));

    // Every acknowledged write is in the database, exactly as it was answered.
    const acknowledgedWrites = attempts.flatMap((a) => (a.outcome.kind === 'acknowledged' ? [a.outcome] : []));
    expect(acknowledgedWrites.length).toBeGreaterThanOrEqual(killAfter);
    const stored = await database.db
      .select({ sequence: caseEvents.sequence, caseId: caseEvents.caseId, caseVersion: caseEvents.caseVersion })
      .from(caseEvents)
      .where(inArray(caseEvents.sequence, acknowledgedWrites.map((w) => w.sequence)));
    expect(stored.sort((a, b) => a.sequence - b.sequence)).toEqual(
      acknowledgedWrites.map(({ sequence, caseId, caseVersion }) => ({ sequence, caseId, caseVersion })).sort((a, b) => a.sequence - b.sequence),
    );
    expect(attempts.filter((a) => a.outcome.kind === 'refused')).toEqual([]);
    // No case is half written: every row agrees with its events, every key has its result.
    expect(await inconsistentCases(database.db)).toEqual([]);

    // After a restart the writes that got no answer are sent again with their keys: each takes effect once.
    const second = await startService();
    child = second.process;
    const unanswered = attempts.filter((a) => a.outcome.kind === 'unanswered');
    expect(unanswered.length).toBeGreaterThan(0);
    const retried = await Promise.all(unanswered.map((a) => attempt(second.url, a.query, a.input)));
    for (const r of retried) expect(r.outcome.kind, JSON.stringify(r.outcome)).toBe('acknowledged');
    const again = await Promise.all(retried.map((a) => attempt(second.url, a.query, a.input)));
    expect(again.map((a) => a.outcome)).toEqual(retried.map((a) => a.outcome));
    expect(await inconsistentCases(database.db)).toEqual([]);
    const reports = attempts.filter((a) => a.query === REPORT).length;
    const fromBurst = await database.db.select({ id: cases.id }).from(cases).where(inArray(cases.summary, attempts.filter((a) => a.query === REPORT).map((a) => String(a.input.summary))));
    expect(fromBurst.length).toBe(reports);
    // Stopped politely, it closes cleanly (exit 0), not by its ten-second deadline (exit 1): the exit code tells which,
    // where a stopwatch would only measure the machine's load.
    const exitCode = new Promise<number | null>((resolve) => second.process.once('exit', (code) => resolve(code)));
    second.process.kill('SIGTERM');
    expect(await exitCode).toBe(0);
    child = null;
  }, 120_000);
});
