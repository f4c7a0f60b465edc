import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { createHttpService, createLogger, listen, safeFormatError, sendJson, type RunningService } from '@hub/core';
import { subgraphUrls } from './supergraph.ts';

export { DEFAULT_SUPERGRAPH, readSupergraph, subgraphsOf, subgraphUrls, urlVariableOf } from './supergraph.ts';

export interface GatewayOptions {
  /** The composed supergraph SDL the gateway plans against; never introspected at run time. */
  supergraphSdl: string;
  /** Subgraph URL by subgraph name; defaults to the environment's overrides, then the supergraph's own URLs. */
  urls?: Record<string, string>;
}

export interface SubgraphHealth {
  name: string;
  url: string;
  ok: boolean;
  error?: string;
}

/** Asks each subgraph the smallest GraphQL question there is; works for any federation's subgraphs. */
async function checkSubgraph(name: string, url: string): Promise<SubgraphHealth> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
      signal: AbortSignal.timeout(2000),
    });
    const ok = response.ok && ((await response.json()) as { data?: unknown }).data !== undefined;
    return ok ? { name, url, ok } : { name, url, ok, error: `HTTP ${response.status}` };
  } catch (error) {
    return { name, url, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

export function createGateway(options: GatewayOptions) {
  const logger = createLogger('gateway');
  const urls = options.urls ?? subgraphUrls(options.supergraphSdl);
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => new RemoteGraphQLDataSource({ url: urls[name] ?? url }),
  });
  return {
    urls,
    async listen(port: number, host = '127.0.0.1'): Promise<RunningService> {
      const apollo = new ApolloServer({
        gateway,
        formatError: safeFormatError(logger),
        includeStacktraceInErrorResponses: false,
        // The stock landing page loads its sandbox from a CDN, which closed government networks cannot reach.
        plugins: [ApolloServerPluginLandingPageDisabled()],
      });
      await apollo.start();
      const server = createHttpService({
        apollo,
        context: async () => ({}),
        routes: {
          '/health': async (_req, res) => {
            const subgraphs = await Promise.all(Object.entries(urls).map(([name, url]) => checkSubgraph(name, url)));
            const ok = subgraphs.every((s) => s.ok);
            sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'degraded', service: 'gateway', subgraphs });
          },
        },
      });
      return listen(server, port, host, () => apollo.stop());
    },
  };
}
