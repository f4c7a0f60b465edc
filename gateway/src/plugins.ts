import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { createRequestGuard, type OperationPolicy, type RoleRegistry } from '@hub/core';
import { createAuditPlugin, type AuditOptions, type AuditSink } from './audit.ts';
import type { GatewayContext } from './context.ts';
import { createInputRefusalPlugin } from './input-refusals.ts';
import { createLimitsPlugin, type Limits } from './limits/index.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { RateLimiter } from './rate-limit/index.ts';
import { createGatewayPolicyPlugin } from './policy/plugin.ts';
import { createTrustedDocumentsPlugin, type TrustedDocuments } from './trusted-documents.ts';
import { createWithheldReferencesPlugin } from './withheld-references.ts';

export interface PluginOptions {
  supergraphSdl: string;
  limits: Limits;
  rateLimiter: RateLimiter;
  trustedDocuments: TrustedDocuments;
  roles: RoleRegistry;
  audit: AuditSink;
  metrics: GatewayMetrics;
  /** The policy over the supergraph (`createGatewayPolicy`), shared with the prepared path. */
  policy: OperationPolicy<GatewayContext>;
}

/**
 * Everything the gateway does to an operation around planning and execution, in the order it must happen: each
 * plugin's hooks run in this order, so each one sees what those before it decided.
 */
export function gatewayPlugins(options: PluginOptions): ApolloServerPlugin<GatewayContext>[] {
  const plugins: ApolloServerPlugin<GatewayContext>[] = [
    // First: it rewrites refusals and timeouts at the start of willSendResponse, for the plugins after it to see.
    createLimitsPlugin<GatewayContext>(undefined, options.limits),
    // Right after the limits plugin: it charges the cost the limits measured, and its refusal is audited below.
    options.rateLimiter.plugin(),
    // Before the audit plugin: a malformed persisted query, an operation that cannot be chosen, a subscription are
    // refused 400 with a stable code (Apollo and the planner would answer them without a code, or with a 500).
    createRequestGuard<GatewayContext>({ persistedQueries: true }),
    // Before the audit plugin, which then records a refused ad-hoc operation as refused.
    createTrustedDocumentsPlugin<GatewayContext>({ trusted: options.trustedDocuments, mayRunAdHoc: adHocAllowed(options.roles) }),
    // Before planning: fields the caller may not read are taken out, so no department is asked for them.
    createGatewayPolicyPlugin<GatewayContext>(options.policy),
    // A reference to a person outside the caller's grids: null at its path with the department's OUTSIDE_SCOPE error.
    createWithheldReferencesPlugin<GatewayContext>(),
    // A department's refusal of the client's input (a malformed Date) answered 400 with no data, before the audit
    // plugin, which then records what the client was told.
    createInputRefusalPlugin<GatewayContext>(),
    // After the policy plugin, so it records the answer as the caller receives it.
    createAuditPlugin<GatewayContext>(auditOptions(options)),
    // The stock landing page loads its sandbox from a CDN, which closed government networks cannot reach.
    ApolloServerPluginLandingPageDisabled(),
    // Answers hold personal data: no department's cache header may make one cacheable by a proxy, so the cache
    // policy Apollo would work out per request (and per subgraph fetch) is not worked out at all.
    ApolloServerPluginCacheControlDisabled(),
    // Nothing of a district's hub leaves its network, whatever APOLLO_KEY the environment holds.
    ApolloServerPluginUsageReportingDisabled(),
    // Last, so it counts each answer as the client receives it.
    options.metrics.plugin<GatewayContext>(),
  ];
  return plugins;
}

/** The audit plugin's options, shared with the prepared path, which records its answers the plugin's way. */
export function auditOptions(options: Pick<PluginOptions, 'supergraphSdl' | 'audit' | 'rateLimiter'>): AuditOptions<GatewayContext> {
  return {
    supergraphSdl: options.supergraphSdl,
    sink: options.audit,
    skip: (context) => options.rateLimiter.quiet(context) || context.subscription !== undefined,
  };
}

/**
 * Who may send an operation the manifest does not hold: a dataset's own pages, a subscription's feed reads (its own
 * document was checked when it was admitted), and roles granted ad-hoc queries.
 */
function adHocAllowed(roles: RoleRegistry) {
  return ({ caller, dataset, subscription }: GatewayContext): boolean => dataset !== undefined || subscription !== undefined || roles[caller.role]?.adHocQueries === true;
}
