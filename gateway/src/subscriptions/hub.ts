import type { ApolloServer } from '@apollo/server';
import type { AuditRecordInput } from '@hub/audit-trail';
import { AccessCode, type Caller, type Logger } from '@hub/core';
import { GraphQLError, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema, parse } from 'graphql';
import { observeAnswer, type AuditSink } from '../audit.ts';
import type { GatewayContext } from '../context.ts';
import type { FeedFollower, FeedPosition } from './feed.ts';
import type { SubscriptionLimits } from './limits.ts';
import { reachOf, type Reach } from './reach.ts';
import { CURSOR_ALIAS, translateSubscription, variablesFor, type TranslatedSubscription } from './translate.ts';

/** Stable codes of the subscription server (docs/errors.md#subscriptions). */
export const SubscriptionCode = {
  /** The caller or the gateway holds as many subscriptions as allowed. */
  SUBSCRIPTION_LIMIT: 'SUBSCRIPTION_LIMIT',
  /** The client read too slowly: its buffered events passed the bound. Resume from the last event id received. */
  SUBSCRIBER_TOO_SLOW: 'SUBSCRIBER_TOO_SLOW',
  /** The feed cannot be followed now (the owning subgraph is away at subscribe time); try again. */
  SUBSCRIPTION_UNAVAILABLE: 'SUBSCRIPTION_UNAVAILABLE',
  /** The gateway is closing; resume on another replica from the last event id received. */
  GATEWAY_CLOSING: 'GATEWAY_CLOSING',
} as const;

/** One event (or the end) as a transport sends it; `id` is the event's cursor, the resume point. */
export interface Delivery {
  id: string;
  payload: { data?: Record<string, unknown> | null; errors?: GraphQLFormattedError[] };
}

const payloadTexts = new WeakMap<Delivery['payload'], string>();

/**
 * A delivery's payload as JSON, written once however many subscribers it goes to: the members of a group get the
 * same payload object for an event, and a transport framing it for each of them asks here.
 */
export function payloadJson(delivery: Delivery): string {
  let text = payloadTexts.get(delivery.payload);
  if (text === undefined) {
    text = JSON.stringify(delivery.payload);
    payloadTexts.set(delivery.payload, text);
  }
  return text;
}

/** What a transport gives the hub for one subscription. */
export interface Sink {
  next(delivery: Delivery): void;
  /** Bytes written to the client but not yet taken by it. */
  buffered(): number;
  /** Ends the stream: with errors when the server ends it, without when it completes or the client left. */
  end(errors?: GraphQLFormattedError[]): void;
}

export interface SubscribeRequest {
  caller: Caller;
  /** When the caller's token expires (seconds since the epoch): the stream ends then with TOKEN_EXPIRED. */
  expiresAt: number | null;
  /**
   * Checks the subscriber's credentials again (the same check that admitted them): the key that signed the token may
   * have been withdrawn, the role taken away. Rejects with the refusal when they no longer hold.
   */
  recheck?: () => Promise<unknown>;
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  /** The last event id the client received (Last-Event-ID, or the transport's own resume field). */
  resumeFrom?: string | null;
  sink: Sink;
}

export type SubscribeResult = { ok: true; unsubscribe: () => void } | { ok: false; status: number; errors: GraphQLFormattedError[] };

interface Subscriber {
  caller: Caller;
  cursor: string;
  sink: Sink;
  group: Group;
  operationName: string | null;
  query: string;
  variables: Record<string, unknown>;
  residentIds: Set<string>;
  categories: Set<string>;
  delivered: number;
  expiry: NodeJS.Timeout | undefined;
  recheck: NodeJS.Timeout | undefined;
  ended: boolean;
  /** Gives back the subscriber's places under the caps. */
  release: () => void;
}

/** Subscribers that get identical answers: same feed query, same variables, same caller apart from who they are. */
interface Group {
  key: string;
  translated: TranslatedSubscription;
  document: DocumentNode;
  members: Set<Subscriber>;
  /** Whether a committed event can be in this group's answers (decided from its wake-up's route). */
  reaches: Reach;
  running: boolean;
  again: boolean;
  /** Wake-ups so far: a read ahead covers those that came before it started. */
  wakes: number;
  /** A read started while the group's run was under way, applied in order after it (`limits.readAhead`). */
  ahead?: Ahead | undefined;
  /** A read to try again after one failed. */
  retry?: NodeJS.Timeout | undefined;
}

