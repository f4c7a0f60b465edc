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

describe("the gateway's histograms", () => {
  it("export what prom-client's own histogram exports for the same observations, across reads of the registry", async () => {
    const { Histogram, Registry } = await import('prom-client');
    const { LATENCY_BUCKETS } = await import('@hub/core');
    const metrics = createGatewayMetrics();
    const stock = new Registry();
    stock.setDefaultLabels({ service: 'gateway' });
    const fetchDuration = new Histogram({ name: 'hub_gateway_subgraph_fetch_duration_seconds', help: 'x', labelNames: ['subgraph'], buckets: LATENCY_BUCKETS, registers: [stock] });
    const operationDuration = new Histogram({ name: 'hub_gateway_operation_duration_seconds', help: 'x', labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers: [stock] });
    // Below the first bound, on bounds, between them and above the last one (counted only under +Inf).
    const milliseconds = [0.2, 1, 1.5, 2.5, 7, 10, 49, 100, 250, 999, 2_500, 30_000, 45_000];
    const lines = (text: string, name: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith(name));
    const compare = async () => {
      const ours = await metrics.registry.metrics();
      const theirs = await stock.metrics();
      for (const name of ['hub_gateway_subgraph_fetch_duration_seconds', 'hub_gateway_operation_duration_seconds']) {
        const a = lines(ours, name);
        const b = lines(theirs, name);
        expect(a.length).toBeGreaterThan(0);
        expect(a.map((line) => line.replace(/ [^ ]+$/, ''))).toEqual(b.map((line) => line.replace(/ [^ ]+$/, '')));
        a.forEach((line, i) => expect(Number(line.slice(line.lastIndexOf(' ') + 1))).toBeCloseTo(Number(b[i]!.slice(b[i]!.lastIndexOf(' ') + 1)), 9));
      }
    };
    for (const [round, services] of [['party', 'housing'], ['party']].entries()) {
      for (const ms of milliseconds) {
        for (const service of services) {
          metrics.onFetch({ service, outcome: 'ok', attempts: 1, durationMs: ms + round });
          fetchDuration.observe({ subgraph: service }, (ms + round) / 1000);
        }
      }
      // The operation's duration is measured from `startedAt`: one answer, its observed value read back from the sum.
      metrics.countAnswer(`Operation${round}`, { data: {} }, performance.now() - 3);
      const text = await metrics.registry.metrics();
      const sum = Number(text.split('\n').find((line) => line.startsWith('hub_gateway_operation_duration_seconds_sum{') && line.includes(`operation="Operation${round}"`))!.split(' ').pop());
      operationDuration.observe({ operation: `Operation${round}` }, sum);
      await compare();
    }
    await compare();
  });
});
