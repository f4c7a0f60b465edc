import { ApolloGateway, type GatewayConfig } from '@apollo/gateway';
import type { CountingLruCache, PlanOf } from './cache.ts';
import { withEnforcedSecurityLinks } from './policy/plugin.ts';

/**
 * Query planning and execution over the supergraph: the stock `@apollo/gateway`, planning against the committed
 * supergraph (never introspection), its plans cached, each plan's fetches sent through `buildService`'s data sources.
 */
export function createQueryPlanner(options: {
  supergraphSdl: string;
  planCache: CountingLruCache<PlanOf<GatewayConfig>>;
  buildService: NonNullable<GatewayConfig['buildService']>;
}): ApolloGateway {
  // Unless this is set, @apollo/gateway sends usage metrics to Apollo's servers and probes cloud metadata addresses
  // at start. Nothing of a district's hub may leave its network, so the gateway sets it whatever the environment says.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  return new ApolloGateway({
    // The hub enforces the authorization directives itself (policy plugin), so the stock gateway may load them.
    supergraphSdl: withEnforcedSecurityLinks(options.supergraphSdl),
    queryPlannerConfig: { cache: options.planCache },
    buildService: options.buildService,
  });
}
