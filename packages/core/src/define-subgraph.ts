import type { KeyObject } from 'node:crypto';
import type { BaseContext } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Caller } from './access/model.ts';
import { hubSecret, portOf } from './config.ts';
import { department, type DepartmentName } from './departments.ts';
import type { DepartmentDatabase } from './db/database.ts';
import type { DescribedDatabase } from './descriptor.ts';
import { exitOnServiceConfigProblems, listenHost } from './env-config.ts';
import { createLogger, type Logger } from './log.ts';
import { runService } from './service.ts';
import { alsoListenOnSocket } from './unix-socket.ts';
import type { SubgraphExecutor } from './execution/index.ts';
import { createSubgraphService, loadTypeDefs, type SubgraphService, type SubgraphServiceOptions } from './subgraph.ts';
import { createDepartmentAudit, type AuditSink, type DepartmentAudit } from './audit-sink.ts';

/** What a host (a department's own process, or the hub running it in-process) knows that a department may need. */
export interface HostSettings {
  env: NodeJS.ProcessEnv;
  /** The hub secret; read only when a department asks for it, so one that never needs it never requires it. */
  secret(): string;
}

export interface SubgraphSpec<TSchema extends Record<string, unknown>, TOptions extends object, TContext extends BaseContext> {
  /** Subgraph name, as in the supergraph and in @hub/core's `departments`. */
  name: string;
  /** The subgraph's `schema.graphql`, relative to its module (`new URL('../schema.graphql', import.meta.url)`). */
  typeDefs: URL;
  resolvers: object;
  database: DescribedDatabase<TSchema>;
  /** The department's own options as a host takes them from its settings; none when omitted. */
  options?: (host: HostSettings) => TOptions;
  /**
   * Called once per server, with the department's options: what it refuses stops the server at creation. Returns
   * what builds each request's context for the caller the gateway vouched for.
   */
  context(database: DepartmentDatabase<TSchema>, options: TOptions): (caller: Caller) => TContext | Promise<TContext>;
  /**
   * Work the department's own process does beside answering requests (a timer), started once it listens. Only the
   * department's process runs it, never a test's in-process server, so tests drive such work with their own clock.
   * What it writes on its own, with no person behind it, it records through `audit` (`SYSTEM_WRITE`).
   */
  background?(database: DepartmentDatabase<TSchema>, options: TOptions, logger: Logger, audit: DepartmentAudit): void;
  /** The department's own routes beside `/graphql` (see `SubgraphServiceOptions.routes`), over its open database. */
  routes?: (database: DepartmentDatabase<TSchema>) => SubgraphServiceOptions<TContext>['routes'];
}

export type ServerOptions<TSchema extends Record<string, unknown>, TOptions extends object> = {
  database: DepartmentDatabase<TSchema>;
  /** The key the gateway's tokens verify with (default: HUB_INTERNAL_TOKEN_KEY or HUB_INTERNAL_PUBLIC_KEY); tests pass `testCallerKey`. */
  callerKey?: KeyObject;
  /** The audit trail the department records refused internal tokens in (`createAuditWriter` of @hub/audit-trail). */
  audit?: AuditSink;
  /** `apollo` runs every request through Apollo Server's pipeline (the prepared path's reference in tests). */
  executor?: SubgraphExecutor;
} & TOptions;

export interface Subgraph<TSchema extends Record<string, unknown>, TOptions extends object> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: object;
  /** The built subgraph schema, for tests that execute against it without a server. */
  schema: GraphQLSchema;
  database: DescribedDatabase<TSchema>;
  /** The subgraph over an open database; `listen` starts it (tests use port 0). */
  createServer(options: ServerOptions<TSchema, TOptions>): SubgraphService;
  /** The department's options as a host takes them from its settings. */
  options(host: HostSettings): TOptions;
  /** The subgraph as a host builds it: the department's options from the host's settings. */
  hostServer(options: { database: DepartmentDatabase<TSchema>; callerKey?: KeyObject; host: HostSettings; audit?: AuditSink; executor?: SubgraphExecutor }): SubgraphService;
  /** Starts the department's background work, if it has any (`SubgraphSpec.background`). */
  startBackground(options: { database: DepartmentDatabase<TSchema>; host: HostSettings; logger: Logger; audit: DepartmentAudit }): void;
}

/**
 * One department's subgraph: its schema, resolvers, database and context, put together the one way every
 * department is served. Its `server.ts` exports what this returns, its `index.ts` hands it to `runSubgraph`.
 */
