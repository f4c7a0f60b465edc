import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJsonBody, sendJson, type Caller } from '@hub/core';
import type { Authenticate } from '../authenticate.ts';
import { frameOnce, operationHead, resultJson, type FrameCache } from './frames.ts';
import type { SubscribeRequest, SubscribeResult, Sink } from './hub.ts';
import { expiryOf, postParams } from './sse.ts';

type Subscribe = (request: SubscribeRequest) => Promise<SubscribeResult>;

/** The graphql-sse protocol's header (or `token` query parameter) naming a reserved stream. */
export const STREAM_TOKEN_HEADER = 'x-graphql-event-stream-token';
/** A reservation nobody opens within this long is forgotten. */
const RESERVATION_MS = 30_000;
/** Streams one caller may have reserved or open at once. */
const RESERVATIONS_PER_CALLER = 5;

/** An event's message after its operation id, `,"payload":{…}}`: the same for every member of a group. */
const tails: FrameCache = new WeakMap();

interface Reservation {
  userId: string;
  stream: ServerResponse | null;
  operations: Map<string, () => void>;
  expires: NodeJS.Timeout;
}

/**
 * GraphQL over SSE, single connection mode (`graphql-sse` with `singleConnection: true`): `PUT` reserves a stream
 * (201, the token as text), `GET` with the token opens it, each `POST` with the token and `extensions.operationId`
 * starts a subscription on it (202), its events `{ id, payload }`, and `DELETE ?operationId=` ends one. Every request
 * carries the caller's bearer token and is checked as any; a stream serves only the caller who reserved it.
 */
export function singleConnectionMode(options: { subscribe: Subscribe; authenticate: Authenticate; maxBodyBytes: number }) {
  const reservations = new Map<string, Reservation>();
  const perCaller = (userId: string) => [...reservations.values()].filter((r) => r.userId === userId).length;
  const refuse = (res: ServerResponse, status: number, code: string, message: string) => sendJson(res, status, { errors: [{ message, extensions: { code } }] });

  function forget(token: string) {
    const reservation = reservations.get(token);
    if (!reservation) return;
    reservations.delete(token);
    clearTimeout(reservation.expires);
    for (const unsubscribe of reservation.operations.values()) unsubscribe();
    reservation.operations.clear();
  }

  /** The reservation a request names, if it is the caller's. */
  function reservationOf(req: IncomingMessage, url: URL, caller: Caller): [string, Reservation] | undefined {
    const header = req.headers[STREAM_TOKEN_HEADER];
    const token = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('token') ?? '';
    const reservation = reservations.get(token);
    return reservation && reservation.userId === caller.userId ? [token, reservation] : undefined;
  }

  return {
    /** Whether a request belongs to single connection mode: a reservation, or a request naming a stream. */
    handles: (req: IncomingMessage, url: URL) => req.method === 'PUT' || req.method === 'DELETE' || req.headers[STREAM_TOKEN_HEADER] !== undefined || url.searchParams.has('token'),

    async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
      let read: Promise<unknown> | undefined;
      const body = () => (read ??= req.method === 'POST' ? readJsonBody(req, options.maxBodyBytes) : Promise.resolve(undefined));
      const { caller } = await options.authenticate({ req, url, body });
      if (req.method === 'PUT') {
        if (perCaller(caller.userId) >= RESERVATIONS_PER_CALLER) return refuse(res, 429, 'SUBSCRIPTION_LIMIT', `one caller may hold ${RESERVATIONS_PER_CALLER} event streams at once`);
        const token = randomUUID();
        const expires = setTimeout(() => reservations.get(token)?.stream ?? forget(token), RESERVATION_MS);
        expires.unref();
        reservations.set(token, { userId: caller.userId, stream: null, operations: new Map(), expires });
        res.writeHead(201, { 'content-type': 'text/plain; charset=utf-8' });
        return void res.end(token);
      }
      const found = reservationOf(req, url, caller);
      if (!found) return refuse(res, 404, 'STREAM_NOT_FOUND', 'no event stream of yours is reserved under this token: reserve one with PUT');
      const [token, reservation] = found;
      if (req.method === 'GET') {
        if (reservation.stream) return refuse(res, 409, 'STREAM_ALREADY_OPEN', 'this event stream is already open');
        clearTimeout(reservation.expires);
        reservation.stream = res;
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
        res.flushHeaders();
        const heartbeat = setInterval(() => res.write(':\n\n'), 15_000);
        heartbeat.unref();
        await new Promise<void>((resolve) => res.once('close', resolve));
        clearInterval(heartbeat);
        return forget(token);
      }
      if (req.method === 'DELETE') {
        const operationId = url.searchParams.get('operationId') ?? '';
        reservation.operations.get(operationId)?.();
        reservation.operations.delete(operationId);
        return sendJson(res, 200, {});
      }
      if (req.method !== 'POST') return refuse(res, 405, 'METHOD_NOT_ALLOWED', 'single connection mode takes PUT, GET, POST and DELETE');
      const stream = reservation.stream;
      if (!stream) return refuse(res, 409, 'STREAM_NOT_OPEN', 'open the event stream (GET) before subscribing on it');
      const raw = (await body()) as { extensions?: { operationId?: unknown } } | null;
      const operationId = raw?.extensions?.operationId;
      if (typeof operationId !== 'string' || operationId.length === 0 || operationId.length > 100) return refuse(res, 400, 'BAD_REQUEST', 'extensions.operationId must name the operation');
      if (reservation.operations.has(operationId)) return refuse(res, 409, 'OPERATION_ID_IN_USE', `operation ${operationId} is already running on this stream`);
      const params = postParams(raw);
      if ('error' in params) return refuse(res, 400, 'BAD_REQUEST', params.error);
      let ended = false;
      const head = operationHead('event: next\ndata: ', operationId);
      const sink: Sink = {
        next(delivery) {
          if (ended || stream.writableEnded) return;
          stream.write(Buffer.concat([head, frameOnce(tails, delivery, (d) => `,"payload":${resultJson(d)}}\n\n`)]));
        },
        buffered: () => stream.writableLength,
        end(errors) {
          if (ended || stream.writableEnded) return;
          ended = true;
          reservation.operations.delete(operationId);
          if (errors?.length) stream.write(`event: next\ndata: ${JSON.stringify({ id: operationId, payload: { errors } })}\n\n`);
          stream.write(`event: complete\ndata: ${JSON.stringify({ id: operationId })}\n\n`);
        },
      };
      // Taken before the subscription is admitted: a second POST of the same id meanwhile is refused.
      reservation.operations.set(operationId, () => {});
      const result = await options.subscribe({ caller, expiresAt: expiryOf(req), recheck: () => options.authenticate({ req, url, body }), ...params, resumeFrom: null, sink });
      if (!result.ok) {
        reservation.operations.delete(operationId);
        return sendJson(res, result.status, { errors: result.errors });
      }
      if (!reservations.has(token)) return result.unsubscribe();
      reservation.operations.set(operationId, () => {
        ended = true;
        result.unsubscribe();
      });
      res.writeHead(202, { 'content-type': 'text/plain; charset=utf-8' });
      res.end();
    },

    close() {
      for (const [token, reservation] of [...reservations]) {
        reservation.stream?.end();
        forget(token);
      }
    },
  };
}
