import { createRequire } from 'node:module';
import { defineConfig, mergeConfig, type ViteUserConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * Shared by every package's vitest config. graphql 16 ships CommonJS and ESM builds; Apollo's packages load the
 * CommonJS one, so our sources must too, or a schema built by one copy is refused by the other ("from another
 * module or realm").
 */
const shared = defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: { testTimeout: 30_000, hookTimeout: 300_000 },
});

export function hubVitestConfig(config: ViteUserConfig): ViteUserConfig {
  return mergeConfig(shared, config);
}
