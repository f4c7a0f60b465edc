/**
 * Hive Gateway (@graphql-hive/gateway) over our supergraph, served on node:http: the benchmark's second peer. Its
 * only addition is the run's caller on each subgraph fetch, signed over the fetch's body (an `onFetch` plugin, where
 * the body is known), as our subgraphs require.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { CALLER_HEADER, parsePort } from '@hub/core';
import { DEFAULT_SUPERGRAPH, readSupergraph, subgraphsOf } from '@hub/gateway';
import { callerTokenSigner, reportReady } from '../caller-tokens.ts';

const supergraph = readSupergraph(process.env.SUPERGRAPH_PATH ?? DEFAULT_SUPERGRAPH);
const tokens = callerTokenSigner();
const nameByUrl = new Map(subgraphsOf(supergraph).map((s) => [s.url, s.name]));
const gateway = createGatewayRuntime({
  supergraph,
  logging: 'error',
  plugins: () => [
    {
      async onFetch({ url, options, setOptions }) {
        const name = nameByUrl.get(url);
        if (!name) return;
        const token = await tokens.sign(name, String(options.body ?? ''));
        const headers = new Headers(options.headers as HeadersInit | undefined);
        headers.set(CALLER_HEADER, token);
        setOptions({ ...options, headers });
      },
    },
  ],
});
const server = createServer(gateway);
await new Promise<void>((resolve) => server.listen(parsePort('PEER_PORT', process.env.PEER_PORT, 0), '127.0.0.1', resolve));
reportReady('hive-gateway', `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
// Hive swallows the first SIGTERM: close our own server and leave.
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
  void gateway.dispose();
});
