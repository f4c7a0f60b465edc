import type { KeyObject } from 'node:crypto';
import type { Server } from 'node:http';
import {
  createHttpService,
  createLogger,
  internalSigningKey,
  isDraining,
  isProduction,
  listen,
  type RoleRegistry,
  type RunningService,
} from '@hub/core';
import { createApolloServer } from './apollo-server.ts';
import { createAuthenticator } from './authenticate.ts';
import type { GatewayContext } from './context.ts';
import { createTokenVerifier, identityFromEnv, type IdentityOptions } from './identity.ts';
import { limitsFromEnv, type Limits } from './limits/index.ts';
import type { AuditSink } from './audit.ts';
import { refusalReporter, type RefusalHook } from './refusals.ts';
import { trustedDocumentsFromEnv, type TrustedDocuments } from './trusted-documents.ts';
import { subgraphUrls } from './supergraph.ts';
import { operationCaches } from './cache.ts';
import { subgraphHealth } from './health.ts';
import { createGatewayMetrics } from './metrics.ts';
import { gatewayPlugins } from './plugins.ts';
import type { ExplorerOptions } from './explorer/index.ts';
import type { RunOptions } from './datasets/engine.ts';
import { resilienceFromEnv, type ResilienceOptions } from './resilience/config.ts';
import { createQueryPlanner } from './query-planner.ts';
import { gatewayRoutes } from './routes.ts';
import { createSubgraphFetches } from './subgraph-fetch.ts';

export type { GatewayContext } from './context.ts';
export type { SubgraphHealth } from './health.ts';
export { refusalAuditRecord, type RefusalEvent } from './refusals.ts';
export { CircuitBreaker, type BreakerState } from './resilience/breaker.ts';
export { DEFAULT_RESILIENCE, resilienceFromEnv, type ResilienceOptions } from './resilience/config.ts';
export { SubgraphErrorCode, type FailureReason } from './resilience/datasource.ts';
export { withEnforcedSecurityLinks } from './policy/plugin.ts';
export { demoTokenMinterFromEnv, EXPLORER_PATH, OVERVIEW_PATH } from './explorer/index.ts';
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

export interface GatewayOptions {
  /** The composed supergraph SDL the gateway plans against; never introspected at run time. */
  supergraphSdl: string;
  /** Dataset exports: page sizes and grids read at once (tests make them small to interrupt an export midway). */
  datasets?: Omit<RunOptions, 'signal'>;
  /**
   * The explorer (`/explorer`) and overview page (`/overview`), from local files; `mintToken` adds the development-only
   * identity picker (`index.ts` passes the demo issuer's outside production). `false` serves neither.
   */
  explorer?: { mintToken?: ExplorerOptions['mintToken'] } | false;
  /** Subgraph URL by subgraph name; defaults to the environment's overrides, then the supergraph's own URLs. */
  urls?: Record<string, string>;
  /**
   * Where every operation and every refused request is recorded: the audit department's writer
   * (`@hub/audit-trail` over AUDIT_DATABASE_URL, which `index.ts` opens). Without one, records go to the log only,
   * which production refuses.
   */
  audit?: AuditSink;
  /** Query limits (depth, aliases, root fields, tokens, cost, body size, time); default from the environment. */
  limits?: Limits;
  /**
   * Which operations run: the trusted-documents mode (`off`, `allow`, `enforce`) and the manifest of persisted
   * documents; default from HUB_TRUSTED_DOCUMENTS and HUB_TRUSTED_DOCUMENTS_MANIFEST (`trustedDocumentsFromEnv`).
   */
  trustedDocuments?: TrustedDocuments;
  /** Whose bearer tokens to trust; default from the environment (`identityFromEnv`). */
  identity?: IdentityOptions;
  /** The key the gateway signs callers for the subgraphs with; default HUB_INTERNAL_PRIVATE_KEY. */
  internalKey?: KeyObject;
  /**
   * Told of every refused request (the audit trail's hook), and awaited before the refusal is answered; default: one
   * redacted JSON log line. A hook that fails is logged; the request is refused all the same.
   */
  onRefusal?: RefusalHook;
  /** Timeouts, retries and circuit breakers for the subgraph fetches; default from the environment (`resilienceFromEnv`). */
  resilience?: ResilienceOptions;
  /** Entries of the parsed-document and query-plan caches (one per distinct operation); default 1,000 each. */
  cacheEntries?: { documents: number; plans: number };
  /** Send the fetches one request makes to one subgraph at once as one HTTP request (`mergeFetches`); default true. */
  coalesceFetches?: boolean;
  /**
   * A read identical to one in flight to the same subgraph for the same caller waits for that one's answer (each
   * request parses its own copy); default true.
   */
  shareInFlightReads?: boolean;
  /** Open connections to each subgraph at most (keep-alive); default 64. */
  maxSocketsPerSubgraph?: number;
}

