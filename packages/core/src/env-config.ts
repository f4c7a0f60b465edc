import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkPinnedDate } from './clock.ts';
import { isProduction, parsePort } from './config.ts';
import { departments, type DepartmentName } from './departments.ts';
import { parseKey } from './access/keys.ts';
import { parseInternalSecret, parseSubgraphTokenKey } from './access/internal-token.ts';
import type { Logger } from './log.ts';
import { sharedBuffersProblem } from './postgres/shared-buffers.ts';
import { socketPathProblem } from './unix-socket.ts';

/**
 * Every environment variable the hub's code reads, in one catalogue: its default, who reads it, whether it belongs
 * in a deployment, and how a value is checked. Each service checks the variables it reads before it does anything
 * else (`checkEnvironment`), so a typo in a manifest stops the service at once with the variable's name, not at the
 * first request. The table in docs/configuration.md and the manifests under `deploy/` are tested against this list.
 */

/** A process that reads configuration: the gateway, a department's subgraph, or one of the hub's commands. */
export type ConfigReader = 'gateway' | DepartmentName | 'launcher' | 'token' | 'import' | 'export' | 'audit-verify' | 'codegen' | 'internal-token-keys';

/** The long-running services a deployment runs; every variable one of them reads belongs in the manifests. */
export const DEPLOYED_SERVICES: readonly ConfigReader[] = ['gateway', ...departments.map((d) => d.name)];

export interface EnvVariable {
  name: string;
  /** `<DEPT>_PORT` for the per-department family this one belongs to, as docs/configuration.md's table writes it. */
  family?: string;
  /** What applies when it is unset, in words. */
  default: string;
  readBy: readonly ConfigReader[];
  /** For development only (the launcher, the demo issuer, npm itself): never set in a deployment. */
  developmentOnly?: boolean;
  /** Whether `reader` cannot start without it (in this environment); the reason, in words, when so. */
  required?: (reader: ConfigReader, env: NodeJS.ProcessEnv) => string | undefined;
  /** The problem with a set value, or undefined when it is fine. */
  check?: (value: string, env: NodeJS.ProcessEnv) => string | undefined;
}

/** One thing wrong with the configuration: the variables it concerns and a sentence naming them. */
export interface ConfigProblem {
  variables: string[];
  message: string;
}

// --- checks of one value; each answers the problem in words or undefined ---

const port = (name: string) => (value: string) => problemOf(() => parsePort(name, value, 0), name);

const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) => (value: string) => {
  const n = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    return max === Number.MAX_SAFE_INTEGER ? `must be a whole number of at least ${min}, got "${value}"` : `must be a whole number from ${min} to ${max}, got "${value}"`;
  }
  return undefined;
};

const shareUpTo = (max: number) => (value: string) => {
  const x = Number(value.trim());
  return /^\d*\.?\d+$/.test(value.trim()) && x >= 0 && x <= max ? undefined : `must be a share from 0 to ${max}, got "${value}"`;
};

const oneOf = (...values: string[]) => (value: string) => (values.includes(value.trim()) ? undefined : `must be one of ${values.join(', ')}, got "${value}"`);

const postgresUrl = (value: string) => (/^postgres(ql)?:\/\/[^/\s]+/.test(value) ? undefined : 'must be a postgres:// URL');

const httpUrl = (value: string) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : `must be an http(s) URL, got ${url.protocol}`;
  } catch {
    return `must be an http(s) URL, got "${value}"`;
  }
};

const readableFile = (value: string) => {
  try {
    if (!statSync(value).isFile()) return `must name a file; ${value} is not one`;
    accessSync(value, constants.R_OK);
    return undefined;
  } catch {
    return `must name a readable file; ${value} cannot be read`;
  }
};

const nonBlank = (value: string) => (value.trim() === '' ? 'must not be blank' : undefined);

const hostName = (value: string) => (/^[A-Za-z0-9.:[\]-]+$/.test(value) ? undefined : `must be a host name or IP address to listen on, got "${value}"`);

const keyOf = (kind: 'private' | 'public', name: string) => (value: string) => problemOf(() => parseKey(value, kind, name), name);

/** The message of what `run` throws, without the variable's name when it leads (the report names it anyway). */
function problemOf(run: () => unknown, name: string): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return message.startsWith(`${name} `) ? message.slice(name.length + 1) : message;
  }
}

