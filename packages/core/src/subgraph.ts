import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import { ApolloServer, type BaseContext } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { parse, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Pool } from 'pg';
import { Counter } from 'prom-client';
import { AccessCode, AccessRefusal } from './access/claims.ts';
import { CALLER_HEADER, createCallerTokenVerifier, internalVerificationKey, TokenReplayRefusal } from './access/internal-token.ts';
import type { Caller } from './access/model.ts';
import { grantsOf } from './access/policy.ts';
import { createOperationPolicy, createPolicyPlugin } from './access/policy-plugin.ts';
import { createHttpService, HttpError, isDraining, listen, sendJson, type RouteHandler, type RunningService } from './http.ts';
import { createDepartmentAudit, type AuditSink } from './audit-sink.ts';
import { createLogger, type Logger } from './log.ts';
import { createServiceMetrics } from './metrics.ts';
import { createRequestGuard } from './request-guard.ts';
import { createSubgraphLimitsPlugin, textNestingRefusal } from './limits/index.ts';
import { currentLogIds } from './request-context.ts';
import { PreparedApolloServer, type SubgraphExecutor } from './execution/index.ts';

/** Reads a subgraph's schema.graphql next to the module, never from the working directory. */
export function loadTypeDefs(url: URL): DocumentNode {
  return parse(readFileSync(url, 'utf8'));
}

export type SubgraphServiceOptions<TContext extends BaseContext> = SubgraphServiceBase<TContext> &
  ({ schema: GraphQLSchema } | { typeDefs: DocumentNode; resolvers: unknown });

interface SubgraphServiceBase<TContext extends BaseContext> {
  name: string;
  /** Builds the request's context for the caller the gateway vouched for. */
  context: (req: IncomingMessage, caller: Caller) => Promise<TContext>;
  /**
   * The key every `/graphql` request's internal token must verify against: this subgraph's own HMAC key (a secret
   * key) or the gateway's ES256/EdDSA public key. Defaults to HUB_INTERNAL_TOKEN_KEY, else HUB_INTERNAL_PUBLIC_KEY
   * (one is required in production; a development key derived for this subgraph otherwise).
   */
  callerKey?: KeyObject;
  /** The department's database: health pings it, closing the service closes it. */
  database: { pool: Pick<Pool, 'query'>; close(): Promise<void> };
  logger?: Logger;
  /**
   * The department's own routes beside `/graphql` and `/health` (mediation's feed wake-up stream), given the check
   * of the gateway's caller token (bound to an empty body: these are GET streams), since only the gateway may use
   * them, and whether the service is closing.
   */
  routes?: (service: { verifyCaller: (req: IncomingMessage) => Promise<Caller>; draining: () => boolean }) => Record<string, RouteHandler>;
  /**
   * The audit trail, for the events only the department sees: every internal caller token it refuses is recorded
   * (`INTERNAL_TOKEN_REFUSED`). Without one (no AUDIT_DATABASE_URL) they are logged and counted only.
   */
  audit?: AuditSink;
  /**
   * `prepared` (the default): documents Apollo Server has run once are answered by the prepared path
   * (`execution/prepared-server.ts`), the same bytes for less CPU; `apollo`: Apollo Server's pipeline for every
   * request (the equivalence test's reference).
   */
  executor?: SubgraphExecutor;
  /**
   * `lean` (the default): the gateway's `POST /graphql` fetches are read and answered by the lean HTTP/1.1 front
   * (`lean-http.ts`), everything else by node:http; `node`: node:http for every request.
   */
  http?: 'lean' | 'node';
}

export interface SubgraphService {
  name: string;
  listen(port: number, host?: string): Promise<RunningService>;
}

const POLICY_CALLER = Symbol('hub.policy-caller');

/** Codes our resolvers and Apollo set on purpose; anything else is an unexpected failure. */
const EXPECTED = /^[A-Z_]+$/;

/**
 * Hides the message of unexpected errors: a database error can quote the row it failed on, and that row may hold
 * an ID number or a name. The full error goes to the log, redacted, under an id the client is given.
 */
export function safeFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    // Already masked downstream (a subgraph's error passing through the gateway): keep its id for the logs.
    if (formatted.extensions?.errorId) return formatted;
    if (typeof code === 'string' && EXPECTED.test(code) && code !== 'INTERNAL_SERVER_ERROR') {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const errorId = Math.random().toString(36).slice(2, 10);
    const original = (error as { originalError?: unknown }).originalError ?? error;
    logger.error('unexpected error', {
      errorId,
      path: formatted.path?.join('.'),
      error: original,
    });
    return {
      message: `Internal error (${errorId})`,
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', errorId },
    };
  };
}

