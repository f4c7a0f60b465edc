import { buildEntries, type BuiltEntry } from './bundle.ts';
import { buildablePackages, REPO_ROOT } from './workspace.ts';

export interface BuildAllOptions {
  /** Package names to build (default: every package with a `hubBuild` section). */
  only?: readonly string[];
  force?: boolean;
  root?: string;
}

/** Builds every entry of the chosen packages, those whose bundle is stale only; esbuild runs them side by side. */
export async function buildAll(options: BuildAllOptions = {}): Promise<BuiltEntry[]> {
  const root = options.root ?? REPO_ROOT;
  const packages = buildablePackages(root).filter((p) => !options.only?.length || options.only.includes(p.name));
  const unknown = (options.only ?? []).filter((name) => !packages.some((p) => p.name === name));
  if (unknown.length > 0) throw new Error(`nothing to build in ${unknown.join(', ')} (no such package, or no "hubBuild" in its package.json)`);
  return buildEntries(packages.flatMap((pkg) => Object.keys(pkg.build.entries).map((entry) => ({ pkg, entry }))), { force: options.force, root });
}
