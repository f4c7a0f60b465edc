import { ApolloGateway, type GatewayConfig, type GraphQLDataSource } from '@apollo/gateway';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import type { CountingLruCache, PlanOf } from './cache.ts';
import { PreparedPlansGateway } from './execution/executor.ts';
import { withEnforcedSecurityLinks } from './policy/plugin.ts';

/**
 * Query planning and execution over the supergraph: the stock `@apollo/gateway`, planning against the committed
 * supergraph (never introspection), its plans cached, each plan's fetches sent through `buildService`'s data sources;
 * an operation seen before runs its prepared plan and answer shape (`execution/executor.ts`).
 */
export function createQueryPlanner(options: {
  supergraphSdl: string;
  planCache: CountingLruCache<PlanOf<GatewayConfig>>;
  buildService: NonNullable<GatewayConfig['buildService']>;
  /** The data sources `buildService` made, by subgraph name. */
  dataSources: () => ReadonlyMap<string, GraphQLDataSource>;
  /** Whether operations seen before run prepared (`PreparedPlansGateway`), or every request through the stock executor. */
  prepared: boolean;
}): GatewayInterface {
  // Unless this is set, @apollo/gateway sends usage metrics to Apollo's servers and probes cloud metadata addresses
  // at start. Nothing of a district's hub may leave its network, so the gateway sets it whatever the environment says.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const stock = new ApolloGateway({
    // The hub enforces the authorization directives itself (policy plugin), so the stock gateway may load them.
    supergraphSdl: withEnforcedSecurityLinks(options.supergraphSdl),
    queryPlannerConfig: { cache: options.planCache },
    buildService: options.buildService,
  });
  if (!options.prepared) return stock;
  return new PreparedPlansGateway(stock, {
    supergraphSdl: options.supergraphSdl,
    planCache: options.planCache,
    dataSources: options.dataSources,
    maxEntries: options.planCache.maxEntries,
  });
}
