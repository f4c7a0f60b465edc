import { ApolloServer } from '@apollo/server';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { createHttpService, freshRequestId, isDraining, listen, readJsonBody, redactNumbers, redactText, REQUEST_ID_HEADER, requestIdOf, type RunningService } from '../src/index.ts';

const services: RunningService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close().catch(() => {});
});

async function serve(routes: Parameters<typeof createHttpService>[0]['routes']) {
  const apollo = new ApolloServer({ typeDefs: 'type Query { ping: String }', resolvers: { Query: { ping: () => 'pong' } } });
  await apollo.start();
  const server = createHttpService({ apollo, context: async () => ({}), routes });
  const service = await listen(server, 0, '127.0.0.1', () => apollo.stop(), 2_000);
  services.push(service);
  return { service, base: service.url.replace(/\/graphql$/, '') };
}

describe('the HTTP service', () => {
  it('drains on close: a request in flight is answered, new connections are refused', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const { service, base } = await serve({
      '/slow': async (_req, res) => {
        arrived();
        await held;
        res.end('done');
      },
    });
    const inFlight = fetch(`${base}/slow`);
    // Closing starts once the server is answering the request (not after a guessed delay: CI machines are busy).
    await reached;
    const closing = service.close();
    expect(isDraining(service.server)).toBe(true);
    // No new connection once closing began.
    await expect(fetch(`${base}/slow`, { headers: { connection: 'close' } })).rejects.toThrow();
    setTimeout(release, 100);
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('done');
    await closing;
  });

  it('cuts what is still running once the drain time is over', async () => {
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const { service, base } = await serve({
      '/stuck': () => {
        arrived();
        return new Promise<void>(() => {});
      },
    });
    const stuck = fetch(`${base}/stuck`).then(
      () => 'answered',
      () => 'cut',
    );
    await reached;
    const started = Date.now();
    await service.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(await stuck).toBe('cut');
  });

  it("answers with the caller's request id when it is a plain token, a fresh one otherwise", async () => {
    const { base } = await serve({ '/ok': (_req, res) => void res.end('ok') });
    const given = await fetch(`${base}/ok`, { headers: { [REQUEST_ID_HEADER]: 'app-42.retry:1' } });
    expect(given.headers.get(REQUEST_ID_HEADER)).toBe('app-42.retry:1');
    const forged = await fetch(`${base}/ok`, { headers: { [REQUEST_ID_HEADER]: 'x'.repeat(129) } });
    expect(forged.headers.get(REQUEST_ID_HEADER)).toMatch(/^[0-9a-f-]{36}$/);
    const none = await fetch(`${base}/ok`);
    expect(none.headers.get(REQUEST_ID_HEADER)).toMatch(/^[0-9a-f-]{36}$/);
    // Logged and audited verbatim: an id with a phone or a landline in it is not taken.
    for (const personal of ['13812345678', 'desk-a0512345678f', 'req.110105199001011234']) {
      const replaced = await fetch(`${base}/ok`, { headers: { [REQUEST_ID_HEADER]: personal } });
      expect(replaced.headers.get(REQUEST_ID_HEADER)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });

  it('takes a caller\'s id exactly when redaction would leave it unchanged, whatever digits and separators it holds', () => {
    // Ids dense in digits, `-` and `.` (and the `tel:` a local number needs) are where a shortcut past the redaction
    // patterns could go wrong; a seeded generator keeps a failure reproducible.
    let seed = 21;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = '0123456789012345678901234567890123456789--..:_xXabtel';
    const idOf = (given: string) => requestIdOf({ headers: { [REQUEST_ID_HEADER]: given } } as unknown as IncomingMessage);
    let kept = 0;
    let replaced = 0;
    for (let i = 0; i < 30_000; i++) {
      let id = random() < 0.2 ? 'tel:' : '';
      const length = 3 + Math.floor(random() * 22);
      while (id.length < length) id += alphabet[Math.floor(random() * alphabet.length)];
      const plain = redactNumbers(id) === id;
      expect(idOf(id) === id, id).toBe(plain);
      if (plain) kept++;
      else replaced++;
    }
    // Both sides were reached, hundreds of times (371 replaced, with this seed).
    expect(Math.min(kept, replaced)).toBeGreaterThan(300);
  });

  it('reads a body however it is cut into chunks, refuses one over the limit, and passes a broken stream\'s error on', async () => {
    const request = (chunks: Buffer[], fail?: Error) => {
      const stream = new Readable({ read() {} });
      for (const chunk of chunks) stream.push(chunk);
      if (fail) stream.destroy(fail);
      else stream.push(null);
      return Object.assign(stream, { headers: { 'content-type': 'application/json; charset=utf-8' }, complete: !fail }) as unknown as IncomingMessage;
    };
    const text = JSON.stringify({ query: '{ ping }', variables: { name: '张三'.repeat(50) } });
    const bytes = Buffer.from(text);
    // Cut inside a character's UTF-8 bytes as well.
    const pieces = [bytes.subarray(0, 17), bytes.subarray(17, 41), bytes.subarray(41)];
    expect(await readJsonBody(request(pieces), 10_000)).toEqual(JSON.parse(text));
    expect(await readJsonBody(request([bytes]), bytes.length)).toEqual(JSON.parse(text));
    await expect(readJsonBody(request(pieces), bytes.length - 1)).rejects.toMatchObject({ status: 413, code: 'REQUEST_TOO_LARGE' });
    await expect(readJsonBody(request([Buffer.from('{"query":')]), 100)).rejects.toMatchObject({ status: 400, code: 'BODY_NOT_JSON' });
    await expect(readJsonBody(request([], undefined), 100)).resolves.toBeUndefined();
    await expect(readJsonBody(request([bytes.subarray(0, 10)], new Error('socket hang up')), 10_000)).rejects.toThrow('socket hang up');
  });

  it('makes fresh request ids that redaction leaves unchanged', () => {
    for (let i = 0; i < 20_000; i++) {
      const id = freshRequestId();
      expect(redactText(id)).toBe(id);
    }
  });
});

