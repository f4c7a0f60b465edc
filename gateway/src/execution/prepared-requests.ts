import { HeaderMap, type ApolloServerOptionsWithGateway, type ApolloServerPlugin, type ContextThunk, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';
import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface } from '@apollo/server-gateway-interface';
import { apolloAnswer, type AuthorizedOperation, type OperationPolicy } from '@hub/core';
import { GraphQLError, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import type { AnsweredRequest } from '../audit.ts';
import type { GatewayContext } from '../context.ts';
import { answerRefusedInput } from '../input-refusals.ts';
import { checkMeasures, timeoutError, type Limits } from '../limits/index.ts';
import { measureCache } from '../limits/plugin.ts';
import { attachRequestSignal } from '../limits/timeout.ts';
import type { GatewayMetrics } from '../metrics.ts';
import { variablesCoerced } from './executor.ts';
import { callerClassOf } from '../policy/plugin.ts';
import type { RateLimiter } from '../rate-limit/index.ts';
import { withholdReferences } from '../withheld-references.ts';

/**
 * What Apollo Server worked out for one document, operation name and caller class when it ran it through every
 * plugin: the document as asked (what the limits measure) and as the policy left it for the class (what is planned,
 * executed, audited), the decision itself, and the gateway request context's server-level fields.
 */
interface PreparedRequest {
  asked: DocumentNode;
  authorized: AuthorizedOperation;
  filtered: boolean;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | null;
  queryHash: string;
  schema: GraphQLSchema;
  server: Pick<GatewayGraphQLRequestContext, 'logger' | 'cache' | 'schemaHash' | 'debug'>;
}

/** The key of a request without `operationName`: no GraphQL name can hold a NUL. */
const UNNAMED = '\u0000';

export interface PreparedRequestsOptions {
  policy: OperationPolicy<GatewayContext>;
  limits: Limits;
  rateLimiter: RateLimiter;
  /** The audit plugin's work (`auditAnswers`), with the plugin's own options. */
  audit: (request: AnsweredRequest<GatewayContext>) => Promise<void>;
  metrics: GatewayMetrics;
  formatError: apolloAnswer.FormatError;
  /** Distinct (document, operation name, caller class) kept; beyond them requests go through Apollo each time. */
  capacity?: number;
}

/**
 * The gateway's prepared requests: a POSTed query text Apollo Server has run once for a caller class (every plugin's
 * checks passed and execution started) is answered for that class without Apollo Server's pipeline. Recorded by
 * `plugin()` (listed first, it sees the request as sent and the document before the policy filters it) and by the
 * executor `gateway()` wraps, which Apollo calls only once every check has passed, with the document as planned.
 */
export class PreparedRequests {
  private readonly byName = new Map<string, Map<string, Map<string, PreparedRequest>>>();
  private count = 0;
  private readonly pending = new WeakMap<object, { query: string; asked?: DocumentNode }>();
  private executor: GatewayExecutor | undefined;
  private readonly measure: ReturnType<typeof measureCache>;
  readonly capacity: number;

  constructor(readonly options: PreparedRequestsOptions) {
    this.capacity = options.capacity ?? 2_000;
    this.measure = measureCache(options.limits);
  }

  get size(): number {
    return this.count;
  }

  /** Records what the prepared path needs of a request Apollo runs; list it first among the plugins. */
  plugin(): ApolloServerPlugin<GatewayContext> {
    return {
      requestDidStart: async ({ request, contextValue }) => {
        // Only what the prepared path serves: a POSTed query text without a persisted-query id, from a client.
        if (typeof request.query !== 'string' || request.http?.method !== 'POST' || request.extensions?.persistedQuery !== undefined) return;
        if ((request.http.body as { documentId?: unknown } | undefined)?.documentId !== undefined) return;
        if (contextValue.dataset !== undefined || contextValue.subscription !== undefined) return;
        const pending: { query: string; asked?: DocumentNode } = { query: request.query };
        this.pending.set(contextValue, pending);
        return {
          didResolveOperation: async ({ document }) => {
            pending.asked = document;
          },
        };
      },
    };
  }

  /** The planner with its executor watched: what it is asked to run after every check passed is prepared. */
  gateway(inner: GatewayInterface): GatewayInterface {
    return {
      onSchemaLoadOrUpdate: (callback) =>
        inner.onSchemaLoadOrUpdate((schemaContext) => {
          this.clear();
          callback(schemaContext);
        }),
      load: async (options) => {
        const loaded = await inner.load(options);
        const executor = loaded.executor;
        if (!executor) return loaded;
        this.executor = executor;
        return {
          ...loaded,
          executor: (requestContext) => {
            this.remember(requestContext);
            return executor(requestContext);
          },
        };
      },
      stop: () => inner.stop(),
    };
  }

  private clear(): void {
    this.byName.clear();
    this.count = 0;
  }

  private remember(requestContext: GatewayGraphQLRequestContext): void {
    const context = requestContext.context as GatewayContext;
    const pending = this.pending.get(context);
    if (!pending?.asked || requestContext.operation?.operation !== 'query' || this.count >= this.capacity) return;
    if (requestContext.source !== pending.query) return;
    const name = requestContext.request.operationName ?? UNNAMED;
    let byQuery = this.byName.get(name);
    if (!byQuery) this.byName.set(name, (byQuery = new Map()));
    let byClass = byQuery.get(pending.query);
    if (!byClass) byQuery.set(pending.query, (byClass = new Map()));
    const callerClass = callerClassOf(context.caller);
    if (byClass.has(callerClass)) return;
    // The policy's decision for this class, as its plugin got it (cached per document and class, the same object).
    const authorized = this.options.policy.authorize(pending.asked, requestContext.request.operationName, context);
    byClass.set(callerClass, {
      asked: pending.asked,
      authorized,
      filtered: this.options.policy.filtered(authorized),
      document: requestContext.document,
      operation: requestContext.operation,
      operationName: requestContext.operationName ?? null,
      queryHash: requestContext.queryHash,
      schema: requestContext.schema,
      server: { logger: requestContext.logger, cache: requestContext.cache, schemaHash: requestContext.schemaHash, debug: requestContext.debug },
    });
    this.count++;
  }

  private lookup(query: string, operationName: string | undefined): Map<string, PreparedRequest> | undefined {
    return this.byName.get(operationName ?? UNNAMED)?.get(query);
  }

  /**
   * The answer Apollo Server would give, or what is left to it: undefined (nothing done), or the context already
   * built. Everything that can refuse the request (variables, limits, the rate limit) is decided before anything
   * runs, and a request any of them would refuse is handed to Apollo whole, which refuses it its own way.
   */
  async answer(http: HTTPGraphQLRequest, context: ContextThunk<GatewayContext>): Promise<HTTPGraphQLResponse | { context: ContextThunk<GatewayContext> } | undefined> {
    if (http.method !== 'POST' || !this.executor) return undefined;
    const contentType = apolloAnswer.singleResultType(http.headers.get('accept'));
    if (!contentType || !apolloAnswer.isJsonRequest(http.headers.get('content-type'))) return undefined;
    // The stock executor answers the query-plan debugging header itself.
    if (http.headers.get('apollo-query-plan-experimental') !== undefined) return undefined;
    const body = http.body;
    if (!apolloAnswer.isRecord(body)) return undefined;
    const { query, variables, operationName, extensions } = body;
    if (typeof query !== 'string' || body.documentId !== undefined) return undefined;
    if (!(operationName === undefined || operationName === null || typeof operationName === 'string')) return undefined;
    if (!(variables === undefined || variables === null || apolloAnswer.isRecord(variables))) return undefined;
    if (!(extensions === undefined || extensions === null || (apolloAnswer.isRecord(extensions) && extensions.persistedQuery === undefined))) return undefined;
    const byClass = this.lookup(query, operationName ?? undefined);
    if (!byClass) return undefined;

    let built: GatewayContext;
    try {
      built = await context();
    } catch (error) {
      return { context: () => Promise.reject(error) };
    }
    const handover = { context: async () => built };
    if (built.dataset !== undefined || built.subscription !== undefined || !built.caller) return handover;
    const prepared = byClass.get(callerClassOf(built.caller));
    if (!prepared) return handover;
    const variableValues = (variables ?? undefined) as Record<string, unknown> | undefined;
    // Variables that do not coerce: Apollo refuses them after charging the rate limit; all of it is its to do.
    const definitions = prepared.operation.variableDefinitions;
    if (definitions && definitions.length > 0 && getVariableValues(prepared.schema, definitions, variableValues ?? {}).errors) return handover;
    const request = { query, operationName: (operationName ?? undefined) as string | undefined, variables: variableValues, extensions: (extensions ?? undefined) as Record<string, unknown> | undefined };
    let cost: number;
    try {
      const measures = this.measure(prepared.schema, prepared.asked, request);
      if (checkMeasures(measures, this.options.limits)) return handover;
      cost = measures.cost;
    } catch {
      return handover;
    }
    // Apollo runs each operation on a shallow copy of the context (symbols included); the rate limit charges it.
    const contextValue = Object.assign(Object.create(Object.getPrototypeOf(built) as object | null) as GatewayContext, built);
    if (!this.options.rateLimiter.chargeOperation(contextValue, cost)) return handover;
    return this.run(prepared, request, http, contextValue, contentType);
  }

  /** From here on the request is the prepared path's: the limits plugin's deadline, execution, the answer's hooks. */
  private async run(
    prepared: PreparedRequest,
    request: { query: string; operationName: string | undefined; variables: Record<string, unknown> | undefined; extensions: Record<string, unknown> | undefined },
    http: HTTPGraphQLRequest,
    contextValue: GatewayContext,
    contentType: string,
  ): Promise<HTTPGraphQLResponse> {
    const { limits, formatError, metrics, policy } = this.options;
    const startedAt = performance.now();
    // The parsed document was found, in this path's store rather than Apollo's: counted as the lookup it replaces.
    metrics.onCacheLookup('documents', true);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(timeoutError(limits.requestTimeoutMs, performance.now() - startedAt)), limits.requestTimeoutMs);
    timer.unref();
    attachRequestSignal(contextValue, controller.signal);

    const head: apolloAnswer.ApolloHead = { headers: new HeaderMap() };
    const response = { http: head, body: { kind: 'single' as const, singleResult: {} as SingleResult } };
    const requestContext = gatewayRequestContext(prepared, request, http, contextValue, head);
    // `answer` coerced them against this operation's definitions already.
    variablesCoerced.add(requestContext);
    try {
      const result = await this.executor!(requestContext);
      const { formatted, head: fromErrors } = result.errors ? apolloAnswer.formatErrors(result.errors, formatError) : { formatted: undefined, head: undefined };
      if (fromErrors) mergeHead(head, fromErrors);
      // Apollo Server 5's status400ForVariableCoercionErrors: errors and no data at all is a request error.
      if (result.errors?.length && result.data === undefined && !head.status) head.status = 400;
      response.body.singleResult = { ...result, errors: formatted } as SingleResult;
    } catch (error) {
      const { formatted, head: fromErrors } = apolloAnswer.formatErrors([error], formatError);
      mergeHead(head, fromErrors);
      head.status ??= 500;
      response.body.singleResult = { errors: formatted };
    }

    // The plugins' willSendResponse, in their order (plugins.ts); those with nothing to do here are left out: the
    // rate limit (charged already), the request guard and trusted documents (they refuse before anything runs).
    clearTimeout(timer);
    if (controller.signal.aborted) {
      head.status = 504;
      response.body = { kind: 'single', singleResult: { errors: [clientError(timeoutError(limits.requestTimeoutMs, performance.now() - startedAt))] } };
    }
    if (prepared.filtered) policy.apply(response.body.singleResult as Parameters<typeof policy.apply>[0], prepared.authorized);
    withholdReferences(response.body.singleResult, prepared.schema, prepared.document, prepared.operation);
    answerRefusedInput(contextValue, response.body.singleResult, head);
    // Apollo starts every plugin's hook at once: the metrics count the answer before the audit's write settles.
    const audited = this.options.audit({
      contextValue,
      response,
      document: prepared.document,
      queryHash: prepared.queryHash,
      source: request.query,
      operationName: prepared.operationName,
      operation: prepared.operation,
      request,
    });
    metrics.countAnswer(prepared.operationName, response.body.singleResult, startedAt);
    await audited;
    metrics.onPreparedRequest();
    return apolloAnswer.completeAnswer(response.body.singleResult, head, contentType);
  }
}

