import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The house's floors (STYLE.md, "Floors and verticals"), read from the code itself: every workspace package.json
 * and every import specifier of every TypeScript file. Arrows point only downward: `apps/` → `gateway/` and
 * `subgraphs/` → `packages/`; no subgraph imports another; the gateway imports no subgraph. A subgraph's service
 * (what its `src/index.ts` loads) never loads the demo generator or the import engine.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

type Floor = 'apps' | 'services' | 'packages' | 'other';

interface Workspace {
  name: string;
  dir: string;
  floor: Floor;
  json: { dependencies?: Record<string, string>; devDependencies?: Record<string, string>; exports?: Record<string, string> | string };
}

function workspaces(): Workspace[] {
  const root = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
  const dirs = root.workspaces.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(path.join(ROOT, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((e) => e.isDirectory() && existsSync(path.join(ROOT, pattern.slice(0, -2), e.name, 'package.json')))
          .map((e) => `${pattern.slice(0, -2)}/${e.name}`)
      : [pattern],
  );
  return dirs.map((dir) => {
    const json = JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as Workspace['json'] & { name: string };
    const floor: Floor = dir.startsWith('apps/') ? 'apps' : dir === 'gateway' || dir.startsWith('subgraphs/') ? 'services' : dir.startsWith('packages/') ? 'packages' : 'other';
    return { name: json.name, dir, floor, json };
  });
}

const all = workspaces();
const byName = new Map(all.map((w) => [w.name, w]));

/** Why `from` may not depend on `to`, or null when it may. */
function refusal(from: Workspace, to: Workspace): string | null {
  if (from === to) return null;
  if (to.floor === 'other') return from.floor === 'other' ? null : `${to.dir} is no library`;
  if (from.floor === 'packages' && to.floor !== 'packages') return 'a library imports only libraries';
  if (from.floor === 'services') {
    if (to.floor === 'apps') return 'a service imports no app';
    if (to.floor === 'services') return from.dir === 'gateway' ? 'the gateway imports no subgraph' : to.dir === 'gateway' ? 'a subgraph imports no gateway' : 'a subgraph imports no other subgraph';
  }
  return null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mts)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((file) => !file.split(path.sep).includes('node_modules'));
}

interface Specifier {
  text: string;
  /** `import type`/`export type`: gone at run time. */
  typeOnly: boolean;
  /** `import('…')`: loaded only when the code runs it. */
  dynamic: boolean;
}

function specifiers(source: string): Specifier[] {
  const found: Specifier[] = [];
  for (const [, type, text] of source.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
    found.push({ text: text!, typeOnly: Boolean(type), dynamic: false });
  }
  for (const [, text] of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ text: text!, typeOnly: false, dynamic: true });
  return found;
}

/** The workspace package a bare specifier names (`@hub/audit-trail/db` → @hub/audit-trail), if any. */
function workspaceOf(specifier: string): Workspace | undefined {
  const [scope, name] = specifier.split('/');
  return byName.get(scope!.startsWith('@') ? `${scope}/${name}` : scope!);
}

const owner = (file: string) => all.filter((w) => file.startsWith(path.join(ROOT, w.dir) + path.sep)).sort((a, b) => b.dir.length - a.dir.length)[0];

/** The file an import names: relative paths as written, workspace packages through their `exports`. */
function resolve(from: string, specifier: string): string | null {
  if (specifier.startsWith('.')) return path.resolve(path.dirname(from), specifier);
  const target = workspaceOf(specifier);
  if (!target) return null;
  const sub = `.${specifier.slice(target.name.length)}`;
  const exports = typeof target.json.exports === 'string' ? { '.': target.json.exports } : (target.json.exports ?? {});
  const entry = exports[sub];
  return entry ? path.join(ROOT, target.dir, entry) : null;
}