export type DeliveryStage = 'queued' | 'read' | 'written';

/** Wake-up times kept for the stage timings: far more events than a read can be behind in steady state. */
const WOKEN_KEPT = 4096;

/** A group's read started early: from `from`, after `wakes` wake-ups, its answer (none if it threw) and when it came. */
interface Ahead {
  from: string;
  wakes: number;
  started: number;
  result: Promise<{ read: FeedRead | undefined; done: number }>;
}

interface FeedRead {
  fatal: boolean;
  status: number;
  errors: GraphQLFormattedError[];
  events: { cursor: string; payload: Delivery['payload'] }[];
  more: boolean;
  residentIds: string[];
  categories: string[];
}

/** Feed events read per execution: a subscriber far behind catches up page by page. */
const PAGE = 100;
/** Codes of a read that failed for a while only (a department away or slow): the subscription waits, it is not refused. */
const TRANSIENT = new Set(['SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_REQUEST_REFUSED', 'REQUEST_TIMEOUT', 'INTERNAL_SERVER_ERROR']);
/**
 * How soon a group whose read failed reads again: after a restart of the owning subgraph, events that committed once
 * it was back but before the wake-up stream reopened wait this long at most (a read refused meanwhile by the open
 * circuit breaker costs nothing beyond the gateway).
 */
const RETRY_MS = 500;
/**
 * Resident ids one trail record of a stream holds at most: a stream that has disclosed this many records them (a
 * `progress` record) and starts its set afresh, so a stream that runs for weeks holds a bounded set, and a gateway that
 * dies mid-stream loses the record of fewer ids.
 */
export const DISCLOSED_PER_RECORD = 5_000;

/**
 * The gateway's subscriptions. Each one is a query over its stream's feed from the subscriber's cursor, run through
 * Apollo (limits, trusted documents, field policy, plan, per-subgraph caller tokens) as the subscriber, whenever the
 * feed's wake-up stream says something committed. Subscribers whose answers would be identical form a group: one
 * execution per distinct cursor serves them all, so a thousand subscribers of one kind cost one query per event.
 */
