import { readFileSync } from 'node:fs';
import type { AuditRecordInput } from '@hub/audit-trail';
import { createGateway, DEFAULT_MANIFEST, DEFAULT_SUPERGRAPH, documentHash, readManifest, readSupergraph, TrustedDocumentCode } from '@hub/gateway';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { busiestGrid } from './world.ts';

/**
 * Trusted documents in `enforce` mode: apps send the id of a document in the codegen-built manifest; an ad-hoc
 * operation runs only for a role granted ad-hoc queries (the district analyst, the administrator).
 */
let hub: TestHub;
let enforcing: { url: string; close(): Promise<void> };
const audit: AuditRecordInput[] = [];
const manifest = readManifest(DEFAULT_MANIFEST);
/** The manifest id of a named operation. */
const idOf = (name: string) => [...manifest].find(([, document]) => new RegExp(`^query ${name}\\b`).test(document))![0];
const grid = busiestGrid.grid.code;

beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  enforcing = await createGateway({
    supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
    urls: Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])),
    ...hub.gatewayAccess,
    audit: { write: async (record) => audit.push(record) },
    trustedDocuments: { mode: 'enforce', manifest },
  }).listen(0);
});
afterAll(async () => {
  await enforcing?.close();
  await hub?.close();
});

interface Answer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}
async function post(url: string, token: string, body: Record<string, unknown>, purpose?: string): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(purpose ? { 'x-hub-purpose': purpose } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, ...((await response.json()) as Omit<Answer, 'status'>) };
}
const codes = (answer: Answer) => (answer.errors ?? []).map((e) => e.extensions?.code);
const gridWorker = () => hub.tokenFor('grid-worker', { grids: [grid] });
const AD_HOC = '{ district { name } }';

