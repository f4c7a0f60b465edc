import { createHash, createHmac, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { AccessRefusal, CALLER_HEADER, createCallerTokenVerifier, generateSigningKeyPair, parseInternalSecret, signCallerToken, subgraphTokenKey, verifyCallerToken, type Caller } from '@hub/core';
import { testCaller } from '@hub/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createCallerTokenSigner } from '../src/caller-tokens.ts';
import type { ResilienceOptions } from '../src/resilience/config.ts';
import { ResilientRemoteGraphQLDataSource } from '../src/resilience/datasource.ts';
import { keepAliveFetcher } from '../src/resilience/fetcher.ts';

// @apollo/gateway exports the request kinds as a type only.
const HEALTH_CHECK = 'health check' as Extract<GraphQLDataSourceProcessOptions['kind'], 'health check'>;
const RETRYING: ResilienceOptions = { timeoutMs: 10_000, timeoutMsBySubgraph: {}, retries: 2, backoffMs: 5, failureThreshold: 100, openMs: 100 };

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/**
 * A subgraph that checks every request's token as a real one does (the same verifier: audience, body, single use)
 * and then answers as `answer` decides: what reached it and how its check went are recorded.
 */
async function verifyingSubgraph(name: string, publicKey: ReturnType<typeof generateSigningKeyPair>['publicKey'], answer: (res: ServerResponse, hit: number) => void) {
  const verify = createCallerTokenVerifier(name, publicKey);
  const seen: { token: string; verdict: string }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const token = String(req.headers[CALLER_HEADER] ?? '');
      verify(token, Buffer.concat(chunks)).then(
        (caller: Caller) => {
          seen.push({ token, verdict: `ok ${caller.userId}` });
          answer(res, seen.length);
        },
        (error: unknown) => {
          seen.push({ token, verdict: error instanceof AccessRefusal ? error.accessCode : String(error) });
          res.statusCode = 401;
          res.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, seen };
}

function signedSource(url: string, privateKey: ReturnType<typeof generateSigningKeyPair>['privateKey']) {
  const signer = createCallerTokenSigner(privateKey, 5);
  const fetcher = keepAliveFetcher({ maxSockets: 4 });
  closers.push(() => fetcher.destroy());
  return new ResilientRemoteGraphQLDataSource<{ caller: Caller }>({
    name: 'party',
    resilience: RETRYING,
    fetcher,
    signAttempt: async ({ context }, body) => ({ [CALLER_HEADER]: await signer.sign(context.caller, 'party', body) }),
    sharingKeyOf: ({ context }) => signer.keyOf(context.caller),
    dataSource: { url },
  });
}

describe('caller tokens of subgraph fetches', () => {
  it('are signed per attempt: a retried read carries a fresh token for the same body, and every one is accepted', async () => {
    const { privateKey, publicKey } = generateSigningKeyPair();
    const subgraph = await verifyingSubgraph('party', publicKey, (res, hit) => {
      if (hit < 3) {
        res.statusCode = 503;
        return res.end();
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { ping: 'pong' } }));
    });
    const source = signedSource(subgraph.url, privateKey);
    const response = await source.process({ kind: HEALTH_CHECK, request: { query: '{ ping }' }, context: { caller: testCaller('mediator') } });
    expect(response).toMatchObject({ data: { ping: 'pong' } });
    expect(subgraph.seen.map((s) => s.verdict)).toEqual(['ok test-mediator', 'ok test-mediator', 'ok test-mediator']);
    expect(new Set(subgraph.seen.map((s) => s.token)).size).toBe(3);
  });

  it('are good once: the token of one fetch, sent again, is refused as a replay', async () => {
    const { privateKey, publicKey } = generateSigningKeyPair();
    const subgraph = await verifyingSubgraph('party', publicKey, (res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { ping: 'pong' } }));
    });
    const source = signedSource(subgraph.url, privateKey);
    await source.process({ kind: HEALTH_CHECK, request: { query: '{ ping }' }, context: { caller: testCaller('mediator') } });
    const [first] = subgraph.seen;
    const replay = await fetch(subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json', [CALLER_HEADER]: first!.token }, body: JSON.stringify({ query: '{ ping }' }) });
    expect(replay.status).toBe(401);
    expect(subgraph.seen.map((s) => s.verdict)).toEqual(['ok test-mediator', 'INTERNAL_TOKEN_REPLAYED']);
  });
});