describe('floors', () => {
  it('every workspace is on a floor: apps/, gateway/ and subgraphs/, packages/', () => {
    expect(all.filter((w) => w.floor === 'apps').map((w) => w.dir)).toEqual(expect.arrayContaining(['apps/hub', 'apps/commands']));
    expect(all.filter((w) => w.floor === 'packages').map((w) => w.dir)).toEqual(expect.arrayContaining(['packages/core', 'packages/import', 'packages/demo', 'packages/audit-trail']));
  });

  it('no package.json depends on a floor above it, nor a subgraph on another', () => {
    const wrong: string[] = [];
    for (const w of all) {
      for (const dep of Object.keys({ ...w.json.dependencies, ...w.json.devDependencies })) {
        const target = byName.get(dep);
        const why = target && refusal(w, target);
        if (why) wrong.push(`${w.dir}/package.json → ${dep}: ${why}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('no import runs upward, nor from one subgraph into another, nor into another package by a relative path', () => {
    const wrong: string[] = [];
    for (const w of all) {
      for (const file of sourceFiles(path.join(ROOT, w.dir))) {
        for (const { text } of specifiers(readFileSync(file, 'utf8'))) {
          const at = path.relative(ROOT, file);
          if (text.startsWith('.')) {
            // Shared files at the root (vitest.shared.ts, clients/, docs/) belong to no package; another package's may not be reached.
            const target = owner(path.resolve(path.dirname(file), text));
            if (target && target !== w) wrong.push(`${at} → ${text}: reaches into ${target.dir} by a relative path`);
            continue;
          }
          const target = workspaceOf(text);
          const why = target && refusal(w, target);
          if (why) wrong.push(`${at} → ${text}: ${why}`);
          else if (target && target !== w && !(target.name in { ...w.json.dependencies, ...w.json.devDependencies })) {
            wrong.push(`${at} → ${text}: not in ${w.dir}/package.json`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("a subgraph's service loads neither the demo generator nor the import engine, and they are no runtime dependency of it", () => {
    const demo = path.join(ROOT, byName.get('@hub/demo')!.dir) + path.sep;
    const engine = path.join(ROOT, byName.get('@hub/import')!.dir) + path.sep;
    const subgraphs = all.filter((w) => w.dir.startsWith('subgraphs/'));
    expect(subgraphs.length).toBeGreaterThan(0);
    for (const subgraph of subgraphs) {
      expect(Object.keys(subgraph.json.dependencies ?? {}), `${subgraph.dir}/package.json dependencies`).not.toContain('@hub/demo');
      expect(Object.keys(subgraph.json.dependencies ?? {}), `${subgraph.dir}/package.json dependencies`).not.toContain('@hub/import');
      // Everything src/index.ts loads when it starts: static imports that are not type-only, followed through packages.
      const seen = new Set<string>();
      const chain = new Map<string, string>();
      const queue = [path.join(ROOT, subgraph.dir, 'src', 'index.ts')];
      while (queue.length > 0) {
        const file = queue.shift()!;
        if (seen.has(file) || !existsSync(file)) continue;
        seen.add(file);
        for (const s of specifiers(readFileSync(file, 'utf8'))) {
          if (s.typeOnly || s.dynamic) continue;
          const next = resolve(file, s.text);
          if (next && !seen.has(next)) {
            if (!chain.has(next)) chain.set(next, file);
            queue.push(next);
          }
        }
      }
      const loaded = [...seen].filter((f) => f.startsWith(demo) || f.startsWith(engine));
      const how = (file: string) => {
        const steps = [file];
        while (chain.has(steps[0]!)) steps.unshift(chain.get(steps[0]!)!);
        return steps.map((s) => path.relative(ROOT, s)).join(' → ');
      };
      expect(loaded.map(how), `${subgraph.dir}/src/index.ts`).toEqual([]);
      expect(seen.size, `${subgraph.dir}/src/index.ts loads its server`).toBeGreaterThan(5);
    }
  });
});
