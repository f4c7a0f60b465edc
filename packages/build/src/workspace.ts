import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the folder whose package.json lists the workspaces. */
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');

/**
 * What a workspace package declares under `hubBuild` in its package.json: the modules that plain `node` runs.
 * `entries` maps an output name to a source module (`"index": "src/index.ts"` builds `dist/index.js`); `images`
 * names the entries that are deployed as services of their own (image name → entry name); `packageFiles` names
 * installed packages whose files (not code) the entries read at run time, as the explorer serves GraphiQL's.
 */
export interface BuildSpec {
  entries: Record<string, string>;
  images?: Record<string, string>;
  packageFiles?: string[];
}

export interface WorkspacePackage {
  name: string;
  /** Absolute folder of the package. */
  dir: string;
  /** The folder relative to the repository root, with forward slashes (`subgraphs/housing`). */
  relativeDir: string;
  build: BuildSpec | undefined;
}

interface PackageJson {
  name?: string;
  workspaces?: string[];
  hubBuild?: BuildSpec;
}

const readPackageJson = (file: string): PackageJson => JSON.parse(readFileSync(file, 'utf8')) as PackageJson;

/** Every workspace package of the repository, in the order the root package.json lists their globs. */
export function workspacePackages(root = REPO_ROOT): WorkspacePackage[] {
  const patterns = readPackageJson(path.join(root, 'package.json')).workspaces ?? [];
  const dirs: string[] = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const parent = path.join(root, pattern.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const entry of readdirSync(parent, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (entry.isDirectory()) dirs.push(path.join(parent, entry.name));
      }
    } else {
      dirs.push(path.join(root, pattern));
    }
  }
  return dirs
    .filter((dir) => existsSync(path.join(dir, 'package.json')))
    .map((dir) => {
      const json = readPackageJson(path.join(dir, 'package.json'));
      return { name: json.name ?? path.basename(dir), dir, relativeDir: path.relative(root, dir).split(path.sep).join('/'), build: json.hubBuild };
    });
}

/** The packages that have something to build. */
export function buildablePackages(root = REPO_ROOT): (WorkspacePackage & { build: BuildSpec })[] {
  return workspacePackages(root).filter((p): p is WorkspacePackage & { build: BuildSpec } => p.build !== undefined);
}
