import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { departments, DEPLOYED_SERVICES, ENV_VARIABLES, variablesReadBy, type ConfigReader } from '@hub/core';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const at = (...parts: string[]) => path.join(ROOT, ...parts);
const PREFIXES = departments.map((d) => d.envPrefix);

/** `<DEPT>_PORT` → PUBLIC_SECURITY_PORT, …; any other name stays itself. */
function expand(names: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const name of names) {
    if (name.startsWith('<DEPT>_')) for (const prefix of PREFIXES) out.add(name.replace('<DEPT>', prefix));
    else out.add(name);
  }
  return out;
}

const sorted = (names: Iterable<string>) => [...names].sort();
const difference = (a: Set<string>, b: Set<string>) => sorted([...a].filter((x) => !b.has(x)));

// --- what the code reads ---

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((file) => !file.includes(`${path.sep}__generated__${path.sep}`) && !file.includes(`${path.sep}node_modules${path.sep}`));
}

/**
 * Every environment variable read in the services' and tools' sources: `env.X`, `process.env.X`, `env['X']`,
 * destructured `{ X: x } = env`, and per-department reads through a template (`${dept.envPrefix}_PORT` → `<DEPT>_PORT`).
 * A file that reads `env[someName]` also reads every SCREAMING_CASE string literal it holds (the names it looks up).
 */
