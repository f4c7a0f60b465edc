import type { Server } from 'node:http';
import { createHttpService, createLogger, isDraining, listen, safeFormatError, type RunningService } from '@hub/core';
import { createApolloServer } from './apollo-server.ts';
import { createAuthenticator } from './authenticate.ts';
import { operationCaches } from './cache.ts';
import type { GatewayContext } from './context.ts';
import { subgraphHealth } from './health.ts';
import { describeIdentity } from './identity.ts';
import { createGatewayMetrics } from './metrics.ts';
import { gatewaySettings, type GatewayOptions } from './options.ts';
import { auditAnswers } from './audit.ts';
import { PreparedRequests } from './execution/prepared-requests.ts';
import { auditOptions, gatewayPlugins } from './plugins.ts';
import { createGatewayPolicy } from './policy/plugin.ts';
import { createQueryPlanner } from './query-planner.ts';
import { createRateLimiter } from './rate-limit/index.ts';
import { refusalReporter } from './refusals.ts';
import { gatewayRoutes } from './routes.ts';
import { createSubgraphFetches } from './subgraph-fetch.ts';
import { createSubscriptions } from './subscriptions/index.ts';
import { describeTrustedDocuments, trustedDocumentCheck } from './trusted-documents.ts';

export type { GatewayContext } from './context.ts';
export type { GatewayOptions } from './options.ts';
export type { SubgraphHealth } from './health.ts';
export { refusalAuditRecord, type RefusalEvent } from './refusals.ts';
export { CircuitBreaker, type BreakerState } from './resilience/breaker.ts';
export { DEFAULT_RESILIENCE, resilienceFromEnv, type ResilienceOptions } from './resilience/config.ts';
export { SubgraphErrorCode, type FailureReason } from './resilience/datasource.ts';
export { withEnforcedSecurityLinks } from './policy/plugin.ts';
export { demoTokenMinterFromEnv, EXPLORER_PATH, OVERVIEW_PATH } from './explorer/index.ts';
export { DEFAULT_LIMITS, limitsFromEnv, type Limits } from './limits/index.ts';
export { addressKey, clientAddress, DEFAULT_RATE_LIMITS, proxyList, RATE_LIMITED, rateLimitsFromEnv, TokenBuckets, type Budget, type RateLimits } from './rate-limit/index.ts';
export { DEFAULT_SUBSCRIPTION_LIMITS, reachOf, STREAM_PATH, SubscriptionCode, subscriptionLimitsFromEnv, type SubscriptionLimits, type WakeRoute } from './subscriptions/index.ts';
export { DEFAULT_SUPERGRAPH, readSupergraph, subgraphsOf, subgraphUrls, urlVariableOf } from './supergraph.ts';
export { bearerToken, createTokenVerifier, declaredPurpose, identityFromEnv, PURPOSE_HEADER, type IdentityOptions } from './identity.ts';
export {
  DEFAULT_MANIFEST,
  documentHash,
  parseManifest,
  readManifest,
  TrustedDocumentCode,
  trustedDocumentsFromEnv,
  type TrustedDocuments,
  type TrustedDocumentsMode,
} from './trusted-documents.ts';

/**
 * The hub's gateway, in the order a request meets it:
 * 1. HTTP routes (`routes.ts`): `/health`, `/ready`, `/metrics`, `/explorer`, `/datasets`; the rest is `/graphql`.
 * 2. Who is asking (`authenticate.ts`): the bearer token and declared purpose make the caller, or the request is
 *    refused before GraphQL runs, and the refusal recorded (`refusals.ts`).
 * 3. The Apollo Server (`apollo-server.ts`) and its ordered plugins (`plugins.ts`): limits, trusted documents,
 *    authorization, audit, metrics. A query text Apollo has run once for a caller class takes the prepared path
 *    (`execution/prepared-requests.ts`) instead: the same limits, rate limit, policy decision, plan, audit record and
 *    metrics, without Apollo's pipeline.
 * 4. Query planning and execution over the supergraph (`query-planner.ts`).
 * 5. Subgraph fetches (`subgraph-fetch.ts`): the caller signed per subgraph, coalescing, timeouts, retries, breakers.
 * 6. The audit record of the answer, written before it leaves (the audit plugin of step 3, `audit.ts`).
 * Subscriptions (`subscriptions/`) enter at `/graphql/stream` (SSE) or a WebSocket upgrade of `/graphql`, pass step 2,
 * and each event is a query through steps 3–5 as the subscriber.
 * Built bottom-up (each step needs the one after it), served top-down by `listen`.
 */
