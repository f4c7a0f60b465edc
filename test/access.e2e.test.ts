import { createHmac, randomBytes, sign, type KeyObject } from 'node:crypto';
import { CALLER_HEADER, generateSigningKeyPair, signCallerToken, TokenIssuer } from '@hub/core';
import { postGraphQL, testCaller } from '@hub/core/testing';
import { createGateway, DEFAULT_SUPERGRAPH, readSupergraph } from '@hub/gateway';
import { bootTestHub, TEST_AUDIENCE, TEST_ISSUER, type TestHub } from '@hub/hub/testing';
import { verifyAuditChain } from '@hub/audit-trail/verify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { world } from './world.ts';

/**
 * Who may ask at all: bearer tokens at the gateway (401 with a stable code for every way a token can be wrong, 403
 * for a purpose the role may not declare), and at every subgraph the gateway's internal token (401 without it).
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
});
afterAll(async () => {
  await hub?.close();
});

const QUERY = '{ district { name } }';
const grid = world.grids[0]!.code;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  iss: TEST_ISSUER,
  aud: TEST_AUDIENCE,
  sub: 'forger',
  role: 'administrator',
  iat: now(),
  exp: now() + 600,
  ...extra,
});

/** A JWT signed by hand, so a test can make one no honest library would: another key under the trusted kid, HS256. */
function handMade(header: Record<string, unknown>, payload: Record<string, unknown>, signWith: (input: string) => Buffer | string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = signWith(input);
  return `${input}.${typeof signature === 'string' ? signature : signature.toString('base64url')}`;
}
const es256 = (key: KeyObject) => (input: string) => sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });

