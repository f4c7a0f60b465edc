import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import type { Logger, RouteHandler } from '@hub/core';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AuditSink } from '../audit.ts';
import type { Authenticate } from '../authenticate.ts';
import type { GatewayContext } from '../context.ts';
import { FEED_WAKEUP_PATH, followFeed, type FeedFollower } from './feed.ts';
import { createSubscriptionHub } from './hub.ts';
import type { SubscriptionLimits } from './limits.ts';
import { multipartRoute, wantsMultipartSubscription } from './multipart.ts';
import { singleConnectionMode } from './sse-single.ts';
import { sseRoute, STREAM_PATH } from './sse.ts';
import { STREAMS } from './translate.ts';
import { attachWebSocket } from './ws.ts';

export { SubscriptionCode } from './hub.ts';
export { DEFAULT_SUBSCRIPTION_LIMITS, subscriptionLimitsFromEnv, type SubscriptionLimits } from './limits.ts';
export { STREAM_PATH } from './sse.ts';
export { reachOf, type WakeRoute } from './reach.ts';

/**
 * Subscriptions, which @apollo/gateway does not serve: the gateway follows each stream's feed (one wake-up stream
 * per replica) and answers every subscriber with queries over it, as the subscriber (`hub.ts`). Transports:
 * GraphQL over SSE at `/graphql/stream` (`sse.ts`), `graphql-transport-ws` on `/graphql` (`ws.ts`) and Apollo's
 * multipart HTTP subscriptions on `/graphql` (`multipart.ts`).
 */
export function createSubscriptions(options: {
  supergraphSdl: string;
  urls: Record<string, string>;
  internalKey: KeyObject;
  audit: AuditSink;
  logger: Logger;
  authenticate: Authenticate;
  limits: SubscriptionLimits;
  maxBodyBytes: number;
  /** Whether a role may subscribe with a document (trusted documents). */
  mayRunDocument: (role: string, document: string) => boolean;
  /** The gateway's registry: open subscriptions, groups, wake-ups and feed reads are served at `/metrics`. */
  registry?: Registry;
}) {
  let apiSchema: GraphQLSchema | undefined;
  let apollo: ApolloServer<GatewayContext> | undefined;
  const feeds = new Map<string, FeedFollower>();
  let detachWebSocket: (() => Promise<void>) | undefined;
  const supergraphSchema = buildSchema(options.supergraphSdl, { assumeValidSDL: true, noLocation: true });
  // One wake-up stream per subgraph that owns a stream, however many streams and subscribers it has.
  const feedSubgraphs = [...new Set(Object.values(STREAMS).map((s) => s.subgraph))];

  const registers = options.registry ? [options.registry] : [];
  const reads = new Counter({
    name: 'hub_gateway_subscription_reads_total',
    help: 'Feed reads the subscription server ran (one per group and distinct cursor per wake-up, and one per subscribe), by outcome',
    labelNames: ['outcome'] as const,
    registers,
  });
  const woken = new Counter({
    name: 'hub_gateway_subscription_wakeups_total',
    help: "Committed events the feed's wake-up stream announced, and the subscriber groups they woke (a group its route cannot reach is not woken)",
    labelNames: ['what'] as const,
    registers,
  });
  const stages = new Histogram({
    name: 'hub_gateway_subscription_delivery_seconds',
    help: "Where a committed event's time goes in the gateway, once per subscriber group and event: queued (its wake-up to the start of the read that got it), read (the feed read through the query plan), written (the read's answer to the last member's socket write)",
    labelNames: ['stage'] as const,
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5, 10, 30],
    registers,
  });
  new Gauge({
    name: 'hub_gateway_subscriptions',
    help: 'Open subscriptions, the groups of subscribers that share reads, and subscribes under way (their first read not done)',
    labelNames: ['what'] as const,
    registers,
    collect() {
      const stats = hub.stats();
      this.set({ what: 'subscriptions' }, stats.subscriptions);
      this.set({ what: 'groups' }, stats.groups);
      this.set({ what: 'subscribing' }, stats.subscribing);
    },
  });

  const hub = createSubscriptionHub({
    onRead: (ok) => reads.inc({ outcome: ok ? 'ok' : 'failed' }),
    onStage: (stage, seconds) => stages.observe({ stage }, seconds),
    onWake: (groups) => (woken.inc({ what: 'events' }), woken.inc({ what: 'groups' }, groups)),
    apollo: () => {
      if (!apollo) throw new Error('subscriptions served before the gateway started');
      return apollo;
    },
    apiSchema: () => apiSchema,
    supergraphSchema,
    feed: (subgraph) => {
      const feed = feeds.get(subgraph);
      if (!feed) throw new Error(`subscriptions of ${subgraph} served before the gateway started, or without its URL`);
      return feed;
    },
    limits: options.limits,
    mayRunDocument: options.mayRunDocument,
    audit: options.audit,
    logger: options.logger,
  });

  const single = singleConnectionMode({ subscribe: hub.subscribe, authenticate: options.authenticate, maxBodyBytes: options.maxBodyBytes });

  return {
    /** Keeps the API schema the gateway serves, which subscriptions are checked against. */
    plugin: {
      async serverWillStart() {
        return {
          schemaDidLoadOrUpdate({ apiSchema: served }) {
            apiSchema = served;
          },
        };
      },
    } satisfies ApolloServerPlugin<GatewayContext>,
    routes: {
      [STREAM_PATH]: sseRoute({ subscribe: hub.subscribe, authenticate: options.authenticate, maxBodyBytes: options.maxBodyBytes, single: { handles: single.handles, serve: single.serve } }),
    } as Record<string, RouteHandler>,
    /** Apollo's multipart subscriptions on `/graphql`: the handler for a request that asks for them. */
    graphqlStream: (() => {
      const route = multipartRoute({ subscribe: hub.subscribe, authenticate: options.authenticate, maxBodyBytes: options.maxBodyBytes });
      return (req: IncomingMessage) => (wantsMultipartSubscription(req) ? route : undefined);
    })(),
    /** Starts following the feed and serving WebSocket upgrades, once Apollo has started. */
    start(started: ApolloServer<GatewayContext>, server: Server) {
      apollo = started;
      for (const subgraph of feedSubgraphs) {
        const url = options.urls[subgraph]?.replace(/\/graphql$/, FEED_WAKEUP_PATH);
        if (url) feeds.set(subgraph, followFeed({ url, subgraph, internalKey: options.internalKey, logger: options.logger, onWake: (position) => hub.wake(subgraph, position) }));
      }
      detachWebSocket = attachWebSocket(server, { subscribe: hub.subscribe, authenticate: options.authenticate, apiSchema: () => apiSchema });
    },
    stats: hub.stats,
    /** Ends every stream (resumable) and stops following the feed, before the HTTP server drains. */
    async close() {
      hub.close();
      single.close();
      for (const feed of feeds.values()) feed.close();
      await detachWebSocket?.();
    },
  };
}