/** The per-department families, expanded for every department. */
function perDepartment(): EnvVariable[] {
  return departments.flatMap((d): EnvVariable[] => [
    {
      name: `${d.envPrefix}_DATABASE_URL`,
      family: '<DEPT>_DATABASE_URL',
      default: `the embedded server's \`${d.database}\` database under the launcher`,
      // Every department appends what only it sees (a refused internal token, a system write) to the audit trail.
      readBy: d.name === 'audit' ? [...new Set<ConfigReader>(['audit', 'gateway', 'launcher', 'audit-verify', ...departments.map((o) => o.name)])] : [d.name, 'launcher', 'import'],
      // A subgraph has no other way to find its database; the gateway writes the audit trail there in production.
      required: (reader, env) =>
        reader === d.name ? 'the department\'s own database' : d.name === 'audit' && reader === 'gateway' && isProduction(env) ? 'the audit trail, when NODE_ENV=production' : undefined,
      check: postgresUrl,
    },
    {
      name: `${d.envPrefix}_MIGRATION_DATABASE_URL`,
      family: '<DEPT>_MIGRATION_DATABASE_URL',
      default: `${d.envPrefix}_DATABASE_URL (the service migrates with the credentials it serves with)`,
      // The schema's owner, used only to migrate at start: the service then serves as a role that cannot change the
      // schema (the audit trail's reader cannot disable the append-only triggers; deploy/sql/audit-roles.sql).
      readBy: [d.name],
      check: postgresUrl,
    },
    {
      name: `${d.envPrefix}_PORT`,
      family: '<DEPT>_PORT',
      default: String(d.defaultPort),
      readBy: [d.name, 'launcher'],
      check: port(`${d.envPrefix}_PORT`),
    },
    {
      name: `${d.envPrefix}_URL`,
      family: '<DEPT>_URL',
      default: `the URL the supergraph names (http://localhost:${d.defaultPort}/graphql)`,
      readBy: ['gateway'],
      check: httpUrl,
    },
    {
      name: `${d.envPrefix}_SOCKET`,
      family: '<DEPT>_SOCKET',
      default: 'unset: TCP only (the launcher gives each department one, unless HUB_LOCAL_SOCKETS=0)',
      // The department listens there besides its port; the gateway sends its subgraph fetches there. One machine's
      // hub only: between pods (deploy/) the fetches stay on TCP.
      readBy: [d.name, 'gateway'],
      developmentOnly: true,
      check: (value) => socketPathProblem(value),
    },
    {
      name: `${d.envPrefix}_TIMEOUT_MS`,
      family: '<DEPT>_TIMEOUT_MS',
      default: 'HUB_SUBGRAPH_TIMEOUT_MS',
      readBy: ['gateway'],
      check: wholeNumber(1),
    },
  ]);
}

/** Required by every reader when NODE_ENV=production (the demo fallback is refused there). */
const inProduction = (_reader: ConfigReader, env: NodeJS.ProcessEnv) => (isProduction(env) ? 'when NODE_ENV=production (the demo fallback is refused)' : undefined);

const SUBGRAPHS = departments.map((d) => d.name);
const LIMITS: [string, number][] = [
  ['HUB_MAX_DEPTH', 12],
  ['HUB_MAX_ALIASES', 30],
  ['HUB_MAX_ROOT_FIELDS', 10],
  ['HUB_MAX_TOKENS', 4000],
  ['HUB_MAX_COST', 50_000],
  ['HUB_ASSUMED_LIST_SIZE', 10],
  ['HUB_MAX_BODY_BYTES', 1_048_576],
  ['HUB_REQUEST_TIMEOUT_MS', 30_000],
];

