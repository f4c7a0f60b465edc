import type { KeyObject } from 'node:crypto';
import type { GatewayConfig, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { CALLER_HEADER, currentRequestId, REQUEST_ID_HEADER, unixHttpUrl, type Logger } from '@hub/core';
import { createCallerTokenSigner } from './caller-tokens.ts';
import type { GatewayContext } from './context.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { BreakerState } from './resilience/breaker.ts';
import type { ResilienceOptions } from './resilience/config.ts';
import { ResilientRemoteGraphQLDataSource } from './resilience/datasource.ts';
import { keepAliveFetcher } from './resilience/fetcher.ts';

type BuildService = NonNullable<GatewayConfig['buildService']>;

export interface SubgraphFetchOptions {
  /** Subgraph URL by subgraph name (overriding the URL the supergraph names). */
  urls: Record<string, string>;
  /**
   * A Unix socket by subgraph name, for subgraphs on this machine (`<DEPT>_SOCKET` under the launcher): their GraphQL
   * fetches go there, as `http+unix://…` on the URL's path; health probes and the feed keep `urls`.
   */
  sockets?: Record<string, string>;
  resilience: ResilienceOptions;
  /** The key each attempt's caller token is signed with. */
  internalKey: KeyObject;
  /** Lifetime of a caller token; default `HUB_INTERNAL_TOKEN_SECONDS`. */
  internalTokenSeconds?: number;
  metrics: GatewayMetrics;
  logger: Logger;
  /** A request's parallel fetches to one subgraph as one HTTP request. */
  coalesceFetches: boolean;
  /** Identical reads in flight for one caller share one answer. */
  shareInFlightReads: boolean;
  maxSocketsPerSubgraph: number;
}

/**
 * How the gateway asks a subgraph, one data source per subgraph: every attempt carries the caller signed for that
 * subgraph alone, that body alone and that attempt alone (and the request id); a request's parallel fetches
 * coalesced and identical reads shared; each attempt under a timeout, reads retried, a circuit breaker in front
 * (`ResilientRemoteGraphQLDataSource`); over keep-alive sockets.
 */
export function createSubgraphFetches(options: SubgraphFetchOptions) {
  options.metrics.initBreakers(Object.keys(options.urls));
  const callerTokens = createCallerTokenSigner(options.internalKey, options.internalTokenSeconds);
  const fetcher = keepAliveFetcher({ maxSockets: options.maxSocketsPerSubgraph });
  const dataSources = new Map<string, ResilientRemoteGraphQLDataSource<GatewayContext>>();

  type Fetch = GraphQLDataSourceProcessOptions<GatewayContext>;
  // Only client operations carry a caller (the gateway neither health-checks nor introspects through here).
  const callerOf = (fetch: Fetch) => ('incomingRequestContext' in fetch ? fetch.context.caller : undefined);

  /** The caller's token for one attempt at `subgraph`, signed over the body it is about to send. */
  function signAttemptFor(subgraph: string) {
    return (fetch: Fetch, body: string): Record<string, string> | Promise<Record<string, string>> => {
      const caller = callerOf(fetch);
      if (!caller) return {};
      // HS256 tokens are made at once (no promise per attempt); asymmetric keys sign asynchronously.
      const token = callerTokens.signNow(caller, subgraph, body);
      return token !== undefined ? { [CALLER_HEADER]: token } : callerTokens.sign(caller, subgraph, body).then((signed) => ({ [CALLER_HEADER]: signed }));
    };
  }

  /** The request id on every fetch of the plan (`willSendRequest`). */
  async function tagRequest(fetch: Fetch): Promise<void> {
    const requestId = currentRequestId();
    if (requestId && callerOf(fetch)) fetch.request.http?.headers.set(REQUEST_ID_HEADER, requestId);
  }

  /** Where a subgraph's fetches go: its socket, on its URL's path, when it has one; else its URL. */
  function fetchUrlOf(name: string, url: string | undefined): string | undefined {
    const socket = options.sockets?.[name];
    return socket ? unixHttpUrl(socket, url ? new URL(url).pathname : undefined) : url;
  }

  /** A breaker that opens or closes is counted and logged (a warning when it opens). */
  function reportBreakerChange(service: string, state: BreakerState, previous: BreakerState): void {
    options.metrics.onBreaker(service, state);
    options.logger[state === 'open' ? 'warn' : 'info']('circuit breaker', { subgraph: service, state, previous });
  }

  /**
   * The planner's `buildService`: abortable (a request past its time limit stops its subgraph fetches too) and
   * resilient: timeouts, retries of reads, a circuit breaker, and a department that is down answered as unavailable,
   * not as a failure.
   */
  const buildService: BuildService = ({ name, url }) => {
    const dataSource = new ResilientRemoteGraphQLDataSource<GatewayContext>({
      name,
      resilience: options.resilience,
      fetcher,
      onFetch: options.metrics.onFetch,
      coalesce: options.coalesceFetches,
      onCoalesce: options.metrics.onCoalesce,
      shareInFlight: options.shareInFlightReads,
      onShared: options.metrics.onShared,
      onBreakerChange: reportBreakerChange,
      signAttempt: signAttemptFor(name),
      sharingKeyOf: (fetch) => {
        const caller = callerOf(fetch);
        return caller ? callerTokens.keyOf(caller) : '';
      },
      // No cache policy from the departments' headers (the cache control plugin is off: `plugins.ts`).
      dataSource: { url: fetchUrlOf(name, options.urls[name] ?? url), willSendRequest: tagRequest, honorSubgraphCacheControlHeader: false },
    });
    dataSources.set(name, dataSource);
    return dataSource;
  };

  return {
    buildService,
    /** Each subgraph's data source, once the planner has built them (the prepared executor sends through them too). */
    dataSources: (): ReadonlyMap<string, ResilientRemoteGraphQLDataSource<GatewayContext>> => dataSources,
    /** A subgraph's circuit breaker state (`closed` before its first fetch). */
    breakerOf: (name: string): BreakerState => dataSources.get(name)?.breaker.state ?? 'closed',
    /** Each subgraph's circuit breaker state, for tests and diagnostics. */
    breakerStates: (): Record<string, BreakerState> => Object.fromEntries([...dataSources].map(([name, source]) => [name, source.breaker.state])),
    /** Closes the keep-alive sockets. */
    close: () => fetcher.destroy(),
  };
}
