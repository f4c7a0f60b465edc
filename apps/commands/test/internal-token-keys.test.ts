import { createSecretKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { departments, parseSubgraphTokenKey, signCallerToken, subgraphTokenKey, subgraphTokenKeyText, verifyCallerToken } from '@hub/core';
import { testCaller } from '@hub/core/testing';
import { internalTokenKeysManifest } from '../src/internal-token-keys-manifest.ts';

/** name → the one key each Secret holds, as read back from the printed YAML. */
function secretsOf(yaml: string): Map<string, Record<string, string>> {
  const secrets = new Map<string, Record<string, string>>();
  for (const document of yaml.split('\n---\n')) {
    const name = /^ {2}name: (.+)$/m.exec(document)![1]!;
    const [, key, value] = /^stringData:\n {2}(\w+): (".*")$/m.exec(document)!;
    secrets.set(name, { [key!]: JSON.parse(value!) as string });
  }
  return secrets;
}

describe('npm run internal-token-keys', () => {
  it("gives the gateway the hub secret and each department the key derived for it alone, which verifies the gateway's tokens", async () => {
    const secret = 'x'.repeat(20) + 'a-site-secret-of-some-length';
    const { yaml, generated } = internalTokenKeysManifest(secret);
    expect(generated).toBe(false);
    const secrets = secretsOf(yaml);
    expect([...secrets.keys()].sort()).toEqual(['hub-internal-secret', ...departments.map((d) => `${d.name}-internal-token-key`)].sort());
    expect(secrets.get('hub-internal-secret')).toEqual({ HUB_INTERNAL_SECRET: secret });
    const hubSecret = createSecretKey(Buffer.from(secret));
    const body = '{"query":"{ __typename }"}';
    for (const { name } of departments) {
      const key = secrets.get(`${name}-internal-token-key`)!.HUB_INTERNAL_TOKEN_KEY!;
      expect(key).toBe(subgraphTokenKeyText(subgraphTokenKey(hubSecret, name)));
      const token = await signCallerToken(testCaller(), name, hubSecret, { body });
      expect((await verifyCallerToken(token, name, parseSubgraphTokenKey(key), body)).userId).toBe(testCaller().userId);
    }
    expect(new Set([...secrets.values()].map((s) => Object.values(s)[0])).size).toBe(departments.length + 1);
  });

  it('makes a new secret when none is given, and refuses a short one', () => {
    const first = internalTokenKeysManifest(undefined);
    expect(first.generated).toBe(true);
    expect(secretsOf(first.yaml).get('hub-internal-secret')!.HUB_INTERNAL_SECRET).not.toBe(secretsOf(internalTokenKeysManifest(undefined).yaml).get('hub-internal-secret')!.HUB_INTERNAL_SECRET);
    expect(() => internalTokenKeysManifest('short')).toThrow(/HUB_INTERNAL_SECRET must be at least 32 characters/);
  });
});
