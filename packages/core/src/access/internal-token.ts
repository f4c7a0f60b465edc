import { hash as oneShotHash, createHmac, createPublicKey, createSecretKey, hkdfSync, randomBytes, randomFillSync, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { isProduction } from '../config.ts';
import { AccessCode, AccessRefusal } from './claims.ts';
import { demoIssuerDir } from './issuer.ts';
import { developmentFileOnce, generateSigningKeyPair, parseKey, privatePem, publicPem, signingAlgorithm, type SigningAlgorithm } from './keys.ts';
import { isPurpose, isScope, type Caller } from './model.ts';

/**
 * Defence in depth: a subgraph serves only the gateway. For each attempt at a subgraph request the gateway signs the
 * verified caller into a token for that subgraph alone (audience = its name), for that request alone (`req_sha256`,
 * the SHA-256 of the request body it travels with), good once (`jti`, which the subgraph remembers until the token
 * expires) and for a few seconds (`HUB_INTERNAL_TOKEN_SECONDS`). The subgraph checks all of it before GraphQL runs.
 * A request that bypasses the gateway has no such token; one taken from the gateway's traffic names another
 * subgraph, another body, has been used already, or has expired.
 */
export const INTERNAL_ISSUER = 'hub-gateway';
export const CALLER_HEADER = 'x-hub-caller';
/** How long a token is good for unless `HUB_INTERNAL_TOKEN_SECONDS` says otherwise: it only has to cross one hop. */
export const INTERNAL_TOKEN_SECONDS = 10;
/** The longest lifetime a subgraph accepts, whatever the token says (and the most `HUB_INTERNAL_TOKEN_SECONDS` may be). */
export const INTERNAL_TOKEN_MAX_SECONDS = 60;
/** Clocks of the gateway's and a subgraph's machines may differ by this much. */
export const CLOCK_TOLERANCE_SECONDS = 2;

const DEVELOPMENT_SECRET_FILE = 'internal-secret';

/**
 * HMAC-SHA256 tokens (HS256) are the default: a key per subgraph, derived with HKDF-SHA256 from the hub's
 * `HUB_INTERNAL_SECRET`, which only the gateway (and whoever deploys) holds; each subgraph is given its own key
 * (`HUB_INTERNAL_TOKEN_KEY`) and nothing else. A subgraph can then make tokens for itself only, which open nothing it
 * does not hold already; the audience binding holds because no other subgraph's key verifies them. An ES256 or EdDSA
 * pair (`HUB_INTERNAL_PRIVATE_KEY`/`HUB_INTERNAL_PUBLIC_KEY`) is still accepted: a token's algorithm is the key's,
 * never the header's (docs/security.md#internal-caller-tokens).
 */
export type TokenAlgorithm = SigningAlgorithm | 'HS256';
/** Bytes of a subgraph's key; the hub secret must be at least as long, in characters. */
export const INTERNAL_TOKEN_KEY_BYTES = 32;
const HKDF_SALT = 'hub-internal-token-v1';

const algorithmOf = (key: KeyObject): TokenAlgorithm => (key.type === 'secret' ? 'HS256' : signingAlgorithm(key));

/** The hub secret's key object, from `HUB_INTERNAL_SECRET`'s text (at least 32 characters). */
export function parseInternalSecret(value: string, variable = 'HUB_INTERNAL_SECRET'): KeyObject {
  if (value.trim().length < INTERNAL_TOKEN_KEY_BYTES) throw new Error(`${variable} must be at least ${INTERNAL_TOKEN_KEY_BYTES} characters (e.g. \`openssl rand -base64 32\`)`);
  return createSecretKey(Buffer.from(value.trim(), 'utf8'));
}

/** One subgraph's key from `HUB_INTERNAL_TOKEN_KEY`: 32 bytes, base64url (as `subgraphTokenKeyText` writes it). */
export function parseSubgraphTokenKey(value: string, variable = 'HUB_INTERNAL_TOKEN_KEY'): KeyObject {
  const text = value.trim();
  const bytes = Buffer.from(text, 'base64url');
  if (!/^[A-Za-z0-9_-]+$/.test(text) || bytes.length !== INTERNAL_TOKEN_KEY_BYTES) {
    throw new Error(`${variable} must be a subgraph's internal token key: ${INTERNAL_TOKEN_KEY_BYTES} bytes, base64url (derived from HUB_INTERNAL_SECRET; \`npm run internal-token-keys\` prints them)`);
  }
  return createSecretKey(bytes);
}

/** The key a subgraph verifies its tokens with: HKDF-SHA256 of the hub secret, salted, with the subgraph's name as info. */
export function subgraphTokenKey(secret: KeyObject, subgraph: string): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, `x-hub-caller ${subgraph}`, INTERNAL_TOKEN_KEY_BYTES)));
}

