import { createServer, request, type Server } from 'node:http';
import { createGateway, DEFAULT_RESILIENCE, DEFAULT_SUPERGRAPH, readSupergraph } from '@hub/gateway';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { residents } from './world.ts';

/**
 * A page read that fails midway through an export (a department restarting, a connection reset under load) is read
 * again before the export gives up: reads are idempotent, and cutting a file of minutes wastes all of it. A proxy in
 * front of mediation breaks off one of its answers (the status line, then the connection closed), with the gateway's
 * own retries of a subgraph fetch turned off so that the page itself fails.
 */
let hub: TestHub;
let analyst: Record<string, string>;
let proxy: Server;
let proxyUrl: string;
/** Mediation requests seen by the proxy, and which of them it breaks off. */
let seen = 0;
let breakOff: (n: number) => boolean = () => false;
let brokenOff = 0;

beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  analyst = { authorization: `Bearer ${await hub.tokenFor('district-analyst')}`, 'x-hub-purpose': 'statistics' };
  const target = hub.subgraphs.mediation!.url;
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    seen++;
    if (breakOff(seen)) {
      brokenOff++;
      // A byte of the answer and then nothing: the gateway may not send it again on another connection by itself.
      req.socket.write('HTTP/1.1 200 OK\r\n', () => req.socket.destroy());
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string' && name !== 'host' && name !== 'content-length' && name !== 'connection') headers[name] = value;
    const upstream = await fetch(target, { method: 'POST', headers, body: Buffer.concat(chunks) });
    const body = Buffer.from(await upstream.arrayBuffer());
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
});
afterAll(async () => {
  proxy?.closeAllConnections();
  proxy?.close();
  await hub?.close();
});

/** An export read to its end or its cut: the status, the CSV's records, the row-count trailer, whether it was whole. */
function exportOf(base: string, path: string): Promise<{ status: number; rows: string[]; trailer: string | undefined; whole: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { headers: analyst }, (res) => {
      const chunks: Buffer[] = [];
      const done = (whole: boolean) => {
        const csv = Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
        resolve({ status: res.statusCode ?? 0, rows: csv.trimEnd().split('\r\n').slice(1), trailer: res.trailers['x-hub-rows'], whole });
      };
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(res.complete));
      res.on('error', () => done(false));
      res.on('aborted', () => done(false));
    });
    req.on('error', reject);
    req.end();
  });
}

async function gatewayThroughProxy() {
  return createGateway({
    supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
    urls: { ...Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])), mediation: proxyUrl },
    ...hub.gatewayAccess,
    // No retry of a subgraph fetch and a breaker that stays shut: one broken answer fails its page.
    resilience: { ...DEFAULT_RESILIENCE, retries: 0, failureThreshold: 1000 },
    // Pages of 50 rows, so the export is dozens of pages and the broken one comes after rows have gone out.
    datasets: { concurrency: 2, columnPageSize: 50, gridsPerRun: 2, retryDelaysMs: [20, 50] },
  }).listen(0);
}

describe('a page read that fails midway', () => {
  it('is read again, and the export delivers every row', async () => {
    const expected = await exportOf(hub.gatewayUrl, '/datasets/residents-by-grid.csv');
    expect(expected.whole).toBe(true);
    expect(residents.length / 50).toBeGreaterThan(40);
    const gateway = await gatewayThroughProxy();
    try {
      seen = 0;
      brokenOff = 0;
      // Mediation's twelfth request: every page asks mediation once for its open cases, so that is the twelfth page.
      breakOff = (n) => n === 12;
      const got = await exportOf(gateway.url, '/datasets/residents-by-grid.csv');
      expect(brokenOff).toBe(1);
      expect(seen).toBeGreaterThan(24);
      expect(got.status).toBe(200);
      expect(got.whole).toBe(true);
      expect(got.trailer).toBe(String(expected.rows.length));
      // Pages of another size come out in another order: the same rows, each once.
      expect(got.rows.toSorted()).toEqual(expected.rows.toSorted());
    } finally {
      breakOff = () => false;
      await gateway.close();
    }
  }, 120_000);

  it('gives up after its retries: the file is cut, never short', async () => {
    const gateway = await gatewayThroughProxy();
    try {
      seen = 0;
      brokenOff = 0;
      // From the twelfth request on, mediation's every answer breaks off.
      breakOff = (n) => n >= 12;
      const got = await exportOf(gateway.url, '/datasets/residents-by-grid.csv');
      expect(got.status).toBe(200);
      expect(got.whole).toBe(false);
      expect(got.trailer).toBeUndefined();
      // The failing page was read three times (once and twice again); the other run's page may have failed too.
      expect(brokenOff).toBeGreaterThanOrEqual(3);
    } finally {
      breakOff = () => false;
      await gateway.close();
    }
  }, 120_000);
});
