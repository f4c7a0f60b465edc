import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { AccessRefusal, CALLER_HEADER, createCallerTokenVerifier, generateSigningKeyPair, type Caller } from '@hub/core';
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
