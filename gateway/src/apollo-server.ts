import type { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import type { apolloAnswer } from '@hub/core';
import type { DocumentNode } from 'graphql';
import type { CountingLruCache } from './cache.ts';
import type { GatewayContext } from './context.ts';
import { PreparedGatewayServer, type PreparedRequests } from './execution/prepared-requests.ts';
import { apolloServerOptions, type Limits } from './limits/index.ts';
import type { TrustedDocuments } from './trusted-documents.ts';

/**
 * The GraphQL endpoint: Apollo Server in front of the query planner, parsing each distinct operation once, its
 * errors stripped of internals, and the gateway's plugins (`plugins.ts`) around every operation; a document it has
 * run for a caller class is answered for that class on the prepared path in front of it.
 */
export function createApolloServer(options: {
  gateway: GatewayInterface;
  documentCache: CountingLruCache<DocumentNode>;
  limits: Limits;
  trustedDocuments: TrustedDocuments;
  plugins: ApolloServerPlugin<GatewayContext>[];
  formatError: apolloAnswer.FormatError;
  /** The prepared path in front of Apollo's pipeline (`execution/prepared-requests.ts`); undefined: Apollo alone. */
  prepared: PreparedRequests | undefined;
}): ApolloServer<GatewayContext> {
  return new PreparedGatewayServer({
    // The process stops on signals itself (`onShutdown`), draining first; Apollo's own handlers would race it.
    stopOnTerminationSignals: false,
    gateway: options.gateway,
    documentStore: options.documentCache,
    formatError: options.formatError,
    // Token limit, and in production no introspection and no schema hints in errors.
    ...apolloServerOptions(options.limits),
    // With trusted documents on, their plugin resolves every persisted-query id, from the manifest only.
    ...(options.trustedDocuments.mode === 'off' ? {} : { persistedQueries: false as const }),
    plugins: options.plugins,
  }, options.prepared);
}