export function createSubgraphService<TContext extends BaseContext>(options: SubgraphServiceOptions<TContext>): SubgraphService {
  const logger = options.logger ?? createLogger(options.name);
  // Resolved now, not per request: a missing or malformed key stops the service at start.
  const callerKey = options.callerKey ?? internalVerificationKey(process.env, options.name);
  const verifyCaller = createCallerTokenVerifier(options.name, callerKey);
  const schema =
    'schema' in options
      ? options.schema
      : buildSubgraphSchema({ typeDefs: options.typeDefs, resolvers: options.resolvers as GraphQLResolverMap<unknown> });
  // The department's context need not carry the caller: the policy plugin finds it under a key of its own (a symbol,
  // which Apollo's per-operation shallow copy of the context keeps).
  const nobody = grantsOf({ userId: '', role: '', department: null, scopes: [], purpose: null, grids: [], communities: [], ownGridsOnly: true, namesMasked: true });
  const grantsOfContext = (context: object) => {
    const caller = (context as Record<symbol, Caller | undefined>)[POLICY_CALLER];
    return caller ? grantsOf(caller) : nobody;
  };
  // What `grantsOf` reads of a caller, and nothing else: callers equal in these get the same grants. Written once per
  // caller object: the verifier hands every token of one known fixed part the same (frozen) caller.
  const grantsKeys = new WeakMap<Caller, string>();
  const grantsKeyOfContext = (context: object) => {
    const caller = (context as Record<symbol, Caller | undefined>)[POLICY_CALLER];
    if (!caller) return undefined;
    let key = grantsKeys.get(caller);
    if (key === undefined) {
      key = JSON.stringify([caller.role, caller.department, caller.purpose, caller.scopes]);
      // Only a frozen caller cannot change under its kept key.
      if (Object.isFrozen(caller) && Object.isFrozen(caller.scopes)) grantsKeys.set(caller, key);
    }
    return key;
  };
  // One policy for the plugin and the prepared path: a document's decision per caller class is made once for both.
  const policy = createOperationPolicy<TContext>({ schema, grantsOf: (context) => grantsOfContext(context), grantsKeyOf: (context) => grantsKeyOfContext(context) });
  const formatError = safeFormatError(logger);
  const metrics = createServiceMetrics(options.name);
  const tokenRefusals = new Counter({
    name: 'hub_internal_token_refusals_total',
    help: 'Requests refused for their internal caller token, by reason (replay is a security event)',
    labelNames: ['reason'] as const,
    registers: [metrics.registry],
  });
  // Both counted in a number of their own per request and added to the counter whenever it is read (an `inc` per
  // request cost prom-client's label handling, with no labels to handle).
  let prepared = 0;
  let compiled = 0;
  const preparedAnswers = new Counter({
    name: 'hub_prepared_answers_total',
    help: "GraphQL requests answered by the prepared path (a document Apollo Server had run before) rather than Apollo Server's pipeline",
    registers: [metrics.registry],
    collect() {
      if (prepared > 0) this.inc(prepared);
      prepared = 0;
    },
  });
  const compiledAnswers = new Counter({
    name: 'hub_compiled_answers_total',
    help: "Prepared answers whose execution was graphql-jit's code compiled for the document (the rest: graphql-js)",
    registers: [metrics.registry],
    collect() {
      if (compiled > 0) this.inc(compiled);
      compiled = 0;
    },
  });
  const audit = createDepartmentAudit(options.audit, logger, { registry: metrics.registry });
  /**
   * Logs, counts and audits a refused caller token, and rethrows it. The record is queued, not awaited: the refusal
   * is answered as fast with the trail as without it. It names the token's id and subject only where the signature
   * held (a replay); never the token itself.
   */
  const refuse = (error: unknown, req: IncomingMessage, path: string): never => {
    if (error instanceof TokenReplayRefusal) {
      // A security event: the token was captured somewhere between the gateway and here, or the gateway is
      // not what it should be. The line carries the trace and request ids (the log adds them), never the token.
      logger.warn('security event: internal token replayed', {
        code: error.accessCode,
        jti: error.replayed.jti,
        userId: error.replayed.userId,
        role: error.replayed.role,
        remoteAddress: req.socket.remoteAddress,
      });
    } else if (error instanceof AccessRefusal) {
      logger.warn('request refused', { code: error.accessCode, reason: error.reason, remoteAddress: req.socket.remoteAddress });
    }
    // Capacity is this replica's own state (too many recent tokens), not a token it found wrong.
    if (error instanceof AccessRefusal && error.accessCode !== AccessCode.INTERNAL_TOKEN_CAPACITY) {
      const replayed = error instanceof TokenReplayRefusal ? error.replayed : null;
      audit.record({
        eventType: 'INTERNAL_TOKEN_REFUSED',
        userId: replayed?.userId ?? null,
        role: replayed?.role ?? null,
        operationName: `${req.method ?? 'GET'} ${path}`,
        outcome: 'DENIED',
        errorCodes: [error.accessCode],
        details: {
          subgraph: options.name,
          reason: error.reason,
          status: error.status,
          ...(replayed ? { jti: replayed.jti } : {}),
          remoteAddress: req.socket.remoteAddress ?? null,
          ...currentLogIds(),
        },
      });
    }
    if (error instanceof AccessRefusal) tokenRefusals.inc({ reason: error.reason.replace(/^claim .*/, 'claim') });
    throw error;
  };
  return {
    name: options.name,
    async listen(port, host = '127.0.0.1') {
      const config = {
        // The service stops on signals itself (`onShutdown`), in its own order; Apollo's own handlers would race it.
        stopOnTerminationSignals: false,
        schema,
        formatError,
        includeStacktraceInErrorResponses: false,
        // Subgraphs sit behind the gateway: no landing page (it loads a CDN sandbox), no traces for Apollo Studio,
        // and no cache hints: no field carries one (every answer is per caller, max-age 0 either way), and computing
        // them wraps every resolver of every request. Malformed requests (a persisted query, a subscription, an
        // operation that cannot be chosen) are refused 400 with a stable code, not masked as internal errors.
        plugins: [
          createRequestGuard<TContext>({ persistedQueries: false }),
          createSubgraphLimitsPlugin<TContext>(),
          // The schema's authorization directives, held here as at the gateway: a caller with a valid internal token
          // who did not come through the gateway gets no field the gateway would have refused.
          createPolicyPlugin<TContext>({ policy }),
          ApolloServerPluginLandingPageDisabled(),
          ApolloServerPluginInlineTraceDisabled(),
          ApolloServerPluginCacheControlDisabled(),
        ],
      };
      const tooNested = textNestingRefusal();
      const apollo = options.executor === 'apollo' ? new ApolloServer<TContext>(config) : new PreparedApolloServer<TContext>(config, { schema, policy, formatError, answered: () => void prepared++, compiledAnswered: () => void compiled++ });
      await apollo.start();
      const server: Server = createHttpService({
        apollo,
        // Before GraphQL parses anything: a request that did not come through the gateway learns nothing here.
        guard: async ({ req, url, body, bodyBytes }) => {
          const header = req.headers[CALLER_HEADER];
          const token = Array.isArray(header) ? header[0] : header;
          let caller: Caller;
          try {
            // The body is read only for a token whose signature holds, and must be the very bytes it was signed for.
            // A POST's body is read as it is (always bytes); a GET is bound to its query string.
            caller = await verifyCaller(token, req.method === 'POST' && bodyBytes ? bodyBytes : () => Promise.resolve(url.search.slice(1)));
          } catch (error) {
            return refuse(error, req, url.pathname);
          }
          // Before Apollo parses the document (its parser recurses: `textNestingRefusal`).
          const query = req.method === 'POST' ? ((await body?.()) as { query?: unknown } | null | undefined)?.query : url.searchParams.get('query');
          const tooDeep = tooNested(query);
          if (tooDeep) throw new HttpError(400, tooDeep.message, tooDeep.code, {}, tooDeep.extensions);
          return caller;
        },
        context: async (req, caller) => {
          const context = await options.context(req, caller);
          (context as Record<symbol, Caller>)[POLICY_CALLER] = caller;
          return context;
        },
        metrics,
        logger,
        // The gateway's fetches skip node:http's request objects (`lean-http.ts`); health, metrics and anything
        // not shaped as a fetch are node:http's as before.
        lean: options.http !== 'node',
        routes: {
          ...options.routes?.({
            verifyCaller: async (req) => verifyCaller(firstHeader(req.headers[CALLER_HEADER]), '').catch((error: unknown) => refuse(error, req, new URL(req.url ?? '/', 'http://subgraph').pathname)),
            draining: (): boolean => isDraining(server),
          }),
          '/health': async (_req, res) => {
            try {
              await options.database.pool.query('select 1');
              sendJson(res, 200, { status: 'ok', service: options.name });
            } catch {
              sendJson(res, 503, { status: 'unavailable', service: options.name, reason: 'database not reachable' });
            }
          },
        },
      });
      return listen(server, port, host, async () => {
        await apollo.stop();
        // Records of the last refusals reach the trail (or the error log) before the process goes.
        await audit.close();
        await options.database.close();
      });
    },
  };
}

const firstHeader = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
