import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readBuildRecord, runtimeImages } from '@hub/build';
import { department, departments, freePort, internalTokenEnvForRun, TokenIssuer } from '@hub/core';
import { cloneDatabase } from '@hub/core/testing';
import { CsvParser } from '@hub/import';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { grids, idOf } from './world.ts';

/**
 * The hub as an operator deploys it: `npm run assemble` writes each image's runtime tree into a folder outside the
 * checkout; every service starts from its tree with plain `node <tree>` (the Dockerfile's command), NODE_ENV=production
 * and the environment the Kubernetes manifests give it, on a read-only tree, trusting an identity provider's key set
 * from a file (not the demo issuer), over clones of the test district's databases. Then a smoke set through the
 * gateway. .ci/run runs this file on Node.js 24 as well, the version the image ships.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const work = mkdtempSync(path.join(tmpdir(), 'hub-runtime-'));
const TREES = path.join(work, 'trees');

/** Packages of the development and test tooling: none may be inside a runtime tree or bundled into one. */
const DEVELOPMENT_PACKAGES = [/^tsx$/, /^esbuild$/, /^@esbuild\//, /^typescript$/, /^@typescript\//, /^vitest$/, /^@vitest\//, /^vite$/, /^playwright-core$/, /^@duckdb\//, /^@graphql-hive\//, /^turbo$/, /^@turbo\//, /^@graphql-codegen\//, /^drizzle-kit$/];
/** Our own packages that only development uses: the demo generator, the import engine, the build. */
const DEVELOPMENT_WORKSPACES = ['packages/demo/', 'packages/import/', 'packages/build/'];
const SERVICE_IMAGES = ['gateway', ...departments.map((d) => d.name)];

const children: { name: string; child: ChildProcess; output: string[] }[] = [];
const drops: (() => Promise<void>)[] = [];

afterAll(async () => {
  await Promise.all(children.map(({ child }) => stop(child)));
  await Promise.allSettled(drops.map((drop) => drop()));
  if (existsSync(TREES)) setWritable(TREES, true);
  rmSync(work, { recursive: true, force: true });
});

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

/**
 * What a base manifest gives a container: its literal environment (`name → value`) and the command it runs, the
 * image's (`node --max-semi-space-size=16 --expose-gc /hub`, deploy/Dockerfile's CMD) unless the manifest overrides it.
 */
function manifestContainer(container: string): { env: Record<string, string>; command: string[] } {
  const file = path.join(ROOT, 'deploy', 'kubernetes', 'base', `${container}.yaml`);
  for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const resource = document.toJS() as {
      kind?: string;
      spec?: { template?: { spec?: { containers?: { name: string; command?: string[]; env?: { name: string; value?: string }[] }[] } } };
    };
    const found = resource?.kind === 'Deployment' ? resource.spec?.template?.spec?.containers?.find((c) => c.name === container) : undefined;
    if (found) {
      return {
        env: Object.fromEntries((found.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!])),
        command: found.command ?? ['node', '--max-semi-space-size=16', '--expose-gc', '/hub'],
      };
    }
  }
  throw new Error(`no Deployment with a container ${container} in ${file}`);
}

/**
 * Starts a tree with the command its manifest runs (the image's `node --max-semi-space-size=16 --expose-gc /hub` unless overridden), the tree standing
 * where the image has `/hub`, resolving once its /health answers.
 */
async function startTree(name: string, env: Record<string, string>, port: number): Promise<void> {
  const [program, ...args] = manifestContainer(name).command;
  expect(program, `${name}'s manifest runs node`).toBe('node');
  const child = spawn(process.execPath, args.map((arg) => (arg === '/hub' ? path.join(TREES, name) : arg)), {
    // A deployed process has none of the checkout's variables, and its working folder is its tree.
    cwd: path.join(TREES, name),
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  children.push({ name, child, output });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output.join('')}`);
    const health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
    if (health?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} did not answer /health within 90 s:\n${output.join('')}`);
}

/** Every file and folder below `dir` read-only (or writable again), as a container's read-only root filesystem. */
function setWritable(dir: string, writable: boolean): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) setWritable(full, writable);
    else chmodSync(full, writable ? 0o644 : 0o444);
  }
  chmodSync(dir, writable ? 0o755 : 0o555);
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

const issuer = TokenIssuer.generate('https://idp.district.example/realms/hub', 'governance-hub');
const persisted = JSON.parse(readFileSync(path.join(ROOT, 'schema', 'persisted-documents.json'), 'utf8')) as Record<string, string>;
/** A client kit operation's id in the trusted-document manifest (production refuses any other document). */
function documentId(operation: string): string {
  const found = Object.entries(persisted).find(([, document]) => new RegExp(`^(query|mutation) ${operation}\\b`).test(document));
  if (!found) throw new Error(`no trusted document ${operation}`);
  return `sha256:${found[0]}`;
}

