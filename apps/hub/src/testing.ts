import type { KeyObject } from 'node:crypto';
import {
  DEMO_HUB_SECRET,
  DEMO_ROLES,
  department,
  dropDatabase,
  generateSigningKeyPair,
  privatePem,
  publicPem,
  TokenIssuer,
  type MintOptions,
  type RunningService,
  type StatementCounter,
} from '@hub/core';
import { cloneDatabase, startTestPostgres, uniqueDatabaseName } from '@hub/core/testing';
import { TEST_DEMO } from '@hub/demo/testing';
import { createGateway, DEFAULT_SUPERGRAPH, readSupergraph, refusalAuditRecord, type GatewayOptions, type RefusalEvent } from '@hub/gateway';
import { createAuditWriter } from '@hub/audit-trail';
import { prepareDatabases } from './databases.ts';
import { departmentRuntimes } from './departments.ts';
import { builtEntry, forkService, GATEWAY_ENTRY, type ServiceProcess } from './process.ts';

/**
 * For the end-to-end tests' globalSetup: one template database per department on the test server, migrated and
 * seeded with the test district exactly as `npm start` would seed it. Test files clone them.
 */
export async function prepareHubTemplates(): Promise<{ templates: Record<string, string>; teardown(): Promise<void> }> {
  const server = await startTestPostgres();
  const env: NodeJS.ProcessEnv = {};
  for (const runtime of departmentRuntimes) {
    const dept = department(runtime.name);
    env[`${dept.envPrefix}_DATABASE_URL`] = server.urlFor(dept, uniqueDatabaseName(`tpl_${dept.database}`));
  }
  const prepared = await prepareDatabases({ env, demo: TEST_DEMO, secret: DEMO_HUB_SECRET });
  return {
    templates: prepared.urls,
    teardown: async () => {
      await Promise.allSettled(Object.values(prepared.urls).map((url) => dropDatabase(url)));
      await server.stop();
    },
  };
}

/** The issuer and audience of the test hub's tokens (the demo issuer's are different, so neither accepts the other's). */
export const TEST_ISSUER = 'hub-test-issuer';
export const TEST_AUDIENCE = 'governance-hub-test';