/** A subgraph's key as `HUB_INTERNAL_TOKEN_KEY` holds it. */
export const subgraphTokenKeyText = (key: KeyObject): string => key.export().toString('base64url');

// The gateway signs with the hub secret: each subgraph's key is derived once, on its first token.
const derivedKeys = new WeakMap<KeyObject, Map<string, KeyObject>>();
function audienceKey(secret: KeyObject, audience: string): KeyObject {
  let keys = derivedKeys.get(secret);
  if (!keys) derivedKeys.set(secret, (keys = new Map()));
  let key = keys.get(audience);
  if (!key) keys.set(audience, (key = subgraphTokenKey(secret, audience)));
  return key;
}

/** The lifetime of the gateway's internal tokens: `HUB_INTERNAL_TOKEN_SECONDS`, 1 to 60. */
export function internalTokenSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.HUB_INTERNAL_TOKEN_SECONDS;
  if (value === undefined || value.trim() === '') return INTERNAL_TOKEN_SECONDS;
  const seconds = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || seconds < 1 || seconds > INTERNAL_TOKEN_MAX_SECONDS) {
    throw new Error(`HUB_INTERNAL_TOKEN_SECONDS must be a whole number from 1 to ${INTERNAL_TOKEN_MAX_SECONDS}, got "${value}"`);
  }
  return seconds;
}

/**
 * What a token is bound to: the SHA-256 (base64url) of the request body as sent, byte for byte; for a request
 * without a body (a GET), of its query string.
 */
export function requestDigest(body: string | Uint8Array | undefined): string {
  // One call into OpenSSL, without a Hash object to make and finish (Node 20.12 and later).
  return oneShotHash('sha256', body ?? '', 'base64url');
}

export interface InternalTokenRequest {
  /** The body the token travels with, exactly as sent (for a GET, its query string). */
  body: string | Uint8Array;
  /** Lifetime; default `INTERNAL_TOKEN_SECONDS`. */
  seconds?: number;
}

/**
 * The tokens are compact JWS (RFC 7515) JWTs, signed and verified here with node:crypto's one-shot calls rather than
 * through jose: jose goes through WebCrypto (a promise job per signature, algorithm normalisation, key import checks),
 * which cost about three times the signature itself, once per subgraph fetch on each side.
 */
const HEADERS: Record<TokenAlgorithm, string> = {
  HS256: base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' })),
  ES256: base64url(JSON.stringify({ alg: 'ES256', typ: 'JWT' })),
  EdDSA: base64url(JSON.stringify({ alg: 'EdDSA', typ: 'JWT' })),
};

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** ES256 signatures are r‖s (RFC 7518 §3.4), not DER; Ed25519 takes no digest. */
const signingInput = (algorithm: SigningAlgorithm, key: KeyObject) => (algorithm === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key);
const digestOf = (algorithm: SigningAlgorithm) => (algorithm === 'ES256' ? 'sha256' : null);

/**
 * 128 random bits for a token's `jti`, cut from a block of the system's random bytes filled 4 KiB at a time rather
 * than a call into OpenSSL per token: once the signature is an HMAC, such fixed costs are most of the signing.
 */
const idPool = Buffer.alloc(4096);
let idTaken = idPool.length;
export function newTokenId(): string {
  if (idTaken + 16 > idPool.length) {
    randomFillSync(idPool);
    idTaken = 0;
  }
  idTaken += 16;
  return idPool.toString('base64url', idTaken - 16, idTaken);
}

/**
 * A token for `caller` at the subgraph `audience` with this body, signed with `privateKey`: the hub secret (a secret
 * key: HS256 under the audience's derived key) or the private half of an ES256/EdDSA pair.
 */
export async function signCallerToken(caller: Caller, audience: string, privateKey: KeyObject, request: InternalTokenRequest): Promise<string> {
  const { userId, ...claims } = caller;
  const algorithm = algorithmOf(privateKey);
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    ...claims,
    req_sha256: requestDigest(request.body),
    iss: INTERNAL_ISSUER,
    aud: audience,
    sub: userId,
    jti: newTokenId(),
    iat: now,
    exp: now + (request.seconds ?? INTERNAL_TOKEN_SECONDS),
  };
  const input = `${HEADERS[algorithm]}.${base64url(JSON.stringify(payload))}`;
  if (algorithm === 'HS256') return `${input}.${createHmac('sha256', audienceKey(privateKey, audience)).update(input).digest('base64url')}`;
  return `${input}.${sign(digestOf(algorithm), Buffer.from(input), signingInput(algorithm, privateKey)).toString('base64url')}`;
}

