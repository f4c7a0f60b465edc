import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { context } from '@opentelemetry/api';
import type { Logger } from './log.ts';
import type { ServiceMetrics } from './metrics.ts';
import { asIncomingMessage, installLeanFront, type LeanAnswer, type LeanRequest } from './lean-http.ts';
import { REQUEST_ID_HEADER, requestIdOf, withRequestScope } from './request-context.ts';
import { startRequestSpan } from './tracing.ts';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

/** A `/graphql` request as a guard sees it: the body is read only when the guard (or GraphQL) asks for it. */
export interface GuardedRequest {
  req: IncomingMessage;
  url: URL;
  body(): Promise<unknown>;
  /** The body's bytes as received (undefined for a GET), for a guard that checks what a token was signed for. */
  bodyBytes?(): Promise<Buffer | undefined>;
}

export interface HttpServiceOptions<TContext extends BaseContext, TAuth = undefined> {
  apollo: ApolloServer<TContext>;
  /**
   * Runs before GraphQL on every `/graphql` request: returns who is asking, or throws an `HttpError` to refuse the
   * request with that status and code before any operation is parsed. Extra routes (`/health`) are not guarded.
   */
  guard?: (request: GuardedRequest) => Promise<TAuth>;
  /** Builds the per-request context (and with it the request's DataLoaders) for the guard's answer. */
  context: (req: IncomingMessage, auth: TAuth) => Promise<TContext>;
  /** Extra routes by exact path, e.g. `/health`. */
  routes?: Record<string, RouteHandler>;
  /**
   * For a `/graphql` request that asks for a streamed answer its own way (the gateway's multipart subscriptions), the
   * handler that serves it instead of Apollo; undefined for every other request.
   */
  graphqlStream?: (req: IncomingMessage) => RouteHandler | undefined;
  /** Extra routes by path prefix: `/datasets` serves `/datasets` and everything under `/datasets/`. */
  prefixRoutes?: Record<string, RouteHandler>;
  maxBodyBytes?: number;
  /** The service's Prometheus registry: every request is counted in it, and it is served at `/metrics`. */
  metrics?: ServiceMetrics;
  /** Where each answered request is logged, at debug level: route, status, time and the request id. */
  logger?: Logger;
  /** The service's name on its trace spans (see `startTracing`); default the metrics' service name. */
  service?: string;
  /**
   * Serve `POST /graphql` with a body of known length (the gateway's fetches) through the lean HTTP/1.1 front
   * (`lean-http.ts`) rather than node:http's request objects; every other request still goes to node:http.
   * Not for a server with `graphqlStream` (the gateway's own).
   */
  lean?: boolean;
}