export function defineSubgraph<TSchema extends Record<string, unknown>, TOptions extends object = Record<never, never>, TContext extends BaseContext = BaseContext>(
  spec: SubgraphSpec<TSchema, TOptions, TContext>,
): Subgraph<TSchema, TOptions> {
  const typeDefs = loadTypeDefs(spec.typeDefs);
  const schema = buildSubgraphSchema({ typeDefs, resolvers: spec.resolvers as GraphQLResolverMap<unknown> });
  const createServer = ({ database, callerKey, audit, executor, ...options }: ServerOptions<TSchema, TOptions>): SubgraphService => {
    const context = spec.context(database, options as unknown as TOptions);
    return createSubgraphService<TContext>({
      name: spec.name,
      schema,
      context: async (_req, caller) => context(caller),
      callerKey,
      database,
      ...(audit ? { audit } : {}),
      ...(executor ? { executor } : {}),
      ...(spec.routes ? { routes: spec.routes(database) } : {}),
    });
  };
  const options = (host: HostSettings): TOptions => spec.options?.(host) ?? ({} as TOptions);
  return {
    name: spec.name,
    typeDefs,
    resolvers: spec.resolvers,
    schema,
    database: spec.database,
    createServer,
    options,
    hostServer: ({ database, callerKey, host, audit, executor }) => createServer({ ...options(host), database, callerKey, audit, executor } as ServerOptions<TSchema, TOptions>),
    startBackground: ({ database, host, logger, audit }) => spec.background?.(database, options(host), logger, audit),
  };
}

/**
 * Applies pending migrations: through the schema owner's own connection when the deployment gives one (the service
 * then serves as a role without DDL rights), else through the service's own database.
 */
async function migrateAsOwner<TSchema extends Record<string, unknown>>(
  definition: DescribedDatabase<TSchema>,
  database: DepartmentDatabase<TSchema>,
  migrationUrl: string | undefined,
  name: string,
): Promise<void> {
  if (!migrationUrl) return definition.migrate(database);
  const owner = definition.open(migrationUrl, { max: 1, applicationName: `${name}-migrate` });
  try {
    await definition.migrate(owner);
  } finally {
    await owner.close();
  }
}

/**
 * A department's process (its `src/index.ts`): checks every variable it reads, opens and migrates its database,
 * listens on its port and reports readiness. The server is built before migrating, so a bad option stops the
 * service before it touches the database.
 */
export async function runSubgraph<TSchema extends Record<string, unknown>, TOptions extends object>(
  subgraph: Subgraph<TSchema, TOptions>,
  options: RunSubgraphOptions = {},
): Promise<void> {
  const env = options.env ?? process.env;
  const dept = department(subgraph.name);
  const logger = createLogger(dept.name);
  // Every variable this service reads, checked before anything opens: a bad one exits 2 naming it.
  exitOnServiceConfigProblems(dept.name as DepartmentName, logger);
  const trail = options.audit?.(env);
  if (!trail) logger.warn('no audit trail (AUDIT_DATABASE_URL unset): refused internal tokens and system writes are logged and counted only');
  await runService(dept, logger, async (databaseUrl) => {
    const database = subgraph.database.open(databaseUrl);
    const server = subgraph.hostServer({ database, host: { env, secret: () => hubSecret(env) }, ...(trail ? { audit: trail } : {}) });
    await migrateAsOwner(subgraph.database, database, env[`${dept.envPrefix}_MIGRATION_DATABASE_URL`], dept.name);
    const tcp = await server.listen(portOf(dept, env), listenHost(env));
    // Under the launcher the gateway's fetches come over a Unix socket; the port stays for health checks and metrics.
    const socketPath = env[`${dept.envPrefix}_SOCKET`];
    const running = socketPath ? await alsoListenOnSocket(tcp, socketPath, `${dept.envPrefix}_SOCKET`).catch(async (error: unknown) => {
      await tcp.close();
      throw error;
    }) : tcp;
    const background = createDepartmentAudit(trail, logger);
    subgraph.startBackground({ database, host: { env, secret: () => hubSecret(env) }, logger, audit: background });
    const close = async () => {
      await running.close();
      await background.close();
      await trail?.close();
    };
    return { ...running, close };
  });
}

export interface RunSubgraphOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * The audit trail's writer from the environment (`auditWriterFromEnv` of @hub/audit-trail, which core cannot
   * import): undefined when the process has no AUDIT_DATABASE_URL. Closed when the service stops.
   */
  audit?: (env: NodeJS.ProcessEnv) => (AuditSink & { close(): Promise<void> }) | undefined;
}
