import type { KeyObject } from 'node:crypto';
import { signCallerToken, type Caller } from '@hub/core';

/** Internal tokens live 60 s; one is reused while it has at least this long left, so a subgraph never sees it expire. */
const REUSE_MS = 30_000;

/**
 * Signed internal caller tokens, reused per (subgraph, caller) for up to 30 s of their 60 s life. Signing (ES256 or
 * EdDSA) was the gateway's largest own cost per subgraph fetch; a caller asking again and again, or one operation
 * fetching one subgraph several times, now signs once. The key is the whole caller, so a change of purpose, scopes
 * or grids is a new token.
 */
export function createCallerTokenCache(privateKey: KeyObject, maxEntries = 10_000) {
  const tokens = new Map<string, { token: Promise<string>; signedAt: number }>();
  // A request's fetches share its caller object: its key is written once per request, not once per fetch.
  const callerKeys = new WeakMap<Caller, string>();
  return (caller: Caller, subgraph: string): Promise<string> => {
    let callerKey = callerKeys.get(caller);
    if (callerKey === undefined) callerKeys.set(caller, (callerKey = JSON.stringify(caller)));
    const key = `${subgraph}\u0000${callerKey}`;
    const now = Date.now();
    const found = tokens.get(key);
    if (found && now - found.signedAt < REUSE_MS) return found.token;
    const token = signCallerToken(caller, subgraph, privateKey);
    // A failed signing is not kept: the next fetch tries again.
    token.catch(() => tokens.delete(key));
    tokens.delete(key);
    tokens.set(key, { token, signedAt: now });
    if (tokens.size > maxEntries) tokens.delete(tokens.keys().next().value!);
    return token;
  };
}
