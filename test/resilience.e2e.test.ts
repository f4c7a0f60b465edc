import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cloneDatabase, postGraphQL, type GraphQLResponse } from '@hub/core/testing';
import { createGateway, DEFAULT_SUPERGRAPH, readSupergraph } from '@hub/gateway';
import type { RunningService } from '@hub/core';
import type { ServiceProcess } from '@hub/hub/process';
import { bootTestHub, forkSubgraph, type TestHub } from '@hub/hub/testing';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ResidentProfileDocument, type ResidentProfileQuery } from '../clients/__generated__/operations.ts';
import { sampleValue } from './prometheus.ts';
import { grids, idOf, residents } from './world.ts';

/*
 * One department (party) runs as its own process, as under `npm start`; the others in this process. Under steady
 * load through the gateway the party process is killed, then started again: the test watches every answer.
 */

let hub: TestHub;
let gateway: RunningService;
let breakerStates: () => Record<string, string>;
let party: ServiceProcess;
let partyPort: number;
let partyDatabase: { url: string; drop(): Promise<void> };
const startParty = () => forkSubgraph({ name: 'party', databaseUrl: partyDatabase.url, port: partyPort, callerKey: hub.internalKeys.publicKey });

const member = grids.flatMap((g) => g.party.members)[0]!;
const memberResident = residents.find((r) => r.idNumber === member.idNumber)!;
const variables = { id: idOf(member.idNumber) };

/** The range the kernel hands outgoing connections and `listen(0)` their local ports from. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return [low, high];
  } catch {
    // not Linux: IANA's dynamic range, which macOS and Windows use
  }
  return [49152, 65535];
}

const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/**
 * A port for the party process that stays its own while the process is down. A port from `listen(0)` is in the
 * ephemeral range, where the kernel may give it to any outgoing connection (the gateway's own, another test's)
 * between the kill and the restart, and the restart then fails with EADDRINUSE. A port below that range is only ever
 * taken by a process that asks for it by number.
 */
