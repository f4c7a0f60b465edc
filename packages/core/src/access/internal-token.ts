import { createPublicKey, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { decodeJwt, errors, jwtVerify, SignJWT } from 'jose';
import { isProduction } from '../config.ts';
import { AccessCode, AccessRefusal } from './claims.ts';
import { demoIssuerDir } from './issuer.ts';
import { developmentKey, generateSigningKeyPair, parseKey, privatePem, publicPem, signingAlgorithm } from './keys.ts';
import { isPurpose, isScope, type Caller } from './model.ts';

/**
 * Defence in depth: a subgraph serves only the gateway. For each request to a subgraph the gateway signs the
 * verified caller into a short-lived token for that subgraph alone (audience = its name); the subgraph verifies it
 * before GraphQL runs. A request that bypasses the gateway has no such token, and one taken from another subgraph's
 * traffic names the wrong audience and expires within a minute.
 */
export const INTERNAL_ISSUER = 'hub-gateway';
export const CALLER_HEADER = 'x-hub-caller';
export const INTERNAL_TOKEN_SECONDS = 60;
/** Clocks of the gateway's and a subgraph's machines may differ by this much. */
const CLOCK_TOLERANCE_SECONDS = 5;

const DEVELOPMENT_KEY_FILE = 'internal-key.pem';

export async function signCallerToken(caller: Caller, audience: string, privateKey: KeyObject, seconds = INTERNAL_TOKEN_SECONDS): Promise<string> {
  const { userId, ...claims } = caller;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: signingAlgorithm(privateKey), typ: 'JWT' })
    .setIssuer(INTERNAL_ISSUER)
    .setAudience(audience)
    .setSubject(userId)
    .setIssuedAt(now)
    .setExpirationTime(now + seconds)
    .sign(privateKey);
}

/** The caller of a subgraph request, or an `AccessRefusal` (401) naming why the token is refused. */
export async function verifyCallerToken(token: string | undefined, audience: string, publicKey: KeyObject): Promise<Caller> {
  if (!token) throw new AccessRefusal(401, AccessCode.INTERNAL_TOKEN_MISSING, `this subgraph serves the gateway only: no ${CALLER_HEADER} token`, 'missing');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, publicKey, {
      issuer: INTERNAL_ISSUER,
      audience,
      algorithms: [signingAlgorithm(publicKey)],
      requiredClaims: ['sub', 'iat', 'exp'],
      maxTokenAge: INTERNAL_TOKEN_SECONDS * 2,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new AccessRefusal(401, AccessCode.INTERNAL_TOKEN_EXPIRED, 'the internal token has expired', 'expired');
    const reason = error instanceof errors.JWTClaimValidationFailed ? `claim ${error.claim}` : error instanceof errors.JWSSignatureVerificationFailed ? 'signature' : 'malformed';
    throw new AccessRefusal(401, AccessCode.INTERNAL_TOKEN_INVALID, `the internal token is not valid for ${audience} (${reason})`, reason);
  }
  const caller = callerOfClaims(payload);
  if (!caller) throw new AccessRefusal(401, AccessCode.INTERNAL_TOKEN_INVALID, 'the internal token carries no valid caller', 'claims');
  return caller;
}

/**
 * `verifyCallerToken` for one subgraph, remembering the tokens it has verified until they expire. The gateway reuses
 * each caller's token for half its life, so nearly every request carries a token verified before: checking the
 * signature again would be most of the request's own CPU. A token is the same string only if it is the same signed
 * claims, so a remembered token answers exactly what verifying it again would until its `exp` (or its `iat` plus the
 * maximum age, if sooner); after that it is verified afresh, and refused. Refused tokens are never remembered.
 */
export function createCallerTokenVerifier(audience: string, publicKey: KeyObject, maxEntries = 1000): (token: string | undefined) => Promise<Caller> {
  const verified = new Map<string, { caller: Caller; validUntilMs: number }>();
  return async (token) => {
    if (token) {
      const hit = verified.get(token);
      if (hit && Date.now() < hit.validUntilMs) return copyOf(hit.caller);
      if (hit) verified.delete(token);
    }
    const caller = await verifyCallerToken(token, audience, publicKey);
    const { exp, iat } = decodeJwt(token!);
    if (typeof exp === 'number' && typeof iat === 'number') {
      if (verified.size >= maxEntries) verified.delete(verified.keys().next().value!);
      verified.set(token!, { caller: copyOf(caller), validUntilMs: Math.min(exp, iat + INTERNAL_TOKEN_SECONDS * 2) * 1000 });
    }
    return caller;
  };
}

/** Each request gets its own copy, so nothing one request does to its caller reaches the next. */
const copyOf = (caller: Caller): Caller => ({ ...caller, scopes: [...caller.scopes], grids: [...caller.grids], communities: [...caller.communities] });

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
 * The gateway's signing key: HUB_INTERNAL_PRIVATE_KEY (PEM or JWK). The launcher makes one per run; required in
 * production; otherwise a development key kept beside the demo issuer's, so separately started services agree.
 */
export function internalSigningKey(env: NodeJS.ProcessEnv = process.env): KeyObject {
  const value = env.HUB_INTERNAL_PRIVATE_KEY;
  if (value) return parseKey(value, 'private', 'HUB_INTERNAL_PRIVATE_KEY');
  if (isProduction(env)) {
    throw new Error('HUB_INTERNAL_PRIVATE_KEY is required when NODE_ENV=production: the key (EC P-256 or Ed25519, PEM or JWK) the gateway signs callers for the subgraphs with');
  }
  return developmentKey(path.join(demoIssuerDir(env), DEVELOPMENT_KEY_FILE));
}

/** A subgraph's key to verify the gateway's tokens with: HUB_INTERNAL_PUBLIC_KEY, on the same terms. */
export function internalVerificationKey(env: NodeJS.ProcessEnv = process.env): KeyObject {
  const value = env.HUB_INTERNAL_PUBLIC_KEY;
  if (value) return parseKey(value, 'public', 'HUB_INTERNAL_PUBLIC_KEY');
  if (isProduction(env)) {
    throw new Error('HUB_INTERNAL_PUBLIC_KEY is required when NODE_ENV=production: the public half of the gateway\'s HUB_INTERNAL_PRIVATE_KEY, which every subgraph verifies its callers with');
  }
  return createPublicKey(developmentKey(path.join(demoIssuerDir(env), DEVELOPMENT_KEY_FILE)));
}

/**
 * The internal key pair for one run of the launcher, as the services' environment: the configured pair when both
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
