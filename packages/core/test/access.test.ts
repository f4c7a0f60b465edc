import { createHash, createHmac, createPublicKey, createSecretKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'graphql';
import { decodeJwt, jwtVerify, SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  CALLER_HEADER,
  callerFromClaims,
  createCallerTokenVerifier,
  createLogger,
  createSubgraphService,
  declarePurpose,
  DEMO_ROLES,
  demoIssuer,
  generateSigningKeyPair,
  hmacSha256,
  INTERNAL_TOKEN_SECONDS,
  internalKeysForRun,
  internalTokenEnvForRun,
  internalTokenSeconds,
  internalSigningKey,
  internalVerificationKey,
  loadRoles,
  parseInternalSecret,
  parseKey,
  parseRoles,
  parseSubgraphTokenKey,
  privatePem,
  publicPem,
  signCallerToken,
  subgraphTokenKey,
  subgraphTokenKeyText,
  verifyCallerToken,
  type Caller,
  type RunningService,
} from '../src/index.ts';
import { callerHeaders, testCaller, testCallerKeyFor, testInternalSecret } from '../src/testing/index.ts';

const GRID = '320311001001001';
const temporaryDir = () => mkdtemp(path.join(tmpdir(), 'hub-access-'));

describe('roles', () => {
  const clerk = { department: 'civil-affairs', scopes: ['resident:read'], purposes: ['welfare-review'], ownGridsOnly: false, namesMasked: false };

  it('adds the roles of HUB_ROLES_FILE to the demo roles', async () => {
    const file = path.join(await temporaryDir(), 'roles.json');
    await writeFile(file, JSON.stringify({ 'street-clerk': { ...clerk, description: 'Street clerk' } }));
    const roles = loadRoles({ HUB_ROLES_FILE: file });
    expect(roles['street-clerk']).toEqual({ ...clerk, description: 'Street clerk' });
    expect(roles.administrator).toEqual(DEMO_ROLES.administrator);
    expect(loadRoles({})).toBe(DEMO_ROLES);
  });

  it('names every problem of a roles file at once, and grants nothing by default', () => {
    const attempt = () =>
      parseRoles(
        {
          'Bad Name': clerk,
          sloppy: { department: 'treasury', scopes: ['resident:everything'], purposes: ['curiosity'], namesMasked: false, colour: 'red' },
        },
        'roles.json',
      );
    expect(attempt).toThrow(/role "Bad Name": a role name/);
    expect(attempt).toThrow(/role "sloppy": department must be null or one of/);
    expect(attempt).toThrow(/scope "resident:everything" is not one of/);
    expect(attempt).toThrow(/purpose "curiosity" is not one of/);
    expect(attempt).toThrow(/ownGridsOnly must be true or false/);
    expect(attempt).toThrow(/unknown field "colour"/);
    expect(() => parseRoles({ station: { ...clerk, unit: 'police station' } }, 'roles.json')).toThrow(/role "station": unit must be a handling unit code/);
    expect(parseRoles({ station: { ...clerk, department: null, unit: 'URBAN_MANAGEMENT' } }, 'roles.json').station).toMatchObject({ department: null, unit: 'URBAN_MANAGEMENT' });
    expect(() => loadRoles({ HUB_ROLES_FILE: '/nonexistent/roles.json' })).toThrow(/HUB_ROLES_FILE \/nonexistent\/roles.json/);
  });
});

describe('the caller a token makes', () => {
  it("takes scopes and flags from the hub's role, places from the token", () => {
    const caller = callerFromClaims({ sub: 'u1', role: 'grid-worker', grids: [GRID, GRID], scopes: ['audit:read'], ownGridsOnly: false }, DEMO_ROLES);
    expect(caller).toEqual({
      userId: 'u1',
      role: 'grid-worker',
      department: 'civil-affairs',
      scopes: DEMO_ROLES['grid-worker'].scopes,
      purpose: null,
      grids: [GRID],
      communities: [],
      ownGridsOnly: true,
      namesMasked: false,
    });
  });

  it.each([
    [{ role: 'administrator' }, 'TOKEN_CLAIMS_INVALID'],
    [{ sub: 'u', role: 'root' }, 'TOKEN_ROLE_UNKNOWN'],
    [{ sub: 'u', role: 'grid-worker' }, 'TOKEN_CLAIMS_INVALID'],
    [{ sub: 'u', role: 'grid-worker', grids: GRID }, 'TOKEN_CLAIMS_INVALID'],
    [{ sub: 'u', role: 'grid-worker', communities: ['320311001'] }, 'TOKEN_CLAIMS_INVALID'],
    [{ sub: 'u', role: 'mediator', department: 'party' }, 'TOKEN_CLAIMS_INVALID'],
    [{ sub: 'u', role: 'police-officer', unit: 'police station' }, 'TOKEN_CLAIMS_INVALID'],
    [{ sub: 'u', role: 'police-officer', unit: 7 }, 'TOKEN_CLAIMS_INVALID'],
  ])('refuses %j with %s', (claims, code) => {
    expect(() => callerFromClaims(claims, DEMO_ROLES)).toThrow(expect.objectContaining({ status: 401, code }));
  });

  it('carries the unit a token names (承办单位); mediation checks it against its directory', () => {
    expect(callerFromClaims({ sub: 'u', role: 'police-officer', unit: 'POLICE_STATION' }, DEMO_ROLES).unit).toBe('POLICE_STATION');
    expect(callerFromClaims({ sub: 'u', role: 'police-officer' }, DEMO_ROLES)).not.toHaveProperty('unit');
  });

  it("acts for the role's unit when the token names none: the station officer for the police station (派出所)", () => {
    expect(callerFromClaims({ sub: 'u', role: 'station-officer' }, DEMO_ROLES)).toMatchObject({ department: 'public-security', unit: 'POLICE_STATION' });
    expect(callerFromClaims({ sub: 'u', role: 'station-officer', unit: 'PUBLIC_SECURITY' }, DEMO_ROLES).unit).toBe('PUBLIC_SECURITY');
  });

  it('lets a role declare only its own purposes', () => {
    const worker = callerFromClaims({ sub: 'u', role: 'grid-worker', communities: ['320311001001'] }, DEMO_ROLES);
    expect(declarePurpose(worker, 'grid-service', DEMO_ROLES).purpose).toBe('grid-service');
    expect(declarePurpose(worker, null, DEMO_ROLES).purpose).toBeNull();
    for (const purpose of ['public-safety', 'anything']) {
      expect(() => declarePurpose(worker, purpose, DEMO_ROLES)).toThrow(expect.objectContaining({ status: 403, code: 'PURPOSE_NOT_ALLOWED' }));
    }
  });
});

describe('internal keys and tokens', () => {
  it("computes HMAC-SHA-256 from the key's pads exactly as createHmac does, for any key length and text", () => {
    for (const keyBytes of [1, 16, 32, 64, 65, 200]) {
      const key = createSecretKey(randomBytes(keyBytes));
      for (const text of ['', 'a', 'eyJhbGciOiJIUzI1NiJ9.e30', 'é€😀 non-ASCII', 'x'.repeat(5000), 'y'.repeat(70), 'z'.repeat(3)]) {
        expect(hmacSha256(key, text)).toBe(createHmac('sha256', key).update(text).digest('base64url'));
        const half = Math.floor(text.length / 2);
        expect(hmacSha256(key, text, half)).toBe(createHmac('sha256', key).update(text.slice(0, half)).digest('base64url'));
      }
    }
  });

  const caller: Caller = { ...testCaller('grid-worker', { grids: [GRID] }), purpose: 'grid-service' };

  it('reads keys as PEM (escaped newlines too) or JWK, EC P-256 or Ed25519', () => {
    const { privateKey, publicKey } = generateSigningKeyPair();
    expect(publicPem(createPublicKey(parseKey(privatePem(privateKey).replace(/\n/g, '\\n'), 'private', 'K')))).toBe(publicPem(publicKey));
    expect(publicPem(parseKey(JSON.stringify(publicKey.export({ format: 'jwk' })), 'public', 'K'))).toBe(publicPem(publicKey));
    const ed = generateKeyPairSync('ed25519');
    expect(parseKey(publicPem(ed.publicKey), 'public', 'K').asymmetricKeyType).toBe('ed25519');
    expect(() => parseKey(privatePem(privateKey), 'public', 'HUB_INTERNAL_PUBLIC_KEY')).toThrow(/HUB_INTERNAL_PUBLIC_KEY .*holds a private key/);
    expect(() => parseKey(JSON.stringify(privateKey.export({ format: 'jwk' })), 'public', 'K')).toThrow(/holds a private key/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => parseKey(publicPem(rsa.publicKey), 'public', 'K')).toThrow(/EC P-256 or Ed25519/);
    expect(() => parseKey('not a key', 'private', 'HUB_INTERNAL_PRIVATE_KEY')).toThrow(/HUB_INTERNAL_PRIVATE_KEY is not a usable private key/);
  });

  const BODY = JSON.stringify({ query: '{ __typename }' });
  /** The hub secret the gateway signs with, and the key derived for `subgraph`, which that subgraph verifies with. */
  const hmacKeys = (subgraph = 'party'): { privateKey: KeyObject; publicKey: KeyObject } => {
    const secret = createSecretKey(randomBytes(32));
    return { privateKey: secret, publicKey: subgraphTokenKey(secret, subgraph) };
  };

  it('carries the caller to the subgraph and the request body it is signed for, and only there', async () => {
    for (const { privateKey, publicKey } of [hmacKeys(), generateSigningKeyPair(), generateKeyPairSync('ed25519')]) {
      const token = await signCallerToken(caller, 'party', privateKey, { body: BODY });
      expect(await verifyCallerToken(token, 'party', publicKey, BODY)).toEqual(caller);
      expect(await verifyCallerToken(token, 'party', publicKey, Buffer.from(BODY))).toEqual(caller);
      await expect(verifyCallerToken(token, 'housing', publicKey, BODY)).rejects.toMatchObject({ status: 401, code: 'INTERNAL_TOKEN_INVALID', reason: 'claim aud' });
      await expect(verifyCallerToken(token, 'party', publicKey, `${BODY} `)).rejects.toMatchObject({ status: 401, code: 'INTERNAL_TOKEN_INVALID', reason: 'request' });
      await expect(verifyCallerToken(token, 'party', generateSigningKeyPair().publicKey, BODY)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_INVALID' });
      await expect(verifyCallerToken(await signCallerToken(caller, 'party', privateKey, { body: BODY, seconds: -60 }), 'party', publicKey, BODY)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_EXPIRED' });
      await expect(verifyCallerToken(undefined, 'party', publicKey, BODY)).rejects.toMatchObject({ status: 401, code: 'INTERNAL_TOKEN_MISSING' });
    }
    // The unit a caller acts for reaches the subgraph with them.
    const { privateKey, publicKey } = generateSigningKeyPair();
    const station = { ...caller, unit: 'URBAN_MANAGEMENT' };
    expect(await verifyCallerToken(await signCallerToken(station, 'mediation', privateKey, { body: BODY }), 'mediation', publicKey, BODY)).toEqual(station);
  });

  it('is a standard JWS both ways (jose verifies ours, ours verifies jose\'s) and refuses forged headers and claims', async () => {
    for (const { privateKey: gatewayKey, publicKey } of [hmacKeys(), generateSigningKeyPair(), generateKeyPairSync('ed25519')]) {
      const alg = publicKey.type === 'secret' ? 'HS256' : publicKey.asymmetricKeyType === 'ed25519' ? 'EdDSA' : 'ES256';
      // jose signs with the subgraph's own key under HS256 (the gateway derives it from the hub secret).
      const privateKey = alg === 'HS256' ? publicKey : gatewayKey;
      const token = await signCallerToken(caller, 'party', gatewayKey, { body: BODY });
      const { payload, protectedHeader } = await jwtVerify(token, publicKey, { issuer: 'hub-gateway', audience: 'party', algorithms: [alg] });
      expect(protectedHeader).toEqual({ alg, typ: 'JWT' });
      expect(payload.sub).toBe(caller.userId);
      const { userId, ...claims } = caller;
      const now = Math.floor(Date.now() / 1000);
      const joseToken = (edit: (jwt: SignJWT) => SignJWT = (jwt) => jwt, header: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
        edit(
          new SignJWT({ ...claims, req_sha256: createHash('sha256').update(BODY).digest('base64url'), ...extra })
            .setProtectedHeader({ alg, typ: 'JWT', ...header })
            .setIssuer('hub-gateway')
            .setAudience('party')
            .setSubject(userId)
            .setJti('j'.repeat(22))
            .setIssuedAt(now)
            .setExpirationTime(now + 5),
        ).sign(privateKey);
      expect(await verifyCallerToken(await joseToken(), 'party', publicKey, BODY)).toEqual(caller);
      const refusedFor = async (token: string, reason: string, code = 'INTERNAL_TOKEN_INVALID') =>
        expect(verifyCallerToken(token, 'party', publicKey, BODY)).rejects.toMatchObject({ status: 401, code, reason });
      await refusedFor(await joseToken((jwt) => jwt.setIssuer('someone-else')), 'claim iss');
      await refusedFor(await joseToken((jwt) => jwt.setAudience(['housing', 'civil-affairs'])), 'claim aud');
      expect(await verifyCallerToken(await joseToken((jwt) => jwt.setAudience(['housing', 'party'])), 'party', publicKey, BODY)).toEqual(caller);
      await refusedFor(await joseToken((jwt) => jwt.setNotBefore(now + 60)), 'claim nbf');
      await refusedFor(await joseToken((jwt) => jwt.setIssuedAt(now + 60).setExpirationTime(now + 65)), 'claim iat');
      await refusedFor(await joseToken((jwt) => jwt.setIssuedAt(now - 120).setExpirationTime(now + 5)), 'expired', 'INTERNAL_TOKEN_EXPIRED');
      // An extension the signer marked critical (jose will not sign one; signed here by hand) is not understood here.
      const input = `${Buffer.from(JSON.stringify({ alg, typ: 'JWT', crit: ['hub'], hub: 1 })).toString('base64url')}.${(await joseToken()).split('.')[1]}`;
      const critSignature =
        alg === 'HS256'
          ? createHmac('sha256', privateKey).update(input).digest()
          : sign(alg === 'ES256' ? 'sha256' : null, Buffer.from(input), alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey);
      await refusedFor(`${input}.${critSignature.toString('base64url')}`, 'malformed');
      // A header naming another algorithm (`none`, HS256 keyed with the public key, or an asymmetric one against an HMAC
      // key) is refused before any check: the key decides the algorithm.
      const [, body, signature] = token.split('.');
      for (const forged of [{ alg: 'none', typ: 'JWT' }, { alg: alg === 'HS256' ? 'ES256' : 'HS256', typ: 'JWT' }]) {
        await refusedFor(`${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${body}.${signature}`, 'malformed');
      }
      // A payload changed after signing, or a claim left out when signed.
      const tampered = Buffer.from(JSON.stringify({ ...decodeJwt(token), role: 'administrator' })).toString('base64url');
      await refusedFor(`${token.split('.')[0]}.${tampered}.${signature}`, 'signature');
      await refusedFor(await joseToken(undefined, undefined, { req_sha256: undefined }), 'claim req_sha256');
      for (const broken of ['garbage', 'a.b', 'a.b.c.d', `${token}.`, `x${token}`]) await refusedFor(broken, 'malformed');
    }
  });

  it('lives a few seconds, configurable up to a minute; a subgraph refuses a token claiming a longer life', async () => {
    const { privateKey, publicKey } = generateSigningKeyPair();
    const { iat, exp, jti, req_sha256 } = decodeJwt(await signCallerToken(caller, 'party', privateKey, { body: BODY }));
    expect(exp! - iat!).toBe(INTERNAL_TOKEN_SECONDS);
    expect(INTERNAL_TOKEN_SECONDS).toBeLessThanOrEqual(10);
    expect(jti).toMatch(/^[\w-]{22}$/);
    expect(req_sha256).toBe(createHash('sha256').update(BODY).digest('base64url'));
    expect(internalTokenSeconds({})).toBe(INTERNAL_TOKEN_SECONDS);
    expect(internalTokenSeconds({ HUB_INTERNAL_TOKEN_SECONDS: '3' })).toBe(3);
    expect(() => internalTokenSeconds({ HUB_INTERNAL_TOKEN_SECONDS: '61' })).toThrow(/HUB_INTERNAL_TOKEN_SECONDS must be a whole number from 1 to 60/);
    expect(() => internalTokenSeconds({ HUB_INTERNAL_TOKEN_SECONDS: '2.5' })).toThrow(/HUB_INTERNAL_TOKEN_SECONDS/);
    const long = await signCallerToken(caller, 'party', privateKey, { body: BODY, seconds: 61 });
    await expect(verifyCallerToken(long, 'party', publicKey, BODY)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_INVALID', reason: 'lifetime' });
  });

  it('accepts a token once, remembers it until it expires, and never spends one on a refused request', async () => {
    const { privateKey, publicKey } = generateSigningKeyPair();
    const verify = createCallerTokenVerifier('party', publicKey);
    const token = await signCallerToken(caller, 'party', privateKey, { body: BODY });
    // Sent first with another body (a captured token raced against the genuine request): refused, not spent.
    await expect(verify(token, '{"query":"{ secrets }"}')).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_INVALID', reason: 'request' });
    const first = await verify(token, BODY);
    expect(first).toEqual(caller);
    await expect(verify(token, BODY)).rejects.toMatchObject({ status: 401, code: 'INTERNAL_TOKEN_REPLAYED', replayed: { userId: caller.userId, role: caller.role } });
    // Another token for the same caller and body is another request.
    expect(await verify(await signCallerToken(caller, 'party', privateKey, { body: BODY }), BODY)).toEqual(caller);
    await expect(verify(await signCallerToken(caller, 'housing', privateKey, { body: BODY }), BODY)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_INVALID' });
    await expect(verify(token.slice(0, -2), BODY)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_INVALID' });
    await expect(verify(undefined, BODY)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_MISSING' });
    vi.useFakeTimers({ now: Date.now() + (INTERNAL_TOKEN_SECONDS + 3) * 1000, toFake: ['Date'] });
    try {
      // Past `exp` and the clock tolerance the id is forgotten, and the token is refused as expired.
      await expect(verify(token, BODY)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_EXPIRED' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses (503) rather than accept a token it could not remember', async () => {
    const { privateKey, publicKey } = generateSigningKeyPair();
    const verify = createCallerTokenVerifier('party', publicKey, { maxRemembered: 2 });
    const sign = () => signCallerToken(caller, 'party', privateKey, { body: BODY });
    await verify(await sign(), BODY);
    await verify(await sign(), BODY);
    await expect(verify(await sign(), BODY)).rejects.toMatchObject({ status: 503, code: 'INTERNAL_TOKEN_CAPACITY' });
    vi.useFakeTimers({ now: Date.now() + (INTERNAL_TOKEN_SECONDS + 3) * 1000, toFake: ['Date'] });
    try {
      // Once the remembered ones expire there is room again (the token is signed in the future clock's time).
      expect(await verify(await sign(), BODY)).toEqual(caller);
    } finally {
      vi.useRealTimers();
    }
  });

  it('forgets expired token ids in bulk and still refuses every live one replayed', async () => {
    const secret = parseInternalSecret(randomBytes(32).toString('base64url'));
    const key = subgraphTokenKey(secret, 'party');
    const verify = createCallerTokenVerifier('party', key, { maxRemembered: 1600 });
    const sign = () => signCallerToken(caller, 'party', secret, { body: BODY });
    const early: string[] = [];
    for (let i = 0; i < 1500; i++) early.push(await sign());
    for (const token of early) await verify(token, BODY);
    await expect(verify(early[700], BODY)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_REPLAYED' });
    vi.useFakeTimers({ now: Date.now() + (INTERNAL_TOKEN_SECONDS + 3) * 1000, toFake: ['Date'] });
    try {
      // 1,500 more fit beside the limit of 1,600 only once the first 1,500 are forgotten.
      const late: string[] = [];
      for (let i = 0; i < 1500; i++) late.push(await sign());
      for (const token of late) expect(await verify(token, BODY)).toEqual(caller);
      for (const token of [late[0], late[1100], late[1499]]) await expect(verify(token, BODY)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_REPLAYED' });
      await expect(verify(early[1499], BODY)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_EXPIRED' });
      await expect(verify(await sign(), BODY)).resolves.toEqual(caller);
      await expect(verify(await sign(), BODY)).resolves.toEqual(caller);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a replayed id until its token expires, across the seconds its ids are kept by', async () => {
    const secret = parseInternalSecret(randomBytes(32).toString('base64url'));
    const verify = createCallerTokenVerifier('party', subgraphTokenKey(secret, 'party'));
    // Accepted 1 ms before a second ends, with tokens that expire at different seconds.
    const start = (Math.floor(Date.now() / 1000) + 5) * 1000 - 1;
    vi.useFakeTimers({ now: start, toFake: ['Date'] });
    try {
      const tokens = [await signCallerToken(caller, 'party', secret, { body: BODY, seconds: 1 }), await signCallerToken(caller, 'party', secret, { body: BODY, seconds: 3 })];
      for (const token of tokens) expect(await verify(token, BODY)).toEqual(caller);
      const acceptedUntil = (seconds: number) => (Math.floor(start / 1000) + seconds + 2) * 1000;
      for (const at of [start + 1, start + 1001, acceptedUntil(1) - 1]) {
        vi.setSystemTime(at);
        for (const token of tokens) await expect(verify(token, BODY)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_REPLAYED' });
      }
      // The first token's ids are forgotten with it; the second's are still kept until its own end.
      vi.setSystemTime(acceptedUntil(1));
      await expect(verify(tokens[0], BODY)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_EXPIRED' });
      await expect(verify(tokens[1], BODY)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_REPLAYED' });
      expect(await verify(await signCallerToken(caller, 'party', secret, { body: BODY, seconds: 1 }), BODY)).toEqual(caller);
      vi.setSystemTime(acceptedUntil(3) - 1);
      await expect(verify(tokens[1], BODY)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_REPLAYED' });
      vi.setSystemTime(acceptedUntil(3));
      await expect(verify(tokens[1], BODY)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_EXPIRED' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives each subgraph a key of its own: its tokens open no other subgraph, and it cannot make another\'s', async () => {
    const secret = parseInternalSecret(randomBytes(32).toString('base64url'));
    const party = subgraphTokenKey(secret, 'party');
    const housing = subgraphTokenKey(secret, 'housing');
    // Derived, not stored: the same secret gives the same key; another name or another secret, another key.
    expect(subgraphTokenKeyText(subgraphTokenKey(parseInternalSecret(secret.export().toString()), 'party'))).toBe(subgraphTokenKeyText(party));
    expect(subgraphTokenKeyText(housing)).not.toBe(subgraphTokenKeyText(party));
    expect(subgraphTokenKeyText(subgraphTokenKey(createSecretKey(randomBytes(32)), 'party'))).not.toBe(subgraphTokenKeyText(party));
    expect(subgraphTokenKeyText(parseSubgraphTokenKey(subgraphTokenKeyText(party)))).toBe(subgraphTokenKeyText(party));
    // The gateway's token for housing does not verify under party's key, even claiming party's audience.
    const forHousing = await signCallerToken(caller, 'housing', secret, { body: BODY });
    await expect(verifyCallerToken(forHousing, 'housing', party, BODY)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_INVALID', reason: 'signature' });
    expect(await verifyCallerToken(forHousing, 'housing', housing, BODY)).toEqual(caller);
    // A subgraph holding party's key makes a token naming housing: housing refuses it.
    const [header, payload] = (await signCallerToken(caller, 'party', secret, { body: BODY })).split('.');
    const minted = Buffer.from(JSON.stringify({ ...decodeJwt(`${header}.${payload}.x`), aud: 'housing' })).toString('base64url');
    const mintedToken = `${header}.${minted}.${createHmac('sha256', party).update(`${header}.${minted}`).digest('base64url')}`;
    expect(await verifyCallerToken(mintedToken, 'party', party, BODY).catch((e: unknown) => e)).toMatchObject({ reason: 'claim aud' });
    await expect(verifyCallerToken(mintedToken, 'housing', housing, BODY)).rejects.toMatchObject({ status: 401, code: 'INTERNAL_TOKEN_INVALID', reason: 'signature' });
    // The signature is compared as written: another spelling of the same bytes is not it.
    const genuine = await signCallerToken(caller, 'party', secret, { body: BODY });
    await expect(verifyCallerToken(`${genuine}=`, 'party', party, BODY)).rejects.toMatchObject({ reason: 'signature' });
    expect(() => parseInternalSecret('too short')).toThrow(/HUB_INTERNAL_SECRET must be at least 32 characters/);
    expect(() => parseSubgraphTokenKey('c2hvcnQ')).toThrow(/HUB_INTERNAL_TOKEN_KEY must be a subgraph's internal token key/);
    expect(() => parseSubgraphTokenKey(`${subgraphTokenKeyText(party)}!`)).toThrow(/HUB_INTERNAL_TOKEN_KEY/);
  });

  it('gives the gateway the hub secret and each subgraph only its own key, per launcher run or as configured', async () => {
    const fresh = internalTokenEnvForRun({});
    expect(fresh.gateway).toEqual({ HUB_INTERNAL_SECRET: expect.any(String), HUB_INTERNAL_TOKEN_KEY: undefined, HUB_INTERNAL_PRIVATE_KEY: undefined, HUB_INTERNAL_PUBLIC_KEY: undefined });
    const party = fresh.subgraph('party');
    expect(party).toEqual({ HUB_INTERNAL_TOKEN_KEY: expect.any(String), HUB_INTERNAL_SECRET: undefined, HUB_INTERNAL_PRIVATE_KEY: undefined, HUB_INTERNAL_PUBLIC_KEY: undefined });
    expect(fresh.subgraph('housing').HUB_INTERNAL_TOKEN_KEY).not.toBe(party.HUB_INTERNAL_TOKEN_KEY);
    const token = await signCallerToken(caller, 'party', internalSigningKey(fresh.gateway), { body: BODY });
    expect(await verifyCallerToken(token, 'party', internalVerificationKey(party), BODY)).toEqual(caller);
    await expect(verifyCallerToken(token, 'party', internalVerificationKey(fresh.subgraph('housing')), BODY)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_INVALID' });
    // A configured secret gives the same keys every run; a new run's fresh one does not.
    const configured = { HUB_INTERNAL_SECRET: 'a'.repeat(40) };
    expect(internalTokenEnvForRun(configured).subgraph('party')).toEqual(internalTokenEnvForRun(configured).subgraph('party'));
    expect(internalTokenEnvForRun(configured).gateway.HUB_INTERNAL_SECRET).toBe(configured.HUB_INTERNAL_SECRET);
    expect(internalTokenEnvForRun({}).subgraph('party').HUB_INTERNAL_TOKEN_KEY).not.toBe(party.HUB_INTERNAL_TOKEN_KEY);
    // The ES256/EdDSA pair still works, each service given its half.
    const one = generateSigningKeyPair();
    const pair = internalTokenEnvForRun({ HUB_INTERNAL_PRIVATE_KEY: privatePem(one.privateKey), HUB_INTERNAL_PUBLIC_KEY: publicPem(one.publicKey) });
    expect(pair.gateway).toMatchObject({ HUB_INTERNAL_PRIVATE_KEY: privatePem(one.privateKey), HUB_INTERNAL_PUBLIC_KEY: undefined, HUB_INTERNAL_SECRET: undefined });
    expect(pair.subgraph('party')).toMatchObject({ HUB_INTERNAL_PUBLIC_KEY: publicPem(one.publicKey), HUB_INTERNAL_PRIVATE_KEY: undefined });
    expect(() => internalTokenEnvForRun({ ...configured, HUB_INTERNAL_PUBLIC_KEY: publicPem(one.publicKey) })).toThrow(/not both/);
    expect(() => internalTokenEnvForRun({ NODE_ENV: 'production' })).toThrow(/HUB_INTERNAL_SECRET is required when NODE_ENV=production/);
    expect(internalTokenEnvForRun({ NODE_ENV: 'production', ...configured }).gateway.HUB_INTERNAL_SECRET).toBe(configured.HUB_INTERNAL_SECRET);
    expect(() => internalTokenEnvForRun({ HUB_INTERNAL_SECRET: 'short' })).toThrow(/at least 32 characters/);
  });

  it('requires a secret or both halves in production, and a matching pair whenever they are set', () => {
    const production = { NODE_ENV: 'production' };
    expect(() => internalSigningKey(production)).toThrow(/HUB_INTERNAL_SECRET is required when NODE_ENV=production.*HUB_INTERNAL_PRIVATE_KEY/);
    expect(() => internalVerificationKey(production, 'party')).toThrow(/HUB_INTERNAL_TOKEN_KEY is required when NODE_ENV=production.*HUB_INTERNAL_PUBLIC_KEY/);
    expect(() => internalKeysForRun(production)).toThrow(/required when NODE_ENV=production/);
    const one = generateSigningKeyPair();
    const other = generateSigningKeyPair();
    const pair = { HUB_INTERNAL_PRIVATE_KEY: privatePem(one.privateKey), HUB_INTERNAL_PUBLIC_KEY: publicPem(one.publicKey) };
    expect(internalKeysForRun({ ...production, ...pair })).toEqual(pair);
    expect(() => internalKeysForRun({ ...pair, HUB_INTERNAL_PUBLIC_KEY: publicPem(other.publicKey) })).toThrow(/not the public half/);
    expect(() => internalKeysForRun({ HUB_INTERNAL_PUBLIC_KEY: pair.HUB_INTERNAL_PUBLIC_KEY })).toThrow(/both .* or neither/);
    const fresh = internalKeysForRun({});
    expect(publicPem(createPublicKey(parseKey(fresh.HUB_INTERNAL_PRIVATE_KEY, 'private', 'K')))).toBe(fresh.HUB_INTERNAL_PUBLIC_KEY);
  });

  it('shares one development key between separately started services', async () => {
    const env = { HUB_DEMO_ISSUER_DIR: await temporaryDir() };
    const token = await signCallerToken(caller, 'party', internalSigningKey(env), { body: '' });
    expect((await verifyCallerToken(token, 'party', internalVerificationKey(env, 'party'), undefined)).userId).toBe(caller.userId);
    await expect(verifyCallerToken(token, 'party', internalVerificationKey(env, 'housing'), undefined)).rejects.toMatchObject({ code: 'INTERNAL_TOKEN_INVALID' });
    expect(() => internalVerificationKey(env)).toThrow(/name the subgraph/);
  });
});

describe('the demo issuer', () => {
  it('keeps its key pair on disk, publishes the public half as jwks.json, and is refused in production', async () => {
    const dir = await temporaryDir();
    const issuer = demoIssuer({ HUB_DEMO_ISSUER_DIR: dir });
    expect(demoIssuer({ HUB_DEMO_ISSUER_DIR: dir }).kid).toBe(issuer.kid);
    expect(JSON.parse(await readFile(path.join(dir, 'jwks.json'), 'utf8'))).toEqual(issuer.jwks);
    expect(JSON.stringify(issuer.jwks)).not.toMatch(/"d"/);
    expect((await stat(path.join(dir, 'issuer-key.pem'))).mode & 0o077).toBe(0);
    expect(() => demoIssuer({ HUB_DEMO_ISSUER_DIR: dir, NODE_ENV: 'production' })).toThrow(/refused when NODE_ENV=production/);
  });

  it('makes only its own folder private: a .data folder it creates stays open to the embedded server\'s user', async () => {
    // `npm run token` before the first `npm start`, as root: .data must not become mode 700, or PostgreSQL's user
    // (the embedded server runs as `postgres` under root) cannot enter .data/postgres afterwards.
    const data = path.join(await temporaryDir(), '.data');
    demoIssuer({ HUB_DEMO_ISSUER_DIR: path.join(data, 'demo-issuer') });
    expect((await stat(data)).mode & 0o011).toBe(0o011);
    expect((await stat(path.join(data, 'demo-issuer'))).mode & 0o077).toBe(0);
  });
});

describe('a subgraph service', () => {
  let service: RunningService;
  const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
  afterAll(async () => {
    await service?.close();
  });

  it('verifies the internal token (audience, body, single use) before GraphQL runs and hands the caller to the context', async () => {
    // The pool is never queried: only /health would, and this test does not ask it.
    const pool = new pg.Pool({ connectionString: 'postgres://127.0.0.1:1/none' });
    const logger = { ...createLogger('probe', 'error'), warn: (message: string, fields?: Record<string, unknown>) => void warnings.push({ message, fields }) };
    service = await createSubgraphService({
      name: 'probe',
      typeDefs: parse(`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@requiresScopes", "@policy"])
        type Query {
          whoAmI: String
          auditNote: String @requiresScopes(scopes: [["audit:read"]]) @policy(policies: [["purpose:audit"]])
        }
      `),
      resolvers: {
        Query: {
          whoAmI: (_: unknown, __: unknown, context: { caller: Caller }) => `${context.caller.userId} ${context.caller.purpose}`,
          auditNote: () => 'for auditors',
        },
      },
      context: async (_req, caller) => ({ caller }),
      callerKey: testCallerKeyFor('probe'),
      database: { pool, close: () => pool.end() },
      logger,
    }).listen(0);
    const post = async (headers: Record<string, string>, body = JSON.stringify({ query: '{ whoAmI }' })) => {
      const response = await fetch(service.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      return { status: response.status, body: await response.json() };
    };
    const signed = (subgraph: string, caller = testCaller('mediator', { purpose: 'case-handling' }), body = JSON.stringify({ query: '{ whoAmI }' })) =>
      signCallerToken(caller, subgraph, testInternalSecret, { body });
    const token = await signed('probe');
    expect(await post({ [CALLER_HEADER]: token })).toEqual({ status: 200, body: { data: { whoAmI: 'test-mediator case-handling' } } });
    // The same token again: refused, counted and logged as a security event, without the token itself.
    expect(await post({ [CALLER_HEADER]: token })).toEqual({ status: 401, body: { errors: [{ message: expect.stringMatching(/used already/), extensions: { code: 'INTERNAL_TOKEN_REPLAYED' } }] } });
    const event = warnings.find((w) => w.message === 'security event: internal token replayed');
    expect(event?.fields).toMatchObject({ code: 'INTERNAL_TOKEN_REPLAYED', jti: decodeJwt(token).jti, userId: 'test-mediator', role: 'mediator' });
    expect(JSON.stringify(warnings)).not.toContain(token);
    const metrics = await (await fetch(service.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/hub_internal_token_refusals_total\{reason="replay",service="probe"\} 1/);

    expect(await post({})).toEqual({ status: 401, body: { errors: [{ message: expect.any(String), extensions: { code: 'INTERNAL_TOKEN_MISSING' } }] } });
    expect(await post({ [CALLER_HEADER]: await signed('other') })).toMatchObject({ status: 401, body: { errors: [{ extensions: { code: 'INTERNAL_TOKEN_INVALID' } }] } });
    // Signed for another body: useless for this one.
    expect(await post({ [CALLER_HEADER]: await signed('probe', undefined, JSON.stringify({ query: '{ whoAmI }', variables: {} })) })).toMatchObject({
      status: 401,
      body: { errors: [{ message: expect.stringMatching(/another request/), extensions: { code: 'INTERNAL_TOKEN_INVALID' } }] },
    });
    expect(await post({ [CALLER_HEADER]: 'garbage' })).toMatchObject({ status: 401, body: { errors: [{ extensions: { code: 'INTERNAL_TOKEN_INVALID' } }] } });
    expect(await post({ [CALLER_HEADER]: await signCallerToken(testCaller(), 'probe', testInternalSecret, { body: '{}', seconds: -30 }) }, '{}')).toMatchObject({
      status: 401,
      body: { errors: [{ extensions: { code: 'INTERNAL_TOKEN_EXPIRED' } }] },
    });
    expect(await post(await (await callerHeaders('probe', testCaller('auditor', { purpose: 'audit' })))('{"query":"{ auditNote }"}'), '{"query":"{ auditNote }"}')).toEqual({
      status: 200,
      body: { data: { auditNote: 'for auditors' } },
    });
  });

  it("enforces the schema's authorization directives itself: null and FORBIDDEN, as the gateway answers", async () => {
    const ask = async (caller: Caller, query: string) => {
      const body = JSON.stringify({ query });
      const response = await fetch(service.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(await (await callerHeaders('probe', caller))(body)) }, body });
      return response.json();
    };
    expect(await ask(testCaller('auditor'), '{ whoAmI auditNote }')).toEqual({
      data: { whoAmI: 'test-auditor null', auditNote: null },
      errors: [
        {
          message: 'Not authorized to read Query.auditNote: needs purpose:audit',
          path: ['auditNote'],
          extensions: { code: 'FORBIDDEN', field: 'Query.auditNote', missingPolicies: ['purpose:audit'] },
        },
      ],
    });
    expect(await ask(testCaller('mediator', { purpose: 'case-handling' }), 'query Q { note: auditNote }')).toMatchObject({
      data: { note: null },
      errors: [{ path: ['note'], extensions: { code: 'FORBIDDEN', missingScopes: ['audit:read'], missingPolicies: ['purpose:audit'] } }],
    });

    // One document, callers of different classes in turn: what is decided for one class is never reused for another.
    const auditing = testCaller('auditor', { purpose: 'audit' });
    for (const caller of [auditing, testCaller('auditor'), auditing, testCaller('mediator', { purpose: 'case-handling' }), auditing]) {
      const answer = (await ask(caller, '{ whoAmI auditNote }')) as { data: { auditNote: unknown }; errors?: { extensions: { missingPolicies?: string[]; missingScopes?: string[] } }[] };
      if (caller === auditing) {
        expect(answer.errors).toBeUndefined();
        expect(answer.data.auditNote).not.toBeNull();
      } else {
        expect(answer.data.auditNote).toBeNull();
        expect(answer.errors?.[0]?.extensions.missingPolicies).toEqual(['purpose:audit']);
        expect(answer.errors?.[0]?.extensions.missingScopes).toEqual(caller.role === 'mediator' ? ['audit:read'] : undefined);
      }
    }
  });
});
