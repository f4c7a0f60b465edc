import type { ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Latency buckets in seconds: from a cached local answer (1 ms) to the request time limit (30 s). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * One Prometheus registry per service process: the process's own figures (CPU, memory, event-loop lag, GC) and its
 * HTTP requests by route and status. The gateway adds its operation, subgraph, breaker and cache metrics to it.
 */
export function createServiceMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'hub_http_requests_total',
    help: 'HTTP requests served, by route and status',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
    // Counted in the kept labels' own field per request, added to the counter whenever it is read.
    collect() {
      for (const labels of labelsOf.values()) {
        if (labels.pending === 0) continue;
        this.inc(labels.counted, labels.pending);
        labels.pending = 0;
      }
    },
  });
  const duration = new Histogram({
    name: 'hub_http_request_duration_seconds',
    help: 'Time from a request to the end of its response, by route',
    labelNames: ['route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  // The label objects of the few (route, status) pairs a service answers, made once rather than for every request,
  // with the requests counted since the counter was last read: prom-client's `inc` works out the labels' key and
  // checks them on every call.
  const labelsOf = new Map<string, { counted: { route: string; status: string }; timed: { route: string }; pending: number }>();
  const record = (route: string, status: number, seconds: number): void => {
    const key = `${status} ${route}`;
    const labels = labelsOf.get(key);
    if (labels) labels.pending++;
    else {
      const made = { counted: { route, status: String(status) }, timed: { route }, pending: 1 };
      // Routes are the service's own fixed paths; the bound only guards against a handler that passes something else.
      if (labelsOf.size < 1000) labelsOf.set(key, made);
      else requests.inc(made.counted);
    }
    duration.observe((labels ?? { timed: { route } }).timed, seconds);
  };
  return {
    registry,
    service,
    /** Counts the request once its response has ended; `route` is one of the service's fixed paths, never the raw URL. */
    observeRequest(route: string, res: ServerResponse, startedAt: number): void {
      res.once('finish', () => record(route, res.statusCode, (performance.now() - startedAt) / 1000));
    },
    /** Counts an ended request: for a server that already listens for its response's end. */
    recordRequest: record,
    /** The `/metrics` route: Prometheus text format. */
    async serve(res: ServerResponse): Promise<void> {
      const text = await registry.metrics();
      res.statusCode = 200;
      res.setHeader('content-type', registry.contentType);
      res.end(text);
    },
  };
}
export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;
