/**
 * One department's HTTP service as `createSubgraph` runs it (a guard that reads the body and hashes it, as the
 * internal token's check does; the metrics, the request span and scope), over a stub Apollo Server that answers a
 * fixed 2 KB body: what is left is the HTTP layer's own work. argv[2] is the `http.ts` module to serve with.
 */
import { HeaderMap } from '@apollo/server';
import { createServiceMetrics, installRequestContext, requestDigest } from '@hub/core';

const http = (await import(process.argv[2]!)) as Pick<typeof import('@hub/core'), 'createHttpService' | 'listen'>;
installRequestContext();
const answer = JSON.stringify({ data: { _entities: Array.from({ length: 20 }, (_, i) => ({ id: `r${i}`, name: '张*', grid: 'G-01', address: 'x'.repeat(40) })) } });
const apollo = {
  async executeHTTPGraphQLRequest({ httpGraphQLRequest, context }: { httpGraphQLRequest: { body?: { query?: string } }; context: () => Promise<unknown> }) {
    await context();
    if (!httpGraphQLRequest.body?.query) throw new Error('the request body did not arrive');
    return { status: 200, headers: new HeaderMap([['content-type', 'application/json; charset=utf-8']]), body: { kind: 'complete' as const, string: answer } };
  },
};
const server = http.createHttpService({
  apollo: apollo as never,
  guard: async ({ bodyBytes }) => requestDigest(await bodyBytes!()),
  context: async () => ({}),
  metrics: createServiceMetrics('http-layer'),
  // The lean front for the gateway's fetches (a version of http.ts from before it ignores the option).
  lean: true,
});
const running = await http.listen(server, 0);
process.send!({ url: running.url, pid: process.pid });
