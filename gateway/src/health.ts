import type { KeyObject } from 'node:crypto';
import { CALLER_HEADER, signCallerToken, type Caller } from '@hub/core';
import type { BreakerState } from './resilience/breaker.ts';

export interface SubgraphHealth {
  name: string;
  ok: boolean;
  /** The subgraph's circuit breaker: `open` while the gateway answers its part as unavailable without asking it. */
  breaker: BreakerState;
  error?: string;
}

/**
 * Who the gateway's own health probe is to a subgraph: no scopes, no grids, so it may ask `__typename` and nothing
 * more. Subgraphs serve only signed callers, the probe included.
 */
const HEALTH_PROBE: Caller = {
  userId: 'hub-gateway',
  role: 'health-probe',
  department: null,
  scopes: [],
  purpose: null,
  grids: [],
  communities: [],
  ownGridsOnly: true,
  namesMasked: true,
};

/** Each subgraph probed now, with its breaker's state: what readiness (`/ready`) answers. */
export function subgraphHealth(urls: Record<string, string>, key: KeyObject, breakerOf: (name: string) => BreakerState): Promise<SubgraphHealth[]> {
  return Promise.all(
    Object.entries(urls).map(async ([name, url]) => ({
      name,
      breaker: breakerOf(name),
      ...(await checkSubgraph(name, url, key)),
    })),
  );
}

/**
 * Asks a subgraph the smallest GraphQL question there is; works for any federation's subgraphs. The answer says
 * whether it is up, never where it is or what the socket said (readiness is served to anyone).
 */
async function checkSubgraph(name: string, url: string, key: KeyObject): Promise<{ ok: boolean; error?: string }> {
  try {
    const body = JSON.stringify({ query: '{ __typename }' });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CALLER_HEADER]: await signCallerToken(HEALTH_PROBE, name, key, { body }) },
      body,
      signal: AbortSignal.timeout(2000),
    });
    const ok = response.ok && ((await response.json()) as { data?: unknown }).data !== undefined;
    return ok ? { ok } : { ok, error: `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, error: error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'unreachable' };
  }
}
