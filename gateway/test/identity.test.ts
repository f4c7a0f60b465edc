import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { callerFromClaims, DEMO_AUDIENCE, DEMO_ISSUER, DEMO_ROLES, TokenIssuer } from '@hub/core';
import { SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { mintDemoToken, parseTokenArguments } from '../src/demo-token.ts';
import { createTokenVerifier, declaredPurpose, identityFromEnv } from '../src/identity.ts';

const temporaryDir = () => mkdtemp(path.join(tmpdir(), 'hub-identity-'));
const GRID = '320311001001001';

describe('whom the gateway trusts', () => {
  it('trusts the demo issuer in development when no identity provider is configured', async () => {
    const dir = await temporaryDir();
    const identity = identityFromEnv({ HUB_DEMO_ISSUER_DIR: dir });
    expect(identity).toMatchObject({ issuer: DEMO_ISSUER, audience: DEMO_AUDIENCE, description: expect.stringContaining('demo issuer') });
    expect(identity.jwks).toEqual(JSON.parse(await readFile(path.join(dir, 'jwks.json'), 'utf8')));
  });

  it('refuses to start on the demo issuer in production, or on a half-configured provider', async () => {
    expect(() => identityFromEnv({ NODE_ENV: 'production' })).toThrow(/demo token issuer is refused when NODE_ENV=production: set HUB_JWKS_FILE or HUB_JWKS_URL/);
    const file = path.join(await temporaryDir(), 'jwks.json');
    await writeFile(file, JSON.stringify(TokenIssuer.generate('i', 'a').jwks));
    expect(() => identityFromEnv({ HUB_JWKS_FILE: file })).toThrow(/HUB_JWT_ISSUER and HUB_JWT_AUDIENCE are required with HUB_JWKS_FILE/);
    expect(() => identityFromEnv({ HUB_JWT_ISSUER: 'i', HUB_JWT_AUDIENCE: 'a' })).toThrow(/need HUB_JWKS_FILE or HUB_JWKS_URL/);
    expect(() => identityFromEnv({ HUB_JWKS_FILE: file, HUB_JWKS_URL: 'https://idp/jwks', HUB_JWT_ISSUER: 'i', HUB_JWT_AUDIENCE: 'a' })).toThrow(/not both/);
    const provider = { HUB_JWT_ISSUER: 'https://idp.example.org', HUB_JWT_AUDIENCE: 'governance-hub', NODE_ENV: 'production' };
    expect(identityFromEnv({ ...provider, HUB_JWKS_FILE: file })).toMatchObject({ issuer: 'https://idp.example.org', audience: 'governance-hub' });
    expect(() => identityFromEnv({ ...provider, HUB_JWKS_URL: 'http://idp.example.org/jwks' })).toThrow(/must be an https:\/\/ URL/);
    expect(identityFromEnv({ ...provider, HUB_JWKS_URL: 'https://idp.example.org/jwks' }).jwks).toEqual(new URL('https://idp.example.org/jwks'));
  });

  it('refuses a key set with private or symmetric keys, or none it could use', async () => {
    const dir = await temporaryDir();
    const provider = { HUB_JWT_ISSUER: 'i', HUB_JWT_AUDIENCE: 'a' };
    const write = async (name: string, content: unknown) => {
      await writeFile(path.join(dir, name), JSON.stringify(content));
      return { ...provider, HUB_JWKS_FILE: path.join(dir, name) };
    };
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => identityFromEnv({ HUB_JWKS_FILE: '/nonexistent.json', ...provider })).toThrow(/HUB_JWKS_FILE \/nonexistent.json/);
    const privateSet = await write('private.json', { keys: [privateKey.export({ format: 'jwk' })] });
    expect(() => identityFromEnv(privateSet)).toThrow(/private or symmetric/);
    const hmacSet = await write('hmac.json', { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] });
    expect(() => identityFromEnv(hmacSet)).toThrow(/private or symmetric/);
    const emptySet = await write('empty.json', { keys: [] });
    expect(() => identityFromEnv(emptySet)).toThrow(/at least one key/);
  });

  it('checks HUB_ROLES_FILE when it starts', async () => {
    const file = path.join(await temporaryDir(), 'roles.json');
    await writeFile(file, JSON.stringify({ visitor: { department: null, scopes: ['everything'], purposes: [], ownGridsOnly: false, namesMasked: true } }));
    expect(() => identityFromEnv({ HUB_ROLES_FILE: file, HUB_DEMO_ISSUER_DIR: path.dirname(file) })).toThrow(/scope "everything" is not one of/);
  });
});

