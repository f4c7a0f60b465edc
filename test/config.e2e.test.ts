import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimeImages } from '@hub/build';
import { departments, DEPLOYED_SERVICES, ENV_VARIABLES, variablesReadBy, type ConfigReader } from '@hub/core';
import { builtEntry, GATEWAY_NODE_FLAGS, SERVICE_NODE_FLAGS } from '@hub/hub/process';
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
    // A folder a move left behind with only ignored files (node_modules, .turbo) has no src.
    ...['packages', 'apps'].flatMap((floor) => readdirSync(at(floor)).filter((d) => existsSync(at(floor, d, 'src'))).flatMap((d) => sourceFiles(at(floor, d, 'src')))),
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

// --- the table of docs/configuration.md ---

function configurationTable(): Set<string> {
  const doc = readFileSync(at('docs', 'configuration.md'), 'utf8');
  const start = doc.indexOf('\n## Variables\n');
  expect(start, 'docs/configuration.md has a Variables section').toBeGreaterThan(0);
  const end = doc.indexOf('\n## ', start + 1);
  const rows = doc.slice(start, end < 0 ? undefined : end).split('\n').filter((line) => line.startsWith('| `'));
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
const asRecord = (value: unknown): Yaml => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Yaml) : {});
const asList = (value: unknown): Yaml[] => (Array.isArray(value) ? value.map(asRecord) : []);
const clone = <T>(value: T): T => structuredClone(value);

const KUBERNETES = at('deploy', 'kubernetes');
const BASE = path.join(KUBERNETES, 'base');
const OVERLAY = path.join(KUBERNETES, 'overlays', 'example-district');
/** Kinds without a namespace, among those kustomize may meet here. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass', 'StorageClass', 'IngressClass', 'CustomResourceDefinition']);

function yamlDocuments(file: string): Yaml[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as unknown)
    .filter((d) => d !== null && d !== undefined)
    .map(asRecord);
}

function podSpecOf(doc: Yaml): Yaml | null {
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(String(doc.kind))) return asRecord(asRecord(asRecord(doc.spec).template).spec);
  if (doc.kind === 'CronJob') return asRecord(asRecord(asRecord(asRecord(asRecord(doc.spec).jobTemplate).spec).template).spec);
  return null;
}

/** RFC 6901 pointer → its tokens. */
const pointer = (p: string) => p.split('/').slice(1).map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));

/** RFC 6902 `add`, `replace` and `remove`, the operations the overlays use; anything else fails the test. */
function applyJsonPatch(doc: Yaml, operations: Yaml[], where: string): void {
  for (const op of operations) {
    const tokens = pointer(String(op.path));
    const last = tokens.pop()!;
    let parent: unknown = doc;
    for (const token of tokens) {
      parent = Array.isArray(parent) ? parent[Number(token)] : asRecord(parent)[token];
      expect(parent, `${where}: ${String(op.op)} ${String(op.path)}: the path exists`).toBeDefined();
    }
    expect(['add', 'replace', 'remove'], `${where}: patch operation ${String(op.op)} is one this test renders`).toContain(op.op);
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (op.op === 'add') parent.splice(index, 0, clone(op.value));
      else if (op.op === 'replace') parent[index] = clone(op.value);
      else parent.splice(index, 1);
    } else {
      const target = parent as Yaml;
      if (op.op === 'replace' || op.op === 'remove') expect(target, `${where}: ${String(op.op)} ${String(op.path)}: the member exists`).toHaveProperty([last]);
      if (op.op === 'remove') delete target[last];
      else target[last] = clone(op.value);
    }
  }
}

/** Whether a patch's `target` selects a document (group, version, kind, name, namespace; no label selectors here). */
function targets(target: Yaml, doc: Yaml): boolean {
  const [group, version] = String(doc.apiVersion).includes('/') ? String(doc.apiVersion).split('/') : ['', String(doc.apiVersion)];
  const metadata = asRecord(doc.metadata);
  expect(target.labelSelector ?? target.annotationSelector, 'patch targets by label or annotation are not rendered by this test').toBeUndefined();
  return (
    (target.group === undefined || target.group === group) &&
    (target.version === undefined || target.version === version) &&
    (target.kind === undefined || target.kind === doc.kind) &&
    (target.name === undefined || target.name === metadata.name) &&
    (target.namespace === undefined || target.namespace === metadata.namespace)
  );
}

