import { hash as oneShotHash, type KeyObject } from 'node:crypto';
import { hmacKeyPads, INTERNAL_ISSUER, internalTokenSeconds, newTokenId, requestDigest, signCallerToken, subgraphTokenKey, type Caller } from '@hub/core';

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
 * follow it), and the HMAC's inner input up to there (the key block and that text), in a buffer with room for the rest.
 */
interface FixedPart {
  /** The token's text up to the variable part of its payload: the header, a dot and the fixed claims' encoding. */
  prefix: string;
  /** The inner hash's input: the key block xor 0x36 and `prefix`, then room for a token's variable part. */
  inner: Buffer;
  /** Where a token's variable part is written in `inner`. */
  innerLength: number;
  /** The outer hash's input: the key block xor 0x5c, then room for the inner digest. */
  outer: Buffer;
}

/** Room in `FixedPart.inner` for a token's variable part (its encoding is ~150 characters). */
const REST_ROOM = 512;

function hmacSigner(secret: KeyObject, seconds: number, keyOf: (caller: Caller) => string) {
  const keys = new Map<string, { ipad: Buffer; opad: Buffer }>();
  /**
   * Fixed parts by the caller's key (its JSON), then by audience. A request's fetches share its caller object, whose
   * key is written once (`keyOf`) and hashed once as a map key: each fetch then costs two lookups, not a key of
   * audience and caller joined, flattened and hashed again per fetch.
   */
  const fixed = new Map<string, Map<string, FixedPart>>();
  let kept = 0;

  /** RFC 2104 with SHA-256: the pads of each audience's key. */
  function keyOfAudience(audience: string) {
    let key = keys.get(audience);
    if (!key) {
      keys.set(audience, (key = hmacKeyPads(subgraphTokenKey(secret, audience))));
    }
    return key;
  }

  function fixedPart(caller: Caller, audience: string): FixedPart {
    const callerKey = keyOf(caller);
    let ofCaller = fixed.get(callerKey);
    let part = ofCaller?.get(audience);
    if (part) return part;
    const { userId, ...claims } = caller;
    let json = JSON.stringify({ ...claims, iss: INTERNAL_ISSUER, aud: audience, sub: userId }).slice(0, -1) + ',';
    json += ' '.repeat((3 - (Buffer.byteLength(json) % 3)) % 3);
    const prefix = `${HEADER}.${Buffer.from(json).toString('base64url')}`;
    const { ipad, opad } = keyOfAudience(audience);
    // The prefix is base64url: one byte a character.
    const inner = Buffer.allocUnsafe(ipad.length + prefix.length + REST_ROOM);
    ipad.copy(inner);
    inner.write(prefix, ipad.length, 'latin1');
    const outer = Buffer.alloc(opad.length + 32);
    opad.copy(outer);
    if (kept >= MAX_KEPT) {
      fixed.clear();
      kept = 0;
      ofCaller = undefined;
    }
    if (!ofCaller) fixed.set(callerKey, (ofCaller = new Map()));
    ofCaller.set(audience, (part = { prefix, inner, innerLength: ipad.length + prefix.length, outer }));
    kept++;
    return part;
  }

  return (caller: Caller, audience: string, body: string): string => {
    const part = fixedPart(caller, audience);
    const now = Math.floor(Date.now() / 1000);
    const rest = Buffer.from(`"req_sha256":"${requestDigest(body)}","jti":"${newTokenId()}","iat":${now},"exp":${now + seconds}}`).toString('base64url');
    // HMAC-SHA256 as two one-shot hashes over kept buffers (no Hash object copied and finished per token): the
    // inner over the key block, the prefix and this token's part; the outer over the key block and the inner digest.
    // The signer runs synchronously, so the buffers are never written by two tokens at once.
    const innerInput = rest.length <= REST_ROOM ? part.inner.subarray(0, part.innerLength + part.inner.write(rest, part.innerLength, 'latin1')) : Buffer.concat([part.inner.subarray(0, part.innerLength), Buffer.from(rest, 'latin1')]);
    (oneShotHash('sha256', innerInput, 'buffer') as unknown as Buffer).copy(part.outer, part.outer.length - 32);
    const signature = oneShotHash('sha256', part.outer, 'base64url');
    return `${part.prefix}${rest}.${signature}`;
  };
}
