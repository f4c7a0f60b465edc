import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, type RunningService } from '@hub/core';
import { cloneDatabase, postGraphQL } from '@hub/core/testing';
import { createGateway, DEFAULT_SUPERGRAPH, readSupergraph } from '@hub/gateway';
import type { ServiceProcess } from '@hub/hub/process';
import { bootTestHub, forkSubgraph, type TestHub } from '@hub/hub/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { grids } from './world.ts';

/*
 * The party department as its own process (its bundle, as `npm start` runs it) listening on a Unix socket besides
 * its port, and a gateway that knows party only by that socket: the TCP URL it is given for party leads nowhere, so
 * every party answer it returns came over the socket.
 */

let hub: TestHub;
let gateway: RunningService;
let party: ServiceProcess;
let partyDatabase: { url: string; drop(): Promise<void> };
let runDir: string;
let socket: string;
let partyPort: number;

const grid = grids.find((g) => g.party.members.length > 0)!;
const query = `{ grid(code: "${grid.grid.code}") { code partyMembers { totalCount } } }`;

beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  partyDatabase = await cloneDatabase(inject('hubTemplates').party!);
  runDir = await mkdtemp(path.join(tmpdir(), 'hub-run-'));
  socket = path.join(runDir, 'party.sock');
  partyPort = await freePort();
  party = forkSubgraph({ name: 'party', databaseUrl: partyDatabase.url, port: partyPort, callerKey: hub.internalKeys.publicKey, socket });
  await party.ready;
  const nowhere = `http://127.0.0.1:${await freePort()}/graphql`;
  const created = createGateway({
    supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
    urls: { ...Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])), party: nowhere },
    sockets: { party: socket },
    ...hub.gatewayAccess,
    resilience: { timeoutMs: 10_000, timeoutMsBySubgraph: {}, retries: 0, backoffMs: 20, failureThreshold: 100, openMs: 300 },
  });
  gateway = await created.listen(0);
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  await party?.stop('SIGKILL');
  await hub?.close();
  await partyDatabase?.drop();
  if (runDir) await rm(runDir, { recursive: true, force: true });
});

async function partyMembersThroughGateway() {
  return postGraphQL<{ grid: { code: string; partyMembers: { totalCount: number } | null } }>(gateway.url, query, undefined, hub.headers);
}

describe('a subgraph reached over its Unix socket', () => {
  it('answers the gateway over the socket, its TCP port still open for outside callers', async () => {
    const response = await partyMembersThroughGateway();
    expect(response.errors).toBeUndefined();
    expect(response.data?.grid.code).toBe(grid.grid.code);
    expect(response.data?.grid.partyMembers?.totalCount).toBe(grid.party.members.length);
    const health = await fetch(`http://127.0.0.1:${partyPort}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', service: 'party' });
  });

  it('keeps the socket to the service user: a 0600 socket file', async () => {
    const file = statSync(socket);
    expect(file.isSocket()).toBe(true);
    expect(file.mode & 0o077).toBe(0);
  });

  it('comes back on the same socket after the process is killed, over the file it left', async () => {
    await party.stop('SIGKILL');
    // Killed, it could not remove its socket file.
    expect(statSync(socket).isSocket()).toBe(true);
    party = forkSubgraph({ name: 'party', databaseUrl: partyDatabase.url, port: partyPort, callerKey: hub.internalKeys.publicKey, socket });
    await party.ready;
    const response = await partyMembersThroughGateway();
    expect(response.errors).toBeUndefined();
    expect(response.data?.grid.partyMembers?.totalCount).toBe(grid.party.members.length);
  });

  it('refuses to start a second process on a socket the first still serves', async () => {
    const second = forkSubgraph({ name: 'party', databaseUrl: partyDatabase.url, port: await freePort(), callerKey: hub.internalKeys.publicKey, socket });
    second.child.stdout?.resume();
    await expect(second.ready).rejects.toThrow(/party exited \(code 1\)/);
    // The first one still answers there.
    const response = await partyMembersThroughGateway();
    expect(response.data?.grid.partyMembers?.totalCount).toBe(grid.party.members.length);
  });
});
