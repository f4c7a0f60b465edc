import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The asymmetric algorithms the hub signs with: ECDSA P-256 (ES256) and Ed25519 (EdDSA). */
export type SigningAlgorithm = 'ES256' | 'EdDSA';

export function signingAlgorithm(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  throw new Error(`expected an EC P-256 or Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`);
}

/**
 * A key from an environment variable: PEM (PKCS#8 private, SPKI public; `\n` escapes allowed, as .env files write
 * them) or a JWK as JSON. A public key must not carry private material: a subgraph holding the gateway's private
 * key could mint callers.
 */
export function parseKey(value: string, kind: 'private' | 'public', variable: string): KeyObject {
  const text = value.trim().replace(/\\n/g, '\n');
  let key: KeyObject;
  try {
    if (text.startsWith('{')) {
      const jwk = JSON.parse(text) as JsonWebKey;
      if (kind === 'public' && jwk.d !== undefined) throw new Error('it holds a private key; give it the public key only');
      key = kind === 'private' ? createPrivateKey({ key: jwk, format: 'jwk' }) : createPublicKey({ key: jwk, format: 'jwk' });
    } else {
      if (kind === 'public' && /PRIVATE KEY/.test(text)) throw new Error('it holds a private key; give it the public key only');
      key = kind === 'private' ? createPrivateKey(text) : createPublicKey(text);
    }
    signingAlgorithm(key);
  } catch (error) {
    throw new Error(`${variable} is not a usable ${kind} key (PEM or JWK, EC P-256 or Ed25519): ${error instanceof Error ? error.message : error}`);
  }
  return key;
}

export function generateSigningKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

export const privatePem = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }).toString();
export const publicPem = (key: KeyObject) => key.export({ format: 'pem', type: 'spki' }).toString();

/** A key id that names the key itself: the start of the SHA-256 of its public part. */
export function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('base64url').slice(0, 16);
}

/**
 * The text of a development file (a key, a secret) kept in a private folder, created on first use. Several services
 * may start at once: the first to link its file in place wins and the others read it, so all share one.
 */
export function developmentFileOnce(file: string, what: string, create: () => string): string {
  // Only the file's own folder is private. Its parents keep the usual mode: the checkout's .data also holds the embedded
  // PostgreSQL server's data, which that server's own user (when the hub runs as root) must be able to enter.
  const folder = path.dirname(file);
  mkdirSync(path.dirname(folder), { recursive: true });
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the development ${what} ${file}: ${error instanceof Error ? error.message : error}`);
  }
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, create(), { mode: 0o600 });
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
  return readFileSync(file, 'utf8');
}

/** A development signing key kept in a file, created on first use (see `developmentFileOnce`). */
export function developmentKey(file: string): KeyObject {
  return createPrivateKey(developmentFileOnce(file, 'key', () => privatePem(generateSigningKeyPair().privateKey)));
}

/** Replaces a file in one step, so a reader never sees half of it. */
export function writeFileAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}
