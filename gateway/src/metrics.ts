import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { createServiceMetrics, LATENCY_BUCKETS, TalliedHistogram } from '@hub/core';
import { Counter, Gauge } from 'prom-client';
import type { BreakerState } from './resilience/breaker.ts';
import type { FetchOutcome } from './resilience/datasource.ts';

const MAX_OPERATION_LABELS = 200;
const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * Increments of a counter kept per label set in plain numbers, and added to the counter whenever it is read (its
 * `collect`, as core's HTTP request counter does): prom-client's `inc` works out the labels' key and checks them on
 * every call, and the gateway counts several times per request. Label sets are found by their two values (the second
 * '' for a counter of one label); the label objects are made once.
 */
class Tally {
  private readonly cells = new Map<string, Map<string, { labels: Record<string, string>; pending: number }>>();

  add(first: string, second: string, labels: () => Record<string, string>, by = 1): void {
    let bySecond = this.cells.get(first);
    if (!bySecond) this.cells.set(first, (bySecond = new Map()));
    const cell = bySecond.get(second);
    if (cell) cell.pending += by;
    else bySecond.set(second, { labels: labels(), pending: by });
  }

  /** Adds what was counted since the last read to `counter` (its `collect`). */
  flush(counter: Counter<string>): void {
    for (const bySecond of this.cells.values()) {
      for (const cell of bySecond.values()) {
        if (cell.pending === 0) continue;
        counter.inc(cell.labels, cell.pending);
        cell.pending = 0;
      }
    }
  }
}

/**
 * The gateway's Prometheus metrics, served at `/metrics` beside the process's own: operations and their latency by
 * operation name, errors by code, subgraph fetches and their latency by subgraph and outcome, each breaker's state,
 * and the document and plan caches' lookups. Operation names are the client's: only named operations are counted
 * by name, anonymous ones as `(anonymous)`; names are cut to 64 characters and at most 200 are kept apart.
 */
export function createGatewayMetrics() {
  const metrics = createServiceMetrics('gateway');
  const registers = [metrics.registry];
  // Label values come from the gateway's own names (subgraphs, outcomes, caches) or are bounded (operation labels).
  const operationCounts = new Tally();
  const fetchCounts = new Tally();
  const cacheCounts = new Tally();
  let preparedCount = 0;
  const operations = new Counter({
    collect() {
      operationCounts.flush(this);
    },
    name: 'hub_gateway_operations_total',
    help: 'GraphQL operations answered, by operation name and outcome (ok: no errors, partial: data with errors, failed: no data)',
    labelNames: ['operation', 'outcome'] as const,
    registers,
  });
  const operationDuration = new TalliedHistogram({
    name: 'hub_gateway_operation_duration_seconds',
    help: 'Time to answer a GraphQL operation, by operation name',
    labelName: 'operation',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const errors = new Counter({
    name: 'hub_gateway_errors_total',
    help: 'Errors in GraphQL answers, by extensions.code (and the subgraph, for a department that could not answer)',
    labelNames: ['code', 'subgraph'] as const,
    registers,
  });
  const fetches = new Counter({
    collect() {
      fetchCounts.flush(this);
    },
    name: 'hub_gateway_subgraph_fetches_total',
    help: 'Fetches from the gateway to a subgraph, by subgraph and outcome (ok, timeout, unreachable, server-error, circuit-open, refused)',
    labelNames: ['subgraph', 'outcome'] as const,
    registers,
  });
  const fetchDuration = new TalliedHistogram({
    name: 'hub_gateway_subgraph_fetch_duration_seconds',
    help: 'Time of a subgraph fetch, retries included, by subgraph',
    labelName: 'subgraph',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const retries = new Counter({
    name: 'hub_gateway_subgraph_retries_total',
    help: 'Retried attempts of subgraph reads, by subgraph',
    labelNames: ['subgraph'] as const,
    registers,
  });
  const coalesced = new Counter({
    name: 'hub_gateway_coalesced_fetches_total',
    help: 'Subgraph fetches of one request that went out together in one HTTP request, by subgraph',
    labelNames: ['subgraph'] as const,
    registers,
  });
  const coalescedRequests = new Counter({
    name: 'hub_gateway_coalesced_requests_total',
    help: 'HTTP requests to a subgraph that carried several fetches of one request, by subgraph',
    labelNames: ['subgraph'] as const,
    registers,
  });
  const shared = new Counter({
    name: 'hub_gateway_shared_fetches_total',
    help: 'Subgraph reads answered by an identical read in flight (same caller, query and variables), by subgraph',
    labelNames: ['subgraph'] as const,
    registers,
  });
  const breakerState = new Gauge({
    name: 'hub_gateway_breaker_state',
    help: 'Circuit breaker per subgraph: 0 closed, 1 half-open, 2 open',
    labelNames: ['subgraph'] as const,
    registers,
  });
  const breakerTransitions = new Counter({
    name: 'hub_gateway_breaker_transitions_total',
    help: 'Changes of a subgraph breaker into a state',
    labelNames: ['subgraph', 'state'] as const,
    registers,
  });
  const cacheLookups = new Counter({
    collect() {
      cacheCounts.flush(this);
    },
    name: 'hub_gateway_cache_lookups_total',
    help: 'Lookups in the parsed-document and query-plan caches, by cache and result (hit, miss)',
    labelNames: ['cache', 'result'] as const,
    registers,
  });

  // Names come from clients: past MAX_OPERATION_LABELS distinct ones, new names count as `(other)`.
  const seenOperations = new Set<string>();
  const operationLabel = (name: string | null | undefined) => {
    if (!name) return '(anonymous)';
    const label = name.slice(0, 64);
    if (seenOperations.has(label)) return label;
    if (seenOperations.size >= MAX_OPERATION_LABELS) return '(other)';
    seenOperations.add(label);
    return label;
  };

  const preparedRequests: Counter = new Counter({
    name: 'hub_gateway_prepared_requests_total',
    help: "GraphQL requests answered on the gateway's prepared path, without Apollo Server's per-request pipeline",
    registers,
    collect() {
      if (preparedCount === 0) return;
      this.inc(preparedCount);
      preparedCount = 0;
    },
  });

  return {
    ...metrics,
    countAnswer,
    onFetch(outcome: FetchOutcome): void {
      const { service, outcome: result } = outcome;
      fetchCounts.add(service, result, () => ({ subgraph: service, outcome: result }));
      fetchDuration.record(service, () => ({ subgraph: service }), outcome.durationMs / 1000);
      if (outcome.attempts > 1) retries.inc({ subgraph: outcome.service }, outcome.attempts - 1);
    },
    onCoalesce(subgraph: string, fetchCount: number): void {
      coalesced.inc({ subgraph }, fetchCount);
      coalescedRequests.inc({ subgraph });
    },
    onShared(subgraph: string): void {
      shared.inc({ subgraph });
    },
    onBreaker(subgraph: string, state: BreakerState): void {
      breakerState.set({ subgraph }, BREAKER_VALUE[state]);
      breakerTransitions.inc({ subgraph, state });
    },
    /** Every subgraph's breaker starts closed: the gauge shows it before any change. */
    initBreakers(subgraphs: string[]): void {
      for (const subgraph of subgraphs) breakerState.set({ subgraph }, 0);
    },
    onCacheLookup(cache: string, hit: boolean): void {
      const result = hit ? 'hit' : 'miss';
      cacheCounts.add(cache, result, () => ({ cache, result }));
    },
    /** Counts every operation once its answer is final (after the other plugins rewrote it). */
    plugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
      return {
        async requestDidStart() {
          const startedAt = performance.now();
          return {
            async willSendResponse({ response, operationName }) {
              if (response.body.kind !== 'single') return;
              countAnswer(operationName, response.body.singleResult, startedAt);
            },
          };
        },
      };
    },
    /** Counts GraphQL requests the prepared path answered (without Apollo Server's pipeline). */
    onPreparedRequest(): void {
      preparedCount++;
    },
  };
  /** The plugin's work on one answer, shared with the gateway's prepared path (`execution/prepared-requests.ts`). */
  function countAnswer(operationName: string | null | undefined, result: { data?: unknown; errors?: readonly { extensions?: Record<string, unknown> }[] | undefined }, startedAt: number): void {
    const { data, errors: answerErrors } = result;
    const operation = operationLabel(operationName);
    const outcome = !answerErrors?.length ? 'ok' : data ? 'partial' : 'failed';
    operationCounts.add(operation, outcome, () => ({ operation, outcome }));
    operationDuration.record(operation, () => ({ operation }), (performance.now() - startedAt) / 1000);
    for (const error of answerErrors ?? []) {
      const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN';
      const service = typeof error.extensions?.service === 'string' ? error.extensions.service : '';
      errors.inc({ code, subgraph: service });
    }
  }
}
export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
