import https from 'node:https';
import net from 'node:net';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { socketPathOf, UNIX_HTTP_PROTOCOL } from '@hub/core';

type Fetcher = RemoteGraphQLDataSource['fetcher'];

type FetcherResponse = Awaited<ReturnType<Fetcher>>;
type FetcherHeaders = FetcherResponse['headers'];

/**
 * A subgraph answer's headers as node:http read them (names lower-cased, repeated ones joined), behind the Headers
 * interface the data source reads `content-type` through: a fetch `Headers` built per answer showed in the profile.
 */
export class ReceivedHeaders implements FetcherHeaders {
  private readonly values_ = new Map<string, string>();
  constructor(received: Iterable<[string, string | string[] | undefined]> = []) {
    for (const [name, value] of received) if (value !== undefined) this.values_.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
  }
  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const current = this.values_.get(key);
    this.values_.set(key, current === undefined ? value : `${current}, ${value}`);
  }
  delete(name: string): void {
    this.values_.delete(name.toLowerCase());
  }
  get(name: string): string | null {
    return this.values_.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.values_.has(name.toLowerCase());
  }
  set(name: string, value: string): void {
    this.values_.set(name.toLowerCase(), value);
  }
  entries(): IterableIterator<[string, string]> {
    return this.values_.entries();
  }
  keys(): IterableIterator<string> {
    return this.values_.keys();
  }
  values(): IterableIterator<string> {
    return this.values_.values();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.values_.entries();
  }
}

/**
 * A subgraph's answer, already read whole: `json()` is one JSON.parse of the bytes, without the web streams a
 * fetch Response reads its body through (which the profile showed on every subgraph fetch).
 */
export class BufferedResponse implements FetcherResponse {
  bodyUsed = false;
  readonly redirected = false;
  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    readonly headers: FetcherHeaders,
    private readonly body: Buffer,
  ) {}
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  async text(): Promise<string> {
    this.bodyUsed = true;
    return this.body.toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    this.bodyUsed = true;
    return new Uint8Array(this.body).buffer;
  }
  clone(): FetcherResponse {
    return new BufferedResponse(this.url, this.status, this.statusText, new ReceivedHeaders(this.headers), this.body);
  }
}

/**
 * What stops one attempt at a subgraph: its timeout or the request's deadline. An AbortSignal only when something
 * asks for one (`signal`): the gateway's own fetcher listens here directly, so an attempt does without the
 * AbortController, its signal and the EventTarget listeners each attempt made (2-3 % of the gateway's busy samples).
 */
export class AttemptCancel {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | undefined;
  private controller: AbortController | undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  /** Called once when the attempt is aborted (not if it already was). */
  listen(listener: () => void): void {
    (this.listeners ??= []).push(listener);
  }

  unlisten(listener: () => void): void {
    const at = this.listeners?.indexOf(listener) ?? -1;
    if (at >= 0) this.listeners!.splice(at, 1);
  }