/**
 * What `kubectl apply -k <dir>` sends, for the part of kustomize these manifests use: resources (files and
 * folders), components, namespace, images and JSON 6902 patches with a target, applied in kustomize's order (the
 * resources, then the components over them, then the folder's own transformers). A field this test does not render
 * fails it, so nothing in a kustomization is silently left out of the checks.
 */
function kustomize(dir: string, accumulated: Yaml[] = [], kind = 'Kustomization'): Yaml[] {
  const file = path.join(dir, 'kustomization.yaml');
  const k = yamlDocuments(file)[0]!;
  const where = path.relative(ROOT, file);
  expect(k.kind, where).toBe(kind);
  for (const field of Object.keys(k)) expect(['apiVersion', 'kind', 'namespace', 'resources', 'components', 'images', 'patches'], `${where}: ${field} is rendered by this test`).toContain(field);
  let docs = [...accumulated];
  for (const resource of (k.resources as string[] | undefined) ?? []) {
    const file = path.resolve(dir, resource);
    docs.push(...(statSync(file).isDirectory() ? kustomize(file) : yamlDocuments(file)));
  }
  for (const component of (k.components as string[] | undefined) ?? []) docs = kustomize(path.resolve(dir, component), docs, 'Component');
  if (typeof k.namespace === 'string') {
    for (const doc of docs) if (!CLUSTER_SCOPED.has(String(doc.kind))) asRecord(doc.metadata).namespace = k.namespace;
  }
  for (const image of asList(k.images)) {
    for (const doc of docs) {
      for (const container of [...asList(podSpecOf(doc)?.containers), ...asList(podSpecOf(doc)?.initContainers)]) {
        const [name, tag] = String(container.image).split(':');
        if (name !== image.name) continue;
        const newTag = image.newTag ?? tag;
        container.image = `${String(image.newName ?? name)}${newTag === undefined ? '' : `:${String(newTag)}`}`;
      }
    }
  }
  for (const patch of asList(k.patches)) {
    expect(patch.path, `${where}: patches are inline`).toBeUndefined();
    const operations = parseAllDocuments(String(patch.patch))[0]!.toJS() as unknown;
    expect(Array.isArray(operations), `${where}: patches are JSON 6902 operations`).toBe(true);
    const selected = docs.filter((doc) => targets(asRecord(patch.target), doc));
    expect(selected.length, `${where}: a patch's target selects something`).toBeGreaterThan(0);
    for (const doc of selected) applyJsonPatch(doc, operations as Yaml[], where);
  }
  return docs.map(clone);
}

