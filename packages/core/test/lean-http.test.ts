import { ApolloServer } from '@apollo/server';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpService, listen, parseHead, type RunningService } from '../src/index.ts';

/**
 * The lean front (`lean-http.ts`) spoken to in raw HTTP/1.1: what it serves itself, what it hands to node:http, and
 * that every answer is framed right whichever served it. An answer the lean front wrote says `connection:` in lower
 * case; node:http writes its own `Connection:` header capitalised: that is how a test tells the two apart.
 */
const services: RunningService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close().catch(() => {});
});

const MAX_BODY = 4096;

async function serve() {
  const gates: (() => void)[] = [];
  let entered: (() => void) | undefined;
  const apollo = new ApolloServer({
    typeDefs: 'type Query { ping(n: Int): String, held: String }',
    resolvers: {
      Query: {
        ping: (_: unknown, { n }: { n?: number }) => `pong ${n ?? ''}`.trim(),
        held: () =>
          new Promise<string>((resolve) => {
            gates.push(() => resolve('released'));
            entered?.();
          }),
      },
    },
  });
  await apollo.start();
  const server = createHttpService({
    apollo,
    context: async () => ({}),
    maxBodyBytes: MAX_BODY,
    lean: true,
    routes: { '/health': (_req, res) => void res.end('ok') },
  });
  const service = await listen(server, 0, '127.0.0.1', () => apollo.stop(), 2_000);
  services.push(service);
  const held = () => new Promise<void>((resolve) => (entered = resolve));
  return { service, port: service.port, release: () => gates.splice(0).forEach((g) => g()), held };
}

const body = (query: string) => JSON.stringify({ query });
const post = (payload: string, extra = '') =>
  `POST /graphql HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\napollo-require-preflight: 1\r\n${extra}content-length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`;

