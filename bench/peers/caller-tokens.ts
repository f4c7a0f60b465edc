import { internalSigningKey, signCallerToken, type Caller } from '@hub/core';

/**
 * The internal caller tokens a peer gateway sends our subgraphs (`x-hub-caller`): peers know nothing of our access
 * model, so the benchmark gives them one caller for the whole run (BENCH_CALLER, JSON), signed per subgraph with the
 * run's HUB_INTERNAL_PRIVATE_KEY, as our gateway would sign it. Tokens live 60 s; these are re-signed every 20 s, so
 * a peer's request path only reads a string.
 */
export async function startCallerTokens(subgraphs: string[]): Promise<{ tokenFor(subgraph: string): string; stop(): void }> {
  const raw = process.env.BENCH_CALLER;
  if (!raw) throw new Error('BENCH_CALLER (the caller as JSON) is required');
  const caller = JSON.parse(raw) as Caller;
  const key = internalSigningKey();
  const tokens = new Map<string, string>();
  const sign = async () => {
    for (const subgraph of subgraphs) tokens.set(subgraph, await signCallerToken(caller, subgraph, key));
  };
  await sign();
  const timer = setInterval(() => void sign(), 20_000);
  timer.unref();
  return {
    tokenFor: (subgraph) => {
      const token = tokens.get(subgraph);
      if (!token) throw new Error(`no caller token for subgraph ${subgraph}`);
      return token;
    },
    stop: () => clearInterval(timer),
  };
}

/** Tells the benchmark (the parent process) that the peer listens. */
export function reportReady(service: string, url: string): void {
  process.send?.({ type: 'ready', service, url });
}