export interface RunningService {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

const GRAPHQL_PATH = '/graphql';
const mapSet = Map.prototype.set;
/** The URL of every request the lean front serves (it serves no other path, and no query string). */
const GRAPHQL_URL = new URL(GRAPHQL_PATH, 'http://localhost');

/** Requests a server is still answering, so that closing it can wait for them (graceful shutdown). */
interface Drain {
  inFlight: number;
  draining: boolean;
  idle: (() => void)[];
}
const drains = new WeakMap<Server, Drain>();
/** The lean fronts' connections, closed with the server's own (node:http does not know them). */
const leanFronts = new WeakMap<Server, { closeIdle(): void; closeAll(): void }>();

/** Whether the server is closing: it answers what it has, and readiness says it takes nothing new. */
export function isDraining(server: Server): boolean {
  return drains.get(server)?.draining ?? false;
}

/**
 * Serves an Apollo Server on node:http without a framework: `/graphql` plus a few exact routes. The gateway and
 * every subgraph share it, so health checks and body limits behave the same everywhere.
 */
export function createHttpService<TContext extends BaseContext, TAuth = undefined>(options: HttpServiceOptions<TContext, TAuth>): Server {
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const metrics = options.metrics;
  const routes: Record<string, RouteHandler> = { ...options.routes, ...(metrics ? { '/metrics': (_req, res) => metrics.serve(res) } : {}) };
  const drain: Drain = { inFlight: 0, draining: false, idle: [] };
  const logRequests = options.logger !== undefined && (options.logger.enabled?.('debug') ?? true);
  const recorded = metrics !== undefined || logRequests;
  const service = options.service ?? metrics?.service ?? 'hub';
  const server = createServer((req, res) => {
    const startedAt = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const requestId = requestIdOf(req);
    const prefixed = routes[url.pathname] ? undefined : prefixRouteOf(options.prefixRoutes, url.pathname);
    const route = routes[url.pathname] ?? prefixed?.handler;
    const stream = !route && url.pathname === GRAPHQL_PATH ? options.graphqlStream?.(req) : undefined;
    const graphql = !route && !stream && url.pathname === GRAPHQL_PATH;
    const handle = route ? async () => route(req, res, url) : stream ? async () => stream(req, res, url) : graphql ? () => serveGraphQL(req, res, url, requestId) : null;
    // A GraphQL answer carries the request id in the head it writes at once (`writeHead` with an array takes Node's
    // fast path only while no header has been set one by one); every other answer has it set here.
    if (!graphql) res.setHeader(REQUEST_ID_HEADER, requestId);
    // A prefix route is counted under its prefix, so paths under it cannot grow the metric's label set.
    const metricRoute = prefixed ? prefixed.prefix : handle ? url.pathname : 'unknown';
    // What is recorded once the answer is sent (the metrics and, at debug level, the access log): an answer cut off
    // before its end counts as none, as with a 'finish' listener.
    const record = () => {
      const ms = performance.now() - startedAt;
      metrics?.recordRequest(metricRoute, res.statusCode, ms / 1000);
      // The route, never the query string (a GET's query may carry variables).
      if (logRequests) options.logger!.debug('request', { requestId, method: req.method, route: url.pathname, status: res.statusCode, ms: Math.round(ms) });
    };
    // A keep-alive client of a closing server is told to reconnect (to another instance) after this answer.
    if (drain.draining && !graphql) res.setHeader('connection', 'close');
    if (!handle) {
      if (recorded) res.once('finish', record);
      return sendJson(res, 404, refusalBody(`no route ${url.pathname.slice(0, 200)}; GraphQL is served at ${GRAPHQL_PATH}`, 'NOT_FOUND'));
    }
    drain.inFlight++;
    const span = startRequestSpan(service, req, url.pathname);
    // One listener per request: 'close' follows 'finish' (a tick later) and also comes for an answer cut off.
    res.once('close', () => {
      if (recorded && res.writableFinished) record();
      span.end(res);
      if (--drain.inFlight === 0) for (const resolve of drain.idle.splice(0)) resolve();
    });
    // The request's span and its scope (request id, loader waves) entered in one context switch.
    context.with(withRequestScope(span.context, { requestId }), () =>
      Promise.resolve(handle()).catch((error: unknown) => {
        if (!res.headersSent) {
          if (graphql) {
            res.setHeader(REQUEST_ID_HEADER, requestId);
            if (drain.draining) res.setHeader('connection', 'close');
          }
          if (error instanceof HttpError) {
            for (const [key, value] of Object.entries(error.headers)) res.setHeader(key, value);
            return sendJson(res, error.status, refusalBody(error.message, error.code, error.extensions));
          }
          sendJson(res, 500, refusalBody('internal error', 'INTERNAL_SERVER_ERROR'));
        } else res.destroy();
      }),
    );
  });
  drains.set(server, drain);
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerClientError);

