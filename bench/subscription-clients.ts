/**
 * A share of `subscriptions.ts`'s subscribers, in a process of their own (forked by it, `--client-processes`): the
 * clients' own work (reading sockets, parsing thousands of events a second) then runs beside the gateway instead of
 * in the benchmark's process, which times the writes and the feed's wake-ups. Each arrival is reported with its time
 * on the machine's clock (`performance.timeOrigin + performance.now()`, the same clock in every process here), so the
 * benchmark can subtract the commit's time from it. Also reports how late this process's event loop ran (its
 * clients' queueing), so a latency the clients add is told apart from the gateway's.
 *
 * Commands over IPC: `subscribe` (a list of subscribers for one gateway; answered `subscribed`), `dispose` (answered
 * `disposed` with the event-loop delay). Reports: `arrivals` (flat triples: subscriber id, event sequence, arrival
 * time in ms), `refused` (a subscription refused or ended by the gateway, and why).
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface ClientSpec {
  id: number;
  protocol: 'sse' | 'ws';
  authorization: string;
}
export type ClientCommand =
  | { type: 'subscribe'; streamUrl: string; wsUrl: string; query: string; after: string; subscribers: ClientSpec[] }
  | { type: 'dispose' };
export type ClientReport =
  | { type: 'subscribed'; count: number }
  | { type: 'arrivals'; batch: (number | string)[] }
  | { type: 'refused'; id: number; reason: string }
  | { type: 'disposed'; loopDelayMs: { p50: number; p99: number; max: number } };

interface Payload {
  data?: { caseEvents?: { cursor: string; node: { sequence: string } } } | null;
}

const send = (report: ClientReport) => process.send!(report);
const now = () => performance.timeOrigin + performance.now();
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const disposers: (() => void)[] = [];
let batch: (number | string)[] = [];
// Batched so that reporting costs this process little more than the clients do; the benchmark reads them at the end.
const flush = setInterval(() => {
  if (batch.length === 0) return;
  send({ type: 'arrivals', batch });
  batch = [];
}, 200);

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (Array.isArray(error)) return error.map((e) => describeError(e)).join('; ');
  if (typeof error === 'object' && error !== null) {
    const { code, reason, message } = error as { code?: unknown; reason?: unknown; message?: unknown };
    if (code !== undefined) return `closed ${String(code)}${reason ? ` ${String(reason)}` : ''}`;
    if (message !== undefined) return String(message);
    return JSON.stringify(error);
  }
  return String(error);
}

function subscribe(command: Extract<ClientCommand, { type: 'subscribe' }>, spec: ClientSpec) {
  const { query, after, streamUrl, wsUrl } = command;
  let lastCursor = after;
  const arrived = (payload: Payload) => {
    const event = payload.data?.caseEvents;
    if (!event) return;
    batch.push(spec.id, event.node.sequence, now());
    lastCursor = event.cursor;
  };
  const refused = (error: unknown) => send({ type: 'refused', id: spec.id, reason: describeError(error) });
  const { authorization } = spec;
  if (spec.protocol === 'sse') {
    // graphql-sse retries a dropped stream itself; the header function resumes it from the last event received.
    const client = createSseClient({ url: streamUrl, retryAttempts: 1000, retry: () => new Promise((r) => setTimeout(r, 200 + Math.random() * 300)), headers: () => ({ authorization, 'last-event-id': lastCursor }) });
    client.subscribe({ query, variables: { after } }, { next: arrived, error: refused, complete: () => {} });
    disposers.push(() => client.dispose());
  } else {
    // graphql-ws resubscribes with the same payload after a reconnect: the payload carries the resume point.
    const payload = { query, variables: { after }, extensions: { lastEventId: after } };
    const client = createWsClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 1000, shouldRetry: () => true, connectionParams: { authorization } });
    client.subscribe(payload, {
      next: (p) => {
        arrived(p as Payload);
        payload.extensions.lastEventId = lastCursor;
      },
      error: refused,
      complete: () => {},
    });
    disposers.push(() => void client.dispose());
  }
}

process.on('message', (command: ClientCommand) => {
  if (command.type === 'subscribe') {
    for (const spec of command.subscribers) subscribe(command, spec);
    send({ type: 'subscribed', count: command.subscribers.length });
    return;
  }
  if (command.type === 'dispose') {
    for (const dispose of disposers) dispose();
    clearInterval(flush);
    if (batch.length > 0) send({ type: 'arrivals', batch });
    loop.disable();
    const ms = (ns: number) => Math.round(ns / 1e5) / 10;
    send({ type: 'disposed', loopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) } });
    process.disconnect();
  }
});
