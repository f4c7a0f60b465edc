import type { ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Latency buckets in seconds: from a cached local answer (1 ms) to the request time limit (30 s). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** A label set's observations since the histogram was last read: per bucket (`LATENCY_BUCKETS`), sum and count. */
interface HistogramCell {
  labels: Record<string, string>;
  buckets: number[];
  sum: number;
  count: number;
}

/** What prom-client keeps per label set of a histogram (`hashMap`'s values): counts by upper bound, sum and count. */
interface HistogramEntry {
  labels: Record<string, string>;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

/**
 * A histogram of one label whose observations are counted per label value in plain numbers and added to prom-client's
 * own counts whenever the registry reads it (its `collect`), as `Tally` does for counters: prom-client's `observe`
 * checks and hashes the labels and makes two objects on every call, and every service observes once per request
 * (the gateway also once per subgraph fetch: 1-1.5 % of its busy samples on Node 24). The exported text is the same:
 * each label set's entry is found by its labels (made once here, handed to `zero` for a set not yet seen) and its
 * buckets, sum and count added to.
 */
export class TalliedHistogram extends Histogram<string> {
  private readonly cells = new Map<string, HistogramCell>();
  private readonly bounds: readonly number[];
  private readonly metricName: string;

  constructor(config: { name: string; help: string; labelName: string; buckets: readonly number[]; registers: Registry[] }) {
    super({
      name: config.name,
      help: config.help,
      labelNames: [config.labelName],
      buckets: [...config.buckets],
      registers: config.registers,
      collect() {
        (this as TalliedHistogram).flush();
      },
    });
    this.bounds = config.buckets;
    this.metricName = config.name;
  }

  /** Observes `value` (seconds) for the label set `labels()` makes (once per distinct `key`). */
  record(key: string, labels: () => Record<string, string>, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${String(value)}`);
    let cell = this.cells.get(key);
    if (!cell) this.cells.set(key, (cell = { labels: labels(), buckets: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0 }));
    const bounds = this.bounds;
    // prom-client's `findBound`: the first bound at or above the value; above the last one only the count (+Inf) grows.
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        cell.buckets[i]!++;
        break;
      }
    }
    cell.sum += value;
    cell.count++;
  }

  private flush(): void {
    const internal = this as unknown as { hashMap: Record<string, HistogramEntry> };
    for (const cell of this.cells.values()) {
      if (cell.count === 0) continue;
      let entry = entryOf(internal.hashMap, cell.labels);
      if (!entry) {
        this.zero(cell.labels);
        entry = entryOf(internal.hashMap, cell.labels);
        if (!entry) throw new Error(`prom-client's histogram ${this.metricName} keeps its counts in a form this hub does not know`);
      }
      for (let i = 0; i < this.bounds.length; i++) {
        entry.bucketValues[this.bounds[i]!]! += cell.buckets[i]!;
        cell.buckets[i] = 0;
      }
      entry.sum += cell.sum;
      entry.count += cell.count;
      cell.sum = 0;
      cell.count = 0;
    }
  }
}

function entryOf(hashMap: Record<string, HistogramEntry>, labels: Record<string, string>): HistogramEntry | undefined {
  // By the labels' values, not the object: an entry prom-client's own `observe` made for the same labels is added to.
  const names = Object.keys(labels);
  for (const key in hashMap) {
    const entry = hashMap[key]!;
    if (entry.labels === labels || (Object.keys(entry.labels).length === names.length && names.every((name) => entry.labels[name] === labels[name]))) return entry;
  }
  return undefined;
}

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
  // Observed in plain numbers per route and added to prom-client's counts when the registry is read (one `observe`
  // per request cost a department about 1 % of its busy samples: label checks, hashing and two objects per call).
  const duration = new TalliedHistogram({
    name: 'hub_http_request_duration_seconds',
    help: 'Time from a request to the end of its response, by route',
    labelName: 'route',
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  // The label objects of the few (route, status) pairs a service answers, made once rather than for every request,
  // with the requests counted since the counter was last read: prom-client's `inc` works out the labels' key and
  // checks them on every call.
  const labelsOf = new Map<string, { counted: { route: string; status: string }; pending: number }>();
  const record = (route: string, status: number, seconds: number): void => {
    const key = `${status} ${route}`;
    const labels = labelsOf.get(key);
    if (labels) labels.pending++;
    else {
      const made = { counted: { route, status: String(status) }, pending: 1 };
      // Routes are the service's own fixed paths; the bound only guards against a handler that passes something else.
      if (labelsOf.size < 1000) labelsOf.set(key, made);
      else {
        requests.inc(made.counted);
        duration.observe({ route }, seconds);
        return;
      }
    }
    duration.record(route, () => ({ route }), seconds);
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