async function ask(headers: Record<string, string>, body: Record<string, unknown> = { query: QUERY }) {
  const response = await fetch(hub.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, authenticate: response.headers.get('www-authenticate') };
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('identity at the gateway', () => {
  it('serves a valid token of the trusted issuer', async () => {
    const response = await ask(bearer(await hub.tokenFor('grid-worker', { grids: [grid], department: 'civil-affairs' })));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { district: { name: world.district.name } } });
  });

  const cases: [string, () => Promise<Record<string, string>>, string, string][] = [
    ['no Authorization header', async () => ({}), 'TOKEN_MISSING', 'missing'],
    ['a scheme other than Bearer', async () => ({ authorization: 'Basic YWRtaW46YWRtaW4=' }), 'TOKEN_MISSING', 'missing'],
    ['an expired token', async () => bearer(await hub.tokenFor('administrator', {}, { issuedAt: -7200, expiresIn: -3600 })), 'TOKEN_EXPIRED', 'expired'],
    ['a token not valid before an hour from now', async () => bearer(await hub.tokenFor('administrator', {}, { notBefore: 3600 })), 'TOKEN_NOT_YET_VALID', 'not-before'],
    ['a token signed by another key under the trusted key id', async () => bearer(handMade({ alg: 'ES256', kid: hub.issuer.kid }, claims(), es256(generateSigningKeyPair().privateKey))), 'TOKEN_INVALID', 'signature'],
    ['a token signed by a key the hub does not know', async () => bearer(await TokenIssuer.generate(TEST_ISSUER, TEST_AUDIENCE).mint({ sub: 'x', role: 'administrator' })), 'TOKEN_INVALID', 'key'],
    [
      'a valid token whose claims were changed',
      async () => {
        const [header, , signature] = (await hub.tokenFor('auditor')).split('.');
        return bearer(`${header}.${b64(claims({ sub: 'test-auditor' }))}.${signature}`);
      },
      'TOKEN_INVALID',
      'signature',
    ],
    ['a token of another issuer', async () => bearer(await hub.tokenFor('administrator', {}, { issuer: 'https://idp.example.org' })), 'TOKEN_INVALID', 'issuer'],
    ['a token for another audience', async () => bearer(await hub.tokenFor('administrator', {}, { audience: 'another-service' })), 'TOKEN_INVALID', 'audience'],
    ['an unsigned token (alg none)', async () => bearer(handMade({ alg: 'none' }, claims(), () => '')), 'TOKEN_INVALID', 'algorithm'],
    [
      'an HMAC token (HS256) keyed with the public key',
      async () => bearer(handMade({ alg: 'HS256', kid: hub.issuer.kid }, claims(), (input) => createHmac('sha256', JSON.stringify(hub.issuer.jwks)).update(input).digest())),
      'TOKEN_INVALID',
      'algorithm',
    ],
    ['a token that is no JWT', async () => ({ authorization: 'Bearer not-a-token' }), 'TOKEN_INVALID', 'malformed'],
    ['a token without an expiry', async () => bearer(await hub.tokenFor('administrator', {}, { expiresIn: null })), 'TOKEN_INVALID', 'no-expiry'],
    ['a token without a subject', async () => bearer(await hub.issuer.mint({ role: 'administrator' })), 'TOKEN_INVALID', 'no-subject'],
    ['a role this hub does not have', async () => bearer(await hub.tokenFor('superuser')), 'TOKEN_ROLE_UNKNOWN', 'role'],
    ['a grid worker with no grids', async () => bearer(await hub.tokenFor('grid-worker')), 'TOKEN_CLAIMS_INVALID', 'claims'],
    ['a malformed grid code', async () => bearer(await hub.tokenFor('grid-worker', { grids: ['32031100100100'] })), 'TOKEN_CLAIMS_INVALID', 'claims'],
    ['a department other than the role’s', async () => bearer(await hub.tokenFor('police-officer', { department: 'housing' })), 'TOKEN_CLAIMS_INVALID', 'claims'],
  ];

  it.each(cases)('refuses %s with 401 and a stable code, and reports it for the audit trail', async (_, headers, code, reason) => {
    const sent = await headers();
    const before = hub.refusals.length;
    const response = await ask(sent);
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ errors: [{ message: expect.any(String), extensions: { code } }] });
    expect(response.authenticate).toMatch(/^Bearer realm="governance-hub"/);
    expect(hub.refusals.slice(before)).toEqual([expect.objectContaining({ status: 401, code, reason, method: 'POST', path: '/graphql' })]);
    // The token itself never reaches the audit hook (or the log it writes by default).
    const token = sent.authorization?.split(' ')[1];
    if (token) expect(JSON.stringify(hub.refusals.slice(before))).not.toContain(token);
  });

  it('tells the audit hook whether the subject it names was verified', async () => {
    const before = hub.refusals.length;
    await ask(bearer(await hub.tokenFor('superuser', { sub: 'alice' })));
    await ask(bearer(await hub.tokenFor('administrator', { sub: 'mallory' }, { audience: 'elsewhere' })));
    expect(hub.refusals.slice(before)).toEqual([
      expect.objectContaining({ subject: 'alice', role: 'superuser', subjectVerified: true }),
      expect.objectContaining({ subject: 'mallory', role: 'administrator', subjectVerified: false }),
    ]);
  });

  it('refuses all the same when the audit hook fails', async () => {
    const urls = Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url]));
    const failing = await createGateway({
      supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
      urls,
      ...hub.gatewayAccess,
      onRefusal: async () => {
        throw new Error('the audit store is down');
      },
    }).listen(0);
    try {
      const response = await fetch(failing.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'TOKEN_MISSING' } }] });
    } finally {
      await failing.close();
    }
  });

  it('refuses a GET without a token too, and serves /health to anyone', async () => {
    const get = await fetch(`${hub.gatewayUrl}?query=${encodeURIComponent(QUERY)}`);
    expect(get.status).toBe(401);
    expect((await fetch(hub.gatewayUrl.replace(/\/graphql$/, '/health'))).status).toBe(200);
  });
});

