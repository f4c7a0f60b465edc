import type { IncomingMessage } from 'node:http';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { AccessRefusal, HttpError, type Caller, type Logger, type RouteHandler } from '@hub/core';
import { GraphQLError } from 'graphql';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AuditSink } from '../audit.ts';
import type { Authenticate } from '../authenticate.ts';
import type { GatewayContext } from '../context.ts';
import { bearerToken, type TokenVerifier } from '../identity.ts';
import { measuredOperation } from '../limits/plugin.ts';
import { addressKey, clientAddress } from './address.ts';
import { BoundedMap } from './bounded-map.ts';
import { TokenBuckets } from './buckets.ts';
import { proxyList, type Budget, type RateLimits } from './config.ts';

/** The stable code of every rate-limit refusal, HTTP 429 with `Retry-After`. */
export const RATE_LIMITED = 'RATE_LIMITED';

export interface RateLimiterOptions {
  limits: RateLimits;
  audit: AuditSink;
  logger: Logger;
  /** The gateway's registry: refusals and bucket counts are served at `/metrics`. */
  registry: Registry;
}

/** Where a refusal happened, for the metric: the GraphQL endpoint, the exports, or another route. */
type Route = string;

/**
 * The gateway's rate limits, one token bucket of cost units per caller (the token's subject, budget by role) and one
 * per client address for requests without a valid token. State lives in this process (see docs/security.md):
 *
 * - `authenticate(…)` wraps the identity check of `/graphql` and `/datasets`: a refused token is charged 1 to its
 *   address; once an address's bucket is empty its requests are answered 429 before the refusal is reported, unless
 *   they carry a valid token (then the caller's own budget applies, whoever else shares the address).
 * - `plugin()` charges each operation its cost as the limits measured it, and refuses it with RATE_LIMITED (429,
 *   `Retry-After`) when the caller's bucket holds less; a request refused before its operation resolved (a parse or
 *   validation error) is charged 1. A dataset's pages are not charged: their export is, by size.
 * - `admitExport(…)` admits a dataset request while the caller's bucket is not empty; `chargeRows` then charges it a
 *   unit per row sent, without refusal (overdrawing the bucket: the next request waits).
 * - `route(…)` charges an unauthenticated route that does work (readiness probes every department) to the address.
 * - A subscribe is charged like the query it is rewritten into: its first read of the feed, as the subscriber, costs
 *   its selection's measured cost (refused RATE_LIMITED, 429, before the stream opens); the reads that follow it
 *   (`subscriptionFollow`) are not charged.
 *
 * Every refusal is counted (`hub_gateway_rate_limited_total`) and audited: the first of a run of refusals of one key
 * always, then at most one record per `auditEveryMs` for that key, so that a flood cannot turn every refused request
 * into a write to the audit database. `quiet(context)` says which refused operations the audit plugin skips.
 */