let gatewayUrl = '';
const ports: Record<string, number> = {};

beforeAll(async () => {
  // 1. The operator's command: every image's runtime tree, into a folder outside the checkout.
  const assembled = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'packages/build/src/assemble-cli.ts'), '--out', TREES], {
    cwd: ROOT,
    maxBuffer: 1 << 24,
  });
  expect(assembled.stdout).toMatch(/gateway: /);

  // 2. The department databases: clones of the test district (on CI's Debian PostgreSQL in its second run).
  const templates = inject('hubTemplates');
  const urls: Record<string, string> = {};
  for (const dept of departments) {
    const clone = await cloneDatabase(templates[dept.name]!);
    drops.push(clone.drop);
    urls[dept.name] = clone.url;
  }

  // 3. What a site provides: the internal token secret and each department's key derived from it (as
  // `npm run internal-token-keys` prints them), the hub secret, the identity provider's key set (a file here).
  const internal = internalTokenEnvForRun({ HUB_INTERNAL_SECRET: randomBytes(32).toString('base64url') });
  const jwksFile = path.join(work, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify(issuer.jwks));
  const secret = randomBytes(32).toString('base64url');
  for (const name of SERVICE_IMAGES) ports[name] = await freePort();
  // The container's root filesystem is read-only: so is each tree here.
  setWritable(TREES, false);

  const subgraphEnv = (name: string): Record<string, string> => {
    const dept = department(name);
    return {
      ...manifestContainer(name).env,
      HOST: '127.0.0.1',
      [`${dept.envPrefix}_PORT`]: String(ports[name]),
      [`${dept.envPrefix}_DATABASE_URL`]: urls[name]!,
      HUB_INTERNAL_TOKEN_KEY: internal.subgraph(name).HUB_INTERNAL_TOKEN_KEY!,
      HUB_SECRET: secret,
    };
  };
  await Promise.all(departments.map((dept) => startTree(dept.name, subgraphEnv(dept.name), ports[dept.name]!)));
  await startTree(
    'gateway',
    {
      ...manifestContainer('gateway').env,
      HOST: '127.0.0.1',
      GATEWAY_PORT: String(ports.gateway),
      ...Object.fromEntries(departments.map((d) => [`${d.envPrefix}_URL`, `http://127.0.0.1:${ports[d.name]}/graphql`])),
      AUDIT_DATABASE_URL: urls.audit!,
      HUB_INTERNAL_SECRET: internal.gateway.HUB_INTERNAL_SECRET!,
      HUB_SECRET: secret,
      HUB_JWKS_FILE: jwksFile,
      HUB_JWT_ISSUER: issuer.issuer,
      HUB_JWT_AUDIENCE: issuer.audience,
    },
    ports.gateway!,
  );
  gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
}, 240_000);