describe('the declared purpose', () => {
  const gridWorker = async () => bearer(await hub.tokenFor('grid-worker', { grids: [grid] }));

  it('accepts a purpose the role allows, in the header or in extensions.purpose', async () => {
    expect((await ask({ ...(await gridWorker()), 'x-hub-purpose': 'grid-service' })).status).toBe(200);
    expect((await ask(await gridWorker(), { query: QUERY, extensions: { purpose: 'case-handling' } })).status).toBe(200);
    expect((await ask({ ...(await gridWorker()), 'x-hub-purpose': 'grid-service' }, { query: QUERY, extensions: { purpose: 'grid-service' } })).status).toBe(200);
  });

  it.each([
    ['a purpose of another role', { 'x-hub-purpose': 'public-safety' }, undefined],
    ['a purpose that does not exist', { 'x-hub-purpose': 'curiosity' }, undefined],
    ['a purpose of another role in extensions', {}, 'welfare-review'],
  ])('refuses %s with 403 PURPOSE_NOT_ALLOWED', async (_, headers: Record<string, string>, extension) => {
    const before = hub.refusals.length;
    const response = await ask({ ...(await gridWorker()), ...headers }, { query: QUERY, ...(extension ? { extensions: { purpose: extension } } : {}) });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ errors: [{ extensions: { code: 'PURPOSE_NOT_ALLOWED' } }] });
    expect(hub.refusals.slice(before)).toEqual([expect.objectContaining({ status: 403, code: 'PURPOSE_NOT_ALLOWED', subject: 'test-grid-worker', subjectVerified: true })]);
  });

  it('refuses two different purposes at once with 400 PURPOSE_CONFLICT', async () => {
    const response = await ask({ ...(await gridWorker()), 'x-hub-purpose': 'grid-service' }, { query: QUERY, extensions: { purpose: 'case-handling' } });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ extensions: { code: 'PURPOSE_CONFLICT' } }] });
  });
});