  /** Runs the guard and GraphQL for a `/graphql` request; the answer's status, head (name, value, …) and body. */
  async function answerGraphQL(req: IncomingMessage, url: URL, requestId: string, bodyBytes: () => Promise<Buffer | undefined>) {
    // node:http and the lean front both give header names lower-cased: Map's own `set`, not HeaderMap's, which
    // lower-cases each name again; a `for…in` over the headers, not an array per header from `Object.entries`.
    const headers = new HeaderMap();
    const given = req.headers;
    for (const key in given) {
      const value = given[key];
      if (value !== undefined) mapSet.call(headers, key, Array.isArray(value) ? value.join(', ') : value);
    }
    let parsed: Promise<unknown> | undefined;
    const body = () => (parsed ??= bodyBytes().then(parseJsonBody));
    const auth = options.guard ? await options.guard({ req, url, body, bodyBytes }) : (undefined as TAuth);
    const result = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body: await body() },
      context: () => options.context(req, auth),
    });
    const head: string[] = [REQUEST_ID_HEADER, requestId];
    for (const [key, value] of result.headers) head.push(key, value);
    return { status: result.status ?? 200, head, body: result.body };
  }

  async function serveGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string) {
    let bytes: Promise<Buffer | undefined> | undefined;
    const bodyBytes = () => (bytes ??= req.method === 'POST' ? readBody(req, maxBody) : Promise.resolve(undefined));
    const { status, head, body } = await answerGraphQL(req, url, requestId, bodyBytes);
    if (drain.draining) head.push('connection', 'close');
    if (body.kind === 'complete') {
      // Head and body in one write, the body's length declared: no per-header bookkeeping, no chunked framing.
      const text = body.string;
      head.push('content-length', String(Buffer.byteLength(text)));
      res.writeHead(status, head).end(text);
      return;
    }
    res.writeHead(status, head);
    for await (const chunk of body.asyncIterator) res.write(chunk);
    res.end();
  }

  if (options.lean && !options.graphqlStream) {
    const front = installLeanFront(server, {
      maxBodyBytes: maxBody,
      keepAliveTimeoutMs: server.keepAliveTimeout,
      get headersTimeoutMs() {
        return server.headersTimeout;
      },
      get requestTimeoutMs() {
        return server.requestTimeout;
      },
      timedOut: (socket) => answerClientError(Object.assign(new Error('request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket),
      draining: () => drain.draining,
      serve: (request, answer) => serveLean(request, answer),
    });
    leanFronts.set(server, front);
  }

  /**
   * A `POST /graphql` read by the lean front (`lean-http.ts`): the same request id, span, scope, guard, GraphQL,
   * refusals, metrics and access log as node:http's path above, written straight to the socket.
   */
  function serveLean(request: LeanRequest, answer: LeanAnswer): void {
    const startedAt = performance.now();
    const req = asIncomingMessage(request);
    const requestId = requestIdOf(req);
    let status = 500;
    drain.inFlight++;
    const span = startRequestSpan(service, req, GRAPHQL_PATH);
    const finish = (written: boolean) => {
      if (written && recorded) {
        const ms = performance.now() - startedAt;
        metrics?.recordRequest(GRAPHQL_PATH, status, ms / 1000);
        if (logRequests) options.logger!.debug('request', { requestId, method: 'POST', route: GRAPHQL_PATH, status, ms: Math.round(ms) });
      }
      span.end({ statusCode: status } as ServerResponse);
      if (--drain.inFlight === 0) for (const resolve of drain.idle.splice(0)) resolve();
    };
    let bytes: Promise<Buffer> | undefined;
    const bodyBytes = () =>
      (bytes ??= new Promise<Buffer>((resolve) => {
        checkCharset(req);
        resolve(request.body);
      }));
    context.with(withRequestScope(span.context, { requestId }), () =>
      answerGraphQL(req, GRAPHQL_URL, requestId, bodyBytes).then(
        async (result) => {
          status = result.status;
          if (result.body.kind === 'complete') return finish(answer.complete(status, result.head, result.body.string));
          finish(await answer.stream(status, result.head, result.body.asyncIterator));
        },
        (error: unknown) => {
          const head: string[] = [REQUEST_ID_HEADER, requestId, 'content-type', 'application/json; charset=utf-8'];
          let text: string;
          if (error instanceof HttpError) {
            status = error.status;
            for (const [key, value] of Object.entries(error.headers)) head.push(key, value);
            text = JSON.stringify(refusalBody(error.message, error.code, error.extensions));
          } else {
            status = 500;
            text = JSON.stringify(refusalBody('internal error', 'INTERNAL_SERVER_ERROR'));
          }
          finish(answer.complete(status, head, text));
        },
      ).catch(() => {
        // Only writing the answer can fail here (the socket's own errors are its 'error' events): cut the connection.
        request.socket.destroy();
      }),
    );
  }

  return server;
}

function prefixRouteOf(prefixRoutes: Record<string, RouteHandler> | undefined, path: string): { prefix: string; handler: RouteHandler } | undefined {
  if (!prefixRoutes) return undefined;
  for (const [prefix, handler] of Object.entries(prefixRoutes)) {
    if (path === prefix || path.startsWith(`${prefix}/`)) return { prefix, handler };
  }
  return undefined;
}

/**
 * A refusal before GraphQL runs, answered with the given status (and headers, e.g. `WWW-Authenticate`,
 * `Retry-After`) and a GraphQL error body (`refusalBody`), so a client reads every refusal the one way.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly headers: Record<string, string> = {},
    /** Beside `code` in the error's `extensions` (a rate limit's `retryAfterSeconds`). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * The body of a request refused before GraphQL: a GraphQL response with one error and no `data` (GraphQL over HTTP's
 * request error), `{ "errors": [{ "message", "extensions": { "code" } }] }`, as a refused operation's.
 */
export function refusalBody(message: string, code: string, extensions: Record<string, unknown> = {}): { errors: [{ message: string; extensions: Record<string, unknown> }] } {
  return { errors: [{ message, extensions: { code, ...extensions } }] };
}

/** JSON is UTF-8 (RFC 8259): a body declared in another charset is refused rather than misread. */
function checkCharset(req: IncomingMessage): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new HttpError(415, 'a request body must be JSON in UTF-8 (Content-Type: application/json; charset=utf-8)', 'UNSUPPORTED_MEDIA_TYPE');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The body's bytes, from the stream's own events: an async iterator over the request costs a promise and a
 * 'readable' round per chunk (each promise also carries the request's async context). A body over `maxBytes` is
 * refused as soon as it is known to be; the rest of it is left unread (the answer closes the connection).
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    checkCharset(req);
    const tooLarge = () => new HttpError(413, `request body larger than ${maxBytes} bytes`, 'REQUEST_TOO_LARGE', { connection: 'close' });
    if (Number(req.headers['content-length']) > maxBytes) {
      reject(tooLarge());
      return;
    }
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        done();
        req.pause();
        reject(tooLarge());
        return;
      }
      // One chunk (a subgraph fetch's body, nearly always) is the body as it is, without a copy.
      if (first === undefined) first = chunk;
      else (chunks ??= [first]).push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(chunks ? Buffer.concat(chunks, size) : (first ?? Buffer.alloc(0)));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    // An aborted request ends with neither 'end' nor 'error' on some Node versions: its 'close' settles the read.
    const onClose = () => {
      done();
      reject(new HttpError(400, 'the request body ended before it was complete', 'MALFORMED_HTTP_REQUEST'));
    };
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** A JSON request body, read within `maxBytes` (for routes beside `/graphql` that take JSON). */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  return parseJsonBody(await readBody(req, maxBytes));
}

function parseJsonBody(bytes: Buffer | undefined): unknown {
  if (bytes === undefined || bytes.length === 0) return undefined;
  try {
    // Invalid UTF-8 is refused, not replaced by U+FFFD; a leading byte order mark is dropped, as WHATWG decoding does.
    return JSON.parse(utf8.decode(bytes));
  } catch {
    throw new HttpError(400, 'request body is not valid JSON in UTF-8', 'BODY_NOT_JSON');
  }
}

/**
 * A request Node's HTTP parser refuses (headers over its limit, a malformed request line, garbage after a body) is
 * answered here, with the same JSON body as every other refusal, instead of Node's bare status line.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // As Node's own handler: no answer over one already being written on this socket (keep-alive), which it would corrupt.
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, reason, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'the request headers are larger than 16 KB']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'REQUEST_HEADERS_TIMEOUT', 'the request headers did not arrive in time']
        : [400, 'Bad Request', 'MALFORMED_HTTP_REQUEST', 'the request is not well-formed HTTP'];
  const body = JSON.stringify(refusalBody(message, code));
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

/** How long closing waits for requests in flight before it cuts their connections. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Listens on the port (0 picks a free one) and returns the GraphQL URL and a close that drains: it stops accepting
 * connections, answers every request already in flight (up to `drainMs`), then closes what is left and calls `onClose`.
 */
export async function listen(
  server: Server,
  port: number,
  host = '127.0.0.1',
  onClose?: () => Promise<void>,
  drainMs = DRAIN_TIMEOUT_MS,
): Promise<RunningService> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}${GRAPHQL_PATH}`,
    port: actual,
    server,
    close: async () => {
      const drain = drains.get(server);
      if (drain) drain.draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      leanFronts.get(server)?.closeIdle();
      if (drain && drain.inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => drain.idle.push(resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs))),
        ]);
        clearTimeout(timer);
      }
      // Answered connections a keep-alive client still holds open, and whatever outlived the drain time.
      server.closeAllConnections();
      leanFronts.get(server)?.closeAll();
      await closed;
      await onClose?.();
    },
  };
}
