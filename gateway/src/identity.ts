import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import {
  AccessCode,
  AccessRefusal,
  DEMO_ROLES,
  demoIssuer,
  demoIssuerDir,
  isProduction,
  loadRoles,
  type RoleRegistry,
} from '@hub/core';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

/** The request header a client declares its purpose in (or `extensions.purpose` in the GraphQL request). */
export const PURPOSE_HEADER = 'x-hub-purpose';

/** Asymmetric signatures only: `none` is no signature, and an HMAC key would have to be shared with the hub. */
const ALGORITHMS = ['RS256', 'ES256'];
/** The identity provider's clock and ours may differ by this much. */
const CLOCK_TOLERANCE_SECONDS = 30;

export interface IdentityOptions {
  /** The identity provider's public keys: the key set itself, or the URL it publishes it at. */
  jwks: JSONWebKeySet | URL;
  issuer: string;
  audience: string;
  /** The roles a token's `role` claim may name; default the demo roles. */
  roles?: RoleRegistry;
  /** Where the keys come from, for the gateway's start-up log line. */
  description?: string;
}

/**
 * Whom the gateway trusts, from the environment: the identity provider named by HUB_JWKS_FILE or HUB_JWKS_URL with
 * HUB_JWT_ISSUER and HUB_JWT_AUDIENCE, or, outside production and with none of them set, the demo issuer. Roles are
 * the demo set extended by HUB_ROLES_FILE. Every problem is thrown here, when the gateway starts.
 */
export function identityFromEnv(env: NodeJS.ProcessEnv = process.env): IdentityOptions {
  const roles = loadRoles(env);
  const { HUB_JWKS_FILE: file, HUB_JWKS_URL: url, HUB_JWT_ISSUER: issuer, HUB_JWT_AUDIENCE: audience } = env;
  if (file && url) throw new Error('set HUB_JWKS_FILE or HUB_JWKS_URL, not both');
  if (file || url) {
    if (!issuer || !audience) {
      throw new Error(`HUB_JWT_ISSUER and HUB_JWT_AUDIENCE are required with ${file ? 'HUB_JWKS_FILE' : 'HUB_JWKS_URL'}: a key set alone would accept any issuer's tokens for any audience`);
    }
    if (file) return { jwks: readJwksFile(file), issuer, audience, roles, description: `key set ${file}` };
    return { jwks: jwksUrl(url!, env), issuer, audience, roles, description: `key set ${url}` };
  }
  if (issuer || audience) throw new Error('HUB_JWT_ISSUER and HUB_JWT_AUDIENCE need HUB_JWKS_FILE or HUB_JWKS_URL: the key set their tokens are signed with');
  if (isProduction(env)) {
    throw new Error(
      'the demo token issuer is refused when NODE_ENV=production: set HUB_JWKS_FILE or HUB_JWKS_URL, HUB_JWT_ISSUER and HUB_JWT_AUDIENCE to trust your identity provider',
    );
  }
  const demo = demoIssuer(env);
  return { jwks: demo.jwks, issuer: demo.issuer, audience: demo.audience, roles, description: `demo issuer (development only; keys in ${demoIssuerDir(env)})` };
}

/** Where the trusted keys come from, for the gateway's start-up log line. */
export function describeIdentity(identity: IdentityOptions): string {
  return identity.description ?? `issuer ${identity.issuer}`;
}

