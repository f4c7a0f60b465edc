import { hubVitestConfig } from '../../vitest.shared.ts';

export default hubVitestConfig({ test: { include: ['test/**/*.test.ts'] } });