/** A verified token: its caller, its id and when it stops being accepted (expiry plus the clock tolerance). */
interface VerifiedToken {
  caller: Caller;
  jti: string;
  acceptedUntilMs: number;
}

/**
 * A token whose signature and registered claims hold, before its body is compared: the body it was signed for, and
 * its caller (null when the claims name none validly: refused once the body has been compared, as before).
 */
interface CheckedToken {
  caller: Caller | null;
  jti: string;
  acceptedUntilMs: number;
  digest: unknown;
}

const refused = (reason: string, message: string) => new AccessRefusal(401, AccessCode.INTERNAL_TOKEN_INVALID, message, reason);

/** A request's body, or how to read it: a subgraph reads it only for a token whose signature holds. */
export type RequestBody = string | Uint8Array | undefined | (() => Promise<string | Uint8Array | undefined>);

async function verifyToken(token: string | undefined, audience: string, publicKey: KeyObject, body: RequestBody): Promise<VerifiedToken> {
  const checked = checkedToken(token, audience, publicKey, undefined);
  return withBody(checked, typeof body === 'function' ? await body() : body);
}

/** Everything but the body: presence, signature, registered claims, `jti`, lifetime, the caller. */
function checkedToken(token: string | undefined, audience: string, publicKey: KeyObject, prefixes: FixedPrefixes | undefined): CheckedToken {
  if (!token) throw new AccessRefusal(401, AccessCode.INTERNAL_TOKEN_MISSING, `this subgraph serves the gateway only: no ${CALLER_HEADER} token`, 'missing');
  const known = prefixes ? prefixes.check(token) : undefined;
  if (known) return known;
  const payload = verifiedClaims(token, audience, publicKey);
  const { jti, iat, exp, req_sha256: digest } = payload as { jti: unknown; iat: number; exp: number; req_sha256: unknown };
  const checked = checkedClaims(audience, jti, iat, exp, digest, callerOfClaims(payload));
  if (checked.caller) prefixes?.learn(token, payload, checked.caller);
  return checked;
}

/** The checks on a token's own claims after the registered ones, in the order of the refusals they give. */
function checkedClaims(audience: string, jti: unknown, iat: number, exp: number, digest: unknown, caller: Caller | null): CheckedToken {
  if (typeof jti !== 'string' || jti.length < 16 || jti.length > 64) throw refused('claim jti', `the internal token is not valid for ${audience} (claim jti)`);
  if (exp - iat > INTERNAL_TOKEN_MAX_SECONDS) throw refused('lifetime', `the internal token is not valid for ${audience} (it claims to live longer than ${INTERNAL_TOKEN_MAX_SECONDS} s)`);
  return { caller, jti, acceptedUntilMs: (exp + CLOCK_TOLERANCE_SECONDS) * 1000, digest };
}

/** The token checked against the body it came with, then its caller. */
function withBody(checked: CheckedToken, body: string | Uint8Array | undefined): VerifiedToken {
  if (checked.digest !== requestDigest(body)) throw refused('request', 'the internal token was signed for another request (its req_sha256 is not the SHA-256 of this body)');
  const { caller, jti, acceptedUntilMs } = checked;
  if (!caller) throw refused('claims', 'the internal token carries no valid caller');
  return { caller, jti, acceptedUntilMs };
}

/** Claims every token must carry (`sub`, `iss` and `aud` are checked by value besides). */
const REQUIRED_CLAIMS = ['iss', 'aud', 'iat', 'req_sha256', 'jti', 'exp', 'sub'];
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A part of a compact JWS as the JSON object it must be, or null. */
function jsonObjectOf(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(strictUtf8.decode(Buffer.from(part, 'base64url')));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The token's claims once its signature and registered claims hold: the checks (and the refusal reasons) of jose's
 * `jwtVerify` with this issuer, this audience, the key's one algorithm, the required claims, a maximum age of
 * `INTERNAL_TOKEN_MAX_SECONDS` and `CLOCK_TOLERANCE_SECONDS`: a header naming another algorithm, or with `crit`
 * extensions, is malformed; a bad signature is `signature`; a missing or wrong claim is `claim <name>`; an `exp` in
 * the past or an `iat` older than the maximum age is expired.
 */
function verifiedClaims(token: string, audience: string, publicKey: KeyObject): Record<string, unknown> {
  const invalid = (reason: string) => refused(reason, `the internal token is not valid for ${audience} (${reason})`);
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.includes('.', second + 1)) throw invalid('malformed');
  const algorithm = algorithmOf(publicKey);
  // The gateway's own header, byte for byte, needs no decoding; any other is read and checked.
  const header = token.startsWith(`${HEADERS[algorithm]}.`) ? { alg: algorithm } : jsonObjectOf(token.slice(0, first));
  if (!header || header.alg !== algorithm || 'crit' in header || 'b64' in header) throw invalid('malformed');
  let valid: boolean;
  if (algorithm === 'HS256') {
    valid = hmacHolds(token, second, publicKey);
  } else {
    try {
      valid = verify(digestOf(algorithm), Buffer.from(token.slice(0, second)), signingInput(algorithm, publicKey), Buffer.from(token.slice(second + 1), 'base64url'));
    } catch {
      valid = false;
    }
  }
  if (!valid) throw invalid('signature');
  const claims = jsonObjectOf(token.slice(first + 1, second));
  if (!claims) throw invalid('malformed');
  for (const claim of REQUIRED_CLAIMS) if (!Object.hasOwn(claims, claim)) throw invalid(`claim ${claim}`);
  if (claims.iss !== INTERNAL_ISSUER) throw invalid('claim iss');
  if (!(claims.aud === audience || (Array.isArray(claims.aud) && claims.aud.includes(audience)))) throw invalid('claim aud');
  checkTimes(audience, claims.iat, claims.nbf, claims.exp);
  return claims;
}