export const ENV_VARIABLES: readonly EnvVariable[] = [
  { name: 'NODE_ENV', default: 'development', readBy: ['gateway', ...SUBGRAPHS, 'launcher', 'token', 'import'], check: oneOf('production', 'development', 'test') },
  { name: 'LOG_LEVEL', default: 'info (warn for services under the launcher)', readBy: ['gateway', ...SUBGRAPHS, 'launcher'], check: oneOf('debug', 'info', 'warn', 'error') },
  {
    name: 'HUB_SECRET',
    default: 'a demo secret (refused in production)',
    readBy: ['public-security', 'party', 'mediation', 'launcher', 'import'],
    required: inProduction,
    check: (value) => (value.length < 16 ? 'must be at least 16 characters' : undefined),
  },
  ...perDepartment(),
  { name: 'GATEWAY_PORT', default: '4000', readBy: ['gateway', 'export'], check: port('GATEWAY_PORT') },
  { name: 'HOST', default: '127.0.0.1', readBy: ['gateway', ...SUBGRAPHS], check: hostName },
    // Resolved from where `npm` was called, as the gateway resolves it.
  { name: 'SUPERGRAPH_PATH', default: 'schema/supergraph.graphql', readBy: ['gateway'], check: (value, env) => readableFile(resolve(env.INIT_CWD ?? process.cwd(), value)) },
  { name: 'HUB_DATA_DIR', default: '.data/postgres', readBy: ['launcher', 'import'], developmentOnly: true, check: nonBlank },
  { name: 'HUB_POSTGRES_PORT', default: '54329', readBy: ['launcher', 'import', 'audit-verify'], developmentOnly: true, check: port('HUB_POSTGRES_PORT') },
  {
    name: 'HUB_POSTGRES_SHARED_BUFFERS',
    default: "auto: the databases' size on disk, from 64 MiB up to an eighth of the machine's memory",
    readBy: ['launcher', 'import'],
    developmentOnly: true,
    check: sharedBuffersProblem,
  },
  {
    name: 'HUB_LOCAL_SOCKETS',
    default: '1',
    readBy: ['launcher'],
    developmentOnly: true,
    check: oneOf('0', '1'),
  },
  { name: 'HUB_DEMO_RESIDENTS', default: '50000', readBy: ['launcher'], developmentOnly: true, check: wholeNumber(100, 1_000_000) },
  { name: 'HUB_DEMO_FLOATING_SHARE', default: '0.22', readBy: ['launcher'], developmentOnly: true, check: shareUpTo(0.95) },
  {
    name: 'HUB_NODE_FLAGS',
    default: 'none',
    readBy: ['launcher'],
    developmentOnly: true,
    check: (value) => (value.trim().split(/\s+/).every((flag) => flag === '' || /^--[a-z0-9][a-z0-9-]*(=\S+)?$/.test(flag)) ? undefined : 'must be node or V8 flags separated by spaces, each starting with -- (e.g. --max-semi-space-size=32)'),
  },
  { name: 'HUB_DEMO_ISSUER_DIR', default: '.data/demo-issuer', readBy: ['gateway', ...SUBGRAPHS, 'token'], developmentOnly: true, check: nonBlank },
  { name: 'HUB_JWKS_FILE', default: 'unset: the demo issuer', readBy: ['gateway'], check: readableFile },
  { name: 'HUB_JWKS_URL', default: 'unset: the demo issuer', readBy: ['gateway'], check: (value, env) => httpUrl(value) ?? (isProduction(env) && !value.startsWith('https://') ? 'must be an https:// URL when NODE_ENV=production' : undefined) },
  { name: 'HUB_JWT_ISSUER', default: 'hub-demo-issuer (the demo issuer)', readBy: ['gateway'], check: nonBlank },
  { name: 'HUB_JWT_AUDIENCE', default: 'governance-hub (the demo issuer)', readBy: ['gateway'], check: nonBlank },
  { name: 'HUB_ROLES_FILE', default: 'unset: the demo roles', readBy: ['gateway', 'token'], check: readableFile },
  {
    name: 'HUB_INTERNAL_SECRET',
    default: 'a fresh secret per launcher run',
    readBy: ['gateway', 'launcher', 'internal-token-keys'],
    // An ES256/EdDSA pair instead is the other way to sign (HUB_INTERNAL_PRIVATE_KEY).
    required: (reader, env) => (env.HUB_INTERNAL_PRIVATE_KEY || (reader === 'launcher' && env.HUB_INTERNAL_PUBLIC_KEY) ? undefined : inProduction(reader, env) && `${inProduction(reader, env)}, or HUB_INTERNAL_PRIVATE_KEY for ES256/EdDSA tokens`),
    check: (value) => problemOf(() => parseInternalSecret(value), 'HUB_INTERNAL_SECRET'),
  },
  { name: 'HUB_INTERNAL_PRIVATE_KEY', default: 'unset: HMAC tokens (HUB_INTERNAL_SECRET)', readBy: ['gateway', 'launcher'], check: keyOf('private', 'HUB_INTERNAL_PRIVATE_KEY') },
  { name: 'HUB_INTERNAL_TOKEN_SECONDS', default: '10', readBy: ['gateway'], check: wholeNumber(1, 60) },
  {
    name: 'HUB_INTERNAL_TOKEN_KEY',
    default: "the launcher's, derived for the subgraph from its HUB_INTERNAL_SECRET",
    readBy: SUBGRAPHS,
    required: (reader, env) => (env.HUB_INTERNAL_PUBLIC_KEY ? undefined : inProduction(reader, env) && `${inProduction(reader, env)}, or HUB_INTERNAL_PUBLIC_KEY for ES256/EdDSA tokens`),
    check: (value) => problemOf(() => parseSubgraphTokenKey(value), 'HUB_INTERNAL_TOKEN_KEY'),
  },
  { name: 'HUB_INTERNAL_PUBLIC_KEY', default: 'unset: HMAC tokens (HUB_INTERNAL_TOKEN_KEY)', readBy: [...SUBGRAPHS, 'launcher'], check: keyOf('public', 'HUB_INTERNAL_PUBLIC_KEY') },
  { name: 'HUB_AUDIT_RETENTION_DAYS', default: '180 (the minimum)', readBy: ['gateway', ...SUBGRAPHS], check: wholeNumber(180) },
  {
    name: 'APOLLO_TELEMETRY_DISABLED',
    default: 'true, set by the gateway itself (@apollo/gateway would otherwise send usage data to Apollo)',
    readBy: ['gateway'],
    check: oneOf('true'),
  },
  { name: 'HUB_TRUSTED_DOCUMENTS', default: 'allow; enforce when NODE_ENV=production', readBy: ['gateway'], check: oneOf('off', 'allow', 'enforce') },
  { name: 'HUB_TRUSTED_DOCUMENTS_MANIFEST', default: 'schema/persisted-documents.json', readBy: ['gateway'], check: readableFile },
  ...LIMITS.map(([name, fallback]): EnvVariable => ({ name, default: String(fallback), readBy: ['gateway'], check: wholeNumber(1) })),
  { name: 'HUB_RATE_LIMITS', default: 'on', readBy: ['gateway'], check: oneOf('on', 'off') },
  // A diagnostic: `apollo` sends every request through Apollo Server's pipeline (the prepared path's twin, for benchmarks).
  { name: 'HUB_GATEWAY_EXECUTOR', default: 'prepared', readBy: ['gateway'], check: oneOf('prepared', 'apollo') },
  { name: 'HUB_RATE_LIMITS_FILE', default: 'unset: the default budgets', readBy: ['gateway'], check: readableFile },
  // Checked by the gateway itself (each entry an IP address or a CIDR range).
  { name: 'HUB_TRUSTED_PROXIES', default: 'unset: no proxy is trusted', readBy: ['gateway'] },
  { name: 'HUB_SUBGRAPH_TIMEOUT_MS', default: '10000', readBy: ['gateway'], check: wholeNumber(1) },
  { name: 'HUB_SUBSCRIPTIONS_PER_CALLER', default: '20', readBy: ['gateway'], check: wholeNumber(1) },
  { name: 'HUB_SUBSCRIPTIONS_PER_GATEWAY', default: '10000', readBy: ['gateway'], check: wholeNumber(1) },
  { name: 'HUB_SUBSCRIPTION_BUFFER_BYTES', default: '1048576', readBy: ['gateway'], check: wholeNumber(1) },
  { name: 'HUB_SUBSCRIPTION_RECHECK_SECONDS', default: '60', readBy: ['gateway'], check: wholeNumber(1) },
  { name: 'HUB_SUBSCRIPTION_ROUTES', default: 'on', readBy: ['gateway'], check: oneOf('on', 'off') },
  { name: 'HUB_SUBSCRIPTION_READ_AHEAD', default: 'on', readBy: ['gateway'], check: oneOf('on', 'off') },
  { name: 'HUB_SUBGRAPH_RETRIES', default: '2', readBy: ['gateway'], check: wholeNumber(0) },
  { name: 'HUB_SUBGRAPH_RETRY_BACKOFF_MS', default: '50', readBy: ['gateway'], check: wholeNumber(0) },
  { name: 'HUB_BREAKER_FAILURES', default: '5', readBy: ['gateway'], check: wholeNumber(1) },
  { name: 'HUB_BREAKER_OPEN_MS', default: '5000', readBy: ['gateway'], check: wholeNumber(1) },
  { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', default: 'unset: no traces are exported', readBy: ['gateway', ...SUBGRAPHS], check: httpUrl },
  {
    name: 'HUB_TODAY',
    default: "unset: the real date in Asia/Shanghai",
    readBy: [...SUBGRAPHS, 'launcher'],
    developmentOnly: true,
    check: checkPinnedDate,
  },
  {
    name: 'HUB_DEMO_REFERENCE_DATE',
    default: "set by the launcher to the hub's today when it seeds; unset: 2026-11-01",
    readBy: ['launcher'],
    developmentOnly: true,
    check: (value) => (/^\d{4}-\d{2}-\d{2}$/.test(value) && value >= '2026-11-01' && value <= '2030-12-31' ? undefined : 'must be a date from 2026-11-01 to 2030-12-31'),
  },
  { name: 'MEDIATION_RED_CARD_GRACE_DAYS', default: '5', readBy: ['mediation'], check: wholeNumber(0, 365) },
  { name: 'MEDIATION_ACCEPTANCE_DAYS', default: '3', readBy: ['mediation'], check: wholeNumber(1, 60) },
  { name: 'MEDIATION_ESCALATION_DAYS', default: '15', readBy: ['mediation'], check: wholeNumber(1, 90) },
  // Its entries are checked by mediation when it starts (subgraphs/mediation/src/workflow/units.ts).
  { name: 'MEDIATION_UNITS_FILE', default: 'unset: the built-in units', readBy: ['mediation'], check: readableFile },
  { name: 'MEDIATION_WARNING_DAYS', default: '3', readBy: ['mediation'], check: wholeNumber(0, 30) },
  { name: 'HUB_TOKEN', default: 'unset: a demo token of --role (development only)', readBy: ['export'] },
  { name: 'HUB_IMPORT_TOKEN', default: 'unset (needed with --gateway)', readBy: ['import'] },
  { name: 'HUB_IMPORT_USER', default: 'the operating-system user', readBy: ['import'] },
  { name: 'HUB_CODEGEN_ONLY', default: 'unset: every subgraph', readBy: ['codegen'], developmentOnly: true },
  // npm sets it to the directory `npm run`/`npm start` was typed in; relative paths are resolved from there.
  { name: 'INIT_CWD', default: 'set by npm', readBy: ['gateway', 'import'], developmentOnly: true },
];

/** The variables a process reads. */
export function variablesReadBy(reader: ConfigReader): EnvVariable[] {
  return ENV_VARIABLES.filter((v) => v.readBy.includes(reader));
}

/**
 * Every problem with the variables `reader` reads: a malformed value, or a required one unset. `extraChecks` are the
 * reader's own whole-configuration checks (a key set with its issuer, a manifest's hashes); their errors are added
 * unless they concern a variable already reported.
 */
export function checkEnvironment(reader: ConfigReader, env: NodeJS.ProcessEnv = process.env, extraChecks: ((env: NodeJS.ProcessEnv) => unknown)[] = []): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const variable of variablesReadBy(reader)) {
    const value = env[variable.name];
    if (value === undefined || value === '') {
      const reason = variable.required?.(reader, env);
      if (reason) problems.push({ variables: [variable.name], message: `${variable.name} is required: ${reason}` });
      continue;
    }
    const problem = variable.check?.(value, env);
    if (problem) problems.push({ variables: [variable.name], message: `${variable.name} ${problem}` });
  }
  for (const check of extraChecks) {
    try {
      check(env);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const named = ENV_VARIABLES.filter((v) => new RegExp(`\\b${v.name}\\b`).test(message)).map((v) => v.name);
      if (problems.some((p) => p.variables.some((v) => named.includes(v)))) continue;
      problems.push({ variables: named, message });
    }
  }
  return problems;
}

