import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAll } from '../src/index.ts';

/**
 * A workspace whose service imports a graphql package made for the test, shaped as graphql 16 tests for production
 * mode (`jsutils/instanceOf.js`), beside a module of its own that reads NODE_ENV the same way.
 */
const root = mkdtempSync(path.join(tmpdir(), 'hub-build-graphql-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(file: string, content: string) {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), content);
}

const INSTANCE_OF = `'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const isProduction =
  globalThis.process && // eslint-disable-next-line no-undef
  process.env.NODE_ENV === 'production';
exports.mode = isProduction ? 'production' : 'development';
`;
write('package.json', JSON.stringify({ name: 'fixture', private: true, type: 'module', workspaces: ['service'] }));
write('node_modules/graphql/package.json', JSON.stringify({ name: 'graphql', version: '16.0.0', license: 'MIT', main: 'index' }));
write('node_modules/graphql/jsutils/instanceOf.js', INSTANCE_OF);
write('service/package.json', JSON.stringify({ name: '@fixture/service', type: 'module', hubBuild: { entries: { index: 'src/index.ts' }, images: { service: 'index' } } }));
write(
  'service/src/index.ts',
  `import { mode } from 'graphql/jsutils/instanceOf.js';
const ours = process.env.NODE_ENV === 'production' ? 'production' : 'development';
console.log(\`graphql \${mode}, ours \${ours}\`);
`,
);

const run = (file: string, env: NodeJS.ProcessEnv) => execFileSync(process.execPath, [file], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } }).trim();

describe('graphql in the bundles', () => {
  it('runs in production mode while everything else still reads the real NODE_ENV', async () => {
    const [built] = await buildAll({ root });
    const bundle = path.join(root, 'service/dist/index.js');
    expect(built!.record.packages).toEqual([{ name: 'graphql', version: '16.0.0', license: 'MIT' }]);
    expect(run(bundle, {})).toBe('graphql production, ours development');
    expect(run(bundle, { NODE_ENV: 'production' })).toBe('graphql production, ours production');
  });

  it('fails the build when graphql stops testing NODE_ENV that way, rather than keeping the development check unseen', async () => {
    write('node_modules/graphql/jsutils/instanceOf.js', INSTANCE_OF.replace("process.env.NODE_ENV === 'production'", "process.env.NODE_ENV !== 'development'"));
    await expect(buildAll({ root, force: true })).rejects.toThrow(/no longer tests process\.env\.NODE_ENV === 'production'/);
    write('node_modules/graphql/jsutils/instanceOf.js', INSTANCE_OF);
    expect(readFileSync(path.join(root, 'node_modules/graphql/jsutils/instanceOf.js'), 'utf8')).toBe(INSTANCE_OF);
  });
});
