import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assembleTrees, buildAll, isFresh, workspacePackages } from '../src/index.ts';

/**
 * A workspace of two packages made for the test: a service that reads a data file of its own and one of another
 * package by `new URL(…, import.meta.url)`, and a library it imports. Built, run from the checkout, assembled, and
 * run again from its runtime tree somewhere else.
 */
const root = mkdtempSync(path.join(tmpdir(), 'hub-build-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(file: string, content: string) {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), content);
}

write('package.json', JSON.stringify({ name: 'fixture', private: true, type: 'module', workspaces: ['packages/*', 'service'] }));
write('packages/words/package.json', JSON.stringify({ name: '@fixture/words', type: 'module' }));
write(
  'packages/words/src/index.ts',
  `import { readFileSync } from 'node:fs';
export const greeting = (): string => readFileSync(new URL('../greeting.txt', import.meta.url), 'utf8').trim();
// A development folder the bundle may name but must never carry.
export const scratch = new URL('../../../.data/scratch', import.meta.url);
`,
);
write('packages/words/greeting.txt', '你好\n');
write('service/package.json', JSON.stringify({ name: '@fixture/service', type: 'module', hubBuild: { entries: { index: 'src/index.ts' }, images: { service: 'index' } } }));
write(
  'service/src/index.ts',
  `import { readFileSync } from 'node:fs';
import { greeting } from '../../packages/words/src/index.ts';
const name = (file: string): string => readFileSync(new URL(\`../names/\${file}\`, import.meta.url), 'utf8').trim();
console.log(\`\${greeting()} \${name('first.txt')}\`);
`,
);
write('service/names/first.txt', '网格员\n');
write('.data/scratch', 'development only');

const service = () => workspacePackages(root).find((p) => p.name === '@fixture/service')!;
const run = (file: string) => execFileSync(process.execPath, [file], { encoding: 'utf8' }).trim();

describe('the build', () => {
  it('bundles an entry that plain node runs, reading the files it named from the repository', async () => {
    const [built] = await buildAll({ root });
    expect(built).toMatchObject({ package: '@fixture/service', entry: 'index', rebuilt: true });
    expect(run(path.join(root, 'service/dist/index.js'))).toBe('你好 网格员');
    expect(built!.record.assets).toEqual(['packages/words/greeting.txt', 'service/names']);
  });

  it('rebuilds only what changed since the last build', async () => {
    expect(isFresh(service(), 'index', root)).toBe(true);
    expect((await buildAll({ root }))[0]!.rebuilt).toBe(false);
    const later = new Date(Date.now() + 5_000);
    write('packages/words/src/index.ts', readFileSync(path.join(root, 'packages/words/src/index.ts'), 'utf8').replace('.trim()', '.trim() + "!"'));
    utimesSync(path.join(root, 'packages/words/src/index.ts'), later, later);
    expect(isFresh(service(), 'index', root)).toBe(false);
    expect((await buildAll({ root }))[0]!.rebuilt).toBe(true);
    expect(run(path.join(root, 'service/dist/index.js'))).toBe('你好! 网格员');
  });

  it('refuses a package that has nothing to build', async () => {
    await expect(buildAll({ root, only: ['@fixture/words'] })).rejects.toThrow(/nothing to build in @fixture\/words/);
  });
});

describe('a runtime tree', () => {
  it('holds the bundle and its files at their places, runs as `node <tree>` anywhere, and carries no development folder', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'hub-build-trees-'));
    try {
      const [tree] = await assembleTrees(out, [], root);
      expect(tree).toMatchObject({ image: 'service', main: 'service/dist/index.js' });
      expect(run(path.join(out, 'service'))).toBe('你好! 网格员');
      expect(existsSync(path.join(out, 'service', '.data'))).toBe(false);
      expect(existsSync(path.join(out, 'service', 'service', 'src'))).toBe(false);
      expect(JSON.parse(readFileSync(path.join(out, 'service', 'package.json'), 'utf8'))).toMatchObject({ type: 'module', main: 'service/dist/index.js' });
      await expect(assembleTrees(out, ['nothing'], root)).rejects.toThrow(/no image named nothing; known: service/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
