import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A lean HTTP/1.1 front for the gateway→department hop. node:http's server costs, per request, an IncomingMessage
 * and a ServerResponse, header objects, `writeHead`'s checks and a 'close' listener: about twice a raw framed
 * exchange's CPU. The gateway's client sends one shape of request only (`POST /graphql`, HTTP/1.1, `host`,
 * `content-length`, no transfer coding, no `expect`), so this front reads exactly that shape from the connection's
 * bytes and answers it itself, one request at a time, in order (pipelined requests wait their turn in its buffer).
 *
 * Everything else is node:http's: the first request on a connection that is not of that shape (another path or
 * method, a chunked body, `expect: 100-continue`, a duplicated or malformed header, a head over 16 KiB, a body over
 * the limit, HTTP/1.0, `connection: close`, an upgrade), together with every byte after it, is handed to node:http's
 * own connection handling, which serves the connection from then on (and answers 400, 413 or 431 as it always has).
 * node:http's header and request timeouts are the front's own for the requests it reads: a head not whole within the
 * server's `headersTimeout` of the request's first byte, or a body not whole within its `requestTimeout`, is answered
 * 408 (as node:http answers them) and the connection closed, however slowly the bytes trickle in.
 */

/** What the front needs of the service: how to answer a request it read, and the server's state. */
export interface LeanHandler {
  /** Answers one request read whole; `answer` writes the response (once). */
  serve(request: LeanRequest, answer: LeanAnswer): void;
  /** Whether the server is closing: answers say `connection: close`, and the connection ends after them. */
  draining(): boolean;
  maxBodyBytes: number;
  keepAliveTimeoutMs: number;
  /** node:http's `headersTimeout` and `requestTimeout` (0: none), read when a request is checked. */
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Answers a request that did not arrive in time (node:http's 408) and ends the connection. */
  timedOut(socket: Socket): void;
}

/** A request as the front read it: what the service's handlers read of node:http's IncomingMessage. */
export interface LeanRequest {
  method: 'POST';
  url: string;
  httpVersion: '1.1';
  headers: Record<string, string>;
  socket: Socket;
  body: Buffer;
}

/**
 * Writes the answer: the status, header pairs (name, value, …) and a complete body, or chunks of a body whose length
 * is not known (`stream`). Answers written after the client went away are dropped; `written` says whether this one
 * reached the socket whole.
 */
export interface LeanAnswer {
  complete(status: number, head: string[], body: string): boolean;
  stream(status: number, head: string[], chunks: AsyncIterable<string>): Promise<boolean>;
  /** Whether the client closed the connection before the answer was written. */
  readonly gone: boolean;
}

const MAX_HEAD_BYTES = 16 * 1024;
/** How often connections are checked for an incomplete request past its time or a keep-alive past its timeout. */
const SWEEP_MS = 2_500;
const HEAD_END = Buffer.from('\r\n\r\n');
const REQUEST_LINE = 'POST /graphql HTTP/1.1';
/**
 * A whole head of the served request line and its header lines: each a token (RFC 9110), a colon and a value as
 * node:http takes it (visible characters, spaces and tabs, and obs-text; no other control character).
 */
const HEAD_LINES = /^POST \/graphql HTTP\/1\.1(?:\r\n[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*)+$/;
const DIGITS = /^\d{1,15}$/;
/** Headers whose presence means a request this front does not serve: node:http's own handling decides. */
const HANDED_OVER = new Set(['transfer-encoding', 'expect', 'upgrade', 'te', 'trailer']);

/** The `date` header, made once a second at most (node:http caches it the same way). */
let dateText = '';
let dateAt = 0;
function httpDate(): string {
  const now = Date.now();
  if (now - dateAt >= 1000) {
    dateAt = now - (now % 1000);
    dateText = new Date(dateAt).toUTCString();
  }
  return dateText;
}

/**
 * Takes over `server`'s connections (TCP, and the Unix socket listener's, which are emitted on it): each is read by a
 * `LeanConnection` until it carries a request the front does not serve, then given to node:http's own listener.
 * Returns what closing the server needs: its idle connections closed, then all of them.
 */
export function installLeanFront(server: Server, handler: LeanHandler): { closeIdle(): void; closeAll(): void } {
  const [nodeListener] = server.listeners('connection') as ((socket: Socket) => void)[];
  if (!nodeListener) throw new Error('the HTTP server has no connection listener to hand connections to');
  server.removeListener('connection', nodeListener);
  const open = new Set<LeanConnection>();
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    const now = Date.now();
    for (const connection of open) connection.sweep(now);
    if (open.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };
  const handOver = (socket: Socket) => nodeListener.call(server, socket);
  server.on('connection', (socket: Socket) => {
    const connection = new LeanConnection(socket, handler, handOver, () => open.delete(connection));
    open.add(connection);
    sweeper ??= setInterval(sweep, SWEEP_MS).unref();
  });
  return {
    closeIdle: () => {
      for (const connection of open) connection.closeIfIdle();
    },
    closeAll: () => {
      for (const connection of open) connection.socket.destroy();
    },
  };
}

class LeanConnection {
  private pending: Buffer | undefined;
  private busy = false;
  private closed = false;
  private peerEnded = false;
  private lastActive = Date.now();
  /** When the first byte of the request now pending (`pending`) arrived, or became the one to serve (pipelined). */
  private requestStartedAt = 0;
  private readonly onData = (chunk: Buffer) => {
    if (this.closed) return;
    if (this.pending) this.pending = Buffer.concat([this.pending, chunk]);
    else {
      this.pending = chunk;
      this.requestStartedAt = Date.now();
    }
    this.lastActive = Date.now();
    if (!this.busy) this.next();
    // A client pipelining more than a request's worth while one is answered waits (TCP backpressure), as with node:http.
    else if (this.pending.length > MAX_HEAD_BYTES + this.handler.maxBodyBytes) this.socket.pause();
  };
  // The client sent all it will (the server's sockets stay half open): the requests read whole are answered, then the
  // connection ends.
  private readonly onEnd = () => {
    this.peerEnded = true;
    if (!this.busy) this.endIfDone();
  };
  private readonly onClose = () => {
    this.closed = true;
    this.pending = undefined;
    this.forget();
  };
  // A reset or a write to a closed socket: the 'close' that follows ends the connection's work.
  private readonly onError = () => {};

  constructor(
    readonly socket: Socket,
    private readonly handler: LeanHandler,
    private readonly handOver: (socket: Socket) => void,
    private readonly forget: () => void,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  private endIfDone(): void {
    if (this.closed || this.busy) return;
    this.closed = true;
    this.pending = undefined;
    this.socket.end();
  }

  sweep(now: number): void {
    if (this.busy || this.closed) return;
    if (this.pending !== undefined) {
      // Not served yet, so incomplete: its head (node:http's headers timeout) or its body (the request timeout), timed
      // from its first byte, as node:http times them, however recently a byte came.
      const limit = this.pending.indexOf(HEAD_END) < 0 ? this.handler.headersTimeoutMs : this.handler.requestTimeoutMs;
      if (limit > 0 && now - this.requestStartedAt >= limit) this.timeOut();
    } else if (now - this.lastActive >= this.handler.keepAliveTimeoutMs) this.socket.destroy();
  }

  /** A request that did not arrive in time: answered 408 and the connection ended, as node:http does. */
  private timeOut(): void {
    this.closed = true;
    this.pending = undefined;
    this.handler.timedOut(this.socket);
  }

  closeIfIdle(): void {
    if (this.busy || this.closed) return;
    // A request begun but not whole is node:http's to finish or refuse; a connection with nothing is closed.
    if (this.pending !== undefined) this.giveAway();
    else this.socket.destroy();
  }

  /** Serves the buffered requests in order, one at a time, until one is incomplete or not of the served shape. */
  private next(): void {
    while (this.pending !== undefined && !this.busy && !this.closed) {
      const buffer = this.pending;
      const headEnd = buffer.indexOf(HEAD_END);
      if (headEnd < 0) {
        if (buffer.length > MAX_HEAD_BYTES) this.giveAway();
        return;
      }
      if (headEnd > MAX_HEAD_BYTES) return this.giveAway();
      const head = parseHead(buffer.toString('latin1', 0, headEnd), this.handler.maxBodyBytes);
      if (head === undefined) return this.giveAway();
      const bodyStart = headEnd + 4;
      const end = bodyStart + head.length;
      if (buffer.length < end) return;
      this.pending = buffer.length > end ? buffer.subarray(end) : undefined;
      this.busy = true;
      this.handler.serve({ method: 'POST', url: '/graphql', httpVersion: '1.1', headers: head.headers, socket: this.socket, body: buffer.subarray(bodyStart, end) }, this.answer());
    }
  }

  /** Gives the connection, and every byte not yet served, to node:http. */
  private giveAway(): void {
    const { socket } = this;
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('close', this.onClose);
    socket.off('error', this.onError);
    this.forget();
    socket.pause();
    if (this.pending !== undefined) socket.unshift(this.pending);
    this.pending = undefined;
    this.closed = true;
    this.handOver(socket);
    socket.resume();
  }

  private answer(): LeanAnswer {
    let answered = false;
    const connection = this;
    const headOf = (status: number, head: string[], framing: string) => {
      let text = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
      let close = connection.handler.draining();
      for (let i = 0; i < head.length; i += 2) {
        const name = head[i]!;
        const value = head[i + 1]!;
        if (name.length === 10 && name.toLowerCase() === 'connection') {
          if (value.toLowerCase() === 'close') close = true;
          continue;
        }
        text += `${name}: ${value}\r\n`;
      }
      text += `date: ${httpDate()}\r\n`;
      text += close ? 'connection: close\r\n' : `connection: keep-alive\r\nkeep-alive: timeout=${Math.floor(connection.handler.keepAliveTimeoutMs / 1000)}\r\n`;
      return { text: `${text}${framing}\r\n`, close };
    };
    const done = (close: boolean) => {
      this.busy = false;
      this.lastActive = Date.now();
      if (this.closed) return;
      if (close) {
        this.pending = undefined;
        this.closed = true;
        this.socket.end();
        return;
      }
      if (this.socket.isPaused()) this.socket.resume();
      if (this.pending !== undefined) {
        // The next pipelined request is timed from now, when it is the one being read.
        this.requestStartedAt = this.lastActive;
        this.next();
      }
      if (this.peerEnded) this.endIfDone();
    };
    return {
      get gone() {
        return connection.closed;
      },
      complete: (status, head, body) => {
        if (answered) throw new Error('a request answered twice');
        answered = true;
        if (this.closed) {
          done(true);
          return false;
        }
        const { text, close } = headOf(status, head, `content-length: ${Buffer.byteLength(body)}\r\n`);
        // Head and body in one write.
        this.socket.write(text + body);
        done(close);
        return true;
      },
      stream: async (status, head, chunks) => {
        if (answered) throw new Error('a request answered twice');
        answered = true;
        const { text, close } = headOf(status, head, 'transfer-encoding: chunked\r\n');
        let whole = false;
        try {
          if (!this.closed) this.socket.write(text);
          for await (const chunk of chunks) {
            if (this.closed) break;
            if (chunk.length > 0) this.socket.write(`${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`);
          }
          if (!this.closed) {
            this.socket.write('0\r\n\r\n');
            whole = true;
          }
        } catch {
          // A body that fails half-way cannot be answered any other way now: the connection is cut.
          this.socket.destroy();
        }
        done(close || !whole);
        return whole;
      },
    };
  }
}

/**
 * The head of a request of the one served shape, or undefined for any other (node:http decides those): the request
 * line exactly `POST /graphql HTTP/1.1`; header names tokens, each once; values without control characters; `host`
 * present; `content-length` digits within the body limit; no transfer coding, `expect`, upgrade or `connection` other
 * than keep-alive. Names are lower-cased and values trimmed, as node:http gives them.
 */
export function parseHead(text: string, maxBodyBytes: number): { headers: Record<string, string>; length: number } | undefined {
  // The shape of every line in one pass of one expression (1.5-2.5 % of a department's samples went to a test of
  // each name and value apart); the lines are then only cut apart.
  if (!HEAD_LINES.test(text)) return undefined;
  const headers = new LeanHeaders();
  let at = REQUEST_LINE.length + 2;
  let length = -1;
  for (;;) {
    let lineEnd = text.indexOf('\r\n', at);
    if (lineEnd < 0) lineEnd = text.length;
    // Every line has its colon after a name of one character at least (HEAD_LINES).
    const colon = text.indexOf(':', at);
    const key = text.slice(at, colon).toLowerCase();
    if (key in headers || HANDED_OVER.has(key)) return undefined;
    const value = text.slice(colon + 1, lineEnd).trim();
    if (key === 'content-length') {
      if (!DIGITS.test(value)) return undefined;
      length = Number(value);
      if (length > maxBodyBytes) return undefined;
    } else if (key === 'connection' && value.toLowerCase() !== 'keep-alive') return undefined;
    headers[key] = value;
    if (lineEnd === text.length) break;
    at = lineEnd + 2;
  }
  if (length < 0 || headers.host === undefined) return undefined;
  return { headers, length };
}

/**
 * A request's headers with nothing to inherit (no `toString`, `__proto__` or `constructor` but the request's own),
 * as `Object.create(null)` would be, but with V8's fast properties: an object made by `Object.create(null)` is a
 * dictionary from the start, slower to fill and to read.
 */
const LeanHeaders = function LeanHeaders() {} as unknown as new () => Record<string, string>;
LeanHeaders.prototype = Object.create(null) as object;

/** The request as node:http's handlers read it (method, url, headers, socket). */
export const asIncomingMessage = (request: LeanRequest): IncomingMessage => request as unknown as IncomingMessage;
