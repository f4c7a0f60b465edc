import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildManifest, documentHash, freshManifestText, MANIFEST_PATH } from '../persisted-documents.ts';

const API = readFileSync(new URL('../api.graphql', import.meta.url), 'utf8');

describe('the trusted-documents manifest', () => {
  it('is what the operations under test/operations give today (run `npm run codegen` and commit when this fails)', () => {
    expect(readFileSync(MANIFEST_PATH, 'utf8')).toBe(freshManifestText().text);
  });

  it('keys each operation, with the fragments it spreads, by the SHA-256 of its printed text, whatever the layout', () => {
    const a = buildManifest([{ name: 'a.graphql', body: 'query D { district { ...F } }\nfragment F on District { name }\nfragment Unused on District { code }' }], API);
    const b = buildManifest([{ name: 'b.graphql', body: '# a comment\nfragment F on District {   name }\n\nquery   D {district{...F}}' }], API);
    expect(b).toEqual(a);
    const [[hash, document]] = Object.entries(a) as [[string, string]];
    expect(hash).toBe(documentHash(document));
    expect(document).toContain('fragment F on District');
    expect(document).not.toContain('Unused');
  });

  it('refuses an anonymous operation and one that does not validate against the API schema', () => {
    expect(() => buildManifest([{ name: 'x.graphql', body: '{ district { name } }' }], API)).toThrow(/needs a name/);
    expect(() => buildManifest([{ name: 'x.graphql', body: 'query X { district { nosuchfield } }' }], API)).toThrow(/does not validate/);
  });
});
