import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createServiceMetrics, LATENCY_BUCKETS } from '../src/index.ts';

/** The lines of one metric family in Prometheus text, `# HELP`/`# TYPE` left out. */
const lines = (text: string, name: string) => text.split('\n').filter((line) => line.startsWith(name));

describe("a service's request metrics", () => {
  it("export what prom-client's own counter and histogram export for the same requests, across reads of the registry", async () => {
    const metrics = createServiceMetrics('probe');
    const stock = new Registry();
    stock.setDefaultLabels({ service: 'probe' });
    const duration = new Histogram({ name: 'hub_http_request_duration_seconds', help: 'x', labelNames: ['route'], buckets: LATENCY_BUCKETS, registers: [stock] });
    const requests = new Counter({ name: 'hub_http_requests_total', help: 'x', labelNames: ['route', 'status'], registers: [stock] });
    // Below the first bound, on bounds, between them and above the last one (counted only under +Inf).
    const milliseconds = [0.2, 1, 1.5, 2.5, 7, 10, 49, 100, 250, 999, 2_500, 30_000, 45_000];
    const compare = async () => {
      const ours = await metrics.registry.metrics();
      const theirs = await stock.metrics();
      for (const name of ['hub_http_request_duration_seconds', 'hub_http_requests_total']) {
        const a = lines(ours, name);
        const b = lines(theirs, name);
        expect(a.length).toBeGreaterThan(0);
        // The same series in the same order, and the same values (sums to floating-point closeness).
        expect(a.map((line) => line.replace(/ [^ ]+$/, ''))).toEqual(b.map((line) => line.replace(/ [^ ]+$/, '')));
        a.forEach((line, i) => expect(Number(line.slice(line.lastIndexOf(' ') + 1))).toBeCloseTo(Number(b[i]!.slice(b[i]!.lastIndexOf(' ') + 1)), 9));
      }
    };
    const rounds: [string, number][][] = [
      [
        ['/graphql', 200],
        ['/health', 200],
        ['/graphql', 400],
      ],
      [['/graphql', 200]],
      [['/metrics', 200]],
    ];
    for (const [round, answered] of rounds.entries()) {
      for (const ms of milliseconds) {
        for (const [route, status] of answered) {
          const seconds = (ms + round) / 1000;
          metrics.recordRequest(route, status, seconds);
          duration.observe({ route }, seconds);
          requests.inc({ route, status: String(status) });
        }
      }
      await compare();
    }
    // Read twice with nothing new in between: nothing is added twice.
    await compare();
  });

  it('refuses a duration that is not a number, as prom-client does', () => {
    const metrics = createServiceMetrics('probe');
    expect(() => metrics.recordRequest('/graphql', 200, Number.NaN)).toThrow(/not a valid number/);
  });
});