/** The time claims' checks (jose's `maxTokenAge` and `clockTolerance`), in jose's order. */
function checkTimes(audience: string, iat: unknown, nbf: unknown, exp: unknown): void {
  // No closures for the refusals: this runs for every request, and a refusal is rare.
  const now = Math.floor(Date.now() / 1000);
  if (typeof iat !== 'number') throw invalidClaim(audience, 'claim iat');
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + CLOCK_TOLERANCE_SECONDS)) throw invalidClaim(audience, 'claim nbf');
  if (typeof exp !== 'number') throw invalidClaim(audience, 'claim exp');
  if (exp <= now - CLOCK_TOLERANCE_SECONDS) throw expiredToken();
  if (now - iat - CLOCK_TOLERANCE_SECONDS > INTERNAL_TOKEN_MAX_SECONDS) throw expiredToken();
  if (now - iat < -CLOCK_TOLERANCE_SECONDS) throw invalidClaim(audience, 'claim iat');
}

const invalidClaim = (audience: string, reason: string) => refused(reason, `the internal token is not valid for ${audience} (${reason})`);
const expiredToken = () => new AccessRefusal(401, AccessCode.INTERNAL_TOKEN_EXPIRED, 'the internal token has expired', 'expired');

/** The HMAC of a token's signing input, compared in constant time with its signature's exact text. */
function hmacHolds(token: string, second: number, key: KeyObject): boolean {
  // The signature's text, compared in constant time: base64url decoding would let other spellings of it pass.
  const expected = Buffer.from(hmacSha256(key, token, second), 'latin1');
  const given = Buffer.from(token.slice(second + 1));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A key's HMAC-SHA-256 pads (RFC 2104), and a buffer the inner hash's input is written into. */
interface HmacPads {
  inner: Buffer;
  outer: Buffer;
}
const HMAC_BLOCK = 64;
const hmacPads = new WeakMap<KeyObject, HmacPads>();

/**
 * RFC 2104's pads of an HMAC-SHA-256 key: the key (hashed first when over the 64-byte block) zero-padded, xor 0x36
 * for the inner hash and 0x5c for the outer. The gateway's signer and this verifier both hash over them directly.
 */
export function hmacKeyPads(key: KeyObject): { ipad: Buffer; opad: Buffer } {
  let raw = key.export();
  if (raw.length > HMAC_BLOCK) raw = Buffer.from(oneShotHash('sha256', raw, 'hex'), 'hex');
  const block = Buffer.alloc(HMAC_BLOCK);
  raw.copy(block);
  return { ipad: Buffer.from(block.map((b) => b ^ 0x36)), opad: Buffer.from(block.map((b) => b ^ 0x5c)) };
}

/**
 * HMAC-SHA-256 (base64url) of `text`'s first `length` characters (UTF-8, as `createHmac(…).update(text)` reads a
 * string), as two one-shot hashes over the key's pads kept per key: `createHmac` builds an OpenSSL MAC context for
 * every token, which cost more than the hashing itself.
 */
export function hmacSha256(key: KeyObject, text: string, length = text.length): string {
  let pads = hmacPads.get(key);
  if (!pads) {
    const { ipad, opad } = hmacKeyPads(key);
    const inner = Buffer.alloc(HMAC_BLOCK + 4096);
    const outer = Buffer.alloc(HMAC_BLOCK + 32);
    ipad.copy(inner);
    opad.copy(outer);
    hmacPads.set(key, (pads = { inner, outer }));
  }
  if (pads.inner.length < HMAC_BLOCK + 3 * length) {
    const grown = Buffer.alloc(HMAC_BLOCK + 3 * length);
    pads.inner.copy(grown, 0, 0, HMAC_BLOCK);
    pads.inner = grown;
  }
  const written = pads.inner.write(length === text.length ? text : text.slice(0, length), HMAC_BLOCK, 'utf8');
  pads.outer.write(oneShotHash('sha256', pads.inner.subarray(0, HMAC_BLOCK + written), 'hex'), HMAC_BLOCK, 'hex');
  return oneShotHash('sha256', pads.outer, 'base64url');
}

/** `"req_sha256"` in base64url, as it starts a group of the claims' encoding where the gateway's signer begins a token's variable part. */
const VARIABLE_PART = Buffer.from('"req_sha256"').toString('base64url');
/** The variable part as the gateway's signer writes it (`gateway/src/caller-tokens.ts`), and nothing else. */
const VARIABLE_CLAIMS = /^"req_sha256":"([A-Za-z0-9_-]{43})","jti":"([A-Za-z0-9_-]{16,64})","iat":(0|[1-9]\d{0,14}),"exp":(0|[1-9]\d{0,14})\}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
/** Claims that belong to the variable part: a fixed part naming one is not kept (its token is checked in full). */
const VARIABLE_NAMES = ['req_sha256', 'jti', 'iat', 'exp', 'nbf'];
/** The most fixed parts one verifier keeps; past it the cache starts again (callers are few, each kept part ~1 KB). */
const MAX_FIXED_PREFIXES = 1024;

