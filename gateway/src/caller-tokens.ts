import { createHash, type Hash, type KeyObject } from 'node:crypto';
import { INTERNAL_ISSUER, internalTokenSeconds, newTokenId, requestDigest, signCallerToken, subgraphTokenKey, type Caller } from '@hub/core';

/**
 * The gateway's internal caller tokens: one per attempt at a subgraph, never reused. Each names the one subgraph
 * (audience), the exact body it travels with (`req_sha256`), a fresh `jti` and a lifetime of a few seconds
 * (`HUB_INTERNAL_TOKEN_SECONDS`), so a token read off the wire or out of a log is good for nothing but the request
 * it came with, once. The cost is one signature per attempt (docs/benchmarks.md measures it).
 *
 * With the hub secret (HS256, the default) a token is made here rather than by `signCallerToken`: what stays the same
 * for one caller at one subgraph (the header, the caller's claims, issuer, audience and subject, and the HMAC's
 * inner hash over all of that) is worked out once and kept, and each token adds only its body digest, id and times.
 * Building the whole payload, stringifying, encoding and keying an HMAC per fetch was most of the signing's CPU.
 * The token is the same compact JWS `signCallerToken` makes (the claims' order aside): the subgraphs verify it alike.
 */
export function createCallerTokenSigner(privateKey: KeyObject, seconds: number = internalTokenSeconds()) {
  // A request's fetches share its caller object: its key is written once per request, not once per fetch.
  const callerKeys = new WeakMap<Caller, string>();
  const keyOf = (caller: Caller): string => {
    let key = callerKeys.get(caller);
    if (key === undefined) callerKeys.set(caller, (key = JSON.stringify(caller)));
    return key;
  };
  const hmac = privateKey.type === 'secret' ? hmacSigner(privateKey, seconds, keyOf) : null;
  return {
    /** A token for one attempt of `caller` at `subgraph` with this body. */
    sign: (caller: Caller, subgraph: string, body: string): Promise<string> =>
      hmac ? Promise.resolve(hmac(caller, subgraph, body)) : signCallerToken(caller, subgraph, privateKey, { body, seconds }),
    /** The same token made at once, with the hub secret (HS256); undefined with an asymmetric key (sign it with `sign`). */
    signNow: (caller: Caller, subgraph: string, body: string): string | undefined => (hmac ? hmac(caller, subgraph, body) : undefined),
    /** The whole caller as a string: requests share an answer in flight only under the same one. */
    keyOf,
  };
}

/** The JWS header of an HS256 token, as `signCallerToken` writes it. */
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
/** The most (caller, subgraph) pairs whose fixed part is kept; past it the cache starts again (callers are few). */
const MAX_KEPT = 2048;

/**
 * What one caller's tokens for one subgraph share: the payload's first part, base64url-encoded on its own (its JSON
 * is padded with spaces to a multiple of 3 bytes, so its encoding ends on a whole group and the rest's encoding can
 * follow it), and the HMAC's inner hash after the key block and everything up to there.
 */
interface FixedPart {
  /** The token's text up to the variable part of its payload: the header, a dot and the fixed claims' encoding. */
  prefix: string;
  inner: Hash;
}

function hmacSigner(secret: KeyObject, seconds: number, keyOf: (caller: Caller) => string) {
  const keys = new Map<string, { ipad: Buffer; outer: Hash }>();
  const fixed = new Map<string, FixedPart>();

  /** RFC 2104 with SHA-256: the key (32 bytes, under the 64-byte block) zero-padded, xor 0x36 inside and 0x5c outside. */
  function keyOfAudience(audience: string) {
    let key = keys.get(audience);
    if (!key) {
      const bytes = subgraphTokenKey(secret, audience).export();
      const block = Buffer.alloc(64);
      bytes.copy(block);
      const ipad = Buffer.from(block.map((b) => b ^ 0x36));
      const outer = createHash('sha256').update(Buffer.from(block.map((b) => b ^ 0x5c)));
      keys.set(audience, (key = { ipad, outer }));
    }
    return key;
  }

  function fixedPart(caller: Caller, audience: string): FixedPart {
    const cacheKey = `${audience}\u0000${keyOf(caller)}`;
    let part = fixed.get(cacheKey);
    if (!part) {
      const { userId, ...claims } = caller;
      let json = JSON.stringify({ ...claims, iss: INTERNAL_ISSUER, aud: audience, sub: userId }).slice(0, -1) + ',';
      json += ' '.repeat((3 - (Buffer.byteLength(json) % 3)) % 3);
      const prefix = `${HEADER}.${Buffer.from(json).toString('base64url')}`;
      const inner = createHash('sha256').update(keyOfAudience(audience).ipad).update(prefix);
      if (fixed.size >= MAX_KEPT) fixed.clear();
      fixed.set(cacheKey, (part = { prefix, inner }));
    }
    return part;
  }

  return (caller: Caller, audience: string, body: string): string => {
    const part = fixedPart(caller, audience);
    const now = Math.floor(Date.now() / 1000);
    const rest = Buffer.from(`"req_sha256":"${requestDigest(body)}","jti":"${newTokenId()}","iat":${now},"exp":${now + seconds}}`).toString('base64url');
    const innerDigest = part.inner.copy().update(rest).digest();
    const signature = keyOfAudience(audience).outer.copy().update(innerDigest).digest('base64url');
    return `${part.prefix}${rest}.${signature}`;
  };
}

