import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT, type JSONWebKeySet } from 'jose';
import { isProduction } from '../config.ts';
import { developmentKey, generateSigningKeyPair, keyId, signingAlgorithm, writeFileAtomically, type SigningAlgorithm } from './keys.ts';

/** The issuer and audience of the demo issuer's tokens. */
export const DEMO_ISSUER = 'hub-demo-issuer';
export const DEMO_AUDIENCE = 'governance-hub';

export const DEFAULT_DEMO_ISSUER_DIR = fileURLToPath(new URL('../../../../.data/demo-issuer', import.meta.url));

export interface MintOptions {
  /** Lifetime in seconds (negative: already expired), or a span such as `8h`; null for none. Default one hour. */
  expiresIn?: number | string | null;
  /** Seconds from now before which the token is not valid. */
  notBefore?: number;
  /** Seconds from now of `iat` (negative: issued in the past). Default now. */
  issuedAt?: number;
  issuer?: string;
  audience?: string;
}

/**
 * Signs bearer tokens as an identity provider would, with one key pair; its public half is the key set a gateway
 * trusts. The demo issuer and the test harness use it; a real deployment trusts its identity provider instead.
 */
export class TokenIssuer {
  readonly kid: string;
  readonly algorithm: SigningAlgorithm;
  readonly jwks: JSONWebKeySet;

  constructor(
    private readonly privateKey: KeyObject,
    readonly issuer: string,
    readonly audience: string,
  ) {
    const publicKey = createPublicKey(privateKey);
    this.kid = keyId(publicKey);
    this.algorithm = signingAlgorithm(privateKey);
    this.jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: this.kid, alg: this.algorithm, use: 'sig' }] };
  }

  /** A fresh in-memory issuer (tests). */
  static generate(issuer: string, audience: string): TokenIssuer {
    return new TokenIssuer(generateSigningKeyPair().privateKey, issuer, audience);
  }

  /** A token carrying the claims (`sub`, `role`, `department`, `grids`, `communities`, or anything a test needs). */
  async mint(claims: Record<string, unknown>, options: MintOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = options.expiresIn === undefined ? 3600 : options.expiresIn;
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: this.algorithm, kid: this.kid, typ: 'JWT' })
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(options.audience ?? this.audience)
      .setIssuedAt(now + (options.issuedAt ?? 0));
    if (expiresIn !== null) jwt.setExpirationTime(typeof expiresIn === 'number' ? now + expiresIn : expiresIn);
    if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
    return jwt.sign(this.privateKey);
  }
}

export function demoIssuerDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HUB_DEMO_ISSUER_DIR ? path.resolve(env.HUB_DEMO_ISSUER_DIR) : DEFAULT_DEMO_ISSUER_DIR;
}

/**
 * The development identity provider: an ES256 key pair created on first use under `.data/demo-issuer/` (or
 * HUB_DEMO_ISSUER_DIR), its public key also written as `jwks.json`. Refused in production, where anyone who can
 * read that folder could otherwise mint an administrator.
 */
export function demoIssuer(env: NodeJS.ProcessEnv = process.env): TokenIssuer {
  if (isProduction(env)) {
    throw new Error('the demo token issuer is for development only and is refused when NODE_ENV=production');
  }
  const dir = demoIssuerDir(env);
  const issuer = new TokenIssuer(developmentKey(path.join(dir, 'issuer-key.pem')), DEMO_ISSUER, DEMO_AUDIENCE);
  const jwksFile = path.join(dir, 'jwks.json');
  const jwks = `${JSON.stringify(issuer.jwks, null, 2)}\n`;
  if (!existsSync(jwksFile) || readFileSync(jwksFile, 'utf8') !== jwks) writeFileAtomically(jwksFile, jwks);
  return issuer;
}
