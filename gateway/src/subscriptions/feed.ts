import type { KeyObject } from 'node:crypto';
import { CALLER_HEADER, signCallerToken, wakeupFrames, type Caller, type Logger, type WakeRoute } from '@hub/core';

/**
 * The path of a subgraph's wake-up stream (`@hub/core`'s committed feeds): Server-Sent Events, `event: head` on
 * connect, then `event: wake` per committed feed event, each `{ sequence, cursor, route? }`.
 */
export { FEED_WAKEUP_PATH } from '@hub/core';

/** Who the gateway is when it follows the feed: nobody's data, no scope, only the right to be woken. */
const GATEWAY_CALLER: Caller = {
  userId: 'hub-gateway',
  role: 'gateway',
  department: null,
  scopes: [],
  purpose: null,
  grids: [],
  communities: [],
  ownGridsOnly: true,
  namesMasked: true,
};

/**
 * The longest wait between attempts to reopen the wake-up stream. Every event that commits after the owning subgraph
 * is back waits for the stream (nothing else wakes its subscribers), so this bounds the delay a restart adds to them;
 * an attempt while the subgraph is away costs one refused connection.
 */
const RECONNECT_CAP_MS = 400;

export interface FeedPosition {
  sequence: number;
  /** The cursor the feed's connection (`caseEvents(after:)`) takes for this position. */
  cursor: string;
  /** The event's route, on a wake-up of one event (not on the head): which subscriptions it can reach. */
  route?: WakeRoute;
}

/**
 * How long `head()` waits at most for an attempt to open the wake-up stream that was under way when its own wait ran
 * out: the department answers, only slowly (a loaded machine, a cold start), so the subscribe waits for it rather than
 * being refused, but not for ever on one that never answers.
 */
const OPENING_WAIT_CAP_MS = 30_000;

export interface FeedFollower {
  /**
   * The feed's newest committed position, once the stream says it. Null if it has not after `timeoutMs` and no attempt
   * to open the stream is under way then (the subgraph is away), or if the attempt under way then fails.
   */
  head(timeoutMs?: number): Promise<FeedPosition | null>;
  /** Whether the wake-up stream is open now. */
  connected(): boolean;
  close(): void;
}

/**
 * One long-lived wake-up stream per gateway replica, however many subscribers it serves. `onWake` is called for each
 * committed event, and once each time the stream opens, the first time too (events may have committed while the
 * stream was down, or before it first opened while subscribers resuming from a cursor were already admitted: each
 * subscription then reads the feed from its own cursor, which is the source of truth, so nothing is lost).
 * Reconnects with a capped, jittered backoff while the owning subgraph is away.
 */
export function followFeed(options: { url: string; subgraph: string; internalKey: KeyObject; logger: Logger; onWake: (position: FeedPosition, reconnected: boolean) => void }): FeedFollower {
  const abort = new AbortController();
  let head: FeedPosition | null = null;
  let open = false;
  /** An attempt to open the stream is under way (sent, and neither failed nor given its head yet). */
  let opening = false;
  /** `head()` calls waiting, each told the head (or null); `expired` once its own wait ran out during an attempt. */
  let waiters: { done: (position: FeedPosition | null) => void; expired: boolean }[] = [];
  let everConnected = false;

  /** The attempt under way failed: whoever waited past their time for it is told there is no head. */
  function attemptFailed(): void {
    opening = false;
    for (const w of waiters.filter((w) => w.expired)) w.done(null);
  }

  async function connectOnce(): Promise<void> {
    opening = true;
    // A GET without a body: the token is bound to the empty body, used once, when the stream opens.
    const token = await signCallerToken(GATEWAY_CALLER, options.subgraph, options.internalKey, { body: '' });
    const response = await fetch(options.url, { headers: { accept: 'text/event-stream', [CALLER_HEADER]: token }, signal: abort.signal });
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel();
      throw new Error(`wake-up stream answered HTTP ${response.status}`);
    }
    try {
      for await (const frame of wakeupFrames(response.body)) handleFrame(frame);
    } finally {
      open = false;
    }
  }

  function handleFrame({ event, data }: { event: string; data: string }): void {
    if (event !== 'head' && event !== 'wake') return;
    const position = JSON.parse(data) as FeedPosition;
    if (!head || position.sequence >= head.sequence) head = position;
    if (event === 'head') {
      open = true;
      opening = false;
      const reconnected = everConnected;
      everConnected = true;
      for (const w of [...waiters]) w.done(head);
      // Whatever committed while the stream was down (or, the first time, since a subscriber resuming from a cursor
      // was admitted before it opened) is read now, from each subscriber's cursor.
      options.onWake(position, reconnected);
      return;
    }
    options.onWake(position, false);
  }

  void (async () => {
    let failures = 0;
    while (!abort.signal.aborted) {
      const startedAt = Date.now();
      try {
        await connectOnce();
      } catch (error) {
        attemptFailed();
        if (abort.signal.aborted) break;
        // fetch's own message ("fetch failed") says nothing: the cause's code (ECONNRESET, ECONNREFUSED, …) does.
        const cause = error instanceof Error && error.cause instanceof Error ? ((error.cause as NodeJS.ErrnoException).code ?? error.cause.message) : undefined;
        if (failures === 0) options.logger.warn('feed wake-up stream lost; reconnecting', { url: options.url, error: error instanceof Error ? error.message : String(error), ...(cause ? { cause } : {}) });
      }
      // A stream that ended before its head (none of its frames came) failed too.
      if (opening) attemptFailed();
      open = false;
      // A stream that stayed up a while was healthy: start the backoff over.
      failures = Date.now() - startedAt > 5_000 ? 0 : failures + 1;
      const delay = Math.min(RECONNECT_CAP_MS, 50 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  })();

  return {
    head(timeoutMs = 5_000) {
      if (open && head) return Promise.resolve(head);
      return new Promise((resolve) => {
        const waiter = {
          expired: false,
          done: (position: FeedPosition | null) => {
            clearTimeout(timer);
            waiters = waiters.filter((w) => w !== waiter);
            resolve(position);
          },
        };
        // Out of time: refused if the subgraph is away; if an attempt is under way, its outcome decides (capped).
        let timer = setTimeout(() => {
          if (!opening) return waiter.done(null);
          waiter.expired = true;
          timer = setTimeout(() => waiter.done(null), Math.max(0, OPENING_WAIT_CAP_MS - timeoutMs));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    connected: () => open,
    close() {
      abort.abort();
      for (const w of [...waiters]) w.done(null);
    },
  };
}
