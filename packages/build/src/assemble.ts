import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildEntries, outputOf, type BundledPackage } from './bundle.ts';
import { buildablePackages, REPO_ROOT, type BuildSpec, type WorkspacePackage } from './workspace.ts';

/** The Node.js versions a runtime tree is built and tested for (the image runs the first LTS of that range). */
export const RUNTIME_NODE_RANGE = '>=24';

export interface RuntimeImage {
  /** Image name: the service it runs (`gateway`, `housing`, `audit-verify`). */
  name: string;
  pkg: WorkspacePackage & { build: BuildSpec };
  entry: string;
}

/** Every deployable image the workspace declares (`hubBuild.images`), in workspace order. */
export function runtimeImages(root = REPO_ROOT): RuntimeImage[] {
  return buildablePackages(root).flatMap((pkg) => Object.entries(pkg.build.images ?? {}).map(([name, entry]) => ({ name, pkg, entry })));
}

export interface AssembledTree {
  image: string;
  dir: string;
  /** The module `node <dir>` runs (package.json `main`), relative to the tree. */
  main: string;
  packages: BundledPackage[];
}

/**
 * Assembles the runtime tree of one image in `<outDir>/<image>/`: its bundle (built first if stale), the files the
 * bundle reads at run time at the same relative places as in the repository, the package files it serves, a
 * package.json whose `main` is the bundle (so `node <tree>` starts the service) and THIRD-PARTY.json listing every
 * package inside the bundle with its version and licence. Nothing else: no node_modules of code, no sources, no tools.
 */
export async function assembleTree(image: RuntimeImage, outDir: string, root = REPO_ROOT): Promise<AssembledTree> {
  const [built] = await buildEntries([{ pkg: image.pkg, entry: image.entry }], { root });
  if (!built) throw new Error(`${image.name} was not built`);
  const dir = path.join(outDir, image.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const bundle = outputOf(image.pkg, image.entry);
  const main = path.relative(root, bundle).split(path.sep).join('/');
  for (const suffix of ['', '.map', '.LEGAL.txt']) {
    if (existsSync(bundle + suffix)) cpSync(bundle + suffix, path.join(dir, main + suffix));
  }
  for (const asset of built.record.assets) {
    cpSync(path.join(root, asset), path.join(dir, asset), { recursive: true });
  }
  const requireFromPackage = createRequire(path.join(image.pkg.dir, 'package.json'));
  for (const file of image.pkg.build.packageFiles ?? []) {
    const name = file.startsWith('@') ? file.split('/').slice(0, 2).join('/') : file.split('/')[0]!;
    const packageDir = path.dirname(requireFromPackage.resolve(`${name}/package.json`));
    const target = path.join(dir, 'node_modules', name);
    for (const part of [file.slice(name.length + 1), 'package.json', ...licenceFiles(packageDir)]) {
      cpSync(path.join(packageDir, part), path.join(target, part));
    }
  }
  const manifest = { name: `governance-hub-${image.name}`, private: true, type: 'module', main, engines: { node: RUNTIME_NODE_RANGE } };
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(path.join(dir, 'THIRD-PARTY.json'), `${JSON.stringify(built.record.packages, null, 1)}\n`);
  return { image: image.name, dir, main, packages: built.record.packages };
}

const licenceFiles = (packageDir: string) => readdirSync(packageDir).filter((f) => /^(licen[cs]e|notice)/i.test(f));

/** Assembles the trees of the named images (default: all) into `outDir`. */
export async function assembleTrees(outDir: string, names: readonly string[] = [], root = REPO_ROOT): Promise<AssembledTree[]> {
  const images = runtimeImages(root);
  const unknown = names.filter((n) => !images.some((i) => i.name === n));
  if (unknown.length > 0) throw new Error(`no image named ${unknown.join(', ')}; known: ${images.map((i) => i.name).join(', ')}`);
  const chosen = names.length > 0 ? images.filter((i) => names.includes(i.name)) : images;
  // One esbuild run for every stale bundle; each tree below then finds its bundle fresh.
  await buildEntries(chosen.map(({ pkg, entry }) => ({ pkg, entry })), { root });
  const trees: AssembledTree[] = [];
  for (const image of chosen) trees.push(await assembleTree(image, path.resolve(outDir), root));
  return trees;
}