describe('HMAC caller tokens made from the kept fixed part', () => {
  const secret = parseInternalSecret(randomBytes(32).toString('base64'));
  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  // Names and units of several byte lengths (Chinese characters are 3 bytes in UTF-8), so the fixed part's padding
  // to whole base64 groups is tried at every remainder.
  const callers: Caller[] = [
    testCaller('mediator'),
    testCaller('grid-worker', { userId: '网格员-1', grids: ['320311001001001'], unit: '调解中心' }),
    testCaller('grid-worker', { userId: 'gw-42', grids: ['320311001001001', '320311001001002'] }),
    testCaller('police-officer', { userId: 'p\u00e9-7"x' }),
  ];

  it('are accepted by the subgraph they name, for the body they were made for, with the caller signCallerToken gives', async () => {
    const signer = createCallerTokenSigner(secret, 5);
    for (const caller of callers) {
      for (const audience of ['party', 'civil-affairs', 'public-security']) {
        for (const body of ['{"query":"{ ping }"}', `{"query":"{ resident(id: \\"${audience}\\") { name } }","variables":{"名":"张三"}}`]) {
          const token = await signer.sign(caller, audience, body);
          const reference = await signCallerToken(caller, audience, secret, { body, seconds: 5 });
          const key = subgraphTokenKey(secret, audience);
          expect(await verifyCallerToken(token, audience, key, body)).toEqual(await verifyCallerToken(reference, audience, key, body));
          const { jti, iat, exp, ...claims } = claimsOf(token);
          const { jti: referenceJti, iat: referenceIat, exp: referenceExp, ...referenceClaims } = claimsOf(reference);
          expect(claims).toEqual(referenceClaims);
          expect(jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
          expect(jti).not.toBe(referenceJti);
          expect(Number(exp) - Number(iat)).toBe(Number(referenceExp) - Number(referenceIat));
          expect(Math.abs(Number(iat) - Number(referenceIat))).toBeLessThanOrEqual(1);
          // The signature is the HMAC of the header and payload as sent, under the subgraph's key.
          const [header, payload, signature] = token.split('.');
          expect(header).toBe(reference.split('.')[0]);
          expect(signature).toBe(createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url'));
        }
      }
    }
  });

  it('are refused for another body, another subgraph, or once a byte of the payload changes', async () => {
    const signer = createCallerTokenSigner(secret, 5);
    const caller = callers[1]!;
    const body = '{"query":"{ ping }"}';
    const token = await signer.sign(caller, 'party', body);
    const refusal = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: unknown) => (error instanceof AccessRefusal ? error.reason : String(error)));
    expect(await refusal(verifyCallerToken(token, 'party', subgraphTokenKey(secret, 'party'), '{"query":"{ pong }"}'))).toBe('request');
    expect(await refusal(verifyCallerToken(token, 'civil-affairs', subgraphTokenKey(secret, 'civil-affairs'), body))).toBe('signature');
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(payload!, 'base64url').toString('utf8').replace('"grid-worker"', '"administrator"');
    expect(forged).toContain('"administrator"');
    expect(await refusal(verifyCallerToken(`${header}.${Buffer.from(forged).toString('base64url')}.${signature}`, 'party', subgraphTokenKey(secret, 'party'), body))).toBe('signature');
    // Each call is a token of its own, the fixed part shared.
    const again = await signer.sign(caller, 'party', body);
    expect(again).not.toBe(token);
    expect(await refusal(verifyCallerToken(again, 'party', subgraphTokenKey(secret, 'party'), body))).toBe('accepted');
  });
});