/**
 * The fixed parts of the gateway's HS256 tokens a verifier has accepted, by their exact text. The gateway writes a
 * token's claims as a fixed part per caller and subgraph (header, caller, issuer, audience, subject; its JSON padded
 * to whole base64 groups) followed by the variable part (body digest, `jti`, times). Each token's HMAC is still
 * checked over all its bytes; what is kept is the outcome of reading the fixed part: its claims checked (issuer,
 * audience, the caller's claims) and the caller they make. A token is read this way only when its text up to the
 * variable part is, byte for byte, that of a token accepted before under this verifier's key, and its variable part
 * is exactly the signer's shape; any other token (another signer's, a part differing by one byte) is read in full.
 *
 * Reading the two parts apart gives what reading them together does: the fixed part is a JSON object's text up to a
 * last `,` and spaces (`{…,`), valid as an object once that `,` becomes `}`, with at least one member; the variable
 * part is members and the closing `}`; so the whole is that object's members followed by the variable part's, and
 * the two name different claims (a fixed part naming a variable claim is not kept).
 */
class FixedPrefixes {
  private readonly kept = new Map<string, Caller>();

  constructor(
    private readonly audience: string,
    private readonly key: KeyObject,
  ) {}

  /** The token checked by its kept fixed part, or undefined: check it in full. */
  check(token: string): CheckedToken | undefined {
    const first = token.indexOf('.');
    const second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (second < 0) return undefined;
    const at = token.lastIndexOf(VARIABLE_PART, second);
    if (at <= first || (at - first - 1) % 4 !== 0) return undefined;
    const caller = this.kept.get(token.slice(0, at));
    if (!caller) return undefined;
    if (token.includes('.', second + 1)) return undefined;
    const tail = token.slice(at, second);
    if (!BASE64URL.test(tail)) return undefined;
    const variable = VARIABLE_CLAIMS.exec(Buffer.from(tail, 'base64url').toString('latin1'));
    if (!variable) return undefined;
    // A known fixed part's header, issuer, audience and caller hold; the signature is this token's own.
    if (!hmacHolds(token, second, this.key)) throw refused('signature', `the internal token is not valid for ${this.audience} (signature)`);
    const iat = Number(variable[3]);
    const exp = Number(variable[4]);
    checkTimes(this.audience, iat, undefined, exp);
    return checkedClaims(this.audience, variable[2], iat, exp, variable[1], caller);
  }

