import { postGraphQL } from '@hub/core/testing';
import { createGateway, DEFAULT_SUPERGRAPH, readSupergraph } from '@hub/gateway';
import type { RunningService } from '@hub/core';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { crossDepartmentOperations } from './cross-department-operations.ts';
import { sampleValue } from './prometheus.ts';

/*
 * The hub's gateway sends the fetches one request makes to one subgraph at once as one HTTP request. The answers
 * must be exactly those of a gateway that sends each fetch alone, with fewer requests reaching the subgraphs.
 */
let hub: TestHub;
let separate: RunningService;
beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  separate = await createGateway({
    supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
    urls: Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])),
    ...hub.gatewayAccess,
    coalesceFetches: false,
  }).listen(0);
});
afterAll(async () => {
  await separate?.close();
  await hub?.close();
});

const operations = crossDepartmentOperations;

/** HTTP requests to /graphql that every subgraph has served so far. */
async function subgraphRequests(): Promise<number> {
  let total = 0;
  for (const s of Object.values(hub.subgraphs)) {
    const text = await (await fetch(s.url.replace(/\/graphql$/, '/metrics'))).text();
    total += sampleValue(text, 'hub_http_requests_total', { route: '/graphql', status: '200' }) ?? 0;
  }
  return total;
}

describe('coalesced subgraph fetches', () => {
  it.each(operations)('answer %s exactly as separate fetches do', async (_name, document, variables) => {
    const coalesced = await postGraphQL(hub.gatewayUrl, document, variables, hub.headers);
    const alone = await postGraphQL(separate.url, document, variables, hub.headers);
    expect(coalesced.errors).toBeUndefined();
    expect(coalesced).toEqual(alone);
  });

  it('reach the subgraphs in fewer HTTP requests where a plan fetches one subgraph at several paths, and say so in /metrics', async () => {
    let separateRequests = 0;
    let coalescedRequests = 0;
    for (const [, document, variables] of operations) {
      let before = await subgraphRequests();
      await postGraphQL(separate.url, document, variables, hub.headers);
      const alone = (await subgraphRequests()) - before;
      before = await subgraphRequests();
      await postGraphQL(hub.gatewayUrl, document, variables, hub.headers);
      const together = (await subgraphRequests()) - before;
      expect(together).toBeLessThanOrEqual(alone);
      separateRequests += alone;
      coalescedRequests += together;
    }
    expect(coalescedRequests).toBeLessThan(separateRequests);
    const metrics = await (await fetch(hub.gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
    const merged = metrics.split('\n').filter((line) => line.startsWith('hub_gateway_coalesced_requests_total{'));
    expect(merged.length).toBeGreaterThan(0);
  });
});
