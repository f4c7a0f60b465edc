import { createHmac, randomBytes } from 'node:crypto';
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