  /** Keeps an accepted token's fixed part when it is the gateway's signer's (see above); anything else is not kept. */
  learn(token: string, claims: Record<string, unknown>, caller: Caller): void {
    const first = token.indexOf('.');
    const second = token.indexOf('.', first + 1);
    if (!token.startsWith(`${HEADERS.HS256}.`) || first !== HEADERS.HS256.length) return;
    const at = token.lastIndexOf(VARIABLE_PART, second);
    if (at <= first || (at - first - 1) % 4 !== 0) return;
    const fixedText = token.slice(first + 1, at);
    const tail = token.slice(at, second);
    if (!BASE64URL.test(fixedText) || !BASE64URL.test(tail) || !VARIABLE_CLAIMS.test(Buffer.from(tail, 'base64url').toString('latin1'))) return;
    let fixedJson: string;
    try {
      fixedJson = strictUtf8.decode(Buffer.from(fixedText, 'base64url'));
    } catch {
      return;
    }
    const end = /,[ ]*$/.exec(fixedJson);
    if (!end) return;
    let fixed: unknown;
    try {
      fixed = JSON.parse(`${fixedJson.slice(0, end.index)}}`);
    } catch {
      return;
    }
    if (typeof fixed !== 'object' || fixed === null || Array.isArray(fixed) || Object.keys(fixed).length === 0) return;
    if (VARIABLE_NAMES.some((name) => Object.hasOwn(fixed, name))) return;
    const own = fixed as Record<string, unknown>;
    if (own.iss !== INTERNAL_ISSUER || !(own.aud === this.audience || (Array.isArray(own.aud) && own.aud.includes(this.audience)))) return;
    // The caller the fixed part alone makes must be the one the whole token made.
    const alone = callerOfClaims(own);
    if (!alone || JSON.stringify(alone) !== JSON.stringify(caller) || JSON.stringify(alone) !== JSON.stringify(callerOfClaims(claims))) return;
    if (this.kept.size >= MAX_FIXED_PREFIXES) this.kept.clear();
    this.kept.set(token.slice(0, at), deepFreeze(alone));
  }
}

