import type { ApolloServer } from '@apollo/server';
import { sendJson, type Caller, type Logger, type RoleRegistry, type RouteHandler } from '@hub/core';
import type { AuditSink } from './audit.ts';
import type { Authenticate } from './authenticate.ts';
import type { GatewayContext } from './context.ts';
import type { Execute, RunOptions } from './datasets/engine.ts';
import { DATASETS_PATH, datasetRoutes } from './datasets/http.ts';
import { explorerRoutes, type ExplorerOptions } from './explorer/index.ts';
import type { SubgraphHealth } from './health.ts';
import type { RateLimiter } from './rate-limit/index.ts';
import { DEFAULT_MANIFEST, readManifest, type TrustedDocuments } from './trusted-documents.ts';

const EXPLORER_TOKEN_PATH = '/explorer/token';

export interface RouteOptions {
  apollo: ApolloServer<GatewayContext>;
  authenticate: Authenticate;
  audit: AuditSink;
  logger: Logger;
  rateLimiter: RateLimiter;
  trustedDocuments: TrustedDocuments;
  roles: RoleRegistry;
  /** `false` serves neither the explorer nor the overview page. */
  explorer: { mintToken?: ExplorerOptions['mintToken'] } | false | undefined;
  datasets: Omit<RunOptions, 'signal'> | undefined;
  /** Whether the server is closing: readiness then says it takes nothing new. */
  draining: () => boolean;
  /** Each subgraph probed now. */
  subgraphHealth: () => Promise<SubgraphHealth[]>;
  /** Routes of other parts of the gateway (the subscription transports). */
  extraRoutes?: Routes;
}

type Routes = Record<string, RouteHandler>;

/**
 * The gateway's HTTP routes beside `/graphql` (and `/metrics`, which the HTTP service serves itself): liveness and
 * readiness, the explorer and overview pages, and the dataset exports.
 */
export function gatewayRoutes(options: RouteOptions): { routes: Routes; prefixRoutes: Routes } {
  const explorer = options.explorer === false ? undefined : explorerPages(options, options.explorer);
  // Minting a demo token signs one: charged to the asking address. The pages themselves are static files.
  const explorerHandlers = Object.fromEntries(
    Object.entries(explorer?.routes ?? {}).map(([path, handler]) => [path, path === EXPLORER_TOKEN_PATH ? options.rateLimiter.route(handler) : handler]),
  );
  return {
    routes: {
      ...explorerHandlers,
      ...options.extraRoutes,
      // Liveness: the process serves HTTP. It stays 200 while a department is down or the gateway drains, so
      // an orchestrator does not restart a gateway that is doing its job.
      '/health': (_req, res) => sendJson(res, 200, { status: 'ok', service: 'gateway' }),
      // Readiness asks every department: charged to the asking address like a request without a token.
      '/ready': options.rateLimiter.route(readiness(options)),
    },
    prefixRoutes: { ...explorer?.prefix, [DATASETS_PATH]: datasetExports(options) },
  };
}

/** Readiness: 200 when every subgraph answers; 503 naming those that do not, or while draining. */
function readiness({ draining, subgraphHealth }: RouteOptions): RouteHandler {
  return async (_req, res) => {
    if (draining()) return sendJson(res, 503, { status: 'draining', service: 'gateway' });
    const subgraphs = await subgraphHealth();
    const ok = subgraphs.every((s) => s.ok);
    sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'degraded', service: 'gateway', subgraphs });
  };
}

/** The explorer and overview pages, offering the client kit's trusted documents from the manifest in force (or the committed one). */
function explorerPages({ trustedDocuments, roles }: RouteOptions, { mintToken }: { mintToken?: ExplorerOptions['mintToken'] } = {}): { routes: Routes; prefix: Routes } {
  return explorerRoutes({
    manifest: trustedDocuments.mode === 'off' ? readManifest(DEFAULT_MANIFEST) : trustedDocuments.manifest,
    roles,
    ...(mintToken ? { mintToken } : {}),
  });
}

/** The dataset exports: the same identity check as `/graphql`, each page run as the caller through the whole pipeline. */
function datasetExports({ apollo, authenticate, audit, logger, rateLimiter, datasets: tuning }: RouteOptions): RouteHandler {
  return datasetRoutes({
    // A dataset's purpose comes from the x-hub-purpose header: a GET has no body to carry extensions. An export is
    // admitted while the caller's budget is not spent; then it is charged a unit per row it sends.
    authenticate: async (req, url) => {
      const context = await authenticate({ req, url, body: () => Promise.resolve(undefined) });
      await rateLimiter.admitExport(context.caller, req, url);
      return context;
    },
    onRows: rateLimiter.chargeRows,
    executeAs: (caller, dataset) => executeAs(apollo, caller, dataset),
    audit,
    logger,
    ...(tuning ? { tuning } : {}),
  });
}

/** One of a dataset's operations, run as the caller through plugins, planning and subgraph fetches like any query. */
function executeAs(apollo: ApolloServer<GatewayContext>, caller: Caller, dataset: string): Execute {
  return async ({ document, operationName, variables }) => {
    const response = await apollo.executeOperation<Record<string, unknown>>({ query: document, operationName, variables }, { contextValue: { caller, dataset } });
    if (response.body.kind !== 'single') throw new Error(`${operationName} answered incrementally`);
    return response.body.singleResult;
  };
}