function environmentReadsInCode(): Map<string, string[]> {
  const files = [
    ...['gateway/src', 'schema'].flatMap((d) => sourceFiles(at(d))),
    ...['packages', 'apps'].flatMap((floor) => readdirSync(at(floor)).flatMap((d) => sourceFiles(at(floor, d, 'src')))),
    ...readdirSync(at('subgraphs')).flatMap((d) => sourceFiles(at('subgraphs', d, 'src'))),
    at('codegen.ts'),
  ].filter((file) => !file.includes(`${path.sep}test${path.sep}`) && !file.includes(`${path.sep}testing`));
  const reads = new Map<string, string[]>();
  const add = (name: string, file: string) => reads.set(name, [...(reads.get(name) ?? []), path.relative(ROOT, file)]);
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    for (const [, name] of source.matchAll(/\benv\.([A-Z][A-Z0-9_]+)\b/g)) add(name!, file);
    for (const [, name] of source.matchAll(/\benv\[\s*['"]([A-Z][A-Z0-9_]+)['"]\s*\]/g)) add(name!, file);
    for (const [, keys] of source.matchAll(/\{([^{}]*)\}\s*=\s*(?:process\.)?env\b/g)) {
      for (const [, name] of keys!.matchAll(/\b([A-Z][A-Z0-9_]+)\s*:/g)) add(name!, file);
    }
    const indirect = /\benv\[\s*[a-z]\w*(?:\([^)]*\))?\s*\]/.test(source);
    for (const [, suffix] of source.matchAll(/\benv\[\s*`\$\{[^`]*?\}_([A-Z0-9_]+)`\s*\]/g)) add(`<DEPT>_${suffix}`, file);
    if (indirect) {
      for (const [, suffix] of source.matchAll(/`\$\{[^`]*?\}_([A-Z][A-Z0-9_]+)`/g)) add(`<DEPT>_${suffix}`, file);
      for (const [, name] of source.matchAll(/['"]([A-Z][A-Z0-9]*_[A-Z0-9_]+)['"]/g)) add(name!, file);
    }
  }
  return reads;
}

// --- the README's table ---

function configurationTable(): Set<string> {
  const readme = readFileSync(at('README.md'), 'utf8');
  const start = readme.indexOf('\n## Configuration\n');
  expect(start, 'README has a Configuration section').toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  const rows = readme.slice(start, end).split('\n').filter((line) => line.startsWith('| `'));
  const names = new Set<string>();
  for (const row of rows) {
    const firstCell = row.split('|')[1]!;
    for (const [, name] of firstCell.matchAll(/`((?:<DEPT>_)?[A-Z][A-Z0-9_]*)`/g)) names.add(name!);
  }
  return names;
}

// --- the deployment manifests ---

interface ManifestContainer {
  kind: string;
  name: string;
  image: string;
  /** Every variable the container's process sees: `env` entries and the keys of what `envFrom` brings in. */
  variables: Set<string>;
  /** Literal values the manifests give (`value:` entries and ConfigMap data), checked like the services check them. */
  literals: Map<string, string>;
}

type Yaml = Record<string, unknown>;
const asRecord = (value: unknown): Yaml => (value !== null && typeof value === 'object' ? (value as Yaml) : {});
const asList = (value: unknown): Yaml[] => (Array.isArray(value) ? value.map(asRecord) : []);

function manifests(): { documents: Yaml[]; containers: ManifestContainer[]; variables: Set<string> } {
  const dir = at('deploy', 'kubernetes');
  const documents = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(path.join(dir, f), 'utf8')).map((d) => asRecord(d.toJS())));
  const dataOf = (kind: string, name: string): Record<string, string> => {
    const found = documents.find((d) => d.kind === kind && asRecord(d.metadata).name === name);
    expect(found, `${kind} ${name} is defined in deploy/kubernetes`).toBeDefined();
    return asRecord(kind === 'Secret' ? found!.stringData : found!.data) as Record<string, string>;
  };
  const variables = new Set<string>();
  for (const doc of documents) {
    if (doc.kind === 'ConfigMap' || doc.kind === 'Secret') for (const key of Object.keys(asRecord(doc.kind === 'Secret' ? doc.stringData : doc.data))) variables.add(key);
  }
  const containers: ManifestContainer[] = [];
  for (const doc of documents) {
    const podSpec = doc.kind === 'Deployment' ? asRecord(asRecord(asRecord(doc.spec).template).spec) : doc.kind === 'CronJob' ? asRecord(asRecord(asRecord(asRecord(asRecord(asRecord(doc.spec).jobTemplate).spec).template).spec)) : null;
    if (!podSpec) continue;
    for (const container of asList(podSpec.containers)) {
      const seen = new Set<string>();
      const literals = new Map<string, string>();
      for (const entry of asList(container.env)) {
        const name = String(entry.name);
        seen.add(name);
        variables.add(name);
        if (typeof entry.value === 'string') literals.set(name, entry.value);
        const ref = asRecord(asRecord(entry.valueFrom).secretKeyRef ?? asRecord(entry.valueFrom).configMapKeyRef);
        if (ref.name) {
          const kind = asRecord(entry.valueFrom).secretKeyRef ? 'Secret' : 'ConfigMap';
          expect(Object.keys(dataOf(kind, String(ref.name))), `${container.name}: ${name} comes from ${kind} ${ref.name}`).toContain(ref.key);
        }
      }
      for (const from of asList(container.envFrom)) {
        const ref = asRecord(from.configMapRef ?? from.secretRef);
        const data = dataOf(from.configMapRef ? 'ConfigMap' : 'Secret', String(ref.name));
        for (const [key, value] of Object.entries(data)) {
          seen.add(key);
          literals.set(key, value);
        }
      }
      containers.push({ kind: String(doc.kind), name: String(container.name), image: String(container.image), variables: seen, literals });
    }
  }
  return { documents, containers, variables };
}

const catalogueFamilies = new Set(ENV_VARIABLES.map((v) => v.family ?? v.name));
const deployable = (reader: ConfigReader) => new Set(variablesReadBy(reader).filter((v) => !v.developmentOnly).map((v) => v.name));

describe('the configuration table', () => {
  it('names every variable the code reads, and nothing it does not', () => {
    const reads = environmentReadsInCode();
    const table = configurationTable();
    const readNames = new Set(reads.keys());
    expect(difference(expand(readNames), expand(table)), 'read by the code but missing from README → Configuration').toEqual([]);
    expect(difference(expand(table), expand(readNames)), 'in README → Configuration but read nowhere').toEqual([]);
    // The regexes must see the reads this file knows exist (so a broken regex cannot pass the test by seeing nothing).
    for (const name of ['HUB_MAX_DEPTH', 'HUB_BREAKER_OPEN_MS', '<DEPT>_URL', '<DEPT>_TIMEOUT_MS', '<DEPT>_PORT', 'HUB_JWKS_FILE', 'LOG_LEVEL']) {
      expect(readNames, name).toContain(name);
    }
  });

  it('is the catalogue every service checks its environment against', () => {
    const table = configurationTable();
    expect(difference(catalogueFamilies, table), 'in packages/core/src/env-config.ts but not in the README').toEqual([]);
    expect(difference(table, catalogueFamilies), 'in the README but not checked by packages/core/src/env-config.ts').toEqual([]);
  });
});

describe('the deployment manifests', () => {
  const { containers, variables } = manifests();

  it('set every variable a deployed service reads, and none that is for development only', () => {
    const expected = new Set(DEPLOYED_SERVICES.flatMap((service) => [...deployable(service)]));
    const developmentOnly = expand(ENV_VARIABLES.filter((v) => v.developmentOnly).map((v) => v.name));
    expect(difference(expected, variables), 'read by a deployed service but in no manifest').toEqual([]);
    expect(difference(variables, expand(catalogueFamilies)), 'in a manifest but not in the configuration table').toEqual([]);
    expect(sorted([...variables].filter((v) => developmentOnly.has(v))), 'development-only variables in a manifest').toEqual([]);
  });

  it('give each service exactly the variables it reads', () => {
    const names = containers.map((c) => c.name);
    for (const service of DEPLOYED_SERVICES) expect(names, `a container runs ${service}`).toContain(service);
    for (const container of containers) {
      expect(ENV_VARIABLES.some((v) => v.readBy.includes(container.name as ConfigReader)), `${container.name} is a reader the catalogue knows`).toBe(true);
      const expected = deployable(container.name as ConfigReader);
      expect(difference(expected, container.variables), `${container.name}: read but not given`).toEqual([]);
      expect(difference(container.variables, expected), `${container.name}: given but not read`).toEqual([]);
      expect(container.image, `${container.name}'s image`).toBe(`governance-hub/${container.name}`);
    }
  });

  it('hold only values the services accept', () => {
    for (const container of containers) {
      for (const [name, value] of container.literals) {
        if (value === '') continue;
        const variable = ENV_VARIABLES.find((v) => v.name === name)!;
        expect(variable.check?.(value, { NODE_ENV: 'production' }), `${container.name}: ${name}="${value}"`).toBeUndefined();
      }
    }
  });

  it('run images the Dockerfile builds', () => {
    const dockerfile = readFileSync(at('deploy', 'Dockerfile'), 'utf8');
    const arms = [...dockerfile.matchAll(/^\s+([a-z|-]+)\) entry=/gm)].flatMap(([, names]) => names!.split('|'));
    for (const container of containers) expect(arms, `deploy/Dockerfile builds SERVICE=${container.name}`).toContain(container.name);
    for (const [, entry] of dockerfile.matchAll(/entry=([\w/.-]+\.ts)/g)) expect(readFileSync(at(entry!), 'utf8').length, entry).toBeGreaterThan(0);
    for (const service of departments.map((d) => d.name)) expect(readFileSync(at('subgraphs', service, 'src', 'index.ts'), 'utf8')).toContain('exitOnServiceConfigProblems');
  });
});

// --- each service, started with broken values ---

const issuerDir = mkdtempSync(path.join(tmpdir(), 'hub-config-test-'));
afterAll(() => rmSync(issuerDir, { recursive: true, force: true }));

/** Starts a service's entry as its own process with nothing of the catalogue set but `env`; its exit code and output. */
function startWith(entry: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of expand(catalogueFamilies)) delete base[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', at(entry)], {
      cwd: ROOT,
      env: { ...base, HUB_DEMO_ISSUER_DIR: issuerDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    // A service that accepted the broken values would keep running: stop it, and the test fails on its exit code.
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function expectRefused(result: { code: number | null; output: string }, variables: string[]) {
  expect(result.code, result.output).toBe(2);
  for (const variable of variables) expect(result.output, `names ${variable}`).toMatch(new RegExp(`invalid configuration: [^\\n]*\\b${variable}\\b`));
  expect(result.output, 'no stack trace').not.toMatch(/\n\s+at /);
}

describe('each service refuses a broken configuration, naming every bad variable, with exit code 2', () => {
  it('the gateway', async () => {
    const result = await startWith('gateway/src/index.ts', {
      HUB_MAX_DEPTH: 'deep',
      GATEWAY_PORT: '70000',
      HUB_TRUSTED_DOCUMENTS: 'sometimes',
      PARTY_URL: 'party:4003',
      HUB_SUBGRAPH_RETRIES: '-1',
    });
    expectRefused(result, ['HUB_MAX_DEPTH', 'GATEWAY_PORT', 'HUB_TRUSTED_DOCUMENTS', 'PARTY_URL', 'HUB_SUBGRAPH_RETRIES']);
  });

  it('the gateway in production, without what production requires', async () => {
    const result = await startWith('gateway/src/index.ts', { NODE_ENV: 'production' });
    expectRefused(result, ['AUDIT_DATABASE_URL', 'HUB_INTERNAL_PRIVATE_KEY', 'HUB_JWKS_URL']);
  });

  for (const dept of departments) {
    it(`the ${dept.name} subgraph`, async () => {
      // A variable of the department's own where it has one; the log level otherwise.
      const ownVariables: Partial<Record<string, Record<string, string>>> = {
        mediation: { MEDIATION_RED_CARD_GRACE_DAYS: '400' },
        audit: { HUB_AUDIT_RETENTION_DAYS: '30' },
      };
      const own = ownVariables[dept.name] ?? { LOG_LEVEL: 'loud' };
      const result = await startWith(`subgraphs/${dept.name}/src/index.ts`, {
        [`${dept.envPrefix}_DATABASE_URL`]: 'mysql://localhost/db',
        [`${dept.envPrefix}_PORT`]: 'port',
        HUB_INTERNAL_PUBLIC_KEY: 'not a key',
        ...own,
      });
      expectRefused(result, [`${dept.envPrefix}_DATABASE_URL`, `${dept.envPrefix}_PORT`, 'HUB_INTERNAL_PUBLIC_KEY', ...Object.keys(own)]);
    });
  }

  it('a subgraph without its database', async () => {
    expectRefused(await startWith('subgraphs/housing/src/index.ts', {}), ['HOUSING_DATABASE_URL']);
  });

  it('the launcher (npm start), before it starts a database server', async () => {
    const result = await startWith('apps/hub/src/start.ts', { HUB_DEMO_RESIDENTS: 'lots', HUB_POSTGRES_PORT: '-1', HUB_SECRET: 'short' });
    expectRefused(result, ['HUB_DEMO_RESIDENTS', 'HUB_POSTGRES_PORT', 'HUB_SECRET']);
    expect(result.output).not.toMatch(/embedded|postgres server|initiali[sz]/i);
  });
});
