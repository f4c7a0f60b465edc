import { randomBytes } from 'node:crypto';
import { departments, INTERNAL_TOKEN_KEY_BYTES, internalTokenEnvForRun } from '@hub/core';

/**
 * The Secrets of deploy/kubernetes/overlays/example-district/site-secrets.example.yaml that carry the internal caller
 * tokens' keys, filled in: `hub-internal-secret` (the gateway's) and one `<department>-internal-token-key` per
 * department, holding that department's derived key only. From `secret` (HUB_INTERNAL_SECRET), or a new one.
 */
export function internalTokenKeysManifest(secret: string | undefined, namespace = 'governance-hub'): { yaml: string; generated: boolean } {
  const value = secret ?? randomBytes(INTERNAL_TOKEN_KEY_BYTES).toString('base64url');
  const keys = internalTokenEnvForRun({ HUB_INTERNAL_SECRET: value });
  const secretOf = (name: string, key: string, text: string) =>
    ['apiVersion: v1', 'kind: Secret', 'metadata:', `  name: ${name}`, `  namespace: ${namespace}`, 'type: Opaque', 'stringData:', `  ${key}: ${JSON.stringify(text)}`].join('\n');
  const documents = [
    secretOf('hub-internal-secret', 'HUB_INTERNAL_SECRET', keys.gateway.HUB_INTERNAL_SECRET!),
    ...departments.map((d) => secretOf(`${d.name}-internal-token-key`, 'HUB_INTERNAL_TOKEN_KEY', keys.subgraph(d.name).HUB_INTERNAL_TOKEN_KEY!)),
  ];
  return { yaml: `${documents.join('\n---\n')}\n`, generated: secret === undefined };
}
