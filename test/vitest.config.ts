import { hubVitestConfig } from '../vitest.shared.ts';

export default hubVitestConfig({
  test: { include: ['**/*.e2e.test.ts'], exclude: ['**/node_modules/**'], globalSetup: ['global-setup.ts'] },
});
