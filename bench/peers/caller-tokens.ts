import { internalSigningKey, type Caller } from '@hub/core';
import { createCallerTokenSigner } from '@hub/gateway/caller-tokens';

/**
 * The internal caller tokens a peer gateway sends our subgraphs (`x-hub-caller`): peers know nothing of our access
 * model, so the benchmark gives them one caller for the whole run (BENCH_CALLER, JSON), signed with the run's
 * HUB_INTERNAL_PRIVATE_KEY as our gateway signs it: per subgraph fetch, over the fetch's body, with a fresh token id
 * (subgraphs accept each token once), with our gateway's own signer. A peer pays the same signature per fetch as ours.
 */
export function callerTokenSigner(): { sign(subgraph: string, body: string): Promise<string> } {
  const raw = process.env.BENCH_CALLER;
  if (!raw) throw new Error('BENCH_CALLER (the caller as JSON) is required');
  const caller = JSON.parse(raw) as Caller;
  const signer = createCallerTokenSigner(internalSigningKey());
  return { sign: (subgraph, body) => signer.sign(caller, subgraph, body) };
}

/** Tells the benchmark (the parent process) that the peer listens. */
export function reportReady(service: string, url: string): void {
  process.send?.({ type: 'ready', service, url });
}
