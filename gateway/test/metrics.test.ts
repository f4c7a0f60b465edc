import { describe, expect, it } from 'vitest';
import { createGatewayMetrics } from '../src/metrics.ts';

/** A sample's value in Prometheus text, by metric name and labels (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((pair) => line.includes(pair))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe("the gateway's counters", () => {
  it('count every fetch, answer, cache lookup and prepared request once, across reads of the registry', async () => {
    const metrics = createGatewayMetrics();
    for (let i = 0; i < 3; i++) metrics.onFetch({ service: 'party', outcome: 'ok', attempts: 1, durationMs: 2 });
    metrics.onFetch({ service: 'party', outcome: 'timeout', attempts: 3, durationMs: 20 });
    metrics.onFetch({ service: 'housing', outcome: 'ok', attempts: 1, durationMs: 1 });
    metrics.countAnswer('GridOverview', { data: {} }, performance.now());
    metrics.countAnswer('GridOverview', { data: {}, errors: [{ extensions: { code: 'SUBGRAPH_UNAVAILABLE', service: 'party' } }] }, performance.now());
    metrics.onCacheLookup('documents', true);
    metrics.onCacheLookup('documents', false);
    metrics.onCacheLookup('documents', true);
    metrics.onPreparedRequest();

    let text = await metrics.registry.metrics();
    expect(sample(text, 'hub_gateway_subgraph_fetches_total', { subgraph: 'party', outcome: 'ok' })).toBe(3);
    expect(sample(text, 'hub_gateway_subgraph_fetches_total', { subgraph: 'party', outcome: 'timeout' })).toBe(1);
    expect(sample(text, 'hub_gateway_subgraph_fetches_total', { subgraph: 'housing', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'hub_gateway_subgraph_retries_total', { subgraph: 'party' })).toBe(2);
    expect(sample(text, 'hub_gateway_operations_total', { operation: 'GridOverview', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'hub_gateway_operations_total', { operation: 'GridOverview', outcome: 'partial' })).toBe(1);
    expect(sample(text, 'hub_gateway_cache_lookups_total', { cache: 'documents', result: 'hit' })).toBe(2);
    expect(sample(text, 'hub_gateway_cache_lookups_total', { cache: 'documents', result: 'miss' })).toBe(1);
    expect(sample(text, 'hub_gateway_prepared_requests_total', {})).toBe(1);

    // A second read adds only what was counted since the first.
    metrics.onFetch({ service: 'party', outcome: 'ok', attempts: 1, durationMs: 2 });
    metrics.onCacheLookup('documents', true);
    text = await metrics.registry.metrics();
    expect(sample(text, 'hub_gateway_subgraph_fetches_total', { subgraph: 'party', outcome: 'ok' })).toBe(4);
    expect(sample(text, 'hub_gateway_subgraph_fetches_total', { subgraph: 'housing', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'hub_gateway_operations_total', { operation: 'GridOverview', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'hub_gateway_cache_lookups_total', { cache: 'documents', result: 'hit' })).toBe(3);
    expect(sample(text, 'hub_gateway_prepared_requests_total', {})).toBe(1);
  });
});