/** A raw connection: what was sent, and the answers read whole (by content-length or chunks) in order. */
function rawClient(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let received = Buffer.alloc(0);
  let ended = false;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    wake();
  });
  socket.on('close', () => {
    ended = true;
    wake();
  });
  socket.on('error', () => {});
  const until = async (ready: () => boolean) => {
    while (!ready()) {
      if (ended) return;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  /** The next whole answer: its status, raw head and body; undefined if the connection ended first. */
  const answer = async (): Promise<{ status: number; head: string; body: string } | undefined> => {
    for (;;) {
      const text = received.toString('latin1');
      const headEnd = text.indexOf('\r\n\r\n');
      if (headEnd >= 0) {
        const head = text.slice(0, headEnd);
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
        const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
        if (status === 100) {
          received = received.subarray(headEnd + 4);
          continue;
        }
        if (length !== undefined && received.length >= headEnd + 4 + Number(length)) {
          const bodyText = received.subarray(headEnd + 4, headEnd + 4 + Number(length)).toString('utf8');
          received = received.subarray(headEnd + 4 + Number(length));
          return { status, head, body: bodyText };
        }
        if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
          const end = text.indexOf('\r\n0\r\n\r\n', headEnd);
          if (end >= 0) {
            const chunks = text.slice(headEnd + 4, end + 2);
            let decoded = '';
            for (let at = 0; at < chunks.length; ) {
              const lineEnd = chunks.indexOf('\r\n', at);
              const size = parseInt(chunks.slice(at, lineEnd), 16);
              decoded += chunks.slice(lineEnd + 2, lineEnd + 2 + size);
              at = lineEnd + 2 + size + 2;
            }
            received = received.subarray(end + 7);
            return { status, head, body: decoded };
          }
        }
      }
      if (ended) return undefined;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return {
    socket,
    write: (data: string | Buffer) => new Promise<void>((resolve) => socket.write(data, () => resolve())),
    answer,
    closed: () => until(() => ended).then(() => ended),
  };
}

const lean = (head: string) => /\r\nconnection: keep-alive\r\n/.test(head) || /\r\nconnection: close\r\n/.test(head);
const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the lean HTTP front', () => {
  it('answers two requests sent in one packet, in order, and a third on the same connection', async () => {
    const { port } = await serve();
    const client = rawClient(port);
    await client.write(post(body('{ ping(n: 1) }')) + post(body('{ ping(n: 2) }')));
    const first = await client.answer();
    const second = await client.answer();
    expect(first?.status).toBe(200);
    expect(lean(first!.head)).toBe(true);
    expect(JSON.parse(first!.body)).toEqual({ data: { ping: 'pong 1' } });
    expect(JSON.parse(second!.body)).toEqual({ data: { ping: 'pong 2' } });
    expect(second!.head).toMatch(/\r\nx-request-id: [0-9a-f-]{36}\r\n/);
    await client.write(post(body('{ ping(n: 3) }')));
    expect(JSON.parse((await client.answer())!.body)).toEqual({ data: { ping: 'pong 3' } });
    client.socket.destroy();
  });

  it('keeps pipelined requests waiting behind one still being answered, and answers them in order', async () => {
    const { port, release, held } = await serve();
    const client = rawClient(port);
    const entered = held();
    await client.write(post(body('{ held }')) + post(body('{ ping(n: 2) }')) + post(body('{ ping(n: 3) }')));
    await entered;
    release();
    expect(JSON.parse((await client.answer())!.body)).toEqual({ data: { held: 'released' } });
    expect(JSON.parse((await client.answer())!.body)).toEqual({ data: { ping: 'pong 2' } });
    expect(JSON.parse((await client.answer())!.body)).toEqual({ data: { ping: 'pong 3' } });
    client.socket.destroy();
  });

  it('reads a request cut into pieces anywhere, in the head and in the body', async () => {
    const { port } = await serve();
    const client = rawClient(port);
    const request = Buffer.from(post(body('{ ping(n: 7) }'), 'x-request-id: split-1\r\n'));
    for (const cut of [3, 30, request.length - 20, request.length - 1]) {
      // Each piece written and flushed before the next (with no delay in between: the test holds however it is cut).
      const start = [0, 3, 30, request.length - 20][[3, 30, request.length - 20, request.length - 1].indexOf(cut)]!;
      await client.write(request.subarray(start, cut));
      await yieldTurn();
    }
    await client.write(request.subarray(request.length - 1));
    const answer = await client.answer();
    expect(answer?.status).toBe(200);
    expect(lean(answer!.head)).toBe(true);
    expect(answer!.head).toMatch(/\r\nx-request-id: split-1\r\n/);
    expect(JSON.parse(answer!.body)).toEqual({ data: { ping: 'pong 7' } });
    client.socket.destroy();
  });

  it('refuses a body over the limit with 413 and closes the connection', async () => {
    const { port } = await serve();
    const client = rawClient(port);
    const big = body(`{ ping(n: 1) } ${' '.repeat(MAX_BODY)}`);
    await client.write(post(big));
    const answer = await client.answer();
    expect(answer?.status).toBe(413);
    expect(JSON.parse(answer!.body).errors[0].extensions.code).toBe('REQUEST_TOO_LARGE');
    expect(await client.closed()).toBe(true);
  });

  it('hands what it does not serve to node:http, with the bytes after it: chunked, expect, other routes, bad headers', async () => {
    const { port } = await serve();
    const client = rawClient(port);
    // A lean request, then a health check in the same packet: the connection is node:http's from the second on.
    await client.write(post(body('{ ping(n: 1) }')) + 'GET /health HTTP/1.1\r\nhost: test\r\n\r\n');
    const first = await client.answer();
    expect(lean(first!.head)).toBe(true);
    const health = await client.answer();
    expect(health?.status).toBe(200);
    expect(health!.body).toBe('ok');
    expect(lean(health!.head)).toBe(false);
    // node:http serves the rest of this connection: a chunked body, then `expect: 100-continue`.
    const payload = body('{ ping(n: 5) }');
    await client.write(
      `POST /graphql HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n${payload.length.toString(16)}\r\n${payload}\r\n0\r\n\r\n`,
    );
    const chunked = await client.answer();
    expect(chunked?.status).toBe(200);
    expect(JSON.parse(chunked!.body)).toEqual({ data: { ping: 'pong 5' } });
    client.socket.destroy();

    const expecting = rawClient(port);
    await expecting.write(post(body('{ ping(n: 6) }'), 'expect: 100-continue\r\n'));
    const continued = await expecting.answer();
    expect(continued?.status).toBe(200);
    expect(lean(continued!.head)).toBe(false);
    expect(JSON.parse(continued!.body)).toEqual({ data: { ping: 'pong 6' } });
    expecting.socket.destroy();

    const malformed = rawClient(port);
    await malformed.write('POST /graphql HTTP/1.1\r\nhost: test\r\nbad header\r\ncontent-length: 2\r\n\r\n{}');
    const refused = await malformed.answer();
    expect(refused?.status).toBe(400);
    expect(JSON.parse(refused!.body).errors[0].extensions.code).toBe('MALFORMED_HTTP_REQUEST');
  });

  it('survives a client that goes away mid-request and mid-answer, and still drains to nothing', async () => {
    const { service, port, release, held } = await serve();
    const partial = rawClient(port);
    const payload = body('{ ping }');
    await partial.write(post(payload).slice(0, -5));
    partial.socket.destroy();
    const leaving = rawClient(port);
    const entered = held();
    await leaving.write(post(body('{ held }')));
    await entered;
    leaving.socket.destroy();
    await leaving.closed();
    release();
    // The service still answers, and closing does not wait out the drain time for the request that lost its client.
    const after = rawClient(port);
    await after.write(post(body('{ ping(n: 9) }')));
    expect(JSON.parse((await after.answer())!.body)).toEqual({ data: { ping: 'pong 9' } });
    const started = Date.now();
    await service.close();
    expect(Date.now() - started).toBeLessThan(1_900);
  });

  it('answers the requests of a client that sent them and its end, then ends the connection', async () => {
    const { port } = await serve();
    const client = rawClient(port);
    client.socket.end(post(body('{ ping(n: 1) }')) + post(body('{ ping(n: 2) }')));
    expect(JSON.parse((await client.answer())!.body)).toEqual({ data: { ping: 'pong 1' } });
    expect(JSON.parse((await client.answer())!.body)).toEqual({ data: { ping: 'pong 2' } });
    expect(await client.closed()).toBe(true);
  });

  it('answers a request in flight when closing, with connection: close, and ends the connection', async () => {
    const { service, port, release, held } = await serve();
    const client = rawClient(port);
    const entered = held();
    await client.write(post(body('{ held }')));
    await entered;
    const closing = service.close();
    release();
    const answer = await client.answer();
    expect(answer?.status).toBe(200);
    expect(answer!.head).toMatch(/\r\nconnection: close\r\n/);
    expect(JSON.parse(answer!.body)).toEqual({ data: { held: 'released' } });
    expect(await client.closed()).toBe(true);
    await closing;
  });

  it("cuts a request whose head or body trickles in past node:http's header or request timeout, 408 and closed", async () => {
    const { service, port } = await serve();
    service.server.headersTimeout = 20_000;
    service.server.requestTimeout = 40_000;
    // The front's clock is faked from here (its connections' times and its sweep); node:http's own checks of these
    // timeouts run on the real clock, so only the front's cut can answer in this test.
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    try {
      /** Sends `whole` at once, then `text` a byte every 4 s of the fake clock until an answer comes; the fake time that took. */
      const trickle = async (whole: string, text: string) => {
        const client = rawClient(port);
        let answer: Awaited<ReturnType<typeof client.answer>> | null = null;
        let settled = false;
        void client.answer().then((a) => {
          answer = a ?? null;
          settled = true;
        });
        const started = Date.now();
        if (whole) await client.write(whole);
        // Bounded so that a front that never cuts fails here rather than at the test's time limit.
        for (let at = 0; at < text.length && !settled; at++) {
          await client.write(text[at]!);
          for (let step = 0; step < 8 && !settled; step++) {
            vi.advanceTimersByTime(500);
            await yieldTurn();
          }
        }
        return { client, answer: answer as Awaited<ReturnType<typeof client.answer>> | null, elapsed: Date.now() - started };
      };
      // Never 4 s without a byte: a front that waited only for a pause would wait for ever.
      const slowHead = await trickle('', `POST /graphql HTTP/1.1\r\nhost: test\r\nx-slow: ${'a'.repeat(40)}\r\n`);
      expect(slowHead.answer?.status).toBe(408);
      expect(JSON.parse(slowHead.answer!.body).errors[0].extensions.code).toBe('REQUEST_HEADERS_TIMEOUT');
      expect(slowHead.elapsed).toBeGreaterThanOrEqual(20_000);
      expect(slowHead.elapsed).toBeLessThan(40_000);
      expect(await slowHead.client.closed()).toBe(true);
      // A whole head and a body that trickles: the request timeout, from the request's first byte.
      const payload = body(`{ ping(n: 1) } ${' '.repeat(100)}`);
      const slowBody = await trickle(post(payload).slice(0, -payload.length), payload);
      expect(slowBody.answer?.status).toBe(408);
      expect(slowBody.elapsed).toBeGreaterThanOrEqual(40_000);
      expect(await slowBody.client.closed()).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('takes only the one shape of request as its own', () => {
    const ok = 'POST /graphql HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\nX-Request-Id:  r-1 ';
    expect(parseHead(ok, 100)).toEqual({ headers: { host: 'a', 'content-length': '12', 'x-request-id': 'r-1' }, length: 12 });
    expect(parseHead(ok, 11)).toBeUndefined();
    for (const other of [
      'GET /graphql HTTP/1.1\r\nhost: a\r\ncontent-length: 1',
      'POST /graphql?x=1 HTTP/1.1\r\nhost: a\r\ncontent-length: 1',
      'POST /graphql HTTP/1.0\r\nhost: a\r\ncontent-length: 1',
      'POST /graphql HTTP/1.1\r\ncontent-length: 1',
      'POST /graphql HTTP/1.1\r\nhost: a',
      'POST /graphql HTTP/1.1\r\nhost: a\r\ncontent-length: 1\r\ncontent-length: 1',
      'POST /graphql HTTP/1.1\r\nhost: a\r\ncontent-length: -1',
      'POST /graphql HTTP/1.1\r\nhost: a\r\ncontent-length: 1\r\ntransfer-encoding: chunked',
      'POST /graphql HTTP/1.1\r\nhost: a\r\ncontent-length: 1\r\nexpect: 100-continue',
      'POST /graphql HTTP/1.1\r\nhost: a\r\ncontent-length: 1\r\nconnection: close',
      'POST /graphql HTTP/1.1\r\nhost: a\r\ncontent-length: 1\r\n folded',
      'POST /graphql HTTP/1.1\r\nhost: a\r\ncontent-length: 1\r\nx: a\nb',
      'POST /graphql HTTP/1.1\r\nhost: a\r\ncontent-length: 1\r\nbad name: 1',
      'POST /graphql HTTP/1.1\rXhost: a\r\ncontent-length: 1',
      'POST /graphql HTTP/1.1\r\nhost: a\r\ncontent-length: 1\r\n: empty name',
      'POST /graphql HTTP/1.1\r\nhost: a\r\ncontent-length: 1\r\n',
    ]) {
      expect(parseHead(other, 100), other).toBeUndefined();
    }
    // Names an object's prototype has are the request's own headers, neither refused as repeated nor read through.
    const odd = parseHead('POST /graphql HTTP/1.1\r\nhost: a\r\ncontent-length: 1\r\nconstructor: x\r\n__proto__: y', 100);
    expect(Object.entries(odd!.headers)).toEqual([
      ['host', 'a'],
      ['content-length', '1'],
      ['constructor', 'x'],
      ['__proto__', 'y'],
    ]);
    expect(parseHead('POST /graphql HTTP/1.1\r\nhost: a\r\ncontent-length: 1', 100)!.headers.toString).toBeUndefined();
  });
});