/** The example district as applied: its overlay rendered, and its secrets example (applied apart, kept out of git). */
function manifests(): { documents: Yaml[]; containers: ManifestContainer[]; variables: Set<string> } {
  const documents = [...kustomize(OVERLAY), ...yamlDocuments(path.join(OVERLAY, 'site-secrets.example.yaml'))];
  const dataOf = (kind: string, name: string): Record<string, string> => {
    const found = documents.find((d) => d.kind === kind && asRecord(d.metadata).name === name);
    expect(found, `${kind} ${name} is defined in deploy/kubernetes/overlays/example-district`).toBeDefined();
    return asRecord(kind === 'Secret' ? found!.stringData : found!.data) as Record<string, string>;
  };
  const variables = new Set<string>();
  for (const doc of documents) {
    if (doc.kind === 'ConfigMap' || doc.kind === 'Secret') for (const key of Object.keys(asRecord(doc.kind === 'Secret' ? doc.stringData : doc.data))) variables.add(key);
  }
  const containers: ManifestContainer[] = [];
  for (const doc of documents) {
    const podSpec = podSpecOf(doc);
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
          // An optional key (a migration URL a site may add) need not be in the example; its Secret must exist.
          const keys = Object.keys(dataOf(kind, String(ref.name)));
          if (ref.optional !== true) expect(keys, `${container.name}: ${name} comes from ${kind} ${ref.name}`).toContain(ref.key);
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

/** Whether a Kubernetes label selector (`matchLabels`, `matchExpressions`) selects these labels. */
function selects(selector: unknown, labels: Record<string, string>): boolean {
  const s = asRecord(selector);
  const matchLabels = asRecord(s.matchLabels) as Record<string, string>;
  if (Object.entries(matchLabels).some(([key, value]) => labels[key] !== value)) return false;
  return asList(s.matchExpressions).every((e) => {
    const value = labels[String(e.key)];
    const values = (e.values as string[] | undefined) ?? [];
    switch (e.operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        throw new Error(`unknown selector operator ${String(e.operator)}`);
    }
  });
}

interface Pod {
  namespace: string;
  namespaceLabels: Record<string, string>;
  labels: Record<string, string>;
}

/**
 * Whether the NetworkPolicies let `from` open a connection to `to`'s container port (`port`, named `portName`):
 * allowed when no policy with an Ingress type selects `to`, else when a rule of one that does admits both the peer
 * and the port.
 */
function admits(policies: Yaml[], from: Pod, to: Pod, port: number, portName: string): boolean {
  const selecting = policies.filter(
    (p) => asRecord(p.metadata).namespace === to.namespace && selects(asRecord(p.spec).podSelector, to.labels) && ((asRecord(p.spec).policyTypes as string[] | undefined) ?? ['Ingress']).includes('Ingress'),
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    asList(asRecord(p.spec).ingress).some((rule) => {
      const peers = asList(rule.from);
      const peerOk =
        peers.length === 0 ||
        peers.some((peer) => {
          expect(peer.ipBlock, 'ipBlock peers are not rendered by this test').toBeUndefined();
          const namespaceOk = peer.namespaceSelector === undefined ? from.namespace === to.namespace : selects(peer.namespaceSelector, from.namespaceLabels);
          const podOk = peer.podSelector === undefined || selects(peer.podSelector, from.labels);
          return namespaceOk && podOk;
        });
      const ports = asList(rule.ports);
      const portOk = ports.length === 0 || ports.some((p) => (p.protocol ?? 'TCP') === 'TCP' && (p.port === undefined || p.port === port || p.port === portName));
      return peerOk && portOk;
    }),
  );
}

/** A startup probe's time before the container is restarted, in seconds (Kubernetes' defaults where unset). */
const probeBudget = (probe: Yaml) => Number(probe.initialDelaySeconds ?? 0) + Number(probe.failureThreshold ?? 3) * Number(probe.periodSeconds ?? 10);

/**
 * How long a subgraph's start may spend migrating before it is restarted (deploy/README.md says the same): all
 * pending migrations run in one transaction before the port opens, so a restart rolls them back and starts over.
 */
const MIGRATION_BUDGET_SECONDS = 15 * 60;
/** The gateway does no migration; it reads its supergraph and manifest, then listens. */
const GATEWAY_START_BUDGET_SECONDS = 60;

/** The paths users call, and the explorer's (gateway/src/explorer/index.ts: its page, the overview, their assets). */
const PUBLIC_PATHS = [
  { path: '/graphql', pathType: 'Exact' },
  { path: '/graphql/stream', pathType: 'Exact' },
  { path: '/datasets', pathType: 'Prefix' },
];
const EXPLORER_PATHS = [
  { path: '/explorer', pathType: 'Exact' },
  { path: '/explorer/assets', pathType: 'Prefix' },
  { path: '/overview', pathType: 'Exact' },
];
/** Routes that stay inside the cluster. */
const INTERNAL_PATHS = ['/metrics', '/ready', '/health', '/explorer/token', '/'];

/** Whether an Ingress path (Kubernetes' Exact or Prefix, element-wise) routes `requestPath`. */
function routes(entry: { path: string; pathType: string }, requestPath: string): boolean {
  if (entry.pathType === 'Exact') return entry.path === requestPath;
  const prefix = entry.path.replace(/\/+$/, '');
  return prefix === '' || requestPath === prefix || requestPath.startsWith(`${prefix}/`);
}

const ingressPaths = (documents: Yaml[]) =>
  documents
    .filter((d) => d.kind === 'Ingress')
    .flatMap((ingress) => asList(asRecord(ingress.spec).rules).flatMap((rule) => asList(asRecord(rule.http).paths)))
    .map((p) => ({ path: String(p.path), pathType: String(p.pathType) }));

/** Every string value in a document, with where it is. */
function strings(value: unknown, at = ''): [string, string][] {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, at ? `${at}.${k}` : k));
  return [];
}

