import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unixHttpUrl } from '@hub/core';
import { afterEach, describe, expect, it } from 'vitest';
import { keepAliveFetcher, REPLAYABLE, ResponseParser } from '../src/resilience/fetcher.ts';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A subgraph stand-in over real HTTP that records each request and the connection it came on. */
async function upstream(answer: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const connections = new Set<Socket>();
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  let opened = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      answer(req, res, body);
    });
  });
  server.on('connection', (socket) => {
    opened++;
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  closers.push(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql?x=1`, seen, opened: () => opened, open: () => connections.size, server, close };
}

function fetcherForTest(maxSockets = 4) {
  const fetcher = keepAliveFetcher({ maxSockets });
  closers.push(() => fetcher.destroy());
  return fetcher;
}

/** Counts a request on the connection it came on: how many that connection has carried, this one included. */
function countOnConnection(req: IncomingMessage): number {
  const socket = req.socket as Socket & { carried?: number };
  return (socket.carried = (socket.carried ?? 0) + 1);
}

const post = (body: string, headers: Record<string, string> = {}) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe("the gateway's HTTP client to its subgraphs", () => {
  it('sends the method, path, headers and body exactly, and reads a sized answer with its headers', async () => {
    const server = await upstream((_req, res, body) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-echo', ['a', 'b']);
      res.end(JSON.stringify({ data: { echo: body } }));
    });
    const fetcher = fetcherForTest();
    const body = JSON.stringify({ query: '{ 名字 }', variables: { id: 'é' } });
    const response = await fetcher(server.url, post(body, { 'x-hub-caller': 'token.part.sig', traceparent: '00-abc-def-01' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('X-Echo')).toBe('a, b');
    expect(await response.json()).toEqual({ data: { echo: body } });
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]).toMatchObject({ method: 'POST', url: '/graphql?x=1', body });
    expect(server.seen[0]!.headers).toMatchObject({ 'x-hub-caller': 'token.part.sig', traceparent: '00-abc-def-01', 'content-length': String(Buffer.byteLength(body)) });
  });

  it('keeps connections alive: requests one after another share one connection', async () => {
    const server = await upstream((_req, res) => res.end('{"data":{"ok":true}}'));
    const fetcher = fetcherForTest();
    for (let i = 0; i < 5; i++) expect(await (await fetcher(server.url, post(`{"i":${i}}`))).json()).toEqual({ data: { ok: true } });
    expect(server.seen.map((s) => s.body)).toEqual([0, 1, 2, 3, 4].map((i) => `{"i":${i}}`));
    expect(server.opened()).toBe(1);
  });

  it('opens at most maxSockets connections, the requests beyond waiting their turn', async () => {
    const held: ServerResponse[] = [];
    const server = await upstream((_req, res) => {
      held.push(res);
      // Answered only once all three reached it, so three connections must have been open at once at most.
      if (held.length === 2) setImmediate(() => held.splice(0).forEach((r) => r.end('{"data":{}}')));
      if (held.length === 1 && server.seen.length === 3) held.splice(0).forEach((r) => r.end('{"data":{}}'));
    });
    const fetcher = fetcherForTest(2);
    const answers = await Promise.all([0, 1, 2].map((i) => fetcher(server.url, post(`{"i":${i}}`)).then((r) => r.json())));
    expect(answers).toEqual([{ data: {} }, { data: {} }, { data: {} }]);
    expect(server.opened()).toBe(2);
    expect(server.seen).toHaveLength(3);
  });

  it('reads a chunked answer, and one that says connection: close (then opens a new connection)', async () => {
    let n = 0;
    const server = await upstream((_req, res) => {
      n++;
      if (n === 1) {
        res.write('{"data":');
        res.write('{"part":"一"');
        res.end('}}');
      } else {
        res.setHeader('connection', 'close');
        res.end('{"data":{"closed":true}}');
      }
    });
    const fetcher = fetcherForTest();
    expect(await (await fetcher(server.url, post('{}'))).json()).toEqual({ data: { part: '一' } });
    expect(await (await fetcher(server.url, post('{}'))).json()).toEqual({ data: { closed: true } });
    expect(await (await fetcher(server.url, post('{}'))).json()).toEqual({ data: { closed: true } });
    expect(server.opened()).toBe(2);
  });

  it('gets a read through when the subgraph closes its idle connections (keep-alive timeout, shutdown) as the read is sent', async () => {
    const server = await upstream((_req, res) => res.end('{"data":{"n":1}}'));
    const fetcher = fetcherForTest();
    const read = { ...post('{}'), [REPLAYABLE]: true };
    expect(await (await fetcher(server.url, read)).json()).toEqual({ data: { n: 1 } });
    // No wait: the close may or may not have reached the pool when the read is written; it gets through either way.
    server.server.closeIdleConnections();
    expect(await (await fetcher(server.url, read)).json()).toEqual({ data: { n: 1 } });
    expect(server.opened()).toBe(2);
  });

  it('sends a read once more on a new connection when a kept one closes before any of the answer, and a write never', async () => {
    // Every second request on a connection is taken in and dropped unanswered, as by a replica going down.
    const server = await upstream((req, res) => {
      if (countOnConnection(req) === 2) req.socket.destroy();
      else res.end(`{"data":{"n":${server.seen.length}}}`);
    });
    const fetcher = fetcherForTest(1);
    const read = { ...post('{"query":"{ n }"}'), [REPLAYABLE]: true };
    expect(await (await fetcher(server.url, read)).json()).toEqual({ data: { n: 1 } });
    expect(await (await fetcher(server.url, read)).json()).toEqual({ data: { n: 3 } });
    expect(server.seen.map((r) => r.body)).toEqual(Array(3).fill('{"query":"{ n }"}'));
    expect(server.opened()).toBe(2);

    const write = post('{"query":"mutation { m }"}');
    await expect(fetcher(server.url, write)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(server.seen.filter((r) => r.body.includes('mutation'))).toHaveLength(1);
    // The next request goes on a new connection.
    expect(await (await fetcher(server.url, write)).json()).toEqual({ data: { n: 5 } });
    expect(server.opened()).toBe(3);
  });

  it('does not send a read again once any of its answer came', async () => {
    const server = await upstream((req, res) => {
      if (countOnConnection(req) === 1) return res.end('{"data":{}}');
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"data":', () => req.socket.destroy());
    });
    const fetcher = fetcherForTest(1);
    const read = { ...post('{}'), [REPLAYABLE]: true };
    await (await fetcher(server.url, read)).json();
    await expect(fetcher(server.url, read)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(server.seen).toHaveLength(2);
  });

  it('rejects with an AbortError carrying the reason when its signal fires, and the next request still gets through', async () => {
    let first = true;
    const server = await upstream((_req, res) => {
      if (first) first = false;
      else res.end('{"data":{"late":false}}');
    });
    const fetcher = fetcherForTest(1);
    const controller = new AbortController();
    const pending = fetcher(server.url, { ...post('{}'), signal: controller.signal });
    await new Promise<void>((resolve) => {
      const wait = () => (server.seen.length > 0 ? resolve() : setTimeout(wait, 5));
      wait();
    });
    controller.abort(new Error('timeout'));
    const error = await pending.then(() => undefined, (e: Error) => e);
    expect(error).toMatchObject({ name: 'AbortError', cause: { message: 'timeout' } });
    expect(await (await fetcher(server.url, post('{}'))).json()).toEqual({ data: { late: false } });
  });

  it('refuses a header value that would end a line, and fails with the socket error when nothing listens', async () => {
    const server = await upstream((_req, res) => res.end('{}'));
    const fetcher = fetcherForTest();
    await expect(fetcher(server.url, post('{}', { 'x-bad': 'a\r\nx-injected: 1' }))).rejects.toThrow(/Invalid header/);
    expect(server.seen).toHaveLength(0);
    await server.close();
    await expect(fetcher(server.url, post('{}'))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('ResponseParser', () => {
  const bytes = (text: string) => Buffer.from(text, 'latin1');

  it('reads an answer split anywhere, skips interim answers, and reads trailers after the last chunk', () => {
    const wire = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nx-trailer: 1\r\n\r\n';
    for (let cut = 1; cut < wire.length; cut++) {
      const parser = new ResponseParser();
      expect(parser.push(bytes(wire.slice(0, cut)))).toBeUndefined();
      const response = parser.push(bytes(wire.slice(cut)));
      expect(response?.status).toBe(200);
      expect(response?.body.toString()).toBe('abcde');
      expect(parser.reusable()).toBe(true);
    }
  });

  it('reads a sized or chunked answer arriving a byte at a time (reads wait to be joined until a part is whole)', () => {
    const body = 'x'.repeat(70) + '{"data":1}';
    const sized = `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
    const chunked = `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${(40).toString(16)}\r\n${body.slice(0, 40)}\r\n${(body.length - 40).toString(16)}\r\n${body.slice(40)}\r\n0\r\n\r\n`;
    for (const wire of [sized, chunked]) {
      const parser = new ResponseParser();
      for (let i = 0; i < wire.length - 1; i++) expect(parser.push(bytes(wire[i]!))).toBeUndefined();
      expect(parser.push(bytes(wire.at(-1)!))?.body.toString()).toBe(body);
      expect(parser.reusable()).toBe(true);
    }
    const closed = new ResponseParser();
    for (const piece of ['HTTP/1.1 200 OK\r\n\r\n', 'a', 'b', 'c']) expect(closed.push(bytes(piece))).toBeUndefined();
    expect(closed.end()?.body.toString()).toBe('abc');
  });

  it('reads an answer framed by the end of the connection, which is then not reused', () => {
    const parser = new ResponseParser();
    expect(parser.push(bytes('HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\n\r\nno'))).toBeUndefined();
    expect(parser.push(bytes(' answer'))).toBeUndefined();
    const response = parser.end();
    expect(response).toMatchObject({ status: 502, statusText: 'Bad Gateway' });
    expect(response?.body.toString()).toBe('no answer');
    expect(parser.reusable()).toBe(false);
  });

  it('does not reuse a connection with bytes left over, and refuses what is not HTTP', () => {
    const parser = new ResponseParser();
    expect(parser.push(bytes('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}extra'))?.body.toString()).toBe('{}');
    expect(parser.reusable()).toBe(false);
    expect(() => new ResponseParser().push(bytes('SSH-2.0-OpenSSH\r\n\r\n'))).toThrow(/not HTTP/);
    expect(() => new ResponseParser().push(bytes('HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n'))).toThrow(/content-length/);
    expect(new ResponseParser().end()).toBeUndefined();
  });
});