/**
 * Checks the environment and, when anything is wrong, writes one line per problem (naming the variable) to stderr
 * and exits with code 2, before any connection is opened. `write` is the service's own log line writer.
 */
export function exitOnConfigProblems(
  reader: ConfigReader,
  write: (problem: ConfigProblem) => void,
  extraChecks: ((env: NodeJS.ProcessEnv) => unknown)[] = [],
  env: NodeJS.ProcessEnv = process.env,
): void {
  const problems = checkEnvironment(reader, env, extraChecks);
  if (problems.length === 0) return;
  for (const problem of problems) write(problem);
  process.exit(2);
}

/** `exitOnConfigProblems` for a service that logs JSON lines: one error line per problem, naming the variable. */
export function exitOnServiceConfigProblems(reader: ConfigReader, logger: Logger, extraChecks: ((env: NodeJS.ProcessEnv) => unknown)[] = []): void {
  exitOnConfigProblems(reader, ({ variables, message }) => logger.error(`invalid configuration: ${message}`, { variables: variables.join(',') }), extraChecks);
}

/** `HOST` for a service: where it listens (0.0.0.0 in a container, so the load balancer reaches it). */
export function listenHost(env: NodeJS.ProcessEnv = process.env): string {
  return env.HOST || '127.0.0.1';
}
