import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJsonBody, sendJson, type RouteHandler } from '@hub/core';
import type { Authenticate } from '../authenticate.ts';
import { frameOnce, resultJson, type FrameCache } from './frames.ts';
import { openHttpStream, type StreamFormat } from './http-stream.ts';
import type { SubscribeRequest, SubscribeResult } from './hub.ts';
import { expiryOf, headerValue, postParams } from './sse.ts';

type Subscribe = (request: SubscribeRequest) => Promise<SubscribeResult>;

const BOUNDARY = 'graphql';
/** Apollo's clients and routers expect a part at least this often, or they take the stream for dead. */
const HEARTBEAT_MS = 5_000;

/** Whether a `/graphql` request asks for Apollo's multipart subscription protocol (Apollo Client sends this for subscriptions). */
export const wantsMultipartSubscription = (req: IncomingMessage): boolean => /multipart\/mixed[^,]*subscriptionSpec/i.test(req.headers.accept ?? '');

/**
 * Apollo's multipart HTTP subscriptions (`Accept: multipart/mixed;subscriptionSpec="1.0"`, POST to `/graphql`): one
 * `multipart/mixed` part per event, `{ "payload": { "data", "errors", "extensions": { "lastEventId" } } }`, a `{}` part
 * as heartbeat, and `{ "payload": null, "errors" }` when the server ends the stream (token expired, too slow, closing).
 * A refusal before the stream opens is an HTTP status with `{ errors }`. Resume with `after` (or `Last-Event-ID`).
 */
export function multipartRoute(options: { subscribe: Subscribe; authenticate: Authenticate; maxBodyBytes: number }): RouteHandler {
  return async (req, res, url) => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return sendJson(res, 405, { errors: [{ message: 'multipart subscriptions take POST', extensions: { code: 'METHOD_NOT_ALLOWED' } }] });
    }
    let read: Promise<unknown> | undefined;
    const body = () => (read ??= readJsonBody(req, options.maxBodyBytes));
    const { caller } = await options.authenticate({ req, url, body });
    const params = postParams(await body());
    if ('error' in params) return sendJson(res, 400, { errors: [{ message: params.error, extensions: { code: 'BAD_REQUEST' } }] });
    const stream = openHttpStream(res, MULTIPART);
    const result = await options.subscribe({ caller, expiresAt: expiryOf(req), recheck: () => options.authenticate({ req, url, body }), ...params, resumeFrom: headerValue(req.headers['last-event-id']), sink: stream.sink });
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

const part = (json: string) => `\r\ncontent-type: application/json; charset=utf-8\r\n\r\n${json}\r\n--${BOUNDARY}`;

const frames: FrameCache = new WeakMap();

/** Apollo's multipart framing: a part per event (the same bytes for every member of a group), `{}` as heartbeat, `--` after the last boundary. */
const MULTIPART: StreamFormat = {
  start(res) {
    res.writeHead(200, { 'content-type': `multipart/mixed;boundary="${BOUNDARY}";subscriptionSpec="1.0"`, 'cache-control': 'no-store' });
    res.write(`\r\n--${BOUNDARY}`);
  },
  heartbeat: { text: part('{}'), everyMs: HEARTBEAT_MS },
  event: (delivery) => frameOnce(frames, delivery, (d) => part(`{"payload":${resultJson(d)}}`)),
  errors: (errors) => part(JSON.stringify({ payload: null, errors })),
  close: '--\r\n',
};
