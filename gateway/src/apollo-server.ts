import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import { safeFormatError, type Logger } from '@hub/core';
import type { DocumentNode } from 'graphql';
import type { CountingLruCache } from './cache.ts';
import type { GatewayContext } from './context.ts';
import { apolloServerOptions, type Limits } from './limits/index.ts';
import type { TrustedDocuments } from './trusted-documents.ts';

/**
 * The GraphQL endpoint: Apollo Server in front of the query planner, parsing each distinct operation once, its
 * errors stripped of internals, and the gateway's plugins (`plugins.ts`) around every operation.
 */
export function createApolloServer(options: {
  gateway: GatewayInterface;
  documentCache: CountingLruCache<DocumentNode>;
  limits: Limits;
  trustedDocuments: TrustedDocuments;
  plugins: ApolloServerPlugin<GatewayContext>[];
  logger: Logger;
}): ApolloServer<GatewayContext> {
  return new ApolloServer<GatewayContext>({
    // The process stops on signals itself (`onShutdown`), draining first; Apollo's own handlers would race it.
    stopOnTerminationSignals: false,
    gateway: options.gateway,
    documentStore: options.documentCache,
    formatError: safeFormatError(options.logger),
    // Token limit, and in production no introspection and no schema hints in errors.
    ...apolloServerOptions(options.limits),
    // With trusted documents on, their plugin resolves every persisted-query id, from the manifest only.
    ...(options.trustedDocuments.mode === 'off' ? {} : { persistedQueries: false as const }),
    plugins: options.plugins,
  });
}
