import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'esbuild';

/**
 * `new URL('<relative>', import.meta.url)`: how the hub's modules name the files they read at run time (a subgraph's
 * schema.graphql, its migrations, the supergraph, the explorer's pages). Also the template form whose variable part
 * comes after a literal head (`new URL(\`./operations/${file}\`, import.meta.url)`).
 */
const FILE_URL = /new URL\((['"`])([^'"`$]*)((?:\$\{[^}]*\}[^'"`$]*)*)\1,\s*import\.meta\.url\)/g;

/**
 * The repository root as seen from a bundle: each bundle's banner defines it with this placeholder, which the build
 * replaces in each output by the path from that output up to the root (`../../`). One esbuild run serves bundles at
 * different depths (`gateway/dist/`, `subgraphs/housing/dist/`) and parses each shared module once.
 */
export const ROOT_PLACEHOLDER = '__HUB_REPOSITORY_ROOT__';
export const ROOT_BINDING = '__hubRepositoryRoot';

/**
 * Rewrites those URLs to name the same file from the repository root, and records, per module, every such file
 * that exists in the repository: the runtime tree copies them to the same places. A bundle then reads the same files
 * in a checkout and in a runtime tree, with no copy step in between for development.
 */
export function fileUrlPlugin(repoRoot: string, assetsByModule: Map<string, Set<string>>): Plugin {
  return {
    name: 'hub-file-urls',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        const assets = new Set<string>();
        const contents = source.replace(FILE_URL, (_all, quote: string, head: string, tail: string) => {
          const target = path.resolve(path.dirname(args.path), head);
          const inRepo = path.relative(repoRoot, target);
          if (isAsset(inRepo, target)) assets.add(inRepo.split(path.sep).join('/'));
          const fromRoot = `./${inRepo.split(path.sep).join('/')}${head.endsWith('/') && inRepo !== '' ? '/' : ''}`;
          return `new URL(${quote}${fromRoot}${tail}${quote}, ${ROOT_BINDING})`;
        });
        if (assets.size > 0) assetsByModule.set(path.relative(repoRoot, args.path).split(path.sep).join('/'), assets);
        return { contents, loader: 'ts' };
      });
    },
  };
}

/**
 * A data file or folder of the repository's own. Not: code (a module path handed to a child process is the caller's
 * business), anything outside the repository or under a dot folder (`.data/`: the development database and the demo
 * issuer's keys), a package or a top-level folder (a template URL's head such as `../subgraphs/`), or what is missing.
 */
function isAsset(inRepo: string, target: string): boolean {
  const parts = inRepo.split(path.sep);
  if (inRepo === '' || inRepo.startsWith('..') || parts.some((part) => part.startsWith('.'))) return false;
  if (/\.(ts|js|mjs|cjs)$/.test(target) || !existsSync(target)) return false;
  if (parts.length < 2 || existsSync(path.join(target, 'package.json'))) return false;
  return true;
}