function readJwksFile(file: string): JSONWebKeySet {
  let jwks: unknown;
  try {
    jwks = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`HUB_JWKS_FILE ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const keys = (jwks as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`HUB_JWKS_FILE ${file}: expected a JSON Web Key Set, { "keys": [ … ] }, with at least one key`);
  for (const key of keys as Record<string, unknown>[]) {
    if (key.d !== undefined || key.k !== undefined) throw new Error(`HUB_JWKS_FILE ${file}: holds private or symmetric key material; the hub needs public keys only`);
  }
  if (!keys.some((k: Record<string, unknown>) => k.kty === 'RSA' || k.kty === 'EC')) {
    throw new Error(`HUB_JWKS_FILE ${file}: no RSA or EC key, so no RS256 or ES256 token could verify`);
  }
  createLocalJWKSet(jwks as JSONWebKeySet); // throws on a malformed set, now rather than at the first request
  return jwks as JSONWebKeySet;
}

function jwksUrl(value: string, env: NodeJS.ProcessEnv): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`HUB_JWKS_URL is not a URL: "${value}"`);
  }
  // Keys fetched in clear could be swapped on the way, and with them every identity.
  if (isProduction(env) && url.protocol !== 'https:') throw new Error('HUB_JWKS_URL must be an https:// URL when NODE_ENV=production');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`HUB_JWKS_URL must be an http(s) URL, got ${url.protocol}`);
  return url;
}

/** The identity provider's key set could not be read; not the caller's fault. */
class KeySetUnavailable extends Error {}

/** Checks bearer tokens against one identity provider; `verify` answers the token's claims or an `AccessRefusal`. */
const VERIFIED_REUSE_MS = 5 * 60_000;
const VERIFIED_MAX_ENTRIES = 10_000;

export function createTokenVerifier(options: IdentityOptions) {
  const roles = options.roles ?? DEMO_ROLES;
  let keys: JWTVerifyGetKey;
  if (options.jwks instanceof URL) {
    const remote = createRemoteJWKSet(options.jwks);
    keys = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        // The set was read and holds no key for this token: the token's fault. Anything else: the provider's.
        if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys || error instanceof errors.JOSENotSupported) throw error;
        throw new KeySetUnavailable(error instanceof Error ? error.message : String(error));
      }
    };
  } else {
    keys = createLocalJWKSet(options.jwks);
  }
  // Verified tokens, kept until their expiry but at most VERIFIED_REUSE_MS (so a key the provider withdraws stops
  // working within minutes): a signature check per request was a large part of the gateway's own CPU.
  const verified = new Map<string, { payload: Record<string, unknown>; until: number }>();
  return {
    roles,
    async verify(token: string): Promise<Record<string, unknown>> {
      const known = verified.get(token);
      if (known && Date.now() < known.until) return known.payload;
      if (known) verified.delete(token);
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: ALGORITHMS,
          requiredClaims: ['sub', 'exp'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        });
        // `exp` is required, so it is a number here; past it (less the tolerance) the token is verified afresh and refused.
        const until = Math.min(Date.now() + VERIFIED_REUSE_MS, (payload.exp! + CLOCK_TOLERANCE_SECONDS) * 1000);
        if (verified.size >= VERIFIED_MAX_ENTRIES) verified.delete(verified.keys().next().value!);
        verified.set(token, { payload, until });
        return payload;
      } catch (error) {
        throw refusalOf(error);
      }
    },
  };
}
export type TokenVerifier = ReturnType<typeof createTokenVerifier>;

const invalid = (reason: string, message: string) => new AccessRefusal(401, AccessCode.TOKEN_INVALID, message, reason);

function refusalOf(error: unknown): AccessRefusal {
  if (error instanceof KeySetUnavailable) {
    return new AccessRefusal(503, AccessCode.IDENTITY_PROVIDER_UNAVAILABLE, "the identity provider's keys cannot be read; try again later", `key set: ${error.message}`);
  }
  if (error instanceof errors.JWTExpired) return new AccessRefusal(401, AccessCode.TOKEN_EXPIRED, 'the token has expired', 'expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return new AccessRefusal(401, AccessCode.TOKEN_NOT_YET_VALID, 'the token is not valid yet', 'not-before');
    if (error.claim === 'iss') return invalid('issuer', "the token's issuer is not trusted");
    if (error.claim === 'aud') return invalid('audience', 'the token is meant for another audience');
    if (error.claim === 'exp' && error.reason === 'missing') return invalid('no-expiry', 'the token has no expiry (exp): the hub accepts no token for ever');
    if (error.claim === 'sub' && error.reason === 'missing') return invalid('no-subject', 'the token names no subject (sub)');
    return invalid(`claim ${error.claim}`, `the token's ${error.claim} claim fails its check (${error.reason})`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid('algorithm', `only ${ALGORITHMS.join(' and ')} tokens are accepted`);
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid('signature', "the token's signature does not verify");
  if (error instanceof errors.JWKSNoMatchingKey) return invalid('key', 'the token is signed with no key the hub trusts');
  return invalid('malformed', 'the token is not a well-formed signed JWT');
}

/** The bearer token of a request, or TOKEN_MISSING: the hub holds no public data. */
export function bearerToken(req: IncomingMessage): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) {
    throw new AccessRefusal(401, AccessCode.TOKEN_MISSING, 'a bearer token is required: Authorization: Bearer <token>', 'missing');
  }
  return match[1]!;
}

/**
 * The purpose a request declares, in the `x-hub-purpose` header or the request's `extensions.purpose` (a GET's
 * `extensions` parameter); null when it declares none. Two different ones are refused rather than one chosen.
 */
export async function declaredPurpose(req: IncomingMessage, body: () => Promise<unknown>, url: URL): Promise<string | null> {
  const header = req.headers[PURPOSE_HEADER];
  const fromHeader = (Array.isArray(header) ? header.join(',') : (header ?? '')).trim() || null;
  let extensions: unknown;
  if (req.method === 'POST') {
    extensions = ((await body()) as { extensions?: unknown } | undefined)?.extensions;
  } else {
    try {
      extensions = JSON.parse(url.searchParams.get('extensions') ?? 'null');
    } catch {
      extensions = undefined; // GraphQL refuses the malformed parameter itself
    }
  }
  const value = typeof extensions === 'object' && extensions !== null ? (extensions as { purpose?: unknown }).purpose : undefined;
  // A purpose that is not a string is declared all the same, and no role may declare it. Not JSON.stringify: an
  // object nested 100,000 deep would overflow the stack.
  const fromExtensions =
    value === undefined || value === null ? null : typeof value === 'string' ? value.trim() || null : typeof value === 'object' ? `<${Array.isArray(value) ? 'array' : 'object'}>` : String(value);
  if (fromHeader !== null && fromExtensions !== null && fromHeader !== fromExtensions) {
    throw new AccessRefusal(400, AccessCode.PURPOSE_CONFLICT, `the ${PURPOSE_HEADER} header and extensions.purpose declare different purposes`, 'purpose');
  }
  return fromHeader ?? fromExtensions;
}