describe("a subgraph's verifier reading the gateway's tokens by the fixed parts it has accepted", () => {
  const secret = parseInternalSecret(randomBytes(32).toString('base64'));
  const body = '{"query":"{ ping }"}';
  const refusal = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: unknown) => (error instanceof AccessRefusal ? error.reason : String(error)));
  const VARIABLE_PART = Buffer.from('"req_sha256"').toString('base64url');
  /** A token's text up to its variable part, and that part's JSON (what the gateway's signer writes per fetch). */
  const partsOf = (token: string) => {
    const second = token.lastIndexOf('.');
    const at = token.lastIndexOf(VARIABLE_PART, second);
    return { prefix: token.slice(0, at), variable: Buffer.from(token.slice(at, second), 'base64url').toString('utf8') };
  };
  /** A token with this prefix and variable part, signed with `key` as the gateway signs. */
  const signed = (prefix: string, variable: string, key: KeyObject) => {
    const input = `${prefix}${Buffer.from(variable).toString('base64url')}`;
    return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
  };
  const fixedJsonOf = (prefix: string) => Buffer.from(prefix.split('.')[1]!, 'base64url').toString('utf8');
  const withFixedJson = (prefix: string, json: string) => `${prefix.split('.')[0]}.${Buffer.from(json).toString('base64url')}`;
  const digest = (text: string) => createHash('sha256').update(text).digest('base64url');
  const variableOf = (text: string, times: { iat?: number; exp?: number } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return `"req_sha256":"${digest(text)}","jti":"${randomBytes(16).toString('base64url')}","iat":${times.iat ?? now},"exp":${times.exp ?? now + 5}}`;
  };

  it('gives every token of a known fixed part the caller a full reading gives, and still checks its signature, body, times and id', async () => {
    const signer = createCallerTokenSigner(secret, 5);
    const key = subgraphTokenKey(secret, 'party');
    for (const caller of [testCaller('mediator'), testCaller('grid-worker', { userId: '网格员-1', grids: ['320311001001001'], unit: '调解中心' }), testCaller('police-officer', { userId: 'p\u00e9-7"x' })]) {
      const verify = createCallerTokenVerifier('party', key);
      const reference = await verifyCallerToken(await signCallerToken(caller, 'party', secret, { body }), 'party', key, body);
      // The first token is read in full and its fixed part kept; the next ones are read by it.
      for (let i = 0; i < 3; i++) expect(await verify(await signer.sign(caller, 'party', body), body)).toEqual(reference);
      const token = await signer.sign(caller, 'party', body);
      const { prefix, variable } = partsOf(token);
      expect(await refusal(verify(token, '{"query":"{ pong }"}'))).toBe('request');
      const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
      expect(await refusal(verify(flipped, body))).toBe('signature');
      // The same fixed part with a variable part not signed with it.
      expect(await refusal(verify(`${prefix}${Buffer.from(variable.replace(/"iat":\d+/, '"iat":1')).toString('base64url')}.${token.split('.')[2]}`, body))).toBe('signature');
      const now = Math.floor(Date.now() / 1000);
      expect(await refusal(verify(signed(prefix, variableOf(body, { iat: now - 100, exp: now - 90 }), key), body))).toBe('expired');
      expect(await refusal(verify(signed(prefix, variableOf(body, { iat: now, exp: now + 61 }), key), body))).toBe('lifetime');
      expect(await refusal(verify(signed(prefix, variableOf(body, { iat: now + 30, exp: now + 35 }), key), body))).toBe('claim iat');
      // Refused tokens were not remembered: the one with the right body is accepted once, then refused as a replay.
      expect(await refusal(verify(token, body))).toBe('accepted');
      expect(await refusal(verify(token, body))).toBe('replay');
    }
  });

  it('reads in full a token whose fixed part differs from a known one by a byte', async () => {
    const signer = createCallerTokenSigner(secret, 5);
    const key = subgraphTokenKey(secret, 'party');
    const verify = createCallerTokenVerifier('party', key);
    const caller = testCaller('grid-worker', { userId: 'gw-42', grids: ['320311001001001', '320311001001002'] });
    await verify(await signer.sign(caller, 'party', body), body);
    const { prefix } = partsOf(await signer.sign(caller, 'party', body));
    const json = fixedJsonOf(prefix);
    // Signed by the key: another user, another grid; each its own caller, not the known part's.
    for (const [from, to, expected] of [
      ['"sub":"gw-42"', '"sub":"gw-43"', { userId: 'gw-43' }],
      ['"320311001001002"', '"320311001001003"', { grids: ['320311001001001', '320311001001003'] }],
    ] as const) {
      const changed = withFixedJson(prefix, json.replace(from, to));
      expect(changed.length).toBe(prefix.length);
      expect(await verify(signed(changed, variableOf(body), key), body)).toEqual({ ...caller, ...expected });
      // And the known part still gives its own caller.
      expect(await verify(signed(prefix, variableOf(body), key), body)).toEqual(caller);
    }
    // A fixed part naming a variable claim is read whole as JSON reads it (the later `exp` holds), every time.
    const named = withFixedJson(prefix, `${json.trimEnd()}"exp":99999999999,${' '.repeat(20)}`.slice(0, json.length + 18 + (3 - ((json.length + 18) % 3)) % 3));
    for (let i = 0; i < 2; i++) expect(await refusal(verify(signed(named, variableOf(body), key), body))).toBe('accepted');
    expect(await refusal(verify(signed(named, variableOf(body, { exp: Math.floor(Date.now() / 1000) - 10, iat: Math.floor(Date.now() / 1000) - 15 }), key), body))).toBe('expired');
    // Not signed by the key: refused, whatever part it shares.
    const forged = withFixedJson(prefix, json.replace('"grid-worker"', '"administrato"'));
    expect(await refusal(verify(signed(forged, variableOf(body), subgraphTokenKey(secret, 'housing')), body))).toBe('signature');
  });

  it('accepts no token of a known fixed part once the key has changed, and the new key none of the old', async () => {
    const rotated = parseInternalSecret(randomBytes(32).toString('base64'));
    const [oldSigner, newSigner] = [createCallerTokenSigner(secret, 5), createCallerTokenSigner(rotated, 5)];
    const caller = testCaller('mediator');
    const oldVerify = createCallerTokenVerifier('party', subgraphTokenKey(secret, 'party'));
    expect(await refusal(oldVerify(await oldSigner.sign(caller, 'party', body), body))).toBe('accepted');
    const fresh = await newSigner.sign(caller, 'party', body);
    // The same fixed part's text, which the old key's verifier knows: the new key's signature does not hold there.
    expect(partsOf(fresh).prefix).toBe(partsOf(await oldSigner.sign(caller, 'party', body)).prefix);
    expect(await refusal(oldVerify(fresh, body))).toBe('signature');
    const newVerify = createCallerTokenVerifier('party', subgraphTokenKey(rotated, 'party'));
    expect(await refusal(newVerify(fresh, body))).toBe('accepted');
    expect(await refusal(newVerify(await newSigner.sign(caller, 'party', body), body))).toBe('accepted');
    expect(await refusal(newVerify(await oldSigner.sign(caller, 'party', body), body))).toBe('signature');
  });
});
