import type { Delivery } from './hub.ts';
import { payloadJson } from './hub.ts';

/**
 * Frames built once per delivery, that is once per group and event, however many members the group has: the hub
 * hands every member of a group the same `Delivery` object for an event, so a frame cached on it is encoded to UTF-8
 * once and the same bytes are written to each member's socket. What differs per subscriber (a WebSocket's or a single
 * connection's operation id) is a small head the transport keeps per subscription and writes before the shared tail.
 */
export type FrameCache = WeakMap<Delivery, Buffer>;

export function frameOnce(cache: FrameCache, delivery: Delivery, build: (delivery: Delivery) => string): Buffer {
  let frame = cache.get(delivery);
  if (frame === undefined) {
    frame = Buffer.from(build(delivery), 'utf8');
    cache.set(delivery, frame);
  }
  return frame;
}

const results = new WeakMap<Delivery, string>();

/**
 * The event as an execution result with its cursor, `{ data, errors, extensions: { lastEventId } }`, as JSON written
 * once per delivery: the payload's JSON (`payloadJson`, shared further by every transport) with the extensions spliced
 * in before its closing brace.
 */
export function resultJson(delivery: Delivery): string {
  let text = results.get(delivery);
  if (text === undefined) {
    const payload = payloadJson(delivery);
    const extensions = `"extensions":{"lastEventId":${JSON.stringify(delivery.id)}}}`;
    text = payload === '{}' ? `{${extensions}` : `${payload.slice(0, -1)},${extensions}`;
    results.set(delivery, text);
  }
  return text;
}

/** The head of a message naming one operation, `{"id":"<id>"`, kept per subscription and written before a shared tail. */
export const operationHead = (prefix: string, id: string): Buffer => Buffer.from(`${prefix}{"id":${JSON.stringify(id)}`, 'utf8');
