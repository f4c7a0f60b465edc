import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MANIFEST, documentHash, parseManifest, readManifest, trustedDocumentsFromEnv } from '../src/trusted-documents.ts';

describe('trusted documents configuration', () => {
  it('defaults to allow in development and enforce in production, over the committed manifest', () => {
    const development = trustedDocumentsFromEnv({});
    expect(development.mode).toBe('allow');
    expect(development.source).toBe(DEFAULT_MANIFEST);
    expect(development.manifest.size).toBeGreaterThan(0);
    expect(trustedDocumentsFromEnv({ NODE_ENV: 'production' }).mode).toBe('enforce');
    expect(trustedDocumentsFromEnv({ NODE_ENV: 'production', HUB_TRUSTED_DOCUMENTS: 'off' })).toEqual({ mode: 'off', manifest: new Map() });
    expect(() => trustedDocumentsFromEnv({ HUB_TRUSTED_DOCUMENTS: 'strict' })).toThrow(/HUB_TRUSTED_DOCUMENTS must be one of off, allow, enforce/);
  });

  it('reads a manifest of its own from HUB_TRUSTED_DOCUMENTS_MANIFEST and refuses one whose hashes do not match', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hub-manifest-'));
    const document = 'query D {\n  district {\n    name\n  }\n}';
    const good = path.join(dir, 'good.json');
    await writeFile(good, JSON.stringify({ [documentHash(document)]: document }));
    expect([...trustedDocumentsFromEnv({ HUB_TRUSTED_DOCUMENTS: 'enforce', HUB_TRUSTED_DOCUMENTS_MANIFEST: good }).manifest.values()]).toEqual([document]);
    expect(() => parseManifest({ [documentHash(document)]: `${document} ` }, 'm')).toThrow(/does not hash to it/);
    expect(() => parseManifest({ D: document }, 'm')).toThrow(/not a SHA-256 hash/);
    expect(() => parseManifest([document], 'm')).toThrow(/expected a JSON object/);
    expect(() => readManifest(path.join(dir, 'missing.json'))).toThrow(/trusted-documents manifest .*missing.json/);
  });
});
