import { departments } from '@hub/core';

export interface ResilienceOptions {
  /** Time one attempt at a subgraph may take. */
  timeoutMs: number;
  /** Per subgraph name, overriding `timeoutMs` (`<NAME>_TIMEOUT_MS`, e.g. `MEDIATION_TIMEOUT_MS`). */
  timeoutMsBySubgraph: Record<string, number>;
  /** Further attempts for a read (never for a mutation). */
  retries: number;
  /** The first retry waits up to this long; each next one up to twice as long (full jitter). */
  backoffMs: number;
  /** Consecutive failed attempts that open a subgraph's breaker. */
  failureThreshold: number;
  /** How long an open breaker refuses before it lets one probe through. */
  openMs: number;
}

export const DEFAULT_RESILIENCE: ResilienceOptions = {
  timeoutMs: 10_000,
  timeoutMsBySubgraph: {},
  retries: 2,
  backoffMs: 50,
  failureThreshold: 5,
  openMs: 5_000,
};

function readInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, minimum: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < minimum) throw new Error(`${name} must be an integer of at least ${minimum}, not "${value}"`);
  return parsed;
}

/** HUB_SUBGRAPH_TIMEOUT_MS, <NAME>_TIMEOUT_MS, HUB_SUBGRAPH_RETRIES, HUB_SUBGRAPH_RETRY_BACKOFF_MS, HUB_BREAKER_FAILURES, HUB_BREAKER_OPEN_MS. */
export function resilienceFromEnv(env: NodeJS.ProcessEnv = process.env): ResilienceOptions {
  const timeoutMsBySubgraph: Record<string, number> = {};
  for (const dept of departments) {
    const name = `${dept.envPrefix}_TIMEOUT_MS`;
    if (env[name]) timeoutMsBySubgraph[dept.name] = readInteger(env, name, DEFAULT_RESILIENCE.timeoutMs, 1);
  }
  return {
    timeoutMs: readInteger(env, 'HUB_SUBGRAPH_TIMEOUT_MS', DEFAULT_RESILIENCE.timeoutMs, 1),
    timeoutMsBySubgraph,
    retries: readInteger(env, 'HUB_SUBGRAPH_RETRIES', DEFAULT_RESILIENCE.retries, 0),
    backoffMs: readInteger(env, 'HUB_SUBGRAPH_RETRY_BACKOFF_MS', DEFAULT_RESILIENCE.backoffMs, 0),
    failureThreshold: readInteger(env, 'HUB_BREAKER_FAILURES', DEFAULT_RESILIENCE.failureThreshold, 1),
    openMs: readInteger(env, 'HUB_BREAKER_OPEN_MS', DEFAULT_RESILIENCE.openMs, 1),
  };
}
