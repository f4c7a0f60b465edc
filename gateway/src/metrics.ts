import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { createServiceMetrics, LATENCY_BUCKETS } from '@hub/core';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { BreakerState } from './resilience/breaker.ts';
import type { FetchOutcome } from './resilience/datasource.ts';

const MAX_OPERATION_LABELS = 200;
const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * The gateway's Prometheus metrics, served at `/metrics` beside the process's own: operations and their latency by
 * operation name, errors by code, subgraph fetches and their latency by subgraph and outcome, each breaker's state,
 * and the document and plan caches' lookups. Operation names are the client's: only named operations are counted
 * by name, anonymous ones as `(anonymous)`; names are cut to 64 characters and at most 200 are kept apart.
 */
export function createGatewayMetrics() {
  const metrics = createServiceMetrics('gateway');
  const registers = [metrics.registry];
  const operations = new Counter({
    name: 'hub_gateway_operations_total',
    help: 'GraphQL operations answered, by operation name and outcome (ok: no errors, partial: data with errors, failed: no data)',
    labelNames: ['operation', 'outcome'] as const,
    registers,
  });
  const operationDuration = new Histogram({
    name: 'hub_gateway_operation_duration_seconds',
    help: 'Time to answer a GraphQL operation, by operation name',
    labelNames: ['operation'] as const,
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
    name: 'hub_gateway_subgraph_fetches_total',
    help: 'Fetches from the gateway to a subgraph, by subgraph and outcome (ok, timeout, unreachable, server-error, circuit-open, refused)',
    labelNames: ['subgraph', 'outcome'] as const,
    registers,
  });
  const fetchDuration = new Histogram({
    name: 'hub_gateway_subgraph_fetch_duration_seconds',
    help: 'Time of a subgraph fetch, retries included, by subgraph',
    labelNames: ['subgraph'] as const,
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
  });

  return {
    ...metrics,
    countAnswer,
    onFetch(outcome: FetchOutcome): void {
      fetches.inc({ subgraph: outcome.service, outcome: outcome.outcome });
      fetchDuration.observe({ subgraph: outcome.service }, outcome.durationMs / 1000);
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
      cacheLookups.inc({ cache, result: hit ? 'hit' : 'miss' });
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
      preparedRequests.inc();
    },
  };
  /** The plugin's work on one answer, shared with the gateway's prepared path (`execution/prepared-requests.ts`). */
  function countAnswer(operationName: string | null | undefined, result: { data?: unknown; errors?: readonly { extensions?: Record<string, unknown> }[] | undefined }, startedAt: number): void {
    const { data, errors: answerErrors } = result;
    const operation = operationLabel(operationName);
    const outcome = !answerErrors?.length ? 'ok' : data ? 'partial' : 'failed';
    operations.inc({ operation, outcome });
    operationDuration.observe({ operation }, (performance.now() - startedAt) / 1000);
    for (const error of answerErrors ?? []) {
      const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN';
      const service = typeof error.extensions?.service === 'string' ? error.extensions.service : '';
      errors.inc({ code, subgraph: service });
    }
  }
}
export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
