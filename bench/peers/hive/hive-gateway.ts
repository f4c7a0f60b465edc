/**
 * Hive Gateway (@graphql-hive/gateway) over our supergraph, served on node:http: the benchmark's second peer. Its
 * only addition is the run's caller token on each subgraph fetch (header propagation, per subgraph).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { CALLER_HEADER, parsePort } from '@hub/core';
import { DEFAULT_SUPERGRAPH, readSupergraph, subgraphsOf } from '@hub/gateway';
import { reportReady, startCallerTokens } from '../caller-tokens.ts';

const supergraph = readSupergraph(process.env.SUPERGRAPH_PATH ?? DEFAULT_SUPERGRAPH);
const tokens = await startCallerTokens(subgraphsOf(supergraph).map((s) => s.name));
const gateway = createGatewayRuntime({
  supergraph,
  logging: 'error',
  propagateHeaders: { fromClientToSubgraphs: ({ subgraphName }) => ({ [CALLER_HEADER]: tokens.tokenFor(subgraphName) }) },
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