  /** A real AbortSignal that fires with this (made on first use). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }
}

/** Where `keepAliveFetcher` finds an attempt's `AttemptCancel` in the init it is given (besides its `signal`). */
export const ATTEMPT_CANCEL = Symbol('attempt cancel');

/**
 * Set to true in a fetch's init when sending the request twice does no harm (a read), though its method is POST: a
 * request on a kept connection that the subgraph closed before answering any of it is then sent once more, on a new
 * connection. GET, HEAD, OPTIONS, PUT and DELETE are replayable by their method (RFC 9110 §9.2.2).
 */
export const REPLAYABLE = Symbol('replayable');
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** What the pool listens to: an attempt's cancel, or a caller's AbortSignal. */
interface Cancel {
  readonly aborted: boolean;
  readonly reason: unknown;
  listen(listener: () => void): void;
  unlisten(listener: () => void): void;
}

function cancelOfSignal(signal: AbortSignal): Cancel {
  return {
    get aborted() {
      return signal.aborted;
    },
    get reason() {
      return signal.reason as unknown;
    },
    listen: (listener) => signal.addEventListener('abort', listener, { once: true }),
    unlisten: (listener) => signal.removeEventListener('abort', listener),
  };
}

export interface KeepAliveFetcherOptions {
  /** Open connections per subgraph at most; requests beyond wait for a free one. */
  maxSockets: number;
}

/**
 * The gateway's fetch to its subgraphs, the body buffered whole. The stock data source fetches with make-fetch-happen
 * (an HTTP cache and retry layer made for npm); the hop to a subgraph needs neither, nor compression (subgraphs
 * answer uncompressed, and nothing here asks for gzip). Plain `http:` and `http+unix:` go through `OriginPool`, a keep-alive HTTP/1.1
 * client of its own: node's `http.request` (its ClientRequest, agent events and stream machinery) was 10 % of the
 * gateway's CPU per request in a profile, besides the socket write. `https:` goes through node:http's agent.
 */
export function keepAliveFetcher(options: KeepAliveFetcherOptions): Fetcher & { destroy(): void } {
  const agent = new https.Agent({ keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' });
  const pools = new Map<string, OriginPool>();
  // A gateway asks a handful of subgraph URLs, each parsed once.
  const targets = new Map<string, URL>();
  const fetcher = (url: string, init: Parameters<Fetcher>[1] = {}): Promise<FetcherResponse> => {
    let target = targets.get(url);
    if (!target) {
      target = new URL(url);
      if (targets.size < 64) targets.set(url, target);
    }
    const body = init.body ?? '';
    const attemptCancel = (init as { [ATTEMPT_CANCEL]?: AttemptCancel })[ATTEMPT_CANCEL];
    if (target.protocol === 'http:' || target.protocol === UNIX_HTTP_PROTOCOL) {
      let pool = pools.get(target.host);
      if (!pool) pools.set(target.host, (pool = new OriginPool(connectTo(target), options.maxSockets)));
      const cancel = attemptCancel ?? (init.signal instanceof AbortSignal ? cancelOfSignal(init.signal) : undefined);
      const method = init.method ?? 'GET';
      const replayable = (init as { [REPLAYABLE]?: boolean })[REPLAYABLE] === true || IDEMPOTENT_METHODS.has(method);
      return pool.request(target, method, (init.headers ?? {}) as Record<string, string>, body, cancel, replayable).then(
        (r) => new BufferedResponse(url, r.status, r.statusText, r.headers, r.body),
      );
    }
    const signal = init.signal instanceof AbortSignal ? init.signal : undefined;
    return new Promise<FetcherResponse>((resolve, reject) => {
      const request = https.request(
        target,
        { method: init.method ?? 'GET', headers: { ...init.headers, 'content-length': String(Buffer.byteLength(body)) }, agent, signal },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const headers = new ReceivedHeaders(Object.entries(response.headers));
            resolve(new BufferedResponse(url, response.statusCode ?? 502, response.statusMessage ?? '', headers, Buffer.concat(chunks)));
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  };
  return Object.assign(fetcher as Fetcher, {
    destroy: () => {
      for (const pool of pools.values()) pool.destroy();
      pools.clear();
      agent.destroy();
    },
  });
}

/**
 * Where an origin's connections go: host and port, or, for `http+unix://<socket>/…` (a subgraph on this machine), the
 * socket, which spares both sides the loopback TCP stack (bench/local-transport.ts); its requests say `host: localhost`.
 */
function connectTo(target: URL): { connect: net.NetConnectOpts; host: string } {
  const socketPath = socketPathOf(target);
  if (socketPath !== undefined) return { connect: { path: socketPath }, host: 'localhost' };
  return { connect: { host: target.hostname, port: Number(target.port || 80), noDelay: true }, host: target.host };
}

interface RawResponse {
  status: number;
  statusText: string;
  headers: ReceivedHeaders;
  body: Buffer;
}

/** Header names and values as HTTP allows them: nothing that could end a line or the head. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;
const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/** Marks a socket error or hang-up that came before any byte of the answer. */
const UNANSWERED = Symbol('unanswered');

/** What node's `http.request` rejects with when its signal fires: an AbortError, the signal's reason as its cause. */
const abortError = (signal: { reason: unknown }): Error => Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' });

/**
 * Keep-alive HTTP/1.1 connections to one subgraph (host and port): at most `maxSockets` open, the most recently freed
 * used first, requests beyond waiting in order. A request is one write of its head and body; its answer is read
 * by `ResponseParser` (a length, chunks, or until the subgraph closes). A connection is used again only after an
 * answer it read whole, with nothing left over, that did not say `connection: close`; any error, an abort or an
 * answer cut short closes it. Errors are the socket's (ECONNREFUSED, ECONNRESET…), aborts the signal's reason.
 *
 * A kept connection can be closed by the subgraph at any moment it is idle (its keep-alive timeout, a replica shutting
 * down), and the close may still be on its way when a request is written into it: a replayable request whose kept
 * connection ends before a byte of the answer is sent once more on a new connection; any other fails with the socket's
 * error (a write is never sent twice unasked).
 */
class OriginPool {
  private readonly idle: net.Socket[] = [];
  /** Connections that have carried a whole exchange (kept ones, which the subgraph may since have closed). */
  private readonly kept = new WeakSet<net.Socket>();
  private open = 0;
  private readonly waiting: ((socket: net.Socket | null) => void)[] = [];
  private destroyed = false;

  constructor(
    private readonly origin: { connect: net.NetConnectOpts; host: string },
    private readonly maxSockets: number,
  ) {}

  async request(target: URL, method: string, headers: Record<string, string>, body: string | Buffer, signal: Cancel | undefined, replayable = false): Promise<RawResponse> {
    if (signal?.aborted) throw abortError(signal);
    let head = `${method} ${target.pathname}${target.search} HTTP/1.1\r\nhost: ${this.origin.host}\r\n`;
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined) continue;
      const lower = name.toLowerCase();
      if (lower === 'host' || lower === 'content-length' || lower === 'connection' || lower === 'transfer-encoding') continue;
      if (!TOKEN.test(name) || !FIELD_VALUE.test(String(value))) throw new TypeError(`Invalid header ${JSON.stringify(name)} in a subgraph request`);
      head += `${name}: ${value}\r\n`;
    }
    head += `content-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\n\r\n`;
    const message = typeof body === 'string' ? head + body : Buffer.concat([Buffer.from(head, 'latin1'), body]);
    const socket = await this.acquire(signal, false);
    if (!replayable || !this.kept.has(socket)) return this.exchange(socket, message, method === 'HEAD', signal);
    try {
      return await this.exchange(socket, message, method === 'HEAD', signal);
    } catch (error) {
      if (!(error as { [UNANSWERED]?: boolean })[UNANSWERED] || signal?.aborted) throw error;
      return this.exchange(await this.acquire(signal, true), message, method === 'HEAD', signal);
    }
  }

  destroy(): void {
    this.destroyed = true;
    for (const socket of this.idle.splice(0)) socket.destroy();
    for (const take of this.waiting.splice(0)) take(null);
  }

  /**
   * A connection for a request: the most recently freed idle one (not when `fresh`), else a new one, else the next one
   * an exchange frees (straight from its answer, so not one left idle).
   */
  private acquire(signal: Cancel | undefined, fresh: boolean): Promise<net.Socket> {
    if (this.destroyed) return Promise.reject(Object.assign(new Error('the subgraph connections are closed'), { code: 'ERR_DESTROYED' }));
    for (let reused = fresh ? undefined : this.idle.pop(); reused; reused = this.idle.pop()) {
      if (reused.writable && !reused.destroyed) return Promise.resolve(reused);
      reused.destroy();
    }
    if (this.open < this.maxSockets) return Promise.resolve(this.connect());
    return new Promise<net.Socket>((resolve, reject) => {
      const onAbort = () => {
        const at = this.waiting.indexOf(take);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(abortError(signal!));
      };
      const take = (socket: net.Socket | null) => {
        signal?.unlisten(onAbort);
        if (socket) resolve(socket);
        else if (this.destroyed) reject(Object.assign(new Error('the subgraph connections are closed'), { code: 'ERR_DESTROYED' }));
        else resolve(this.connect());
      };
      signal?.listen(onAbort);
      this.waiting.push(take);
    });
  }

  private connect(): net.Socket {
    this.open++;
    const socket = net.connect(this.origin.connect);
    socket.once('close', () => {
      this.open--;
      const at = this.idle.indexOf(socket);
      if (at >= 0) this.idle.splice(at, 1);
      // A slot is free: the first waiting request opens a connection of its own.
      this.waiting.shift()?.(null);
    });
    // An idle connection the subgraph closes (its keep-alive timeout) goes quietly, and at once: not left half closed
    // in the pool for the next request to write into. In use, the exchange hears the error or the close.
    socket.on('error', () => undefined);
    socket.on('end', () => socket.destroy());
    return socket;
  }

  private release(socket: net.Socket): void {
    if (this.destroyed || socket.destroyed) {
      socket.destroy();
      return;
    }
    this.kept.add(socket);
    const next = this.waiting.shift();
    if (next) next(socket);
    else this.idle.push(socket);
  }

  private exchange(socket: net.Socket, message: string | Buffer, noBody: boolean, signal: Cancel | undefined): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const parser = new ResponseParser(noBody);
      let settled = false;
      let answered = false;
      const finish = (error: Error | null, response?: RawResponse) => {
        if (settled) return;
        settled = true;
        socket.removeListener('data', onData);
        socket.removeListener('error', onError);
        socket.removeListener('close', onClose);
        signal?.unlisten(onAbort);
        if (error || !response) {
          socket.destroy();
          reject(error ?? new Error('no answer'));
          return;
        }
        if (parser.reusable()) this.release(socket);
        else socket.destroy();
        resolve(response);
      };
      const onData = (chunk: Buffer) => {
        answered = true;
        let response: RawResponse | undefined;
        try {
          response = parser.push(chunk);
        } catch (error) {
          finish(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (response) finish(null, response);
      };
      // The connection failed before a byte of the answer: `request` may send a replayable request once more.
      const onError = (error: Error) => finish(answered ? error : Object.assign(error, { [UNANSWERED]: true }));
      const onClose = () => {
        const response = parser.end();
        if (response) finish(null, response);
        else finish(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', [UNANSWERED]: !answered }));
      };
      const onAbort = () => finish(abortError(signal!));
      socket.on('data', onData);
      socket.on('error', onError);
      socket.on('close', onClose);
      signal?.listen(onAbort);
      socket.write(message);
    });
  }
}

/**
 * One HTTP/1.1 answer, read from the bytes as they come: the status line and headers, then a body framed by
 * `content-length`, by chunks, or by the connection's end. Interim (1xx) answers are skipped.
 */
export class ResponseParser {
  private buffer: Buffer = Buffer.alloc(0);
  private head: { status: number; statusText: string; headers: ReceivedHeaders; framing: 'length' | 'chunked' | 'close'; length: number; keepAlive: boolean } | undefined;
  private readonly parts: Buffer[] = [];
  private done = false;

  constructor(private readonly noBody = false) {}

  /** Bytes read but not yet joined to `buffer`: they wait until the part being read (a body, a chunk) is whole. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** The answer once it is whole, else undefined (more bytes needed). Throws on what is not HTTP. */
  push(chunk: Buffer): RawResponse | undefined {
    // Joining every read onto the bytes before it copied a large answer over and over (a column page's megabyte body
    // in 64 KiB reads: an eighth of the gateway's busy time in a dataset export); now its reads are joined once.
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const head = this.head;
    if (head && (head.framing === 'close' || (head.length >= 0 && this.buffer.length + this.pendingBytes < head.length + (head.framing === 'chunked' ? 2 : 0)))) return undefined;
    this.join();
    return this.advance();
  }

  private join(): void {
    if (this.pending.length === 0) return;
    this.buffer = this.buffer.length === 0 && this.pending.length === 1 ? this.pending[0]! : Buffer.concat([this.buffer, ...this.pending]);
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** The connection ended: an answer framed by its end is whole now; any other is cut short (undefined). */
  end(): RawResponse | undefined {
    this.join();
    if (this.done || !this.head || this.head.framing !== 'close') return undefined;
    this.parts.push(this.buffer);
    this.buffer = Buffer.alloc(0);
    return this.complete();
  }

  /** Whether the connection may carry another request: the answer was read whole, exactly, and keeps it alive. */
  reusable(): boolean {
    return this.done && this.buffer.length === 0 && this.pendingBytes === 0 && this.head !== undefined && this.head.keepAlive && this.head.framing !== 'close';
  }

  private advance(): RawResponse | undefined {
    for (;;) {
      if (!this.head) {
        const end = this.buffer.indexOf(HEAD_END);
        if (end < 0) {
          if (this.buffer.length > 64 * 1024) throw new Error('a subgraph answer whose head is over 64 KiB');
          return undefined;
        }
        const text = this.buffer.toString('latin1', 0, end);
        this.buffer = this.buffer.subarray(end + 4);
        const lines = text.split('\r\n');
        const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
        if (!status) throw new Error('a subgraph answer that is not HTTP/1.1');
        const code = Number(status[1]);
        const headers = new ReceivedHeaders();
        for (let i = 1; i < lines.length; i++) {
          const line = lines[i]!;
          const colon = line.indexOf(':');
          if (colon <= 0) throw new Error('a malformed header in a subgraph answer');
          headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
        }
        if (code >= 100 && code < 200) continue;
        const encoding = headers.get('transfer-encoding');
        const length = headers.get('content-length');
        const connection = (headers.get('connection') ?? '').toLowerCase();
        const keepAlive = !connection.split(',').some((token) => token.trim() === 'close') && lines[0]!.startsWith('HTTP/1.1');
        if (this.noBody || code === 204 || code === 304) this.head = { status: code, statusText: status[2] ?? '', headers, framing: 'length', length: 0, keepAlive };
        else if (encoding !== null) {
          if (encoding.toLowerCase().split(',').pop()!.trim() !== 'chunked') throw new Error(`a subgraph answer in transfer-encoding ${encoding}`);
          this.head = { status: code, statusText: status[2] ?? '', headers, framing: 'chunked', length: -1, keepAlive };
        } else if (length !== null) {
          if (!/^\d+$/.test(length)) throw new Error('a subgraph answer with an invalid content-length');
          this.head = { status: code, statusText: status[2] ?? '', headers, framing: 'length', length: Number(length), keepAlive };
        } else this.head = { status: code, statusText: status[2] ?? '', headers, framing: 'close', length: -1, keepAlive: false };
      }
      const head = this.head;
      if (head.framing === 'close') return undefined;
      if (head.framing === 'length') {
        if (this.buffer.length < head.length) return undefined;
        this.parts.push(this.buffer.subarray(0, head.length));
        this.buffer = this.buffer.subarray(head.length);
        return this.complete();
      }
      // Chunked: `size[;extensions]CRLF data CRLF`, until a size of 0 and the (empty or trailer) section's CRLF.
      if (head.length === -1) {
        const eol = this.buffer.indexOf(CRLF);
        if (eol < 0) return undefined;
        const size = Number.parseInt(this.buffer.toString('latin1', 0, eol).split(';')[0]!.trim(), 16);
        if (!Number.isInteger(size) || size < 0) throw new Error('a malformed chunk in a subgraph answer');
        if (size === 0) {
          // The trailer section: no lines (CRLF at once) or header lines ending in an empty one.
          const rest = this.buffer.subarray(eol + 2);
          if (rest.length < 2) return undefined;
          let close = 2;
          if (!rest.subarray(0, 2).equals(CRLF)) {
            const end = rest.indexOf(HEAD_END);
            if (end < 0) return undefined;
            close = end + 4;
          }
          this.buffer = rest.subarray(close);
          return this.complete();
        }
        head.length = size;
        this.buffer = this.buffer.subarray(eol + 2);
      }
      if (this.buffer.length < head.length + 2) return undefined;
      this.parts.push(this.buffer.subarray(0, head.length));
      this.buffer = this.buffer.subarray(head.length + 2);
      head.length = -1;
    }
  }

  private complete(): RawResponse {
    this.done = true;
    const head = this.head!;
    return { status: head.status, statusText: head.statusText, headers: head.headers, body: this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts) };
  }
}
