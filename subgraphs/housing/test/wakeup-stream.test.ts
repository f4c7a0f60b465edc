import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FEED_WAKEUP_PATH, wakePayload, wakeupFrames } from '@hub/core';
import { serveSubgraphForTests } from '@hub/core/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP_RENTAL_FEED, groupRentalWakeupRoute } from '../src/remediation/feed.ts';
import { subgraph } from '../src/server.ts';

/**
 * Housing's wake-up stream as a gateway follows it, over HTTP against the department's real database: a gateway that
 * reconnects opens its new stream before this process sees the old one close, and the new stream must still be woken
 * by every commit after its head.
 */
const harness = serveSubgraphForTests(subgraph);

/** The department's pool, with the stream's head query held at a gate the test opens. */
function gatedPool(pool: pg.Pool) {
  let open = true;
  let release: () => void = () => {};
  let gate = Promise.resolve();
  let heldQueries = 0;
  const gated = {
    connect: () => pool.connect(),
    query: async (...args: Parameters<pg.Pool['query']>) => {
      if (!open) heldQueries++;
      await gate;
      return (pool.query as (...a: unknown[]) => Promise<unknown>)(...args);
    },
  } as unknown as pg.Pool;
  return {
    pool: gated,
    hold() {
      open = false;
      gate = new Promise<void>((resolve) => (release = resolve));
    },
    release() {
      open = true;
      release();
    },
    held: () => heldQueries,
  };
}

/** A wake-up stream read as the gateway reads it: its frames as they come. */
async function follow(url: string) {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
  expect(response.status).toBe(200);
  const frames: { event: string; data: { sequence: number } }[] = [];
  void (async () => {
    try {
      for await (const { event, data } of wakeupFrames(response.body!)) frames.push({ event, data: JSON.parse(data) });
    } catch {
      // Aborted by the test.
    }
  })();
  return { frames, close: () => abort.abort() };
}

let server: Server;
let url: string;
let gate: ReturnType<typeof gatedPool>;
/** Each stream's handler, by the order the streams arrived: it ends after the stream closed and it let go of LISTEN. */
const handlers: Promise<void>[] = [];
beforeAll(async () => {
  gate = gatedPool(harness.database.pool);
  const routes = groupRentalWakeupRoute(gate.pool)({ verifyCaller: async () => undefined, draining: () => false });
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    handlers.push(Promise.resolve(routes[FEED_WAKEUP_PATH]!(req, res, new URL(req.url ?? '/', 'http://localhost'))).then(() => undefined));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${FEED_WAKEUP_PATH}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

const notify = (sequence: number) => harness.database.pool.query('select pg_notify($1, $2)', [GROUP_RENTAL_FEED.channel, wakePayload(sequence, { gridCode: '320311001001001', status: 'INTERVIEWED' })]);
const wakesOf = (stream: Awaited<ReturnType<typeof follow>>) => stream.frames.filter((f) => f.event === 'wake').map((f) => f.data.sequence);

describe("housing's wake-up stream", () => {
  it('wakes a stream opened while the only other one was closing: the closing one does not UNLISTEN under it', async () => {
    const first = await follow(url);
    await expect.poll(() => first.frames.length, { timeout: 10_000 }).toBe(1);
    await notify(900_001);
    await expect.poll(() => wakesOf(first), { timeout: 10_000 }).toEqual([900_001]);

    // The reconnecting gateway's new stream is under way (LISTEN taken, its head not yet read) when the old one closes.
    gate.hold();
    const second = follow(url);
    await expect.poll(() => gate.held(), { timeout: 10_000 }).toBe(1);
    first.close();
    await handlers[0];
    gate.release();
    const reconnected = await second;
    await expect.poll(() => reconnected.frames.map((f) => f.event), { timeout: 10_000 }).toEqual(['head']);

    await notify(900_002);
    await expect.poll(() => wakesOf(reconnected), { timeout: 10_000 }).toEqual([900_002]);
    reconnected.close();
    await handlers[1];
  });
});
