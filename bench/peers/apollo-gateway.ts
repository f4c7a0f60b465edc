/**
 * Stock @apollo/gateway in @apollo/server with default settings, over our supergraph: the benchmark's first peer.
 * Two things only are added, both needed to be served at all: the `for: SECURITY` links lose their `for` argument
 * (the stock gateway refuses to load them otherwise), and each subgraph fetch carries the run's caller token.
 */
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { CALLER_HEADER, parsePort } from '@hub/core';
import { DEFAULT_SUPERGRAPH, readSupergraph, subgraphsOf, withEnforcedSecurityLinks } from '@hub/gateway';
import { reportReady, startCallerTokens } from './caller-tokens.ts';

const supergraphSdl = readSupergraph(process.env.SUPERGRAPH_PATH ?? DEFAULT_SUPERGRAPH);
const tokens = await startCallerTokens(subgraphsOf(supergraphSdl).map((s) => s.name));
const gateway = new ApolloGateway({
  supergraphSdl: withEnforcedSecurityLinks(supergraphSdl),
  buildService: ({ name, url }) =>
    new RemoteGraphQLDataSource({
      url,
      willSendRequest: ({ request }) => {
        request.http?.headers.set(CALLER_HEADER, tokens.tokenFor(name));
      },
    }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: parsePort('PEER_PORT', process.env.PEER_PORT, 0), host: '127.0.0.1' } });
reportReady('apollo-gateway', url);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