describe("the gateway's HTTP client to a subgraph on this machine's Unix socket", () => {
  it('sends to the socket an http+unix URL names, on that URL path, and keeps the connection for the next request', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hub-fetch-sock-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const socketPath = path.join(dir, 'party.sock');
    const seen: { url: string; host: string | undefined; body: string; remote: string | undefined }[] = [];
    let opened = 0;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ url: req.url!, host: req.headers.host, body: Buffer.concat(chunks).toString('utf8'), remote: req.socket.remoteAddress });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ data: { n: seen.length } }));
      });
    });
    server.on('connection', () => opened++);
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    closers.push(() => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));
    const fetcher = fetcherForTest();
    const url = unixHttpUrl(socketPath, '/graphql');
    for (let i = 1; i <= 3; i++) {
      const response = await fetcher(url, post(`{"i":${i}}`));
      expect(await response.json()).toEqual({ data: { n: i } });
    }
    // A Unix socket has no peer address; the host header is a plain name, not the encoded path.
    expect(seen).toEqual([1, 2, 3].map((i) => ({ url: '/graphql', host: 'localhost', body: `{"i":${i}}`, remote: undefined })));
    expect(opened).toBe(1);
  });

  it('fails the fetch when nothing listens on the socket', async () => {
    const fetcher = fetcherForTest();
    await expect(fetcher(unixHttpUrl(path.join(tmpdir(), `hub-no-such-${process.pid}.sock`)), post('{}'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