type SingleResult = { errors?: GraphQLFormattedError[] | undefined; data?: Record<string, unknown> | null; extensions?: Record<string, unknown> };

/**
 * What Apollo Server hands the gateway's executor (its `makeGatewayGraphQLRequestContext`), for the fields the
 * executor, the data sources and the stock executor read.
 */
function gatewayRequestContext(
  prepared: PreparedRequest,
  request: { query: string; operationName: string | undefined; variables: Record<string, unknown> | undefined; extensions: Record<string, unknown> | undefined },
  http: HTTPGraphQLRequest,
  contextValue: GatewayContext,
  head: apolloAnswer.ApolloHead,
): GatewayGraphQLRequestContext {
  const headers = {
    get: (name: string) => http.headers.get(name) ?? null,
    has: (name: string) => http.headers.has(name),
  };
  return {
    request: { ...request, http: { method: 'POST', url: 'https://unknown-url.invalid/', headers: headers as never } },
    response: {
      http: {
        headers: { get: (name: string) => head.headers.get(name) ?? null, set: (name: string, value: string) => head.headers.set(name, value) } as never,
        get status() {
          return head.status;
        },
        set status(status) {
          head.status = status;
        },
      },
    },
    ...prepared.server,
    schema: prepared.schema,
    context: contextValue,
    queryHash: prepared.queryHash,
    document: prepared.document,
    source: request.query,
    operationName: prepared.operationName,
    operation: prepared.operation,
    metrics: {},
    overallCachePolicy: undefined as never,
  } as GatewayGraphQLRequestContext;
}

