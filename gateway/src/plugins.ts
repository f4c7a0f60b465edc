import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { createRequestGuard, type Caller, type RoleRegistry } from '@hub/core';
import { createAuditPlugin, type AuditSink } from './audit.ts';
import type { GatewayContext } from './context.ts';
import { createLimitsPlugin, type Limits } from './limits/index.ts';
import type { GatewayMetrics } from './metrics.ts';
import { createPolicyPlugin, type Grants } from './policy/plugin.ts';
import { createTrustedDocumentsPlugin, type TrustedDocuments } from './trusted-documents.ts';

export interface PluginOptions {
  supergraphSdl: string;
  limits: Limits;
  trustedDocuments: TrustedDocuments;
  roles: RoleRegistry;
  audit: AuditSink;
  metrics: GatewayMetrics;
}

/**
 * Everything the gateway does to an operation around planning and execution, in the order it must happen: each
 * plugin's hooks run in this order, so each one sees what those before it decided.
 */
export function gatewayPlugins(options: PluginOptions): ApolloServerPlugin<GatewayContext>[] {
  const plugins: ApolloServerPlugin<GatewayContext>[] = [
    // First: it rewrites refusals and timeouts at the start of willSendResponse, for the plugins after it to see.
    createLimitsPlugin<GatewayContext>(undefined, options.limits),
    // Before the audit plugin: a malformed persisted query, an operation that cannot be chosen, a subscription are
    // refused 400 with a stable code (Apollo and the planner would answer them without a code, or with a 500).
    createRequestGuard<GatewayContext>({ persistedQueries: true }),
    // Before the audit plugin, which then records a refused ad-hoc operation as refused.
    createTrustedDocumentsPlugin<GatewayContext>({ trusted: options.trustedDocuments, mayRunAdHoc: adHocAllowed(options.roles) }),
    // Before planning: fields the caller may not read are taken out, so no department is asked for them.
    createPolicyPlugin<GatewayContext>({ supergraphSdl: options.supergraphSdl, grantsOf: ({ caller }) => grantsOf(caller) }),
    // After the policy plugin, so it records the answer as the caller receives it.
    createAuditPlugin<GatewayContext>({ supergraphSdl: options.supergraphSdl, sink: options.audit, recordedElsewhere: ({ subscription }) => subscription !== undefined }),
    // The stock landing page loads its sandbox from a CDN, which closed government networks cannot reach.
    ApolloServerPluginLandingPageDisabled(),
    // Last, so it counts each answer as the client receives it.
    options.metrics.plugin<GatewayContext>(),
  ];
  return plugins;
}

/**
 * Who may send an operation the manifest does not hold: a dataset's own pages, a subscription's feed reads (its own
 * document was checked when it was admitted), and roles granted ad-hoc queries.
 */
function adHocAllowed(roles: RoleRegistry) {
  return ({ caller, dataset, subscription }: GatewayContext): boolean => dataset !== undefined || subscription !== undefined || roles[caller.role]?.adHocQueries === true;
}

/** What the authorization directives of the supergraph are checked against: the caller's scopes, purpose, role and department. */
function grantsOf(caller: Caller): Grants {
  return {
    authenticated: true,
    scopes: new Set(caller.scopes),
    policy: (name) => name === `purpose:${caller.purpose}` || name === `role:${caller.role}` || name === `department:${caller.department}`,
  };
}
