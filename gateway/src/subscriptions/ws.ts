import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { AccessRefusal } from '@hub/core';
import { GraphQLError, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Authenticate } from '../authenticate.ts';
import { PURPOSE_HEADER } from '../identity.ts';
import { frameOnce, operationHead, resultJson, type FrameCache } from './frames.ts';
import type { SubscribeRequest, SubscribeResult, Sink } from './hub.ts';
import { expiryOf } from './sse.ts';

type Subscribe = (request: SubscribeRequest) => Promise<SubscribeResult>;

const WS_PATH = '/graphql';
const PROTOCOL = 'graphql-transport-ws';
/** A stand-in document for graphql-ws: the hub has already checked and translated the client's own. */
const HANDED_OVER = parse('subscription { caseEvents { cursor } }');

type Extra = {
  caller?: SubscribeRequest['caller'];
  expiresAt?: number | null;
  recheck?: () => Promise<unknown>;
};

/**
 * `graphql-transport-ws` on `/graphql` (the `graphql-ws` library speaks the protocol; execution is the hub's). The
 * bearer token comes in `connection_init`'s payload (`{ authorization: "Bearer …", purpose }`, since browsers cannot
 * set headers on a WebSocket) or on the upgrade request, and is checked like any request's; a refused one closes
 * the socket with 4403. Each `next` carries its cursor in `extensions.lastEventId`; a subscribe whose
 * `extensions.lastEventId` names one resumes after it.
 */
export function attachWebSocket(server: Server, options: { subscribe: Subscribe; authenticate: Authenticate; apiSchema: () => GraphQLSchema | undefined }): () => Promise<void> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (url.pathname !== WS_PATH || !protocols.includes(PROTOCOL)) {
      socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nWebSocket subscriptions speak ${PROTOCOL} on ${WS_PATH}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  server.on('upgrade', upgrade);
  const disposable = useServer<Record<string, unknown>, Extra>(
    {
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const request = ctx.extra.request;
        const headers: IncomingMessage['headers'] = { ...request.headers };
        if (typeof params.authorization === 'string') headers.authorization = params.authorization;
        if (typeof params.purpose === 'string') headers[PURPOSE_HEADER] = params.purpose;
        // The upgrade request with the connection's credentials, for the one identity check every transport shares.
        const req = Object.assign(Object.create(request) as IncomingMessage, { headers, method: 'GET' });
        try {
          const { caller } = await options.authenticate({ req, url: new URL(request.url ?? '/', 'http://localhost'), body: async () => undefined });
          ctx.extra.caller = caller;
          ctx.extra.expiresAt = expiryOf(req);
          ctx.extra.recheck = () => options.authenticate({ req, url: new URL(request.url ?? '/', 'http://localhost'), body: async () => undefined });
          return true;
        } catch (error) {
          if (error instanceof AccessRefusal) return false;
          throw error;
        }
      },
      onSubscribe: async (ctx, id, payload) => {
        const { caller, expiresAt } = ctx.extra;
        if (!caller) return [new GraphQLError('not authenticated', { extensions: { code: 'UNAUTHENTICATED' } })];
        const stream = queue(ctx.extra.socket, id);
        const lastEventId = payload.extensions?.lastEventId;
        const result = await options.subscribe({
          caller,
          expiresAt: expiresAt ?? null,
          ...(ctx.extra.recheck ? { recheck: ctx.extra.recheck } : {}),
          query: payload.query,
          operationName: payload.operationName ?? null,
          variables: payload.variables ?? null,
          resumeFrom: typeof lastEventId === 'string' ? lastEventId : null,
          sink: stream.sink,
        });
        if (!result.ok) return result.errors.map((e) => new GraphQLError(e.message, { extensions: e.extensions ?? {} }));
        stream.onReturn(result.unsubscribe);
        const schema = options.apiSchema();
        if (!schema) return [new GraphQLError('the gateway is starting', { extensions: { code: 'SUBSCRIPTION_UNAVAILABLE' } })];
        return { schema, document: HANDED_OVER, operationName: undefined, contextValue: { stream: stream.iterable } };
      },
      subscribe: (args) => (args.contextValue as { stream: AsyncIterable<ExecutionResult> }).stream,
    },
    wss,
  );
  return async () => {
    server.off('upgrade', upgrade);
    await disposable.dispose();
  };
}

/** An event's `next` message after its subscription id, `,"type":"next","payload":{…}}`: the same for every member of a group. */
const tails: FrameCache = new WeakMap();

/**
 * One subscription on a socket. Its events are written to the socket here, as `next` messages of the protocol: the
 * subscription's own head (`{"id":"…"`, made once) and the tail every member of its group shares (`frames.ts`), one
 * text frame each; graphql-ws would stringify the whole message again for every subscriber. What graphql-ws still
 * sends (the error that ends a stream, `complete`) goes through the iterable it reads, after the events written
 * before it. Bounded by the hub: `buffered` is what the socket has not sent, and a subscriber past the bound is ended
 * (resumable) instead of growing it.
 */
function queue(socket: WebSocket, id: string) {
  const items: { result: ExecutionResult; bytes: number }[] = [];
  let queuedBytes = 0;
  let done = false;
  let wake: (() => void) | undefined;
  let unsubscribe = () => {};
  const head = operationHead('', id);
  const push = (result: ExecutionResult, bytes: number) => {
    items.push({ result, bytes });
    queuedBytes += bytes;
    wake?.();
  };
  const sink: Sink = {
    next(delivery) {
      // After the client's `complete` (done) or a closing socket, nothing more goes out.
      if (done || socket.readyState !== socket.OPEN) return;
      socket.send(Buffer.concat([head, frameOnce(tails, delivery, (d) => `,"type":"next","payload":${resultJson(d)}}`)]), { binary: false });
    },
    buffered: () => queuedBytes + socket.bufferedAmount,
    end(errors) {
      if (done) return;
      if (errors?.length) push({ errors } as unknown as ExecutionResult, JSON.stringify(errors).length);
      done = true;
      wake?.();
    },
  };
  const iterable: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      while (items.length === 0 && !done) await new Promise<void>((resolve) => (wake = resolve));
      const item = items.shift();
      if (!item) return { value: undefined, done: true };
      queuedBytes -= item.bytes;
      return { value: item.result, done: false };
    },
    async return() {
      done = true;
      items.length = 0;
      unsubscribe();
      return { value: undefined, done: true };
    },
  };
  return { sink, iterable, onReturn: (f: () => void) => (unsubscribe = f) };
}