function mergeHead(into: apolloAnswer.ApolloHead, from: apolloAnswer.ApolloHead): void {
  for (const [name, value] of from.headers) into.headers.set(name, value);
  if (from.status) into.status = from.status;
}

/** A refusal as the client sees it: `extensions.http` is Apollo Server's instruction, not part of the answer. */
function clientError(error: GraphQLError): GraphQLFormattedError {
  const { http: _http, ...extensions } = error.extensions;
  return { message: error.message, extensions };
}

/**
 * Apollo Server in front of the gateway, with the prepared path before it (`PreparedRequests`): a request the path
 * answers never enters Apollo's pipeline; every other request, and every request the path hands over, is Apollo's.
 */
export class PreparedGatewayServer extends apolloAnswer.ShortcutApolloServer<GatewayContext> {
  constructor(
    config: ApolloServerOptionsWithGateway<GatewayContext>,
    private readonly prepared: PreparedRequests | undefined,
  ) {
    super(prepared ? { ...config, gateway: prepared.gateway(config.gateway), plugins: [prepared.plugin(), ...(config.plugins ?? [])] } : config);
  }

  protected override shortcut(http: HTTPGraphQLRequest, context: ContextThunk<GatewayContext>): Promise<HTTPGraphQLResponse | apolloAnswer.Handover<GatewayContext> | undefined> {
    return this.prepared ? this.prepared.answer(http, context) : Promise.resolve(undefined);
  }
}