async function portOutsideEphemeralRange(): Promise<number> {
  const [low] = ephemeralRange();
  const from = 20_000;
  const to = Math.max(from + 1000, low) - 1;
  for (let tries = 0; tries < 200; tries++) {
    const port = from + Math.floor(Math.random() * (to - from));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port from ${from} to ${to}`);
}

beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  partyDatabase = await cloneDatabase(inject('hubTemplates').party!);
  partyPort = await portOutsideEphemeralRange();
  party = startParty();
  const partyUrl = await party.ready;
  const created = createGateway({
    supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
    urls: { ...Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])), party: partyUrl },
    ...hub.gatewayAccess,
    // The breaker opens and probes within the test's few seconds; a fetch may take long on a loaded machine (the
    // department killed refuses connections at once, so no outcome here is a timeout).
    resilience: { timeoutMs: 15_000, timeoutMsBySubgraph: {}, retries: 2, backoffMs: 20, failureThreshold: 3, openMs: 300 },
  });
  breakerStates = created.breakerStates;
  gateway = await created.listen(0);
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await party?.stop('SIGKILL');
  await hub?.close();
  await partyDatabase?.drop();
});

interface Observed {
  /** When the request was sent, and when its answer came. */
  sentAt: number;
  at: number;
  status: number;
  body: GraphQLResponse<ResidentProfileQuery>;
}

/** Clients asking the resident profile back to back until stopped; every answer is kept. */
function steadyLoad(clients: number) {
  const observed: Observed[] = [];
  /** A request that got no HTTP answer at all (the gateway itself unreachable): the test fails on it. */
  const failures: string[] = [];
  let running = true;
  const client = async () => {
    while (running) {
      const sentAt = Date.now();
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...hub.headers },
        body: JSON.stringify({ query: ResidentProfileQueryText, variables }),
      });
      observed.push({ sentAt, at: Date.now(), status: response.status, body: (await response.json()) as GraphQLResponse<ResidentProfileQuery> });
    }
  };
  const guarded = () =>
    client().catch((error: unknown) => {
      failures.push(error instanceof Error ? `${error.message} (${String((error.cause as Error | undefined)?.message)})` : String(error));
    });
  const done = Promise.all(Array.from({ length: clients }, guarded));
  return {
    observed,
    failures,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

const ResidentProfileQueryText = print(ResidentProfileDocument);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Resolves once `holds()` is true, checked every 50 ms; fails after `ms` (a bound for a loaded machine, not a timing). */
async function until(holds: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await sleep(50);
  }
}
const healthUrl = (path: string) => gateway.url.replace(/\/graphql$/, path);

describe('a department that goes down and comes back', () => {
  it('keeps every other department in the answer, names the missing one, and is whole again after its restart', async () => {
    const whole = await postGraphQL(gateway.url, ResidentProfileDocument, variables, hub.headers);
    expect(whole.errors).toBeUndefined();
    expect(whole.data?.resident?.partyMembership?.memberNumber).toBe(member.memberNumber);

    const load = steadyLoad(4);
    try {
      await until(() => load.observed.length >= 4, 'answers before the outage');
      await party.stop('SIGKILL');
      // Requests sent from here on find it gone (the process has exited).
      const killedAt = Date.now();
      // Down until the clients have had a dozen answers asked after the kill, and the breaker has tripped.
      await until(() => load.observed.filter((o) => o.sentAt > killedAt).length > 16 && breakerStates().party !== 'closed', 'answers during the outage');

      // While it is down: the gateway lives, is not ready, and says which department is missing.
      expect((await fetch(healthUrl('/health'))).status).toBe(200);
      const ready = await fetch(healthUrl('/ready'));
      expect(ready.status).toBe(503);
      const readiness = (await ready.json()) as { status: string; subgraphs: { name: string; ok: boolean; breaker: string }[] };
      expect(readiness.status).toBe('degraded');
      expect(readiness.subgraphs.filter((s) => !s.ok).map((s) => s.name)).toEqual(['party']);
      expect(JSON.stringify(readiness)).not.toMatch(/127\.0\.0\.1|localhost|ECONNREFUSED/);
      // Open, or half open while a probe finds it still down.
      expect(['open', 'half-open']).toContain(breakerStates().party);

      const restartedAt = Date.now();
      party = startParty();
      await party.ready;
      const backBy = Date.now();
      // Answers are whole again: the breaker's next probe (300 ms after it opened) finds the department up.
      const wholeAgain = () => load.observed.find((o) => o.at > backBy && !o.body.errors)?.at;
      await until(() => wholeAgain() !== undefined, 'a whole answer after the restart');
      const wholeAgainAt = wholeAgain()!;
      await until(() => load.observed.filter((o) => o.sentAt > wholeAgainAt + 100).length >= 4, 'answers after the recovery');
      await load.stop();
      expect(load.failures).toEqual([]);

      // Every answer, before, during and after: HTTP 200 with the resident from the other departments.
      for (const { status, body } of load.observed) {
        expect(status).toBe(200);
        expect(body.data?.resident).toMatchObject({ id: variables.id, name: memberResident.name, grid: { code: memberResident.gridCode } });
      }
      // Asked once the gateway had seen it gone (an answer without it came back): a read in flight at the kill, whose
      // answer was already on its way, may still have been shared by a request sent just after.
      const seenGoneAt = Math.min(...load.observed.filter((o) => o.sentAt > killedAt && o.body.errors).map((o) => o.at));
      const duringOutage = load.observed.filter((o) => o.sentAt > seenGoneAt && o.at < restartedAt);
      expect(duringOutage.length).toBeGreaterThan(10);
      for (const { body } of duringOutage) {
        expect(body.data?.resident?.partyMembership).toBeNull();
        expect(body.errors?.length).toBeGreaterThan(0);
        for (const error of body.errors ?? []) {
          expect(error.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', service: 'party' });
          expect(error.extensions).not.toHaveProperty('stacktrace');
          expect(JSON.stringify(error)).not.toMatch(/127\.0\.0\.1|localhost|:\d{4,5}\/|ECONNREFUSED|socket|at .*\.ts/);
        }
        // The other departments' parts are all there.
        expect(body.data?.resident?.grid?.community?.code).toBeTruthy();
      }
      // Once whole again, it stays whole.
      const afterRecovery = load.observed.filter((o) => o.sentAt > wholeAgainAt + 100);
      expect(afterRecovery.length).toBeGreaterThan(0);
      for (const { body } of afterRecovery) {
        expect(body.errors).toBeUndefined();
        expect(body.data?.resident?.partyMembership?.memberNumber).toBe(member.memberNumber);
      }
      expect(breakerStates().party).toBe('closed');
      expect((await fetch(healthUrl('/ready'))).status).toBe(200);

      // The breaker's story is in the metrics: it opened, and it closed again.
      const metrics = await (await fetch(healthUrl('/metrics'))).text();
      expect(sampleValue(metrics, 'hub_gateway_breaker_transitions_total', { subgraph: 'party', state: 'open' })).toBeGreaterThan(0);
      expect(sampleValue(metrics, 'hub_gateway_breaker_transitions_total', { subgraph: 'party', state: 'closed' })).toBeGreaterThan(0);
      expect(sampleValue(metrics, 'hub_gateway_errors_total', { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'party' })).toBeGreaterThan(0);
      expect(sampleValue(metrics, 'hub_gateway_subgraph_fetches_total', { subgraph: 'party', outcome: 'circuit-open' })).toBeGreaterThan(0);
    } finally {
      await load.stop();
    }
  }, 240_000);
});
