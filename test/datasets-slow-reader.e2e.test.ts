import { Duplex } from 'node:stream';
import { createGateway, DEFAULT_SUPERGRAPH, readSupergraph } from '@hub/gateway';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { residents } from './world.ts';

/**
 * An export read by a client slower than the hub: the gateway holds the pages in flight and nothing else, so its
 * memory does not grow with the dataset. Over TCP the kernel's socket buffers (megabytes on loopback) would hold the
 * whole test district's export; here the connection is in memory, its buffers a few kilobytes, so a reader that
 * stops reading stops the gateway's writes at once and the pages it reads ahead can be counted.
 */
let hub: TestHub;
let analyst: string;

beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  analyst = `Bearer ${await hub.tokenFor('district-analyst')}`;
});
afterAll(async () => {
  await hub?.close();
});

/** Two ends of a connection in memory: a write to one end completes only once the other end's reader has taken it. */
function connectionPair(highWaterMark: number): { client: Duplex; server: Duplex } {
  const held = new Map<Duplex, () => void>();
  const ends: Duplex[] = [];
  const end = (index: number) =>
    new Duplex({
      highWaterMark,
      read() {
        // The reader wants more: the peer's write that waited for room completes.
        const peer = ends[1 - index] as Duplex;
        const callback = held.get(peer);
        held.delete(peer);
        callback?.();
      },
      write(chunk: Buffer, _encoding, callback) {
        const peer = ends[1 - index] as Duplex;
        if (peer.push(chunk)) callback();
        else held.set(ends[index] as Duplex, callback);
      },
      final(callback) {
        (ends[1 - index] as Duplex).push(null);
        callback();
      },
    });
  ends.push(end(0), end(1));
  const server = ends[1] as Duplex & Record<string, unknown>;
  // What the HTTP server asks of a socket beyond a stream.
  Object.assign(server, { setTimeout: () => server, setNoDelay: () => server, setKeepAlive: () => server, ref: () => server, unref: () => server, remoteAddress: '127.0.0.1', remotePort: 1 });
  return { client: ends[0] as Duplex, server };
}

/** An HTTP/1.1 chunked body, decoded. */
function unchunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const line = body.indexOf('\r\n', at);
    const size = parseInt(body.subarray(at, line).toString('latin1'), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(body.subarray(line + 2, line + 2 + size));
    at = line + 2 + size + 2;
  }
}

/** Resolves once `read()` has stayed the same over `polls` reads 50 ms apart. */
async function settled(read: () => number, polls = 8): Promise<number> {
  let value = read();
  for (let same = 0; same < polls; ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = read();
    same = now === value ? same + 1 : 0;
    value = now;
  }
  return value;
}

describe('an export to a slow reader', () => {
  it('reads no further than the pages in flight while the reader waits, and then delivers every row', async () => {
    // Five rows a page, a grid a run: an export of some six hundred pages, each a statement or more in public security.
    const gateway = await createGateway({
      supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
      urls: Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])),
      ...hub.gatewayAccess,
      datasets: { concurrency: 2, columnPageSize: 5, gridsPerRun: 1 },
    }).listen(0);
    try {
      const statements = hub.subgraphs['public-security']!.statements;
      const { client, server } = connectionPair(1024);
      gateway.server.emit('connection', server);
      client.write(`GET /datasets/residents-by-grid.csv HTTP/1.1\r\nhost: hub\r\nauthorization: ${analyst}\r\nx-hub-purpose: statistics\r\nconnection: close\r\n\r\n`);
      const before = statements.count;
      // The reader takes the head of the answer and stops.
      const received: Buffer[] = [];
      const first = await new Promise<Buffer>((resolve) => client.once('readable', () => resolve(client.read() as Buffer)));
      received.push(first);
      expect(first.toString('latin1')).toMatch(/^HTTP\/1\.1 200 /);
      const stalled = (await settled(() => statements.count)) - before;
      // The pages read while the reader waits: those in flight and those its few kilobytes of buffers hold (two runs,
      // each a page being written and two read ahead; a page of two rows is a few hundred bytes), not the export's.
      expect(residents.length / 5).toBeGreaterThan(500);
      expect(stalled).toBeLessThan(60);
      // Reading again, the export goes on to its end with every row.
      const ended = new Promise<void>((resolve) => client.once('end', resolve));
      client.on('data', (chunk: Buffer) => received.push(chunk));
      await ended;
      const read = statements.count - before;
      const answer = Buffer.concat(received);
      const head = answer.indexOf('\r\n\r\n');
      const csv = unchunk(answer.subarray(head + 4)).toString('utf8');
      const rows = csv.replace(/^\uFEFF/, '').trimEnd().split('\r\n').slice(1);
      // The same export read at once through the hub's own gateway (pages of thousands of rows) gives the same rows
      // (in another order: pages of runs read at once are written in turn).
      const whole = await fetch(new URL('/datasets/residents-by-grid.csv', hub.gatewayUrl), { headers: { authorization: analyst, 'x-hub-purpose': 'statistics' } });
      const expected = (await whole.text()).replace(/^\uFEFF/, '').trimEnd().split('\r\n').slice(1);
      expect(rows.toSorted()).toEqual(expected.toSorted());
      expect(rows.length).toBeGreaterThan(residents.length / 2);
      expect(read).toBeGreaterThan(stalled * 10);
    } finally {
      await gateway.close();
    }
  }, 240_000);
});