export interface TestHub {
  gatewayUrl: string;
  subgraphs: Record<string, { url: string; statements: StatementCounter; service: RunningService }>;
  /** `Authorization` header of an administrator: what a test sends unless it is about who is asking. */
  headers: Record<string, string>;
  /** A bearer token of this hub's issuer for a role; `claims` add to or override `sub`, `grids`, … */
  tokenFor(role: string, claims?: Record<string, unknown>, options?: MintOptions): Promise<string>;
  /** The identity provider this hub's gateway trusts (tests that forge tokens sign with keys of their own). */
  issuer: TokenIssuer;
  /** For another gateway over these subgraphs: the same identity provider and the same internal signing key. */
  gatewayAccess: Pick<GatewayOptions, 'identity' | 'internalKey'>;
  /** The gateway's internal key pair: subgraphs trust `publicKey`; tests sign their own subgraph requests with it. */
  internalKeys: ReturnType<typeof generateSigningKeyPair>;
  /** Every request the gateway refused, as its audit hook heard it. */
  refusals: RefusalEvent[];
  /** The test hub's audit database, for tests that read or tamper with the trail. */
  auditUrl: string;
  /** Each department's database under this hub, for tests that load records into it while it runs. */
  databaseUrls: Record<string, string>;
  /** Stops one subgraph (to see how the gateway copes without it). */
  stopSubgraph(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Every subgraph and the gateway, in this process on free ports, over fresh clones of the templates. */
export async function bootTestHub(templates: Record<string, string>, supergraphSdl = readSupergraph(DEFAULT_SUPERGRAPH)): Promise<TestHub> {
  const subgraphs: TestHub['subgraphs'] = {};
  const drops: (() => Promise<void>)[] = [];
  const stopped = new Set<string>();
  const internalKeys = generateSigningKeyPair();
  const clones: Record<string, string> = {};
  for (const runtime of departmentRuntimes) {
    const clone = await cloneDatabase(templates[runtime.name]!);
    drops.push(clone.drop);
    clones[runtime.name] = clone.url;
  }
  // One writer for the gateway and every department, as one trail: each process of a deployment has its own.
  const audit = createAuditWriter(clones.audit!);
  for (const runtime of departmentRuntimes) {
    const connected = await runtime.connect(clones[runtime.name]!);
    const service = await connected.serve(0, DEMO_HUB_SECRET, internalKeys.publicKey, audit);
    subgraphs[runtime.name] = { url: service.url, statements: connected.statements, service };
  }
  const issuer = TokenIssuer.generate(TEST_ISSUER, TEST_AUDIENCE);
  const gatewayAccess = {
    identity: { jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience, roles: DEMO_ROLES, description: 'test issuer' },
    internalKey: internalKeys.privateKey,
  };
  const refusals: RefusalEvent[] = [];
  const gateway = await createGateway({
    supergraphSdl,
    urls: Object.fromEntries(Object.entries(subgraphs).map(([name, s]) => [name, s.url])),
    ...gatewayAccess,
    audit,
    onRefusal: async (event) => {
      refusals.push(event);
      await audit.write(refusalAuditRecord(event));
    },
  }).listen(0);
  const tokenFor: TestHub['tokenFor'] = (role, claims = {}, options = {}) => issuer.mint({ sub: `test-${role}`, role, ...claims }, options);
  return {
    gatewayUrl: gateway.url,
    subgraphs,
    // Long enough for any test file; tests about expiry mint their own.
    headers: { authorization: `Bearer ${await tokenFor('administrator', {}, { expiresIn: '6h' })}` },
    tokenFor,
    issuer,
    gatewayAccess,
    internalKeys,
    refusals,
    stopSubgraph: async (name) => {
      stopped.add(name);
      await subgraphs[name]!.service.close();
    },
    auditUrl: clones.audit!,
    databaseUrls: clones,
    close: async () => {
      await gateway.close();
      for (const [name, s] of Object.entries(subgraphs)) if (!stopped.has(name)) await s.service.close();
      await audit.close();
      await Promise.allSettled(drops.map((drop) => drop()));
    },
  };
}

/** A database name unique to this run, for tests that need one of their own. */
export { uniqueDatabaseName };

/**
 * One department as its own process (its bundle, as `npm start` runs it) on a fixed port over the given
 * database, trusting callers signed with the private half of `callerKey`: for tests that kill and restart it.
 */
export function forkSubgraph(options: {
  name: string;
  databaseUrl: string;
  port: number;
  callerKey: KeyObject;
  auditUrl?: string;
  logLevel?: string;
  readyTimeoutMs?: number;
  /** A Unix socket it listens on too (`<DEPT>_SOCKET`), as under the launcher. */
  socket?: string;
}): ServiceProcess {
  const runtime = departmentRuntimes.find((r) => r.name === options.name);
  if (!runtime) throw new Error(`no department named ${options.name}`);
  const dept = department(options.name);
  // A fixed port: the gateway is told it once, and a restarted process must come back on it.
  if (!Number.isInteger(options.port) || options.port <= 0 || options.port > 65535) throw new Error(`a subgraph process needs a fixed port, not ${options.port}`);
  return forkService(options.name, builtEntry(runtime.entry), {
    ...process.env,
    LOG_LEVEL: options.logLevel ?? 'warn',
    HUB_SECRET: DEMO_HUB_SECRET,
    [`${dept.envPrefix}_DATABASE_URL`]: options.databaseUrl,
    [`${dept.envPrefix}_PORT`]: String(options.port),
    [`${dept.envPrefix}_SOCKET`]: options.socket,
    HUB_INTERNAL_PUBLIC_KEY: publicPem(options.callerKey),
    HUB_INTERNAL_PRIVATE_KEY: undefined,
    // The audit department's own database is its AUDIT_DATABASE_URL already; another department gets the trail here.
    ...(options.name === 'audit' ? {} : { AUDIT_DATABASE_URL: options.auditUrl }),
  }, { readyTimeoutMs: options.readyTimeoutMs });
}

export { GATEWAY_ENTRY };

/**
 * The gateway as its own process (its bundle, as `npm start` runs it) on a fixed port, over the subgraphs at
 * `subgraphUrls` (name → URL), signing callers with `internalKey`, trusting the identity provider whose key set is in
 * `jwksFile`, writing the audit trail to `auditUrl`: for tests that run several gateways, kill and restart them.
 */
export function forkGateway(options: {
  name?: string;
  port: number;
  subgraphUrls: Record<string, string>;
  internalKey: KeyObject;
  identity: { jwksFile: string; issuer: string; audience: string };
  auditUrl: string;
  logLevel?: string;
  readyTimeoutMs?: number;
}): ServiceProcess {
  if (!Number.isInteger(options.port) || options.port <= 0 || options.port > 65535) throw new Error(`a gateway process needs a fixed port, not ${options.port}`);
  const urls = Object.fromEntries(Object.entries(options.subgraphUrls).map(([name, url]) => [`${department(name).envPrefix}_URL`, url]));
  return forkService(options.name ?? 'gateway', builtEntry(GATEWAY_ENTRY), {
    ...process.env,
    LOG_LEVEL: options.logLevel ?? 'warn',
    GATEWAY_PORT: String(options.port),
    ...urls,
    HUB_INTERNAL_PRIVATE_KEY: privatePem(options.internalKey),
    HUB_INTERNAL_PUBLIC_KEY: undefined,
    HUB_JWKS_FILE: options.identity.jwksFile,
    HUB_JWKS_URL: undefined,
    HUB_JWT_ISSUER: options.identity.issuer,
    HUB_JWT_AUDIENCE: options.identity.audience,
    AUDIT_DATABASE_URL: options.auditUrl,
  }, { readyTimeoutMs: options.readyTimeoutMs });
}
