import { exitOnServiceConfigProblems, internalSigningKey, loadRoles, type Logger } from '@hub/core';
import { identityFromEnv } from './identity.ts';
import { limitsFromEnv } from './limits/index.ts';
import { rateLimitsFromEnv } from './rate-limit/index.ts';
import { resilienceFromEnv } from './resilience/config.ts';
import { subscriptionLimitsFromEnv } from './subscriptions/limits.ts';
import { readSupergraph, subgraphUrls } from './supergraph.ts';
import { trustedDocumentsFromEnv } from './trusted-documents.ts';

/**
 * The gateway's configuration, checked whole before it starts: each variable's format from the hub's catalogue,
 * then the gateway's own readers (a key set with its issuer and audience, the manifest's hashes, the supergraph's
 * subgraph URLs with their overrides), so every problem is reported at once, each naming its variable, with exit 2.
 */
export function exitOnGatewayConfigProblems(logger: Logger, supergraphPath: string): void {
  exitOnServiceConfigProblems('gateway', logger, [
    (env) => limitsFromEnv(env),
    (env) => subscriptionLimitsFromEnv(env),
    (env) => resilienceFromEnv(env),
    (env) => identityFromEnv(env),
    (env) => rateLimitsFromEnv(loadRoles(env), env),
    (env) => trustedDocumentsFromEnv(env),
    (env) => internalSigningKey(env),
    (env) => {
      let supergraphSdl: string;
      try {
        supergraphSdl = readSupergraph(supergraphPath);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(env.SUPERGRAPH_PATH ? `SUPERGRAPH_PATH ${message}` : message);
      }
      subgraphUrls(supergraphSdl, env);
    },
  ]);
}