describe('bearer tokens', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaJwks = { keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS256', use: 'sig' }] };
  const rsaToken = (alg: string) =>
    new SignJWT({ role: 'mediator' }).setProtectedHeader({ alg, kid: 'rsa-1' }).setSubject('m1').setIssuer('idp').setAudience('hub').setExpirationTime('5m').sign(rsa.privateKey);

  it('accepts RS256 as well as ES256, and nothing else', async () => {
    const verifier = createTokenVerifier({ jwks: rsaJwks, issuer: 'idp', audience: 'hub' });
    expect(callerFromClaims(await verifier.verify(await rsaToken('RS256')), DEMO_ROLES)).toMatchObject({ userId: 'm1', role: 'mediator' });
    for (const alg of ['RS512', 'PS256']) {
      await expect(verifier.verify(await rsaToken(alg))).rejects.toMatchObject({ status: 401, code: 'TOKEN_INVALID', reason: 'algorithm' });
    }
  });

  describe('from a key set URL', () => {
    const issuer = TokenIssuer.generate('idp', 'hub');
    let server: Server;
    let available = true;
    afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

    it('fetches the keys, and answers 503 (not 401) while the provider cannot be reached', async () => {
      server = createServer((_req, res) => {
        res.statusCode = available ? 200 : 500;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(issuer.jwks));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`);
      const token = await issuer.mint({ sub: 'u', role: 'auditor' });
      available = false;
      await expect(createTokenVerifier({ jwks: url, issuer: 'idp', audience: 'hub' }).verify(token)).rejects.toMatchObject({ status: 503, code: 'IDENTITY_PROVIDER_UNAVAILABLE' });
      available = true;
      expect(await createTokenVerifier({ jwks: url, issuer: 'idp', audience: 'hub' }).verify(token)).toMatchObject({ sub: 'u', role: 'auditor' });
      await expect(createTokenVerifier({ jwks: new URL('http://127.0.0.1:1/jwks'), issuer: 'idp', audience: 'hub' }).verify(token)).rejects.toMatchObject({ status: 503 });
    });
  });
});

describe('the declared purpose', () => {
  const request = (method: string, headers: Record<string, string> = {}) => ({ method, headers }) as unknown as IncomingMessage;
  const body = (value: unknown) => async () => value;
  const url = new URL('http://hub/graphql');

  it('comes from the header, extensions.purpose or a GET extensions parameter, and two must agree', async () => {
    expect(await declaredPurpose(request('POST'), body({ query: '{ a }' }), url)).toBeNull();
    expect(await declaredPurpose(request('POST', { 'x-hub-purpose': ' statistics ' }), body(undefined), url)).toBe('statistics');
    expect(await declaredPurpose(request('POST'), body({ extensions: { purpose: 'audit' } }), url)).toBe('audit');
    const get = new URL(`http://hub/graphql?query=%7Ba%7D&extensions=${encodeURIComponent(JSON.stringify({ purpose: 'audit' }))}`);
    expect(await declaredPurpose(request('GET'), body(undefined), get)).toBe('audit');
    await expect(declaredPurpose(request('POST', { 'x-hub-purpose': 'audit' }), body({ extensions: { purpose: 'statistics' } }), url)).rejects.toMatchObject({ status: 400, code: 'PURPOSE_CONFLICT' });
  });
});

describe('npm run token', () => {
  it('mints a demo token the gateway accepts, checked as the gateway checks it', async () => {
    const env = { HUB_DEMO_ISSUER_DIR: await temporaryDir() };
    const request = parseTokenArguments(['--role', 'grid-worker', '--grid', GRID, '--purpose', 'grid-service', '--ttl', '2h']);
    expect(request).toEqual({ role: 'grid-worker', user: 'demo-grid-worker', department: undefined, grids: [GRID], communities: [], purpose: 'grid-service', ttl: '2h' });
    const token = await mintDemoToken(request, env);
    const claims = await createTokenVerifier(identityFromEnv(env)).verify(token);
    expect(callerFromClaims(claims, DEMO_ROLES)).toMatchObject({ userId: 'demo-grid-worker', role: 'grid-worker', grids: [GRID] });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(7200);
    // --unit names the handling unit the user acts for (a police station's officer); a malformed code is refused.
    const station = await mintDemoToken(parseTokenArguments(['--role', 'police-officer', '--unit', 'POLICE_STATION']), env);
    expect(callerFromClaims(await createTokenVerifier(identityFromEnv(env)).verify(station), DEMO_ROLES).unit).toBe('POLICE_STATION');
    await expect(mintDemoToken(parseTokenArguments(['--role', 'police-officer', '--unit', 'station']), env)).rejects.toThrow(/unit must be a handling unit code/);
  });

  it('refuses what the gateway would refuse, and refuses to run in production', async () => {
    const env = { HUB_DEMO_ISSUER_DIR: await temporaryDir() };
    await expect(mintDemoToken(parseTokenArguments(['--role', 'grid-worker']), env)).rejects.toThrow(/names no grids or communities/);
    await expect(mintDemoToken(parseTokenArguments(['--role', 'root']), env)).rejects.toThrow(/is not a role of this hub \(roles: grid-worker, /);
    await expect(mintDemoToken(parseTokenArguments(['--role', 'auditor', '--purpose', 'statistics']), env)).rejects.toThrow(/may not declare purpose statistics/);
    await expect(mintDemoToken(parseTokenArguments(['--role', 'auditor']), { ...env, NODE_ENV: 'production' })).rejects.toThrow(/refused when NODE_ENV=production/);
    expect(() => parseTokenArguments(['--role', 'auditor', '--ttl', 'forever'])).toThrow(/--ttl must be a span/);
    expect(() => parseTokenArguments(['--rol', 'auditor'])).toThrow(/unknown argument --rol/);
  });
});

describe('verified tokens kept for reuse', () => {
  it('serve a token again without a new check, and never past its expiry', async () => {
    const { vi } = await import('vitest');
    const issuer = TokenIssuer.generate('reuse-issuer', 'reuse-audience');
    const verifier = createTokenVerifier({ jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience, roles: DEMO_ROLES });
    const token = await issuer.mint({ sub: 'u1', role: 'administrator' }, { expiresIn: '60s' });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      expect(await verifier.verify(token)).toMatchObject({ sub: 'u1' });
      expect(await verifier.verify(token)).toMatchObject({ sub: 'u1' });
      // 60 s of life and 30 s of allowed clock skew later, the kept result is not used: the token is refused.
      vi.setSystemTime(Date.now() + 95_000);
      await expect(verifier.verify(token)).rejects.toMatchObject({ accessCode: 'TOKEN_EXPIRED' });
    } finally {
      vi.useRealTimers();
    }
  });
});
