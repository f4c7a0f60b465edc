/**
 * Stock @apollo/gateway in @apollo/server with default settings, over our supergraph: the benchmark's first peer.
 * Two things only are added, both needed to be served at all: the `for: SECURITY` links lose their `for` argument
 * (the stock gateway refuses to load them otherwise), and each subgraph fetch carries the run's caller, signed over
 * the fetch's body (its fetcher, where the body is known), as our subgraphs require.
 */
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { CALLER_HEADER, parsePort } from '@hub/core';
import { DEFAULT_SUPERGRAPH, readSupergraph, subgraphsOf, withEnforcedSecurityLinks } from '@hub/gateway';
import { callerTokenSigner, reportReady } from './caller-tokens.ts';

const supergraphSdl = readSupergraph(process.env.SUPERGRAPH_PATH ?? DEFAULT_SUPERGRAPH);
const tokens = callerTokenSigner();
const names = new Set(subgraphsOf(supergraphSdl).map((s) => s.name));
const gateway = new ApolloGateway({
  supergraphSdl: withEnforcedSecurityLinks(supergraphSdl),
  buildService: ({ name, url }) => {
    if (!names.has(name)) throw new Error(`no subgraph ${name} in the supergraph`);
    const source = new RemoteGraphQLDataSource({ url });
    const send = source.fetcher;
    source.fetcher = (async (target, init) =>
      send(target, { ...init, headers: { ...init?.headers, [CALLER_HEADER]: await tokens.sign(name, String(init?.body ?? '')) } })) as typeof send;
    return source;
  },
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: parsePort('PEER_PORT', process.env.PEER_PORT, 0), host: '127.0.0.1' } });
reportReady('apollo-gateway', url);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
