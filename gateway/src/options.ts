import type { KeyObject } from 'node:crypto';
import { internalSigningKey, isProduction, type Logger } from '@hub/core';
import type { AuditSink } from './audit.ts';
import type { RunOptions } from './datasets/engine.ts';
import type { ExplorerOptions } from './explorer/index.ts';
import { createTokenVerifier, identityFromEnv, type IdentityOptions } from './identity.ts';
import { limitsFromEnv, type Limits } from './limits/index.ts';
import { DEFAULT_RATE_LIMITS, rateLimitsFromEnv, type RateLimits } from './rate-limit/index.ts';
import type { RefusalHook } from './refusals.ts';
import { resilienceFromEnv, type ResilienceOptions } from './resilience/config.ts';
import { subscriptionLimitsFromEnv, type SubscriptionLimits } from './subscriptions/limits.ts';
import { subgraphSockets, subgraphUrls } from './supergraph.ts';
import { trustedDocumentsFromEnv, type TrustedDocuments } from './trusted-documents.ts';

export interface GatewayOptions {
  /** The composed supergraph SDL the gateway plans against; never introspected at run time. */
  supergraphSdl: string;
  /** Unix sockets of subgraphs on this machine, by subgraph name; default `<DEPT>_SOCKET` from the environment. */
  sockets?: Record<string, string>;
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
   * Rate limits: cost units per caller by role, requests per address without a valid token, trusted proxies; default
   * from the environment (`rateLimitsFromEnv`). Given here, the parts given replace those of DEFAULT_RATE_LIMITS.
   */
  rateLimits?: Partial<RateLimits>;
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
   * Run an operation seen before from its prepared plan and answer shape (`execution/executor.ts`) instead of the
   * stock executor's per-request work; default true.
   */
  preparedPlans?: boolean;
  /**
   * Answer a query text Apollo Server has run once for a caller class on the prepared path, without Apollo Server's
   * per-request pipeline (`execution/prepared-requests.ts`); default true unless HUB_GATEWAY_EXECUTOR=apollo (a
   * diagnostic: the Apollo-only twin the equivalence test and the benchmark compare against).
   */
  preparedRequests?: boolean;
  /**
   * A read identical to one in flight to the same subgraph for the same caller waits for that one's answer (each
   * request parses its own copy); default true.
   */
  shareInFlightReads?: boolean;
  /** Open connections to each subgraph at most (keep-alive); default 64. */
  maxSocketsPerSubgraph?: number;
  /** Subscriptions per caller and per gateway, and the unread bytes a client may leave; default from the environment. */
  subscriptions?: SubscriptionLimits;
}

/**
 * Every option with its default filled in, resolved when the gateway is made: a missing key, a misconfigured
 * identity provider or a production gateway without an audit trail stops it at start, not at its first request.
 */
export function gatewaySettings(options: GatewayOptions, logger: Logger) {
  const urls = options.urls ?? subgraphUrls(options.supergraphSdl);
  const sockets = options.sockets ?? subgraphSockets(Object.keys(urls));
  const limits = options.limits ?? limitsFromEnv();
  const identity = options.identity ?? identityFromEnv();
  const internalKey = options.internalKey ?? internalSigningKey();
  const trustedDocuments = options.trustedDocuments ?? trustedDocumentsFromEnv();
  const verifier = createTokenVerifier(identity);
  if (!options.audit && isProduction()) throw new Error('the gateway needs an audit trail in production: set AUDIT_DATABASE_URL');
  const audit: AuditSink = options.audit ?? logOnlyAudit(logger);
  return {
    urls,
    sockets,
    limits,
    identity,
    internalKey,
    trustedDocuments,
    verifier,
    audit,
    rateLimits: options.rateLimits ? { ...DEFAULT_RATE_LIMITS, ...options.rateLimits } : rateLimitsFromEnv(verifier.roles),
    resilience: options.resilience ?? resilienceFromEnv(),
    cacheEntries: options.cacheEntries ?? { documents: 1000, plans: 1000 },
    coalesceFetches: options.coalesceFetches ?? true,
    preparedPlans: options.preparedPlans ?? true,
    preparedRequests: options.preparedRequests ?? process.env.HUB_GATEWAY_EXECUTOR !== 'apollo',
    shareInFlightReads: options.shareInFlightReads ?? true,
    maxSocketsPerSubgraph: options.maxSocketsPerSubgraph ?? 64,
    subscriptions: options.subscriptions ?? subscriptionLimitsFromEnv(),
  };
}

/** Development's audit trail: one log line per record. */
function logOnlyAudit(logger: Logger): AuditSink {
  return {
    write: async (record) => logger.info('audit', { eventType: record.eventType, operationName: record.operationName ?? null, outcome: record.outcome }),
  };
}