export function createGateway(options: GatewayOptions) {
  const logger = createLogger('gateway');
  const urls = options.urls ?? subgraphUrls(options.supergraphSdl);
  const limits = options.limits ?? limitsFromEnv();
  // Both resolved now, so a missing key or a misconfigured identity provider stops the gateway at start.
  const identity = options.identity ?? identityFromEnv();
  const internalKey = options.internalKey ?? internalSigningKey();
  const trustedDocuments = options.trustedDocuments ?? trustedDocumentsFromEnv();
  const verifier = createTokenVerifier(identity);
  const roles: RoleRegistry = verifier.roles;
  if (!options.audit && isProduction()) throw new Error('the gateway needs an audit trail in production: set AUDIT_DATABASE_URL');
  const audit: AuditSink = options.audit ?? {
    write: async (record) => logger.info('audit', { eventType: record.eventType, operationName: record.operationName ?? null, outcome: record.outcome }),
  };
  const reportRefusal = refusalReporter(options.onRefusal, audit, logger);
  const authenticate = createAuthenticator(verifier, reportRefusal);

  const resilience = options.resilience ?? resilienceFromEnv();
  const metrics = createGatewayMetrics();
  const subgraphs = createSubgraphFetches({
    urls,
    resilience,
    internalKey,
    metrics,
    logger,
    coalesceFetches: options.coalesceFetches ?? true,
    shareInFlightReads: options.shareInFlightReads ?? true,
    maxSocketsPerSubgraph: options.maxSocketsPerSubgraph ?? 64,
  });
  const caches = operationCaches(options.cacheEntries ?? { documents: 1000, plans: 1000 }, metrics.onCacheLookup);
  const gateway = createQueryPlanner({ supergraphSdl: options.supergraphSdl, planCache: caches.plans, buildService: subgraphs.buildService });

  return {
    urls,
    /** Where the trusted keys come from, for the start-up log line. */
    identity: identity.description ?? `issuer ${identity.issuer}`,
    /** The trusted-documents mode and how many documents the manifest holds, for the start-up log line. */
    trustedDocuments: `${trustedDocuments.mode}${trustedDocuments.mode === 'off' ? '' : ` (${trustedDocuments.manifest.size} documents)`}`,
    /** The gateway's Prometheus registry (also served at `/metrics`). */
    metrics: metrics.registry,
    /** Each subgraph's circuit breaker state, for tests and diagnostics. */
    breakerStates: subgraphs.breakerStates,
    async listen(port: number, host = '127.0.0.1'): Promise<RunningService> {
      const plugins = gatewayPlugins({ supergraphSdl: options.supergraphSdl, limits, trustedDocuments, roles, audit, metrics });
      const apollo = createApolloServer({ gateway, documentCache: caches.documents, limits, trustedDocuments, plugins, logger });
      await apollo.start();
      const server: Server = createHttpService({
        apollo,
        guard: authenticate,
        maxBodyBytes: limits.maxBodyBytes,
        context: async (_req, context: GatewayContext) => context,
        metrics,
        logger,
        ...gatewayRoutes({
          apollo,
          authenticate,
          audit,
          logger,
          trustedDocuments,
          roles,
          explorer: options.explorer,
          datasets: options.datasets,
          draining: () => isDraining(server),
          subgraphHealth: () => subgraphHealth(urls, internalKey, subgraphs.breakerOf),
        }),
      });
      return listen(server, port, host, async () => {
        await apollo.stop();
        subgraphs.close();
      });
    },
  };
}
