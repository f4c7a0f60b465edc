import type { IncomingMessage, ServerResponse } from 'node:http';
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { AccessRefusal } from '../access/claims.ts';
import { sendJson, type RouteHandler } from '../http.ts';
import { createLogger } from '../log.ts';
import { encodeCursor } from '../pagination.ts';

/**
 * A department's committed feed (事件流): an append-only table whose `sequence` orders its events, appended in the
 * transaction of the write it records, which the gateway's subscriptions follow. What makes one (mediation's
 * `case_events` is the first):
 *
 * - `appendLock(feed)` taken in the write's transaction before the insert, so that sequences commit in order (a
 *   follower that read up to N never later sees a smaller one commit);
 * - `announceAppend(tx, feed, sequence, route)` after the insert: `NOTIFY` on the feed's channel, delivered at commit
 *   (never for a write rolled back), with the event's route (the codes subscriptions are woken by);
 * - `feedWakeupRoute(pool, feed)` in the service's routes: the one wake-up stream per gateway replica.
 *
 * The feed stays the source of truth: a subscriber reads it as itself from its cursor; a wake-up only says when.
 */
export interface CommittedFeed {
  /** The table (its `sequence` column is the order). */
  table: string;
  /** The `LISTEN`/`NOTIFY` channel. */
  channel: string;
  /** The cursor kind of the feed's connection (`encodeCursor(kind, sequence)`). */
  cursorKind: string;
}

/** The codes an event is routed by (its grid, unit, status…): codes only, never content or a person. */
export type WakeRoute = Record<string, string | null>;

/** Where a gateway replica keeps its one wake-up stream open (Server-Sent Events). */
export const FEED_WAKEUP_PATH = '/feed/wake-up';

/** A comment line this often keeps proxies from closing an idle stream and tells the gateway it is alive. */
const HEARTBEAT_MS = 10_000;
/** How often an open stream checks whether the service is closing, so that shutdown does not wait for it. */
const DRAIN_CHECK_MS = 500;

/** Held until the appending transaction ends: appends to one feed commit in sequence order. */
export const appendLock = (feed: CommittedFeed) => sql`select pg_advisory_xact_lock(hashtext(${feed.table}))`;

/** The NOTIFY payload of an appended event: its sequence and route, as JSON (well under NOTIFY's 8,000 bytes). */
export function wakePayload(sequence: number | bigint | string, route: WakeRoute): string {
  return JSON.stringify({ sequence: Number(sequence), route });
}

/** Sends the wake-up of an appended event, delivered when (and only if) the transaction commits. */
export async function announceAppend(tx: { execute: (query: ReturnType<typeof sql>) => Promise<unknown> }, feed: CommittedFeed, sequence: number | bigint | string, route: WakeRoute): Promise<void> {
  await tx.execute(sql`select pg_notify(${feed.channel}, ${wakePayload(sequence, route)})`);
}

/** A payload as NOTIFY delivers it: JSON from `wakePayload`, or a bare sequence (sent before routes). */
export function parseWake(payload: string): { sequence: number; route?: WakeRoute } | null {
  try {
    const parsed = JSON.parse(payload) as unknown;
    if (typeof parsed === 'number') return { sequence: parsed };
    if (parsed && typeof parsed === 'object' && typeof (parsed as { sequence?: unknown }).sequence === 'number') return parsed as { sequence: number; route?: WakeRoute };
  } catch {
    // Not a wake-up: ignored.
  }
  return null;
}

/**
 * The wake-up stream for gateways: one `LISTEN` connection per service process however many gateways listen. On
 * connect a stream gets the feed's head (`event: head`) read after `LISTEN` took effect, so no commit falls between
 * the two; then `event: wake` with each committed sequence and its route. When the listening connection fails every
 * stream ends, and a gateway that reconnects reads the feed from its subscribers' cursors: a missed wake-up loses
 * nothing.
 */