export function createRateLimiter(options: RateLimiterOptions) {
  const { limits, audit, logger } = options;
  const callers = new TokenBuckets(limits.maxEntries, limits.clock);
  const addresses = new TokenBuckets(limits.maxEntries, limits.clock);
  const proxies = proxyList(limits.trustedProxies);
  const lastAudited = new BoundedMap<number>(limits.maxEntries);
  const quietContexts = new WeakSet<object>();
  const registers = [options.registry];
  const refusals = new Counter({
    name: 'hub_gateway_rate_limited_total',
    help: 'Requests refused 429 RATE_LIMITED, by what was limited (caller, address) and route',
    labelNames: ['limit', 'route'] as const,
    registers,
  });
  new Gauge({
    name: 'hub_gateway_rate_limit_buckets',
    help: `Rate-limit buckets held in memory, by kind (callers, addresses); at most ${limits.maxEntries} each`,
    labelNames: ['kind'] as const,
    registers,
    collect() {
      this.set({ kind: 'callers' }, callers.size);
      this.set({ kind: 'addresses' }, addresses.size);
    },
  });

  const budgetOf = (caller: Caller): Budget => limits.roles[caller.role] ?? limits.otherRoles;
  const callerKey = (caller: Caller) => caller.userId;
  const addressOf = (req: IncomingMessage) => addressKey(clientAddress(req, proxies));

  /** Whether this refusal of `key` is recorded: the first of a run, then one per `auditEveryMs`. */
  function shouldAudit(key: string): boolean {
    const now = limits.clock();
    const last = lastAudited.get(key);
    if (last !== undefined && now - last < limits.auditEveryMs) return false;
    lastAudited.set(key, now);
    return true;
  }

  const message = (who: string, budget: Budget, retryAfterSeconds: number, cost?: number) =>
    `Too many requests: ${who} has used its budget of ${budget.burst} cost units (refilled at ${budget.perMinute} a minute)` +
    `${cost === undefined ? '' : `; this operation costs ${cost}`}. Retry after ${retryAfterSeconds} s.`;

  /** A refused address (or a refused export), answered before GraphQL with a GraphQL error body, like the identity refusals. */
  async function refuseHttp(
    req: IncomingMessage,
    url: URL,
    route: Route,
    key: string,
    budget: Budget,
    retryAfterSeconds: number,
    caller?: Caller,
  ): Promise<never> {
    refusals.inc({ limit: caller ? 'caller' : 'address', route });
    if (shouldAudit(`${caller ? 'caller' : 'address'}:${key}`)) {
      logger.warn('rate limited', { limit: caller ? 'caller' : 'address', route, remoteAddress: req.socket.remoteAddress ?? null, retryAfterSeconds });
      try {
        await audit.write({
          ...(caller ? { userId: caller.userId, role: caller.role, department: caller.department, purpose: caller.purpose } : {}),
          eventType: 'REQUEST_REFUSED',
          operationName: `${req.method ?? 'GET'} ${url.pathname.slice(0, 200)}`,
          outcome: 'DENIED',
          errorCodes: [RATE_LIMITED],
        });
      } catch (error) {
        // The request is refused all the same (nothing was read), as a refused token is when its record fails.
        logger.error('the audit record of a rate-limit refusal could not be written', { error: error instanceof Error ? error.message : String(error) });
      }
    }
    throw new HttpError(429, message(caller ? 'this caller' : 'this address', budget, retryAfterSeconds), RATE_LIMITED, { 'retry-after': String(retryAfterSeconds) }, { retryAfterSeconds, budget: { perMinute: budget.perMinute, burst: budget.burst } });
  }

  async function holdsValidToken(verifier: TokenVerifier, req: IncomingMessage): Promise<boolean> {
    try {
      await verifier.verify(bearerToken(req));
      return true;
    } catch {
      return false;
    }
  }

  return {
    limits,

    /** The identity check with the per-address limit of requests without a valid token around it. */
    authenticate(authenticate: Authenticate, verifier: TokenVerifier): Authenticate {
      if (!limits.enabled) return authenticate;
      return async (request) => {
        const { req, url } = request;
        const key = addressOf(req);
        const budget = limits.unauthenticated;
        if (addresses.level(key, budget) < 1 && !(await holdsValidToken(verifier, req))) {
          await refuseHttp(req, url, routeOf(url), key, budget, addresses.secondsUntil(key, budget, 1));
        }
        try {
          return await authenticate(request);
        } catch (error) {
          // Not a 503: the identity provider being down is no client's doing.
          if (error instanceof AccessRefusal && error.status < 500) addresses.take(key, budget, 1, true);
          throw error;
        }
      };
    },

    /** Admits a `/datasets` request while the caller's bucket is not empty; charges it 1 (its rows pay the rest). */
    async admitExport(caller: Caller, req: IncomingMessage, url: URL): Promise<void> {
      if (!limits.enabled) return;
      const budget = budgetOf(caller);
      const charge = callers.take(callerKey(caller), budget, 1);
      if (!charge.ok) await refuseHttp(req, url, 'datasets', callerKey(caller), budget, charge.retryAfterSeconds, caller);
    },

    /**
     * Charges an export a unit per row sent, overdrawing the bucket rather than cutting a file short: the next request
     * waits instead. Rows, not the pages' estimated cost, which counts every page as full and every nested object.
     */
    chargeRows: (caller: Caller, rows: number): void => {
      if (limits.enabled && rows > 0) callers.take(callerKey(caller), budgetOf(caller), rows, true);
    },

    /** A route without identity that does work, charged 1 per request to the client's address. */
    route(handler: RouteHandler): RouteHandler {
      if (!limits.enabled) return handler;
      return async (req, res, url) => {
        const key = addressOf(req);
        const charge = addresses.take(key, limits.unauthenticated, 1);
        if (!charge.ok) await refuseHttp(req, url, routeOf(url), key, limits.unauthenticated, charge.retryAfterSeconds);
        return handler(req, res, url);
      };
    },

    /** Charges each operation its measured cost to the caller; list it right after the limits plugin. */
    plugin(): ApolloServerPlugin<GatewayContext> {
      return {
        async requestDidStart() {
          if (!limits.enabled) return;
          let charged = false;
          return {
            async didResolveOperation({ contextValue }) {
              charged = true;
              const { caller, dataset } = contextValue;
              // A page of an admitted export: the export is charged by the rows it sends; a subscription's later
              // reads: the subscribe was charged by its first.
              if (dataset !== undefined || contextValue.subscriptionFollow) return;
              const found = measuredOperation(contextValue);
              // An operation the limits refused did the work of measuring only.
              const cost = found?.measures && !found.refused ? Math.max(1, found.measures.cost) : 1;
              const budget = budgetOf(caller);
              const charge = callers.take(callerKey(caller), budget, cost);
              if (charge.ok) return;
              refusals.inc({ limit: 'caller', route: 'graphql' });
              if (!shouldAudit(`caller:${callerKey(caller)}`)) quietContexts.add(contextValue);
              const retryAfter = charge.retryAfterSeconds;
              throw new GraphQLError(message('this caller', budget, retryAfter, cost), {
                extensions: {
                  code: RATE_LIMITED,
                  retryAfterSeconds: retryAfter,
                  cost,
                  budget: { perMinute: budget.perMinute, burst: budget.burst },
                  http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) },
                },
              });
            },
            async willSendResponse({ contextValue }) {
              if (!charged && contextValue.caller && contextValue.dataset === undefined && !contextValue.subscriptionFollow) callers.take(callerKey(contextValue.caller), budgetOf(contextValue.caller), 1, true);
            },
          };
        },
      };
    },

    /**
     * The plugin's charge for the gateway's prepared path: takes the operation's cost (as the plugin would, for a
     * caller's own operation) and says whether it was taken. A refusal leaves the bucket untouched, so the request
     * handed to Apollo is charged, refused, counted and audited there exactly once.
     */
    chargeOperation(context: GatewayContext, cost: number): boolean {
      if (!limits.enabled || context.dataset !== undefined || context.subscriptionFollow) return true;
      return callers.take(callerKey(context.caller), budgetOf(context.caller), Math.max(1, cost)).ok;
    },

    /** Whether the audit plugin skips this refused operation (a refusal of a run already recorded). */
    quiet(context: object): boolean {
      return quietContexts.has(context);
    },

    /** Bucket counts, for tests of the memory bound. */
    sizes: () => ({ callers: callers.size, addresses: addresses.size, audited: lastAudited.size }),
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

function routeOf(url: URL): Route {
  if (url.pathname === '/graphql') return 'graphql';
  if (url.pathname === '/datasets' || url.pathname.startsWith('/datasets/')) return 'datasets';
  return url.pathname.slice(0, 40);
}