describe('trusted documents (enforce)', () => {
  it('the committed manifest holds every operation under test/operations, keyed by its hash', () => {
    expect(manifest.size).toBe(readFileSync(new URL('../schema/persisted-documents.json', import.meta.url), 'utf8').match(/"[0-9a-f]{64}":/g)!.length);
    for (const [hash, document] of manifest) expect(documentHash(document)).toBe(hash);
    expect(idOf('GridResidents')).toMatch(/^[0-9a-f]{64}$/);
  });

  it("runs a grid worker's operation named by its hash (Apollo's persisted-query extension) or by documentId", async () => {
    const token = await gridWorker();
    const variables = { code: grid, first: 5 };
    const byExtension = await post(enforcing.url, token, { variables, extensions: { persistedQuery: { version: 1, sha256Hash: idOf('GridResidents') } } }, 'grid-service');
    expect(byExtension.status).toBe(200);
    expect(byExtension.errors).toBeUndefined();
    expect(byExtension.data).toMatchObject({ grid: { code: grid, residents: { totalCount: busiestGrid.residents.length } } });
    const byDocumentId = await post(enforcing.url, token, { documentId: `sha256:${idOf('GridResidents')}`, variables }, 'grid-service');
    expect(byDocumentId).toEqual(byExtension);
    // The manifest's own text is the document too, and a hash sent with its text is checked against it.
    const withText = await post(enforcing.url, token, { query: manifest.get(idOf('GridResidents')), variables, extensions: { persistedQuery: { version: 1, sha256Hash: idOf('GridResidents') } } }, 'grid-service');
    expect(withText).toEqual(byExtension);
    const get = await fetch(`${enforcing.url}?documentId=${idOf('GridResidents')}&variables=${encodeURIComponent(JSON.stringify(variables))}`, {
      headers: { authorization: `Bearer ${token}`, 'x-hub-purpose': 'grid-service', 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: byExtension.data });
  });

  it('refuses an ad-hoc operation of a grid worker with PERSISTED_DOCUMENT_REQUIRED (HTTP 400), before it runs, and records it', async () => {
    const before = audit.length;
    const answer = await post(enforcing.url, await gridWorker(), { query: AD_HOC });
    expect(answer.status).toBe(400);
    expect(answer.data).toBeUndefined();
    expect(codes(answer)).toEqual([TrustedDocumentCode.PERSISTED_DOCUMENT_REQUIRED]);
    // Not even a reformatted manifest document: the text must be the manifest's own, or be sent by id.
    const reformatted = print(parse(manifest.get(idOf('GridResidents'))!)).replace(/\n\s*/g, ' ');
    expect(codes(await post(enforcing.url, await gridWorker(), { query: reformatted, variables: { code: grid } }))).toEqual([TrustedDocumentCode.PERSISTED_DOCUMENT_REQUIRED]);
    // Nor a hash of its own registered along with its text (automatic persisted queries register nothing here).
    expect(codes(await post(enforcing.url, await gridWorker(), { query: AD_HOC, extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(AD_HOC) } } }))).toEqual([
      TrustedDocumentCode.PERSISTED_DOCUMENT_REQUIRED,
    ]);
    expect(audit.slice(before)).toEqual([
      expect.objectContaining({ userId: 'test-grid-worker', role: 'grid-worker', outcome: 'ERROR', errorCodes: [TrustedDocumentCode.PERSISTED_DOCUMENT_REQUIRED] }),
      expect.objectContaining({ errorCodes: [TrustedDocumentCode.PERSISTED_DOCUMENT_REQUIRED] }),
      expect.objectContaining({ errorCodes: [TrustedDocumentCode.PERSISTED_DOCUMENT_REQUIRED] }),
    ]);
  });

  it('runs an ad-hoc operation of a district analyst, still under the cost limit', async () => {
    const token = await hub.tokenFor('district-analyst');
    const answer = await post(enforcing.url, token, { query: AD_HOC }, 'statistics');
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toMatchObject({ district: { name: expect.any(String) } });
    const costly = await post(enforcing.url, token, { query: '{ grids(first: 500) { edges { node { residents(first: 500) { edges { node { id } } } } } } }' }, 'statistics');
    expect(codes(costly)).toEqual(['QUERY_TOO_COSTLY']);
  });

  it('refuses an id the manifest does not hold (PERSISTED_DOCUMENT_NOT_FOUND) and a text that does not hash to its id', async () => {
    for (const token of [await gridWorker(), await hub.tokenFor('district-analyst')]) {
      const unknown = await post(enforcing.url, token, { extensions: { persistedQuery: { version: 1, sha256Hash: documentHash('query Nothing { __typename }') } } });
      expect(unknown.status).toBe(400);
      expect(codes(unknown)).toEqual([TrustedDocumentCode.PERSISTED_DOCUMENT_NOT_FOUND]);
      expect(codes(await post(enforcing.url, token, { documentId: 'no-such-document' }))).toEqual([TrustedDocumentCode.PERSISTED_DOCUMENT_NOT_FOUND]);
    }
    const mismatch = await post(enforcing.url, await hub.tokenFor('district-analyst'), { query: AD_HOC, documentId: idOf('GridResidents') });
    expect(codes(mismatch)).toEqual([TrustedDocumentCode.PERSISTED_DOCUMENT_MISMATCH]);
  });

  it('in allow mode (the development default) runs ids from the manifest and ad-hoc operations alike', async () => {
    const token = await gridWorker();
    const adHoc = await post(hub.gatewayUrl, token, { query: AD_HOC });
    expect(adHoc.errors).toBeUndefined();
    const byId = await post(hub.gatewayUrl, token, { documentId: idOf('GridResidents'), variables: { code: grid, first: 1 } }, 'grid-service');
    expect(byId.errors).toBeUndefined();
    expect(byId.data).toMatchObject({ grid: { code: grid } });
    expect(codes(await post(hub.gatewayUrl, token, { documentId: 'no-such-document' }))).toEqual([TrustedDocumentCode.PERSISTED_DOCUMENT_NOT_FOUND]);
  });
});
