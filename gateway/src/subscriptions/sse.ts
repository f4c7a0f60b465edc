import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJsonBody, sendJson, type RouteHandler } from '@hub/core';
import { decodeJwt } from 'jose';
import type { Authenticate } from '../authenticate.ts';
import { bearerToken } from '../identity.ts';
import { openHttpStream, type StreamFormat } from './http-stream.ts';
import { frameOnce, type FrameCache } from './frames.ts';
import { payloadJson, type Delivery, type SubscribeRequest, type SubscribeResult } from './hub.ts';

/** Where GraphQL over Server-Sent Events is served (the `graphql-sse` protocol's conventional path). */
export const STREAM_PATH = '/graphql/stream';

/** A comment line this often keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

type Subscribe = (request: SubscribeRequest) => Promise<SubscribeResult>;

/**
 * GraphQL over SSE, distinct connections mode (`graphql-sse`; single connection mode is `sse-single.ts`): a POST (JSON body) or GET (query parameters) with
 * `Accept: text/event-stream` opens one stream for one subscription. Each event is `event: next` with the result and
 * `id:` its cursor, so a client (or the browser's EventSource) that reconnects with `Last-Event-ID` resumes after it;
 * the end is `event: complete`. A refusal before the stream opens is an HTTP status with `{ errors }`.
 */
export function sseRoute(options: { subscribe: Subscribe; authenticate: Authenticate; maxBodyBytes: number; single: { handles: (req: IncomingMessage, url: URL) => boolean; serve: RouteHandler } }): RouteHandler {
  return async (req, res, url) => {
    if (options.single.handles(req, url)) return options.single.serve(req, res, url);
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.setHeader('allow', 'GET, POST, PUT, DELETE');
      return sendJson(res, 405, { errors: [{ message: `${STREAM_PATH} takes GET or POST (PUT and DELETE in single connection mode)`, extensions: { code: 'METHOD_NOT_ALLOWED' } }] });
    }
    if (!(req.headers.accept ?? '').includes('text/event-stream')) {
      return sendJson(res, 406, { errors: [{ message: `${STREAM_PATH} answers text/event-stream: send Accept: text/event-stream`, extensions: { code: 'NOT_ACCEPTABLE' } }] });
    }
    let read: Promise<unknown> | undefined;
    const body = () => (read ??= req.method === 'POST' ? readJsonBody(req, options.maxBodyBytes) : Promise.resolve(undefined));
    // The same identity check as /graphql: a refusal is an HTTP error (and an audit record) before anything runs.
    const { caller } = await options.authenticate({ req, url, body });
    const params = req.method === 'POST' ? postParams(await body()) : getParams(url);
    if ('error' in params) return sendJson(res, 400, { errors: [{ message: params.error, extensions: { code: 'BAD_REQUEST' } }] });
    const stream = openHttpStream(res, SSE);
    const result = await options.subscribe({
      caller,
      expiresAt: expiryOf(req),
      recheck: () => options.authenticate({ req, url, body }),
      ...params,
      resumeFrom: headerValue(req.headers['last-event-id']),
      sink: stream.sink,
    });
    if (!result.ok) {
      if (!res.headersSent) return sendJson(res, result.status, { errors: result.errors });
      return stream.sink.end(result.errors);
    }
    if (stream.closed()) return result.unsubscribe();
    stream.open();
    await stream.untilClosed;
    result.unsubscribe();
  };
}

/** The token's expiry, already verified by `authenticate`. */
export function expiryOf(req: IncomingMessage): number | null {
  const { exp } = decodeJwt(bearerToken(req));
  return typeof exp === 'number' ? exp : null;
}

const frames: FrameCache = new WeakMap();

/**
 * The `graphql-sse` framing: `event: next` with the event's cursor as `id:`, a comment as heartbeat, `event: complete`.
 * An event's frame names no subscriber, so every member of a group is written the same bytes.
 */
const SSE: StreamFormat = {
  start(res) {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.flushHeaders();
  },
  heartbeat: { text: ':\n\n', everyMs: HEARTBEAT_MS },
  event: (delivery: Delivery) => frameOnce(frames, delivery, (d) => `id: ${d.id}\nevent: next\ndata: ${payloadJson(d)}\n\n`),
  errors: (errors) => `event: next\ndata: ${JSON.stringify({ errors })}\n\n`,
  close: 'event: complete\ndata:\n\n',
};

type Params = { query: string; operationName: string | null; variables: Record<string, unknown> | null } | { error: string };

export function postParams(body: unknown): Params {
  if (typeof body !== 'object' || body === null) return { error: 'the body must be a JSON object { query, variables, operationName }' };
  const { query, operationName, variables } = body as Record<string, unknown>;
  return checked(query, operationName, variables);
}

export function getParams(url: URL): Params {
  const variables = url.searchParams.get('variables');
  let parsed: unknown = null;
  if (variables) {
    try {
      parsed = JSON.parse(variables);
    } catch {
      return { error: 'variables must be JSON' };
    }
  }
  return checked(url.searchParams.get('query'), url.searchParams.get('operationName'), parsed);
}

function checked(query: unknown, operationName: unknown, variables: unknown): Params {
  if (typeof query !== 'string' || query.length === 0) return { error: 'query must be a GraphQL document' };
  if (operationName != null && typeof operationName !== 'string') return { error: 'operationName must be a string' };
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return { error: 'variables must be an object' };
  return { query, operationName: (operationName as string | null | undefined) ?? null, variables: (variables as Record<string, unknown> | null | undefined) ?? null };
}

export const headerValue = (value: string | string[] | undefined): string | null => (Array.isArray(value) ? (value[0] ?? null) : (value ?? null)) || null;
