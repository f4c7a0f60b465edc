import { internalTokenKeysManifest } from './internal-token-keys-manifest.ts';

/**
 * `HUB_INTERNAL_SECRET=… npm run -s internal-token-keys > internal-token-keys.yaml`: the Kubernetes Secrets holding
 * the hub secret (for the gateway) and each department's caller-token key derived from it (for that department
 * alone), for a new secret when HUB_INTERNAL_SECRET is unset. Apply it with the site's other secrets.
 */
try {
  const { yaml, generated } = internalTokenKeysManifest(process.env.HUB_INTERNAL_SECRET || undefined);
  process.stdout.write(yaml);
  if (generated) process.stderr.write('a new HUB_INTERNAL_SECRET was made for these keys: keep the output as the site\'s secret, it is not written anywhere else\n');
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