/** A kept caller is handed to every request with its fixed part: frozen, so that no request can change another's. */
function deepFreeze(caller: Caller): Caller {
  for (const value of Object.values(caller)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(caller);
}

/** The caller of a subgraph request with this body, or an `AccessRefusal` (401) naming why the token is refused. */
export async function verifyCallerToken(token: string | undefined, audience: string, publicKey: KeyObject, body: RequestBody): Promise<Caller> {
  return (await verifyToken(token, audience, publicKey, body)).caller;
}

/** A token presented again: the first use stands, this one is refused and recorded (a security event). */
export interface ReplayedToken {
  jti: string;
  /** Whom the token was signed for. */
  userId: string;
  role: string;
}

export interface CallerTokenVerifierOptions {
  /** Most token ids remembered at once; a token that finds it full is refused 503 rather than accepted unremembered. */
  maxRemembered?: number;
}

/**
 * `verifyCallerToken` for one subgraph replica, refusing a token it has accepted before: every accepted token's
 * `jti` is remembered until the token would be refused as expired anyway, so the memory holds at most the tokens
 * of the last few seconds. Tokens refused for any other reason are never remembered (one sent with a forged body
 * must not spend the genuine request's token). The memory is this replica's own: a copy of a token sent to another
 * replica of the same subgraph, with the same body, within its lifetime is not caught here (docs/security.md).
 */
export function createCallerTokenVerifier(
  audience: string,
  publicKey: KeyObject,
  options: CallerTokenVerifierOptions = {},
): (token: string | undefined, body: RequestBody) => Promise<Caller> {
  const maxRemembered = options.maxRemembered ?? 200_000;
  // The accepted ids in sets by the moment their tokens stop being accepted (`exp` plus the tolerance: whole
  // seconds), forgotten a set at a time once that moment has passed: no expiry per id, no order to walk. A copy of a
  // token carries its `exp` (no claim changes without the key), so a replay is looked for in its own set.
  const buckets = new Map<number, Set<string>>();
  let remembered = 0;
  let nextExpiry = Infinity;
  const forgetExpired = (now: number) => {
    nextExpiry = Infinity;
    for (const [until, ids] of buckets) {
      if (until <= now) {
        buckets.delete(until);
        remembered -= ids.size;
      } else if (until < nextExpiry) nextExpiry = until;
    }
  };
  // The gateway's HS256 tokens are read through the fixed parts this verifier has accepted (its own key's).
  const prefixes = publicKey.type === 'secret' ? new FixedPrefixes(audience, publicKey) : undefined;
  const remember = (verified: VerifiedToken): Caller => {
    const now = Date.now();
    if (now >= nextExpiry) forgetExpired(now);
    const until = verified.acceptedUntilMs;
    let ids = buckets.get(until);
    if (ids?.has(verified.jti)) {
      throw new TokenReplayRefusal({ jti: verified.jti, userId: verified.caller.userId, role: verified.caller.role });
    }
    if (remembered >= maxRemembered) {
      throw new AccessRefusal(503, AccessCode.INTERNAL_TOKEN_CAPACITY, 'this subgraph remembers too many recent internal tokens to accept another; try again shortly', 'capacity');
    }
    if (!ids) {
      buckets.set(until, (ids = new Set()));
      if (until < nextExpiry) nextExpiry = until;
    }
    ids.add(verified.jti);
    remembered++;
    return verified.caller;
  };
  // Not an async function: a body already at hand costs no promise of its own, one still being read costs one.
  return (token, body) => {
    try {
      const checked = checkedToken(token, audience, publicKey, prefixes);
      if (typeof body !== 'function') return Promise.resolve(remember(withBody(checked, body)));
      return body().then((bytes) => remember(withBody(checked, bytes)));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/** The 401 for a token used before, carrying what the security event records. */
export class TokenReplayRefusal extends AccessRefusal {
  constructor(readonly replayed: ReplayedToken) {
    super(401, AccessCode.INTERNAL_TOKEN_REPLAYED, 'the internal token has been used already: each is good for one request', 'replay');
  }
}

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

function callerOfClaims(claims: Record<string, unknown>): Caller | null {
  const { sub, role, department, scopes, purpose, grids, communities, ownGridsOnly, namesMasked, unit } = claims;
  if (typeof sub !== 'string' || typeof role !== 'string') return null;
  if (department !== null && typeof department !== 'string') return null;
  if (!Array.isArray(scopes) || !scopes.every(isScope)) return null;
  if (purpose !== null && !isPurpose(purpose)) return null;
  if (!isStrings(grids) || !isStrings(communities)) return null;
  if (typeof ownGridsOnly !== 'boolean' || typeof namesMasked !== 'boolean') return null;
  if (unit !== undefined && unit !== null && typeof unit !== 'string') return null;
  return { userId: sub, role, department, scopes, purpose, grids, communities, ownGridsOnly, namesMasked, ...(typeof unit === 'string' ? { unit } : {}) };
}

/**
 * A development hub secret kept in a file beside the demo issuer's key, created on first use; several services may
 * start at once: the first to link its file in place wins and the others read it, so all derive the same keys.
 */
function developmentSecret(file: string): KeyObject {
  const text = developmentFileOnce(file, 'secret', () => randomBytes(INTERNAL_TOKEN_KEY_BYTES).toString('base64url'));
  return parseInternalSecret(text, file);
}

/**
 * The gateway's signing key: the hub secret HUB_INTERNAL_SECRET (HS256, a derived key per subgraph), or
 * HUB_INTERNAL_PRIVATE_KEY (ES256/EdDSA, PEM or JWK). The launcher makes a secret per run; one of the two is required
 * in production; otherwise a development secret kept beside the demo issuer's key, so separately started services agree.
 */
export function internalSigningKey(env: NodeJS.ProcessEnv = process.env): KeyObject {
  const secret = env.HUB_INTERNAL_SECRET;
  if (secret) return parseInternalSecret(secret);
  const value = env.HUB_INTERNAL_PRIVATE_KEY;
  if (value) return parseKey(value, 'private', 'HUB_INTERNAL_PRIVATE_KEY');
  if (isProduction(env)) {
    throw new Error('HUB_INTERNAL_SECRET is required when NODE_ENV=production: the secret (at least 32 characters) each subgraph\'s token key is derived from (or HUB_INTERNAL_PRIVATE_KEY, an EC P-256 or Ed25519 key, for ES256/EdDSA tokens)');
  }
  return developmentSecret(path.join(demoIssuerDir(env), DEVELOPMENT_SECRET_FILE));
}

/**
 * A subgraph's key to verify the gateway's tokens with: its own HUB_INTERNAL_TOKEN_KEY, or HUB_INTERNAL_PUBLIC_KEY
 * for ES256/EdDSA tokens; one is required in production; otherwise derived from the development secret for `subgraph`.
 */
export function internalVerificationKey(env: NodeJS.ProcessEnv = process.env, subgraph?: string): KeyObject {
  const own = env.HUB_INTERNAL_TOKEN_KEY;
  if (own) return parseSubgraphTokenKey(own);
  const value = env.HUB_INTERNAL_PUBLIC_KEY;
  if (value) return parseKey(value, 'public', 'HUB_INTERNAL_PUBLIC_KEY');
  if (isProduction(env)) {
    throw new Error('HUB_INTERNAL_TOKEN_KEY is required when NODE_ENV=production: this subgraph\'s own key for the gateway\'s caller tokens, derived from HUB_INTERNAL_SECRET (or HUB_INTERNAL_PUBLIC_KEY, the gateway\'s public key, for ES256/EdDSA tokens)');
  }
  if (!subgraph) throw new Error('a development internal token key is derived per subgraph: name the subgraph');
  return subgraphTokenKey(developmentSecret(path.join(demoIssuerDir(env), DEVELOPMENT_SECRET_FILE)), subgraph);
}

/** Whom a launcher run gives which internal token keys, as the services' environment (unset variables undefined). */
export interface InternalTokenEnvironment {
  gateway: Record<string, string | undefined>;
  /** One subgraph's: its own key and nothing another subgraph's tokens could be made with. */
  subgraph(name: string): Record<string, string | undefined>;
}

const NO_INTERNAL_KEYS = { HUB_INTERNAL_SECRET: undefined, HUB_INTERNAL_TOKEN_KEY: undefined, HUB_INTERNAL_PRIVATE_KEY: undefined, HUB_INTERNAL_PUBLIC_KEY: undefined };

/**
 * The internal token keys for one run of the launcher: the configured HUB_INTERNAL_SECRET, or the configured
 * ES256/EdDSA pair, else (outside production) a fresh secret that lives only as long as the run. The gateway gets the
 * secret; each subgraph only the key derived for it.
 */
export function internalTokenEnvForRun(env: NodeJS.ProcessEnv = process.env): InternalTokenEnvironment {
  const { HUB_INTERNAL_SECRET: secretValue, HUB_INTERNAL_PRIVATE_KEY: privateValue, HUB_INTERNAL_PUBLIC_KEY: publicValue } = env;
  if (secretValue && (privateValue || publicValue)) {
    throw new Error('set HUB_INTERNAL_SECRET (HMAC tokens, a key per subgraph) or the HUB_INTERNAL_PRIVATE_KEY and HUB_INTERNAL_PUBLIC_KEY pair (ES256/EdDSA tokens), not both');
  }
  if (privateValue || publicValue) {
    const pair = internalKeysForRun(env);
    return {
      gateway: { ...NO_INTERNAL_KEYS, HUB_INTERNAL_PRIVATE_KEY: pair.HUB_INTERNAL_PRIVATE_KEY },
      subgraph: () => ({ ...NO_INTERNAL_KEYS, HUB_INTERNAL_PUBLIC_KEY: pair.HUB_INTERNAL_PUBLIC_KEY }),
    };
  }
  if (!secretValue && isProduction(env)) {
    throw new Error('HUB_INTERNAL_SECRET is required when NODE_ENV=production (at least 32 characters; or the HUB_INTERNAL_PRIVATE_KEY and HUB_INTERNAL_PUBLIC_KEY pair)');
  }
  const secretText = secretValue ?? randomBytes(INTERNAL_TOKEN_KEY_BYTES).toString('base64url');
  const secret = parseInternalSecret(secretText);
  return {
    gateway: { ...NO_INTERNAL_KEYS, HUB_INTERNAL_SECRET: secretText },
    subgraph: (name) => ({ ...NO_INTERNAL_KEYS, HUB_INTERNAL_TOKEN_KEY: subgraphTokenKeyText(subgraphTokenKey(secret, name)) }),
  };
}

/**
 * An ES256/EdDSA internal key pair for one run of the launcher, as the services' environment: the configured pair when both
 * are set (checked to belong together), else, outside production, a fresh pair that lives only as long as the run.
 */
export function internalKeysForRun(env: NodeJS.ProcessEnv = process.env): { HUB_INTERNAL_PRIVATE_KEY: string; HUB_INTERNAL_PUBLIC_KEY: string } {
  const { HUB_INTERNAL_PRIVATE_KEY: privateValue, HUB_INTERNAL_PUBLIC_KEY: publicValue } = env;
  if (privateValue && publicValue) {
    const derived = publicPem(createPublicKey(parseKey(privateValue, 'private', 'HUB_INTERNAL_PRIVATE_KEY')));
    if (derived !== publicPem(parseKey(publicValue, 'public', 'HUB_INTERNAL_PUBLIC_KEY'))) {
      throw new Error('HUB_INTERNAL_PUBLIC_KEY is not the public half of HUB_INTERNAL_PRIVATE_KEY');
    }
    return { HUB_INTERNAL_PRIVATE_KEY: privateValue, HUB_INTERNAL_PUBLIC_KEY: publicValue };
  }
  if (privateValue || publicValue) throw new Error('set both HUB_INTERNAL_PRIVATE_KEY and HUB_INTERNAL_PUBLIC_KEY, or neither');
  if (isProduction(env)) {
    throw new Error('HUB_INTERNAL_PRIVATE_KEY and HUB_INTERNAL_PUBLIC_KEY are required when NODE_ENV=production (an EC P-256 or Ed25519 pair, PEM or JWK)');
  }
  const { privateKey, publicKey } = generateSigningKeyPair();
  return { HUB_INTERNAL_PRIVATE_KEY: privatePem(privateKey), HUB_INTERNAL_PUBLIC_KEY: publicPem(publicKey) };
}
