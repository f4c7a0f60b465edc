import { hubVitestConfig } from '../../vitest.shared.ts';

export default hubVitestConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 300_000 },
});
