import type { KeyObject } from 'node:crypto';
import { internalTokenSeconds, signCallerToken, type Caller } from '@hub/core';

/**
 * The gateway's internal caller tokens: one per attempt at a subgraph, never reused. Each names the one subgraph
 * (audience), the exact body it travels with (`req_sha256`), a fresh `jti` and a lifetime of a few seconds
 * (`HUB_INTERNAL_TOKEN_SECONDS`), so a token read off the wire or out of a log is good for nothing but the request
 * it came with, once. The cost is one signature per attempt (docs/benchmarks.md measures it).
 */
export function createCallerTokenSigner(privateKey: KeyObject, seconds: number = internalTokenSeconds()) {
  // A request's fetches share its caller object: its key is written once per request, not once per fetch.
  const callerKeys = new WeakMap<Caller, string>();
  return {
    /** A token for one attempt of `caller` at `subgraph` with this body. */
    sign: (caller: Caller, subgraph: string, body: string): Promise<string> => signCallerToken(caller, subgraph, privateKey, { body, seconds }),
    /** The whole caller as a string: requests share an answer in flight only under the same one. */
    keyOf(caller: Caller): string {
      let key = callerKeys.get(caller);
      if (key === undefined) callerKeys.set(caller, (key = JSON.stringify(caller)));
      return key;
    },
  };
}