export function createGateway(options: GatewayOptions) {
  const logger = createLogger('gateway');
  // Every option resolved now: a missing key or a misconfigured identity provider stops the gateway at start.
  const settings = gatewaySettings(options, logger);
  const { urls, limits, trustedDocuments, audit, verifier } = settings;
  const metrics = createGatewayMetrics();
  const rateLimiter = createRateLimiter({ limits: settings.rateLimits, audit, logger, registry: metrics.registry });

  // 2. Who is asking, within the per-address budget of requests without a valid token.
  const authenticate = rateLimiter.authenticate(createAuthenticator(verifier, refusalReporter(options.onRefusal, audit, logger)), verifier);
  // 5. Subgraph fetches, then 4. the planner that sends them.
  const subgraphs = createSubgraphFetches({ ...settings, metrics, logger });
  const caches = operationCaches(settings.cacheEntries, metrics.onCacheLookup);
  const gateway = createQueryPlanner({
    supergraphSdl: options.supergraphSdl,
    planCache: caches.plans,
    buildService: subgraphs.buildService,
    dataSources: subgraphs.dataSources,
    prepared: settings.preparedPlans,
  });

  return {
    urls,
    /** Where the trusted keys come from, for the start-up log line. */
    identity: describeIdentity(settings.identity),
    /** The trusted-documents mode and how many documents the manifest holds, for the start-up log line. */
    trustedDocuments: describeTrustedDocuments(trustedDocuments),
    /** The gateway's Prometheus registry (also served at `/metrics`). */
    metrics: metrics.registry,
    /** How many rate-limit buckets are held (callers, addresses), for tests of the memory bound. */
    rateLimitSizes: rateLimiter.sizes,
    /** Each subgraph's circuit breaker state, for tests and diagnostics. */
    breakerStates: subgraphs.breakerStates,
    async listen(port: number, host = '127.0.0.1'): Promise<RunningService> {
      // 3. The Apollo Server with its plugins, over the planner.
      const policy = createGatewayPolicy<GatewayContext>(options.supergraphSdl);
      const plugins = gatewayPlugins({ supergraphSdl: options.supergraphSdl, limits, rateLimiter, trustedDocuments, roles: verifier.roles, audit, metrics, policy });
      const formatError = safeFormatError(logger);
      const prepared = settings.preparedRequests
        ? new PreparedRequests({ policy, limits, rateLimiter, audit: auditAnswers(auditOptions({ supergraphSdl: options.supergraphSdl, audit, rateLimiter })), metrics, formatError })
        : undefined;
      // Subscriptions, which the planner does not serve: the gateway follows the feeds and reads them per subscriber.
      const subscriptions = createSubscriptions({
        supergraphSdl: options.supergraphSdl,
        urls,
        internalKey: settings.internalKey,
        audit,
        logger,
        authenticate,
        limits: settings.subscriptions,
        maxBodyBytes: limits.maxBodyBytes,
        mayRunDocument: trustedDocumentCheck(trustedDocuments, verifier.roles),
        registry: metrics.registry,
      });
      plugins.push(subscriptions.plugin);
      const apollo = createApolloServer({ gateway, documentCache: caches.documents, limits, trustedDocuments, plugins, formatError, prepared });
      await apollo.start();
      const server: Server = createHttpService({
        // 1. The routes beside /graphql.
        ...gatewayRoutes({
          apollo,
          authenticate,
          audit,
          logger,
          rateLimiter,
          trustedDocuments,
          roles: verifier.roles,
          explorer: options.explorer,
          datasets: options.datasets,
          draining: () => isDraining(server),
          subgraphHealth: () => subgraphHealth(urls, settings.internalKey, subgraphs.breakerOf),
          extraRoutes: subscriptions.routes,
        }),
        // 2. On /graphql, who is asking; then 3–6 in Apollo.
        graphqlStream: subscriptions.graphqlStream,
        guard: authenticate,
        context: async (_req, context: GatewayContext) => context,
        apollo,
        maxBodyBytes: limits.maxBodyBytes,
        metrics,
        logger,
      });
      subscriptions.start(apollo, server);
      const running = await listen(server, port, host, async () => {
        await apollo.stop();
        subgraphs.close();
      });
      // Open streams end first (each told where to resume), so the server's drain does not wait for them.
      return { ...running, close: async () => (await subscriptions.close(), await running.close()) };
    },
  };
}