const templateLabels = (deployment: Yaml) => asRecord(asRecord(asRecord(asRecord(deployment.spec).template).metadata).labels) as Record<string, string>;
const templateAnnotations = (deployment: Yaml) => asRecord(asRecord(asRecord(asRecord(deployment.spec).template).metadata).annotations) as Record<string, string>;
const nameOf = (doc: Yaml) => String(asRecord(doc.metadata).name);

const catalogueFamilies = new Set(ENV_VARIABLES.map((v) => v.family ?? v.name));
const deployable = (reader: ConfigReader) => new Set(variablesReadBy(reader).filter((v) => !v.developmentOnly).map((v) => v.name));

describe('the configuration table', () => {
  it('names every variable the code reads, and nothing it does not', () => {
    const reads = environmentReadsInCode();
    const table = configurationTable();
    const readNames = new Set(reads.keys());
    expect(difference(expand(readNames), expand(table)), 'read by the code but missing from docs/configuration.md').toEqual([]);
    expect(difference(expand(table), expand(readNames)), 'in docs/configuration.md but read nowhere').toEqual([]);
    // The regexes must see the reads this file knows exist (so a broken regex cannot pass the test by seeing nothing).
    for (const name of ['HUB_MAX_DEPTH', 'HUB_BREAKER_OPEN_MS', '<DEPT>_URL', '<DEPT>_TIMEOUT_MS', '<DEPT>_PORT', 'HUB_JWKS_FILE', 'LOG_LEVEL']) {
      expect(readNames, name).toContain(name);
    }
  });

  it('is the catalogue every service checks its environment against', () => {
    const table = configurationTable();
    expect(difference(catalogueFamilies, table), 'in packages/core/src/env-config.ts but not in docs/configuration.md').toEqual([]);
    expect(difference(table, catalogueFamilies), 'in docs/configuration.md but not checked by packages/core/src/env-config.ts').toEqual([]);
  });
});