export function feedWakeupRoute(pool: pg.Pool, feed: CommittedFeed, serviceName: string) {
  const logger = createLogger(serviceName);
  const streams = new Set<ServerResponse>();
  /**
   * Streams still being opened (between `listen()` and joining `streams`): a stream that closes meanwhile must not
   * UNLISTEN under them. A gateway reconnecting opens its new stream before this process sees the old one close, and
   * a stream opened on a listener that then UNLISTENed would get no wake-up ever again.
   */
  let opening = 0;
  let listening: Promise<pg.PoolClient> | undefined;
  const channel = `"${feed.channel.replaceAll('"', '""')}"`;
  const table = `"${feed.table.replaceAll('"', '""')}"`;

  const endAll = () => {
    for (const res of streams) res.end();
    streams.clear();
  };

  const listen = () =>
    (listening ??= (async () => {
      const client = await pool.connect();
      client.on('notification', (message) => {
        if (message.channel !== feed.channel || !message.payload) return;
        const wake = parseWake(message.payload);
        if (!wake) return;
        const frame = wakeFrame(feed, 'wake', wake.sequence, wake.route);
        for (const res of streams) res.write(frame);
      });
      client.on('error', (error) => {
        logger.warn('feed listener failed; wake-up streams end for their gateways to reconnect', { error: error.message });
        listening = undefined;
        client.release(error);
        endAll();
      });
      await client.query(`LISTEN ${channel}`);
      return client;
    })().catch((error: unknown) => {
      listening = undefined;
      throw error;
    }));

  const unlisten = async () => {
    if (streams.size > 0 || opening > 0 || !listening) return;
    const pending = listening;
    listening = undefined;
    const client = await pending.catch(() => undefined);
    if (!client) return;
    try {
      await client.query(`UNLISTEN ${channel}`);
      client.release();
    } catch (error) {
      client.release(error instanceof Error ? error : new Error(String(error)));
    }
  };

  return (service: { verifyCaller: (req: IncomingMessage) => Promise<unknown>; draining: () => boolean }): Record<string, RouteHandler> => ({
    [FEED_WAKEUP_PATH]: async (req, res) => {
      try {
        await service.verifyCaller(req);
      } catch (error) {
        if (error instanceof AccessRefusal) return sendJson(res, error.status, { error: error.message, code: error.accessCode });
        throw error;
      }
      if (service.draining()) return sendJson(res, 503, { error: `${serviceName} is closing` });
      // Listened for before anything is awaited: a gateway may leave while the listener is being set up.
      const closed = new Promise<void>((resolve) => res.once('close', resolve));
      let head: number;
      opening++;
      try {
        await listen();
        const { rows } = await pool.query<{ head: string | null }>(`select max(sequence)::text as head from ${table}`);
        head = Number(rows[0]?.head ?? 0);
      } catch (error) {
        opening--;
        logger.warn('feed wake-up unavailable', { error: error instanceof Error ? error.message : String(error) });
        await unlisten();
        return sendJson(res, 503, { error: 'the feed cannot be followed now; try again' });
      }
      opening--;
      if (res.destroyed) return unlisten();
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(wakeFrame(feed, 'head', head));
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

/**
 * A wake-up stream's frames as they arrive (`event:` and `data:` of the text between blank lines; comments, such as the
 * heartbeat, are skipped), for whoever follows one: the gateway, and tests. Ends with the stream; a failed read throws.
 */
export async function* wakeupFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = '';
        let data = '';
        for (const line of frame.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data += line.slice(5).trim();
        }
        if (event) yield { event, data };
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/** One SSE frame naming a feed position, with the cursor the feed's connection takes for it, and its event's route. */
function wakeFrame(feed: CommittedFeed, event: 'head' | 'wake', sequence: number, route?: WakeRoute): string {
  return `event: ${event}\ndata: ${JSON.stringify({ sequence, cursor: encodeCursor(feed.cursorKind, String(sequence)), ...(route ? { route } : {}) })}\n\n`;
}