describe('subgraphs serve the gateway only', () => {
  const names = () => Object.keys(hub.subgraphs);

  const BODY = JSON.stringify({ query: '{ __typename }' });
  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  async function askSubgraph(name: string, headers: Record<string, string>) {
    const response = await fetch(hub.subgraphs[name]!.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: BODY });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }
  /**
   * The trail's records of refused internal tokens from the request `requestId`, read as the audit subgraph reads
   * them (the audit database). The subgraph answers the refusal before the record is committed: polled.
   */
  async function refusalRecords(requestId: string) {
    const client = new pg.Client({ connectionString: hub.auditUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ user_id: string | null; role: string | null; operation_name: string; outcome: string; error_codes: string[]; details: Record<string, unknown> }>(
        `select user_id, role, operation_name, outcome, error_codes, details from audit_records where event_type = 'INTERNAL_TOKEN_REFUSED' and details->>'requestId' = $1`,
        [requestId],
      );
      return rows;
    } finally {
      await client.end();
    }
  }
  /** A random request id of letters only: one whose digits read as a phone would be replaced at the door. */
  const plainId = () => [...randomBytes(8)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('');
  const auditedRefusal = async (requestId: string) => {
    await expect.poll(async () => (await refusalRecords(requestId)).length, { timeout: 15_000 }).toBe(1);
    return (await refusalRecords(requestId))[0]!;
  };
  const internal = async (audience: string, key: KeyObject = hub.internalKeys.privateKey, seconds?: number) => ({
    [CALLER_HEADER]: await signCallerToken(testCaller('administrator'), audience, key, { body: BODY, ...(seconds === undefined ? {} : { seconds }) }),
  });

  it('serves a request with the gateway’s token for that subgraph', async () => {
    for (const name of names()) {
      expect(await askSubgraph(name, await internal(name))).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
    }
  });

  it.each([
    ['no internal token', async () => ({}), 'INTERNAL_TOKEN_MISSING'],
    ['a token signed by another key', async (name: string) => internal(name, generateSigningKeyPair().privateKey), 'INTERNAL_TOKEN_INVALID'],
    ['an expired token', async (name: string) => internal(name, undefined, -120), 'INTERNAL_TOKEN_EXPIRED'],
    ['a token for another subgraph', async (name: string) => internal(name === 'party' ? 'housing' : 'party'), 'INTERNAL_TOKEN_INVALID'],
    ["a user's bearer token instead", async () => ({ [CALLER_HEADER]: await hub.tokenFor('administrator') }), 'INTERNAL_TOKEN_INVALID'],
    ['a bearer token alone, as if the subgraph were the gateway', async () => hub.headers, 'INTERNAL_TOKEN_MISSING'],
  ])('refuses %s with 401 before GraphQL runs, at every subgraph', async (_, headers: (name: string) => Promise<Record<string, string>>, code) => {
    expect(names().length).toBeGreaterThanOrEqual(5);
    for (const name of names()) {
      const requestId = `refused-${plainId()}`;
      const sent = await headers(name);
      const response = await askSubgraph(name, { ...sent, 'x-request-id': requestId });
      expect({ name, ...response }).toEqual({ name, status: 401, body: { errors: [{ message: expect.any(String), extensions: { code } }] } });
      // Recorded by the department itself, with why and where, and never the token.
      const record = await auditedRefusal(requestId);
      expect(record).toMatchObject({ operation_name: 'POST /graphql', outcome: 'DENIED', error_codes: [code], details: { subgraph: name, status: 401, requestId, reason: expect.any(String) } });
      for (const value of Object.values(sent)) expect(JSON.stringify(record)).not.toContain(value.slice(-40));
    }
  });

  it('refuses a token signed for another body with 401, at every subgraph: a captured token asks nothing else', async () => {
    for (const name of names()) {
      const other = { [CALLER_HEADER]: await signCallerToken(testCaller('administrator'), name, hub.internalKeys.privateKey, { body: JSON.stringify({ query: '{ _service { sdl } }' }) }) };
      const requestId = `other-body-${plainId()}`;
      const response = await askSubgraph(name, { ...other, 'x-request-id': requestId });
      expect({ name, ...response }).toEqual({ name, status: 401, body: { errors: [{ message: expect.stringMatching(/another request/), extensions: { code: 'INTERNAL_TOKEN_INVALID' } }] } });
      expect(await auditedRefusal(requestId)).toMatchObject({ error_codes: ['INTERNAL_TOKEN_INVALID'], details: { subgraph: name, reason: 'request' } });
    }
  });

  it('accepts each token once: a replay is refused with 401, logged as a security event with its trace id, counted and audited', async () => {
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      written.push(String(chunk));
      return write(chunk, ...(rest as []));
    });
    try {
      for (const name of names()) {
        const headers = await internal(name);
        expect(await askSubgraph(name, headers)).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
        const traceId = randomBytes(16).toString('hex');
        const replay = await askSubgraph(name, { ...headers, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
        expect({ name, ...replay }).toEqual({ name, status: 401, body: { errors: [{ message: expect.stringMatching(/used already/), extensions: { code: 'INTERNAL_TOKEN_REPLAYED' } }] } });
        const event = written.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.traceId === traceId);
        expect(event, `${name} logs the replay`).toMatchObject({ level: 'warn', service: name, message: 'security event: internal token replayed', code: 'INTERNAL_TOKEN_REPLAYED', jti: claimsOf(headers[CALLER_HEADER]!).jti, role: 'administrator' });
        const metrics = await (await fetch(hub.subgraphs[name]!.url.replace(/\/graphql$/, '/metrics'))).text();
        expect(metrics).toMatch(new RegExp(`hub_internal_token_refusals_total\\{reason="replay",service="${name}"\\} [1-9]`));
        // The department's own record in the trail: whom the token was signed for, its id, the trace; not the token.
        const record = await auditedRefusal(String(event!.requestId));
        expect(record).toMatchObject({
          user_id: 'test-administrator',
          role: 'administrator',
          error_codes: ['INTERNAL_TOKEN_REPLAYED'],
          details: { subgraph: name, reason: 'replay', jti: claimsOf(headers[CALLER_HEADER]!).jti, traceId },
        });
        expect(JSON.stringify(record)).not.toContain('eyJ');
      }
      expect(written.join('')).not.toContain('eyJ');
      // Every department appending to the one trail leaves its chain whole.
      expect(await verifyAuditChain(hub.auditUrl)).toMatchObject({ ok: true });
    } finally {
      spy.mockRestore();
    }
  });

  it('gets each subgraph the caller through the gateway, signed for it', async () => {
    // A question every department answers a part of: it only succeeds if each accepted the gateway's token.
    const response = await postGraphQL(hub.gatewayUrl, `{ grid(code: "${grid}") { name population { total } partyMembers { totalCount } housingCounts { houses } caseCounts(open: true) { total } } }`, undefined, hub.headers);
    expect(response.errors).toBeUndefined();
  });
});