describe('the deployment manifests', () => {
  const { documents, containers, variables } = manifests();
  const base = kustomize(BASE);
  const deployments = documents.filter((d) => d.kind === 'Deployment');
  const isSubgraph = (deployment: Yaml) => templateLabels(deployment)['app.kubernetes.io/component'] === 'subgraph';

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
      // The overlay's registry and tag in front of the image the base names.
      expect(container.image, `${container.name}'s image`).toMatch(new RegExp(`^(?:[^/]+/)*governance-hub/${container.name}:[\\w.-]+$`));
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

  it('run images the build assembles, each a runtime tree the Dockerfile runs on Node.js 24', () => {
    const images = runtimeImages().map((image) => image.name);
    for (const container of containers) expect(images, `npm run assemble writes a tree for ${container.name}`).toContain(container.name);
    const dockerfile = readFileSync(at('deploy', 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ARG BASE_IMAGE=node:24[\w.-]*$/m);
    // The image runs each tree with the launcher's flags for every service.
    expect(dockerfile.split('\n')).toContain(`CMD [${['node', ...SERVICE_NODE_FLAGS, '/hub'].map((arg) => JSON.stringify(arg)).join(', ')}]`);
    // A manifest that gives its own command (the gateway's, with its heap bound) runs it with the same flags as the launcher.
    const commands = documents.filter((d) => d.kind === 'Deployment').flatMap((d) => asList(podSpecOf(d)?.containers).filter((c) => c.command !== undefined).map((c) => [String(c.name), c.command] as const));
    expect(commands.map(([name]) => name)).toContain('gateway');
    for (const [name, command] of commands) expect(command, `${name}: command`).toEqual(['node', ...(name === 'gateway' ? GATEWAY_NODE_FLAGS : []), ...SERVICE_NODE_FLAGS, '/hub']);
    expect(dockerfile, 'no Docker Hub-only syntax line').not.toMatch(/^# syntax=/m);
    // A subgraph's index.ts hands it to runSubgraph, which checks every variable the service reads before anything opens.
    expect(readFileSync(at('packages', 'core', 'src', 'define-subgraph.ts'), 'utf8')).toContain('exitOnServiceConfigProblems(');
    for (const service of departments.map((d) => d.name)) expect(readFileSync(at('subgraphs', service, 'src', 'index.ts'), 'utf8')).toContain('runSubgraph(');
  });

  it('probe every service, and give a subgraph time to migrate before it is restarted', () => {
    expect(sorted(deployments.map(nameOf))).toEqual(sorted(DEPLOYED_SERVICES));
    expect(readFileSync(at('deploy', 'README.md'), 'utf8'), 'deploy/README.md states the migration budget').toContain(`${MIGRATION_BUDGET_SECONDS / 60} minutes`);
    for (const deployment of deployments) {
      const name = nameOf(deployment);
      for (const container of asList(podSpecOf(deployment)!.containers)) {
        for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect(container[probe], `${name}: ${probe}`).toBeDefined();
        const ports = asList(container.ports).map((p) => p.name);
        for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
          const port = asRecord(asRecord(container[probe]).httpGet).port ?? asRecord(asRecord(container[probe]).tcpSocket).port;
          expect(ports, `${name}: ${probe} probes a port of the container`).toContain(port);
        }
        // /ready fans out to every subgraph: one department down must not take the gateway out of the Service.
        expect(asRecord(asRecord(container.readinessProbe).httpGet).path, `${name}: readiness`).toBe('/health');
        const budget = probeBudget(asRecord(container.startupProbe));
        if (isSubgraph(deployment)) {
          expect(budget, `${name}: startup probe's budget (s)`).toBeGreaterThanOrEqual(MIGRATION_BUDGET_SECONDS);
          // The rollout is not reported stuck while a start may still be migrating.
          expect(Number(asRecord(deployment.spec).progressDeadlineSeconds ?? 600), `${name}: progressDeadlineSeconds`).toBeGreaterThan(budget);
        } else {
          expect(budget, `${name}: startup probe's budget (s)`).toBeGreaterThanOrEqual(GATEWAY_START_BUDGET_SECONDS);
        }
      }
    }
  });

  it('keep a replica of every service through voluntary disruptions, spread over nodes and zones', () => {
    const budgets = documents.filter((d) => d.kind === 'PodDisruptionBudget');
    for (const deployment of deployments) {
      const name = nameOf(deployment);
      const labels = templateLabels(deployment);
      const replicas = Number(asRecord(deployment.spec).replicas ?? 1);
      expect(replicas, `${name}: replicas`).toBeGreaterThanOrEqual(2);
      const mine = budgets.filter((b) => selects(asRecord(b.spec).selector, labels));
      expect(mine.map(nameOf), `${name}: one PodDisruptionBudget selects its pods`).toHaveLength(1);
      const spec = asRecord(mine[0]!.spec);
      // Drains proceed (at least one pod may go) and never take the last one.
      if (spec.maxUnavailable !== undefined) expect(Number(spec.maxUnavailable), `${name}: maxUnavailable`).toBeGreaterThanOrEqual(1);
      if (spec.maxUnavailable !== undefined) expect(Number(spec.maxUnavailable), `${name}: maxUnavailable`).toBeLessThan(replicas);
      if (spec.minAvailable !== undefined) expect(Number(spec.minAvailable), `${name}: minAvailable`).toBeLessThan(replicas);
      expect(spec.minAvailable ?? spec.maxUnavailable, `${name}: the budget says how many`).toBeDefined();
      const constraints = asList(podSpecOf(deployment)!.topologySpreadConstraints);
      for (const key of ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']) {
        const constraint = constraints.find((c) => c.topologyKey === key);
        expect(constraint, `${name}: spread over ${key}`).toBeDefined();
        expect(selects(constraint!.labelSelector, labels), `${name}: the ${key} spread counts its own pods`).toBe(true);
      }
    }
  });

  it('route only what users call to the public address; the explorer as a part a site can leave out', () => {
    const allowed = [...PUBLIC_PATHS, ...EXPLORER_PATHS];
    const paths = ingressPaths(documents);
    for (const entry of paths) expect(allowed, `Ingress path ${entry.path} (${entry.pathType})`).toContainEqual(entry);
    for (const entry of PUBLIC_PATHS) expect(paths, `${entry.path} is routed`).toContainEqual(entry);
    for (const internal of INTERNAL_PATHS) expect(paths.filter((entry) => routes(entry, internal)), `${internal} stays inside`).toEqual([]);
    for (const [request, expected] of [['/graphql', true], ['/graphql/stream', true], ['/datasets', true], ['/datasets/residents.csv', true], ['/metrics', false], ['/graphql/x', false]] as const) {
      expect(paths.some((entry) => routes(entry, request)), request).toBe(expected);
    }
    // The base routes the API alone; the explorer's paths come with the component the overlay lists.
    expect(sorted(ingressPaths(base).map((p) => p.path))).toEqual(sorted(PUBLIC_PATHS.map((p) => p.path)));
    const component = kustomize(path.join(KUBERNETES, 'components', 'explorer'), [], 'Component');
    expect(sorted(ingressPaths(component).map((p) => p.path))).toEqual(sorted(EXPLORER_PATHS.map((p) => p.path)));
    // Every Ingress of the overlay has the site's host and TLS.
    for (const ingress of documents.filter((d) => d.kind === 'Ingress')) {
      const spec = asRecord(ingress.spec);
      const hosts = asList(spec.rules).map((r) => r.host);
      expect(hosts.every((h) => typeof h === 'string' && h.length > 0), `${nameOf(ingress)}: host`).toBe(true);
      expect(asList(spec.tls).flatMap((t) => t.hosts as string[]), `${nameOf(ingress)}: TLS`).toEqual(expect.arrayContaining(hosts));
    }
  });

  it('let monitoring scrape every service, the gateway reach the subgraphs, and nothing else in', () => {
    const policies = documents.filter((d) => d.kind === 'NetworkPolicy');
    const namespace = String(asRecord(deployments[0]!.metadata).namespace);
    const inNamespace = (name: string): Record<string, string> => ({ 'kubernetes.io/metadata.name': name });
    const pod = (deployment: Yaml): Pod => ({ namespace, namespaceLabels: inNamespace(namespace), labels: templateLabels(deployment) });
    const monitoring: Pod = { namespace: 'monitoring', namespaceLabels: inNamespace('monitoring'), labels: { 'app.kubernetes.io/name': 'prometheus' } };
    const ingressController: Pod = { namespace: 'ingress-nginx', namespaceLabels: inNamespace('ingress-nginx'), labels: { 'app.kubernetes.io/name': 'ingress-nginx' } };
    const strangers: Pod[] = [
      { namespace: 'default', namespaceLabels: inNamespace('default'), labels: {} },
      { namespace: 'default', namespaceLabels: inNamespace('default'), labels: { 'app.kubernetes.io/name': 'gateway' } },
      { namespace, namespaceLabels: inNamespace(namespace), labels: { 'app.kubernetes.io/name': 'audit-verify' } },
      { namespace, namespaceLabels: inNamespace(namespace), labels: {} },
    ];
    const gateway = deployments.find((d) => nameOf(d) === 'gateway')!;
    // Any pod of the namespace, of today's workloads or a later one, is closed unless a policy opens it.
    const denyAll = policies.filter((p) => Object.keys(asRecord(asRecord(p.spec).podSelector)).length === 0 && asList(asRecord(p.spec).ingress).length === 0);
    expect(denyAll.map(nameOf), 'a policy selecting every pod and admitting nothing').toHaveLength(1);
    expect(asRecord(denyAll[0]!.spec).policyTypes).toContain('Ingress');
    for (const deployment of deployments) {
      const name = nameOf(deployment);
      const container = asList(podSpecOf(deployment)!.containers)[0]!;
      const http = asList(container.ports).find((p) => p.name === 'http')!;
      const port = Number(http.containerPort);
      // Prometheus finds the port by the annotations (deploy/README.md says why not a ServiceMonitor).
      expect(templateAnnotations(deployment), `${name}: scrape annotations`).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' });
      expect(admits(policies, monitoring, pod(deployment), port, 'http'), `monitoring → ${name}:${port}`).toBe(true);
      for (const stranger of strangers) expect(admits(policies, stranger, pod(deployment), port, 'http'), `${JSON.stringify(stranger)} → ${name}`).toBe(false);
      if (isSubgraph(deployment)) {
        expect(admits(policies, pod(gateway), pod(deployment), port, 'http'), `gateway → ${name}`).toBe(true);
        expect(admits(policies, ingressController, pod(deployment), port, 'http'), `ingress controller → ${name}`).toBe(false);
        for (const other of deployments.filter((d) => d !== deployment && isSubgraph(d))) {
          expect(admits(policies, pod(other), pod(deployment), port, 'http'), `${nameOf(other)} → ${name}`).toBe(false);
        }
      } else {
        expect(admits(policies, ingressController, pod(deployment), port, 'http'), `ingress controller → ${name}`).toBe(true);
      }
    }
  });

  it('keep every site value in the overlay, none in the base', () => {
    const baseImages = base.flatMap((d) => asList(podSpecOf(d)?.containers).map((c) => String(c.image)));
    for (const image of baseImages) expect(image, 'a base image names neither registry nor tag').toMatch(/^governance-hub\/[a-z-]+$/);
    for (const ingress of base.filter((d) => d.kind === 'Ingress')) {
      expect(asList(asRecord(ingress.spec).rules).map((r) => r.host).filter(Boolean), `${nameOf(ingress)}: no host in the base`).toEqual([]);
      expect(asRecord(ingress.spec).tls, `${nameOf(ingress)}: no TLS secret in the base`).toBeUndefined();
    }
    const site = ['HUB_JWKS_URL', 'HUB_JWKS_FILE', 'HUB_JWT_ISSUER', 'HUB_JWT_AUDIENCE', 'HUB_ROLES_FILE'];
    const baseKeys = base.flatMap((d) => [...Object.keys(asRecord(d.data)), ...asList(podSpecOf(d)?.containers).flatMap((c) => asList(c.env).map((e) => String(e.name)))]);
    expect(baseKeys.filter((k) => site.includes(k)), 'identity provider settings in the base').toEqual([]);
    expect(base.filter((d) => d.kind === 'Secret').map(nameOf), 'secrets in the base').toEqual([]);
    // No URL to a host name with a dot (a site's identity provider or collector), nor a site's domain: the base's own
    // URLs name Services in its namespace (http://audit:4006/graphql).
    const component = kustomize(path.join(KUBERNETES, 'components', 'explorer'), [], 'Component');
    for (const doc of [...base, ...component]) {
      for (const [where, value] of strings(doc)) {
        expect(value, `${String(doc.kind)} ${nameOf(doc)}: ${where}`).not.toMatch(/:\/\/[^/\s]*\.|\.gov\.cn|\bexample\b/i);
      }
    }
    // The overlay supplies each of them.
    const overlayImages = containers.map((c) => c.image);
    for (const image of baseImages) expect(overlayImages.some((i) => i.includes(`${image}:`)), `${image} has the site's tag`).toBe(true);
    const identity = containers.find((c) => c.name === 'gateway')!.literals;
    expect(identity.get('HUB_JWKS_URL') || identity.get('HUB_JWKS_FILE'), 'the identity provider').toBeTruthy();
    for (const key of ['HUB_JWT_ISSUER', 'HUB_JWT_AUDIENCE']) expect(identity.get(key), key).toBeTruthy();
  });
});

// --- each service, started with broken values ---

const issuerDir = mkdtempSync(path.join(tmpdir(), 'hub-config-test-'));
afterAll(() => rmSync(issuerDir, { recursive: true, force: true }));

/** Starts a service's bundle (of its source `entry`) as its own process with nothing of the catalogue set but `env`; its exit code and output. */
function startWith(entry: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of expand(catalogueFamilies)) delete base[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtEntry(at(entry))], {
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