describe('the runtime trees', () => {
  it('hold built JavaScript and the files it reads, and no development package', () => {
    const images = runtimeImages();
    expect(images.map((i) => i.name).sort()).toEqual([...SERVICE_IMAGES, 'audit-verify'].sort());
    for (const image of images) {
      const tree = path.join(TREES, image.name);
      const files = walk(tree).map((f) => path.relative(tree, f));
      expect(files.filter((f) => /\.(ts|tsx|mts|cts)$/.test(f)), `${image.name}: no TypeScript`).toEqual([]);
      const installed = files.filter((f) => f.startsWith('node_modules/')).map((f) => f.split('/').slice(1, f.split('/')[1]!.startsWith('@') ? 3 : 2).join('/'));
      const bundled = (JSON.parse(readFileSync(path.join(tree, 'THIRD-PARTY.json'), 'utf8')) as { name: string }[]).map((p) => p.name);
      for (const name of [...installed, ...bundled]) expect(DEVELOPMENT_PACKAGES.some((p) => p.test(name)), `${image.name} carries ${name}`).toBe(false);
      const main = (JSON.parse(readFileSync(path.join(tree, 'package.json'), 'utf8')) as { main: string }).main;
      expect(statSync(path.join(tree, main)).isFile()).toBe(true);
      const record = readBuildRecord(image.pkg, image.entry)!;
      for (const input of Object.keys(record.inputs)) {
        expect(DEVELOPMENT_WORKSPACES.some((w) => input.startsWith(w)), `${image.name} bundles ${input}`).toBe(false);
      }
    }
    // The gateway serves the explorer's pages from its tree (GraphiQL's files, not its code).
    expect(walk(path.join(TREES, 'gateway')).some((f) => f.endsWith('graphiql.min.js'))).toBe(true);
  });

  it('answer /health, /ready and /metrics on every service', async () => {
    // Readiness probes every department with a 2 s timeout: on a machine loaded far past its cores a probe may miss it
    // and /ready say 503 for that moment, as it should; it must come back.
    await vi.waitFor(async () => expect((await fetch(`${gatewayUrl}/ready`)).status).toBe(200), { timeout: 60_000, interval: 500 });
    for (const name of SERVICE_IMAGES) {
      const metrics = await fetch(`http://127.0.0.1:${ports[name]}/metrics`);
      expect(metrics.status, name).toBe(200);
      expect(await metrics.text(), name).toMatch(/^# HELP /m);
    }
  }, 120_000);

  it('answer a cross-department question, take in and accept a case, and export a dataset', async () => {
    const home = grids.find((g) => g.mediation.committees.some((c) => c.type === 'COMMUNITY') && g.residents.length >= 2)!;
    const [applicant, respondent] = home.residents.map((r) => idOf(r.idNumber));
    const call = async (role: string, operation: string, variables: Record<string, unknown>, claims: Record<string, unknown> = {}, purpose?: string) => {
      const token = await issuer.mint({ sub: `runtime-${role}`, role, ...claims });
      const response = await fetch(`${gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(purpose ? { 'x-hub-purpose': purpose } : {}) },
        body: JSON.stringify({ documentId: documentId(operation), variables }),
      });
      const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
      expect(body.errors, `${operation}: ${JSON.stringify(body.errors)}`).toBeUndefined();
      return body.data!;
    };

    // Public security's resident with civil affairs' grid and community: one question, several departments.
    const profile = (await call('administrator', 'ResidentProfile', { id: applicant }, {}, 'public-safety')) as { resident: { id: string; grid: { code: string; community: { code: string } } } };
    expect(profile.resident).toMatchObject({ id: applicant, grid: { code: home.grid.code, community: { code: home.grid.code.slice(0, 12) } } });

    const reported = (await call('grid-worker', 'ReportCase', {
      input: {
        idempotencyKey: randomUUID(),
        category: 'NEIGHBOURS',
        source: 'GRID_WORKER_REPORT',
        gridCode: home.grid.code,
        summary: '楼道堆放杂物引发邻里纠纷',
        parties: [
          { role: 'APPLICANT', residentId: applicant },
          { role: 'RESPONDENT', residentId: respondent },
        ],
      },
    }, { grids: [home.grid.code] })) as { reportCase: { case: { id: string; status: string; version: number } } };
    expect(reported.reportCase.case).toMatchObject({ status: 'REPORTED', version: 1 });
    const accepted = (await call('dispatcher', 'AcceptCase', {
      input: { idempotencyKey: randomUUID(), caseId: reported.reportCase.case.id, expectedVersion: 1 },
    })) as { acceptCase: { case: { status: string; version: number } } };
    expect(accepted.acceptCase.case).toMatchObject({ status: 'ACCEPTED', version: 2 });

    const analyst = await issuer.mint({ sub: 'runtime-analyst', role: 'district-analyst' });
    const csv = await fetch(`${gatewayUrl}/datasets/cases.csv`, { headers: { authorization: `Bearer ${analyst}`, 'x-hub-purpose': 'statistics' } });
    expect(csv.status).toBe(200);
    const records: string[][] = [];
    const parser = new CsvParser();
    parser.push((await csv.text()).replace(/^\uFEFF/, ''), records);
    parser.end(records);
    // The header, every case of the test district, and the one just reported.
    expect(records.length).toBe(1 + grids.flatMap((g) => g.mediation.cases).length + 1);
    expect(records.some((r) => r.includes(reported.reportCase.case.id))).toBe(true);
  });

  it("print none of Node's own warnings (a deprecated built-in module, say) while starting and serving", () => {
    for (const { name, output } of children) expect(output.join('').match(/^\(node:\d+\) .*Warning.*$/gm) ?? [], name).toEqual([]);
  });

  it('stop on SIGTERM with exit code 0, the gateway first', async () => {
    const gateway = children.find((c) => c.name === 'gateway')!;
    expect(await stop(gateway.child)).toBe(0);
    for (const { name, child, output } of children.filter((c) => c.name !== 'gateway')) expect(await stop(child), `${name}: ${output.join('')}`).toBe(0);
  });
});
