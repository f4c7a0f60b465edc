import type { ServerResponse } from 'node:http';
import { AccessRefusal, createLogger, encodeCursor, sendJson, type RouteHandler } from '@hub/core';
import type pg from 'pg';

/**
 * The case-event feed's wake-up (事件唤醒): each transaction that appends an event sends `NOTIFY` on this channel
 * with the event's sequence, delivered when (and only if) it commits, in commit order since appends hold the feed
 * lock. The payload is a number, never a case's content: subscribers read the feed itself, as themselves.
 */
export const FEED_CHANNEL = 'hub_case_events';

/**
 * What a wake-up says about its event besides its sequence: the columns a subscription's filter and row scope are
 * decided on (grid, department, unit, action, statuses), so that a gateway wakes only the subscriptions the event
 * can reach. Codes only, never a case's content or a person; the feed stays the source of truth (a subscription
 * reads it as its subscriber).
 */
export interface WakeRoute {
  gridCode: string | null;
  department: string | null;
  unitCode: string | null;
  action: string;
  fromStatus: string | null;
  toStatus: string;
}

/** The NOTIFY payload of an appended event: its sequence and route, as JSON (well under NOTIFY's 8,000 bytes). */
export function wakePayload(event: { sequence: number | bigint | string } & WakeRoute): string {
  const { gridCode, department, unitCode, action, fromStatus, toStatus } = event;
  return JSON.stringify({ sequence: Number(event.sequence), route: { gridCode, department, unitCode, action, fromStatus, toStatus } });
}

/** A payload as NOTIFY delivers it: JSON from `wakePayload`, or a bare sequence (an event appended before the route). */
function parseWake(payload: string): { sequence: number; route?: WakeRoute } | null {
  try {
    const parsed = JSON.parse(payload) as unknown;
    if (typeof parsed === 'number') return { sequence: parsed };
    if (parsed && typeof parsed === 'object' && typeof (parsed as { sequence?: unknown }).sequence === 'number') return parsed as { sequence: number; route?: WakeRoute };
  } catch {
    // Not ours: ignored below.
  }
  return null;
}

/** Where a gateway replica keeps its one wake-up stream open (Server-Sent Events). */
export const FEED_WAKEUP_PATH = '/feed/wake-up';

/** A comment line this often keeps proxies from closing an idle stream and tells the gateway it is alive. */
const HEARTBEAT_MS = 10_000;
/** How often an open stream checks whether the service is closing, so that shutdown does not wait for it. */
const DRAIN_CHECK_MS = 500;

const logger = createLogger('mediation');

/**
 * The wake-up stream for gateways: one `LISTEN` connection per mediation process however many gateways listen. On
 * connect a stream gets the feed's head (`event: head`) read after `LISTEN` took effect, so no commit falls between
 * the two; then `event: wake` with each committed sequence. When the listening connection fails every stream ends,
 * and a gateway that reconnects reads the feed from its subscribers' cursors: a missed wake-up loses nothing.
 */
export function feedWakeupRoute(pool: pg.Pool) {
  const streams = new Set<ServerResponse>();
  let listening: Promise<pg.PoolClient> | undefined;

  const endAll = () => {
    for (const res of streams) res.end();
    streams.clear();
  };

  const listen = () =>
    (listening ??= (async () => {
      const client = await pool.connect();
      client.on('notification', (message) => {
        if (message.channel !== FEED_CHANNEL || !message.payload) return;
        const wake = parseWake(message.payload);
        if (!wake) return;
        const frame = wakeFrame('wake', wake.sequence, wake.route);
        for (const res of streams) res.write(frame);
      });
      client.on('error', (error) => {
        logger.warn('feed listener failed; wake-up streams end for their gateways to reconnect', { error: error.message });
        listening = undefined;
        client.release(error);
        endAll();
      });
      await client.query(`LISTEN ${FEED_CHANNEL}`);
      return client;
    })().catch((error: unknown) => {
      listening = undefined;
      throw error;
    }));

  const unlisten = async () => {
    if (streams.size > 0 || !listening) return;
    const pending = listening;
    listening = undefined;
    const client = await pending.catch(() => undefined);
    if (!client) return;
    try {
      await client.query(`UNLISTEN ${FEED_CHANNEL}`);
      client.release();
    } catch (error) {
      client.release(error instanceof Error ? error : new Error(String(error)));
    }
  };

  return (service: { verifyCaller: (req: import('node:http').IncomingMessage) => Promise<unknown>; draining: () => boolean }): Record<string, RouteHandler> => ({
    [FEED_WAKEUP_PATH]: async (req, res) => {
      try {
        await service.verifyCaller(req);
      } catch (error) {
        if (error instanceof AccessRefusal) return sendJson(res, error.status, { error: error.message, code: error.accessCode });
        throw error;
      }
      if (service.draining()) return sendJson(res, 503, { error: 'mediation is closing' });
      // Listened for before anything is awaited: a gateway may leave while the listener is being set up.
      const closed = new Promise<void>((resolve) => res.once('close', resolve));
      let head: number;
      try {
        await listen();
        const { rows } = await pool.query<{ head: string | null }>('select max(sequence)::text as head from case_events');
        head = Number(rows[0]?.head ?? 0);
      } catch (error) {
        logger.warn('feed wake-up unavailable', { error: error instanceof Error ? error.message : String(error) });
        return sendJson(res, 503, { error: 'the feed cannot be followed now; try again' });
      }
      if (res.destroyed) return unlisten();
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(wakeFrame('head', head));
      streams.add(res);
      let sinceBeat = 0;
      const timer = setInterval(() => {
        if (service.draining()) return res.end();
        sinceBeat += DRAIN_CHECK_MS;
        if (sinceBeat >= HEARTBEAT_MS) {
          sinceBeat = 0;
          res.write(': alive\n\n');
        }
      }, DRAIN_CHECK_MS);
      timer.unref();
      await closed;
      clearInterval(timer);
      streams.delete(res);
      await unlisten();
    },
  });
}

/** One SSE frame naming a feed position, with the cursor `caseEvents(after:)` takes for it, and its event's route. */
function wakeFrame(event: 'head' | 'wake', sequence: number, route?: WakeRoute): string {
  return `event: ${event}\ndata: ${JSON.stringify({ sequence, cursor: encodeCursor('case-events', String(sequence)), ...(route ? { route } : {}) })}\n\n`;
}