export function createSubscriptionHub(options: {
  apollo: () => ApolloServer<GatewayContext>;
  apiSchema: () => GraphQLSchema | undefined;
  supergraphSchema: GraphQLSchema;
  /** The wake-up stream of a stream's owning subgraph. */
  feed: (subgraph: string) => FeedFollower;
  limits: SubscriptionLimits;
  mayRunDocument: (role: string, document: string) => boolean;
  audit: AuditSink;
  logger: Logger;
  /** Told of each feed read (for the metrics). */
  onRead?: (ok: boolean) => void;
  /** Told of each routed wake-up and how many groups it woke (for the metrics). */
  onWake?: (groups: number) => void;
  /**
   * Told, once per group and event, where the event's time went in this gateway (seconds): `queued` from its wake-up
   * to the start of the read that got it, `read` that read (the query plan, as the group's caller), `written` from the
   * read's answer to the last member's socket write.
   */
  onStage?: (stage: DeliveryStage, seconds: number) => void;
  /** Resident ids per trail record of a stream (`DISCLOSED_PER_RECORD`; smaller in tests). */
  disclosedPerRecord?: number;
}) {
  const disclosedPerRecord = options.disclosedPerRecord ?? DISCLOSED_PER_RECORD;
  const groups = new Map<string, Group>();
  const perCaller = new Map<string, number>();
  let total = 0;
  /** Subscribes under way (their first read not done yet). */
  let subscribing = 0;
  let closing = false;
  /** When each recent event's wake-up came (by cursor), for `onStage`: bounded, the oldest forgotten first. */
  const wokenAt = new Map<string, number>();

  async function subscribe(request: SubscribeRequest): Promise<SubscribeResult> {
    subscribing++;
    try {
      return await admit(request);
    } finally {
      subscribing--;
    }
  }

  async function admit(request: SubscribeRequest): Promise<SubscribeResult> {
    const refuse = (status: number, code: string, message: string, extensions: Record<string, unknown> = {}): SubscribeResult => ({
      ok: false,
      status,
      errors: [{ message, extensions: { code, ...extensions } }],
    });
    if (closing) return refuse(503, SubscriptionCode.GATEWAY_CLOSING, 'the gateway is closing; subscribe again');
    const schema = options.apiSchema();
    if (!schema) return refuse(503, SubscriptionCode.SUBSCRIPTION_UNAVAILABLE, 'the gateway is starting; subscribe again');
    const translated = translateSubscription(schema, request);
    if (Array.isArray(translated)) return { ok: false, status: 400, errors: translated.map((e) => e.toJSON()) };
    const { caller } = request;
    if (!options.mayRunDocument(caller.role, request.query)) {
      return refuse(400, 'PERSISTED_DOCUMENT_REQUIRED', 'this gateway runs only the trusted documents of the client kit; subscribe with one of them');
    }
    if (total >= options.limits.perGateway) {
      return refuse(503, SubscriptionCode.SUBSCRIPTION_LIMIT, `this gateway serves ${options.limits.perGateway} subscriptions at most; try again later or elsewhere`, { limit: options.limits.perGateway });
    }
    if ((perCaller.get(caller.userId) ?? 0) >= options.limits.perCaller) {
      return refuse(429, SubscriptionCode.SUBSCRIPTION_LIMIT, `one caller may hold ${options.limits.perCaller} subscriptions at once; end one first`, { limit: options.limits.perCaller });
    }
    let start = request.resumeFrom ?? translated.after;
    if (!start) {
      const head = await options.feed(translated.stream.subgraph).head();
      if (!head) return refuse(503, SubscriptionCode.SUBSCRIPTION_UNAVAILABLE, `the ${translated.field} feed cannot be followed now; subscribe again shortly`);
      start = head.cursor;
    }
    const key = groupKey(translated, caller);
    const group = groups.get(key) ?? { key, translated, document: parse(translated.query), members: new Set(), reaches: reachOf(translated.field, translated.arguments, caller), running: false, again: false, wakes: 0 };
    const subscriber: Subscriber = {
      caller,
      cursor: start,
      sink: request.sink,
      group,
      operationName: translated.operationName,
      query: request.query,
      variables: translated.variables,
      residentIds: new Set(),
      categories: new Set(),
      delivered: 0,
      expiry: undefined,
      recheck: undefined,
      ended: false,
      release: () => {},
    };
    // Reserved before the first await below, so that concurrent subscribes cannot overshoot the caps.
    total++;
    perCaller.set(caller.userId, (perCaller.get(caller.userId) ?? 0) + 1);
    const release = () => {
      total--;
      const left = (perCaller.get(caller.userId) ?? 1) - 1;
      if (left > 0) perCaller.set(caller.userId, left);
      else perCaller.delete(caller.userId);
    };
    subscriber.release = release;
    // The first read is the subscriber's own: it checks the selection (limits, policy, plan) as the subscriber and
    // delivers what committed after its cursor, before it joins a group.
    const first = await readFeed(group, caller, subscriber.cursor, true);
    // A department away is no reason to refuse: the subscription is admitted, and its group reads again shortly.
    const transient = first.fatal && first.errors.length > 0 && first.errors.every((e) => TRANSIENT.has(String(e.extensions?.code)));
    if (first.fatal && !transient) {
      release();
      return { ok: false, status: first.status, errors: first.errors };
    }
    try {
      await options.audit.write(auditRecord(subscriber, 'start'));
    } catch {
      release();
      return refuse(503, 'AUDIT_UNAVAILABLE', 'The audit trail could not record this subscription, so it does not start');
    }
    // The group as it stands now: another subscriber of the same kind may have made it during the awaits above.
    const joined = groups.get(key) ?? group;
    groups.set(key, joined);
    subscriber.group = joined;
    joined.members.add(subscriber);
    deliver([subscriber], first);
    if (transient) scheduleRetry(joined);
    if (request.expiresAt !== null) armExpiry(subscriber, request.expiresAt);
    if (request.recheck) armRecheck(subscriber, request.recheck);
    // Anything that committed while the first read ran is read now (a group run already under way reads it again).
    wakeGroup(joined);
    return { ok: true, unsubscribe: () => end(subscriber, undefined) };
  }

  function end(s: Subscriber, errors: GraphQLFormattedError[] | undefined) {
    if (s.ended) return;
    s.ended = true;
    clearTimeout(s.expiry);
    clearInterval(s.recheck);
    s.group.members.delete(s);
    if (s.group.members.size === 0 && !s.group.running && groups.get(s.group.key) === s.group) groups.delete(s.group.key);
    s.release();
    options.audit.write(auditRecord(s, 'end', errors)).catch((error: unknown) =>
      options.logger.error('the end of a subscription could not be recorded', { error: error instanceof Error ? error.message : String(error) }),
    );
  }
  function armRecheck(s: Subscriber, recheck: () => Promise<unknown>) {
    s.recheck = setInterval(() => {
      recheck().catch((error: unknown) => {
        const code = (error as { accessCode?: string }).accessCode ?? AccessCode.TOKEN_INVALID;
        const message = error instanceof Error ? error.message : 'the token is no longer accepted';
        stop(s, [{ message: `${message}: subscribe again with a valid token, from the last event id received`, extensions: { code, lastEventId: s.cursor } }]);
      });
    }, options.limits.recheckMs);
    s.recheck.unref();
  }
  function armExpiry(s: Subscriber, expiresAt: number) {
    const ms = expiresAt * 1000 - Date.now();
    // setTimeout holds 24.8 days at most; a longer-lived token is checked again then.
    s.expiry = setTimeout(() => {
      if (expiresAt * 1000 > Date.now()) return armExpiry(s, expiresAt);
      const errors = [{ message: 'the token has expired: subscribe again with a fresh token, from the last event id received', extensions: { code: AccessCode.TOKEN_EXPIRED, lastEventId: s.cursor } }];
      stop(s, errors);
    }, Math.min(Math.max(ms, 0), 2 ** 31 - 1));
    s.expiry.unref();
  }
  function stop(s: Subscriber, errors?: GraphQLFormattedError[]) {
    end(s, errors);
    s.sink.end(errors);
  }
  function deliver(members: Subscriber[], read: FeedRead) {
    // One delivery per event for all the members: their transports frame it from the same payload (payloadJson).
    const deliveries: Delivery[] = read.events.map((event) => ({ id: event.cursor, payload: event.payload }));
    for (const s of members) {
      if (s.ended) continue;
      for (const delivery of deliveries) {
        s.sink.next(delivery);
        s.cursor = delivery.id;
        s.delivered++;
      }
      for (const id of read.residentIds) s.residentIds.add(id);
      for (const c of read.categories) s.categories.add(c);
      if (s.residentIds.size >= disclosedPerRecord) recordDisclosed(s);
      if (s.sink.buffered() > options.limits.maxBufferedBytes) {
        stop(s, [{ message: 'the client reads more slowly than events arrive; reconnect and resume from the last event id received', extensions: { code: SubscriptionCode.SUBSCRIBER_TOO_SLOW, lastEventId: s.cursor } }]);
      }
    }
  }
  /**
   * Writes what the stream has disclosed so far and empties its set. The events are out already; if the trail cannot
   * take their record, the stream stops rather than disclose more that nobody records.
   */
  function recordDisclosed(s: Subscriber) {
    const record = auditRecord(s, 'progress');
    s.residentIds = new Set();
    options.audit.write(record).catch((error: unknown) => {
      options.logger.error('what a subscription disclosed could not be recorded; ending it', { error: error instanceof Error ? error.message : String(error) });
      if (!s.ended) stop(s, [{ message: 'the audit trail could not record what this subscription disclosed, so it ends; resume from the last event id received', extensions: { code: 'AUDIT_UNAVAILABLE', lastEventId: s.cursor } }]);
    });
  }
  function wakeGroup(g: Group) {
    g.wakes++;
    if (g.running) {
      g.again = true;
      if (options.limits.readAhead && !g.ahead) readAhead(g);
      return;
    }
    void runGroup(g);
  }
  /**
   * Starts the group's next read now, while its run is still on an earlier one, so that a wake-up does not wait for a
   * slow read to end: only in steady state (every member at one cursor), and one at a time per group.
   */
  function readAhead(g: Group) {
    let representative: Subscriber | undefined;
    for (const s of g.members) {
      if (s.ended) continue;
      if (!representative) representative = s;
      else if (s.cursor !== representative.cursor) return;
    }
    if (!representative) return;
    const from = representative.cursor;
    g.ahead = {
      from,
      wakes: g.wakes,
      started: performance.now(),
      result: readFeed(g, representative.caller, from).then(
        (read) => ({ read, done: performance.now() }),
        () => ({ read: undefined, done: performance.now() }),
      ),
    };
  }
  /**
   * Delivers a read ahead to the members it can serve: those still at its cursor get all of it, those an earlier read
   * took to one of its events get what follows that event (the feed's order is the same in both reads). Answers
   * whether it served every member; one it cannot place (its cursor is in neither) is left to a read from its cursor.
   */
  function applyAhead(g: Group, ahead: Ahead, read: FeedRead): boolean {
    const cursors = read.events.map((e) => e.cursor);
    const byCursor = new Map<string, Subscriber[]>();
    for (const s of g.members) if (!s.ended) byCursor.set(s.cursor, [...(byCursor.get(s.cursor) ?? []), s]);
    let all = true;
    const readDone = performance.now();
    for (const [cursor, members] of byCursor) {
      const at = cursor === ahead.from ? 0 : cursors.indexOf(cursor) + 1;
      if (at === 0 && cursor !== ahead.from) {
        all = false;
        continue;
      }
      if (at >= read.events.length) continue;
      const part = at === 0 ? read : { ...read, events: read.events.slice(at) };
      deliver(members, part);
      // Its answer counts as done when it could be delivered in order, after the read before it.
      if (options.onStage) timeStages(part, ahead.started, readDone);
    }
    return all;
  }
  async function runGroup(g: Group) {
    g.running = true;
    let failed = false;
    try {
      do {
        g.again = false;
        const ahead = g.ahead;
        g.ahead = undefined;
        if (ahead) {
          const { read } = await ahead.result;
          // A full page may stop short of a member's events; a failed read is retried below as any other.
          if (read && !read.fatal && !read.more && applyAhead(g, ahead, read)) {
            // Nothing woke the group since it started (or a newer read ahead, started since, covers what did).
            if (g.wakes === ahead.wakes || g.ahead) continue;
          }
        }
        // One read per distinct cursor; in steady state every member is at the same one.
        const byCursor = new Map<string, Subscriber[]>();
        for (const s of g.members) byCursor.set(s.cursor, [...(byCursor.get(s.cursor) ?? []), s]);
        for (const [cursor, members] of byCursor) {
          let from = cursor;
          for (;;) {
            const live = members.filter((s) => !s.ended);
            const representative = live[0];
            if (!representative) break;
            const readStart = performance.now();
            const read = await readFeed(g, representative.caller, from);
            if (read.fatal) {
              // A failed read (a subgraph away, a timeout) keeps every cursor, and is tried again shortly: the
              // events it missed may have been the last ones, with no later wake-up to bring them.
              failed = true;
              options.logger.warn('a subscription read failed; trying again', { codes: read.errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN')).join(',') });
              break;
            }
            if (read.events.length === 0) break;
            const readDone = performance.now();
            deliver(live, read);
            if (options.onStage) timeStages(read, readStart, readDone);
            from = read.events.at(-1)!.cursor;
            if (!read.more) break;
          }
        }
      } while (g.again);
    } catch (error) {
      failed = true;
      options.logger.error('a subscription group failed to read its feed', { error: error instanceof Error ? error.message : String(error) });
    } finally {
      g.running = false;
      if (g.members.size === 0 && groups.get(g.key) === g) groups.delete(g.key);
      else if (failed) scheduleRetry(g);
    }
  }
  function timeStages(read: FeedRead, readStart: number, readDone: number) {
    const written = (performance.now() - readDone) / 1000;
    for (const event of read.events) {
      const woken = wokenAt.get(event.cursor);
      // An event read before its wake-up came (it committed while an earlier one's read ran) waited for nothing.
      const from = woken === undefined ? readStart : Math.max(woken, readStart);
      options.onStage!('queued', woken === undefined ? 0 : Math.max(0, readStart - woken) / 1000);
      options.onStage!('read', (readDone - from) / 1000);
      options.onStage!('written', written);
    }
  }
  function scheduleRetry(g: Group) {
    if (g.retry) return;
    g.retry = setTimeout(() => {
      g.retry = undefined;
      wakeGroup(g);
    }, RETRY_MS);
    g.retry.unref();
  }

  /** One page of the feed after `after`, as `caller`, split into one payload per event. */
  async function readFeed(group: Group, caller: Caller, after: string, subscribing = false): Promise<FeedRead> {
    const { translated } = group;
    const response = await options.apollo().executeOperation<Record<string, unknown>>(
      { query: translated.query, operationName: translated.operationName ?? undefined, variables: variablesFor(translated, after, PAGE + 1) },
      { contextValue: { caller, subscription: translated.operationName ?? 'anonymous', ...(subscribing ? {} : { subscriptionFollow: true as const }) } },
    );
    const status = response.http.status ?? 200;
    if (response.body.kind !== 'single') throw new Error('the feed query answered incrementally');
    const result = response.body.singleResult;
    const connection = result.data?.[translated.responseKey] as { edges?: Record<string, unknown>[] } | null | undefined;
    options.onRead?.(Boolean(connection?.edges));
    if (!connection?.edges) {
      const errors = result.errors ?? [{ message: 'the feed answered nothing', extensions: { code: SubscriptionCode.SUBSCRIPTION_UNAVAILABLE } }];
      return { fatal: true, status: status === 200 ? 400 : status, errors: [...errors], events: [], more: false, residentIds: [], categories: [] };
    }
    const more = connection.edges.length > PAGE;
    const edges = connection.edges.slice(0, PAGE);
    const observed = observeAnswer(options.supergraphSchema, group.document, { [translated.responseKey]: { edges } } as never);
    const events = edges.map((edge, index) => {
      const { [CURSOR_ALIAS]: cursor, ...rest } = edge;
      const errors = (result.errors ?? [])
        .filter((e) => e.path?.[1] === 'edges' && e.path[2] === index)
        .map((e) => ({ ...e, path: [translated.responseKey, ...(e.path ?? []).slice(3)] }));
      return { cursor: String(cursor), payload: { data: { [translated.responseKey]: rest }, ...(errors.length ? { errors } : {}) } };
    });
    return { fatal: false, status, errors: [], events, more, residentIds: observed.residentIds, categories: observed.categories };
  }

  return {
    subscribe,
    /**
     * Something committed to a subgraph's feed: the groups of its streams that its event can reach read from their cursors; the others stay where they are
     * (their next read skips it, as their filter and scope do). A wake-up without a route (the stream came back,
     * an older mediation) wakes every group.
     */
    wake(subgraph: string, position: FeedPosition) {
      if (options.onStage) {
        wokenAt.set(position.cursor, performance.now());
        if (wokenAt.size > WOKEN_KEPT) wokenAt.delete(wokenAt.keys().next().value!);
      }
      const route = options.limits.routedWakeups ? position.route : undefined;
      let count = 0;
      for (const g of groups.values()) {
        if (g.translated.stream.subgraph !== subgraph || (route && !g.reaches(route))) continue;
        wakeGroup(g);
        count++;
      }
      if (route) options.onWake?.(count);
    },
    stats: () => ({ subscriptions: total, groups: groups.size, subscribing }),
    /** Ends every stream with GATEWAY_CLOSING (its last event id to resume from elsewhere). */
    close() {
      closing = true;
      const errors = (cursor: string) => [{ message: 'the gateway is closing; resume from the last event id received', extensions: { code: SubscriptionCode.GATEWAY_CLOSING, lastEventId: cursor } }];
      for (const g of [...groups.values()]) for (const s of [...g.members]) stop(s, errors(s.cursor));
    },
  };
}

/**
 * What makes two subscribers' answers identical: the feed query, the variables, and everything about the caller
 * except who they are (role, department, scopes, purpose, grids, communities, masking). Any field a later version
 * adds to `Caller` (a unit, a level) splits groups by itself, since the whole caller but its id is the key.
 */
function groupKey(translated: TranslatedSubscription, caller: Caller): string {
  const { userId: _userId, ...callerClass } = caller;
  return JSON.stringify([translated.query, translated.operationName, translated.variables, callerClass]);
}

/**
 * The trail's record of a subscription starting, of what its events disclosed since its last record (`progress`, every
 * `DISCLOSED_PER_RECORD` residents), or of its end with what they disclosed after that.
 */
function auditRecord(
  s: { caller: Caller; operationName: string | null; query: string; variables: Record<string, unknown>; residentIds: Set<string>; categories: Set<string>; delivered: number },
  phase: 'start' | 'progress' | 'end',
  errors?: GraphQLFormattedError[],
): AuditRecordInput {
  const errorCodes = (errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
  return {
    userId: s.caller.userId,
    role: s.caller.role,
    department: s.caller.department,
    purpose: s.caller.purpose,
    eventType: 'OPERATION',
    operationName: s.operationName,
    document: s.query,
    // The phase and count ride in the variables: the trail's event types are operations, writes and refusals.
    variables: { ...s.variables, subscription: phase, eventsDelivered: s.delivered },
    categories: phase === 'start' ? [] : [...s.categories].sort(),
    residentIds: phase === 'start' ? [] : [...s.residentIds],
    outcome: errorCodes.length === 0 || errorCodes.every((c) => c === SubscriptionCode.GATEWAY_CLOSING) ? 'SUCCESS' : 'ERROR',
    errorCodes,
  };
}
