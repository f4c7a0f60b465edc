import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { Kind, visit, type DocumentNode, type GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { checkMeasures, checkTokens, measureOperation, type OperationMeasures, type OperationRequest } from './check.ts';
import { DEFAULT_LIMITS, type Limits } from './config.ts';
import { LimitCode, timeoutError } from './errors.ts';
import { attachRequestSignal } from './timeout.ts';

/** What the limits found of a request's operation: its measures (none when its tokens were refused) and whether it was refused. */
export interface MeasuredOperation {
  measures: OperationMeasures | undefined;
  refused: boolean;
}

const measured = new WeakMap<object, MeasuredOperation>();

/**
 * The measures of the operation of the request whose context this is, once the limits plugin has resolved it: the
 * rate limits charge its cost without estimating it again. Plugins listed after the limits plugin see it in their own
 * `didResolveOperation`.
 */
export function measuredOperation(context: object): MeasuredOperation | undefined {
  return measured.get(context);
}

/** The variables given as a `first` argument anywhere in a document: the only ones its measures depend on. */
function pageVariablesOf(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Argument(node) {
      if (node.name.value === 'first' && node.value.kind === Kind.VARIABLE) names.add(node.value.name.value);
    },
  });
  return [...names];
}

const MAX_MEASURES_PER_DOCUMENT = 64;

/**
 * An operation's measures, worked out once per schema, document, operation name and page-size variables: Apollo
 * Server hands every request of a cached operation the same document object, and its measures change with nothing
 * else (`measureOperation` reads the variables only for `first: $n`).
 */
export function measureCache(limits: Limits) {
  const bySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, { pageVariables: string[]; byKey: Map<string, OperationMeasures> }>>();
  return (schema: GraphQLSchema, document: DocumentNode, request: OperationRequest): OperationMeasures => {
    let byDocument = bySchema.get(schema);
    if (!byDocument) bySchema.set(schema, (byDocument = new WeakMap()));
    let known = byDocument.get(document);
    if (!known) byDocument.set(document, (known = { pageVariables: pageVariablesOf(document), byKey: new Map() }));
    const variables = request.variables ?? {};
    const key = `${request.operationName ?? ''}\u0000${known.pageVariables.length === 0 ? '' : JSON.stringify(known.pageVariables.map((name) => (Object.hasOwn(variables, name) ? (variables[name] ?? null) : '\u0000unset')))}`;
    let measures = known.byKey.get(key);
    if (!measures) {
      measures = measureOperation(schema, document, request, limits);
      if (known.byKey.size < MAX_MEASURES_PER_DOCUMENT) known.byKey.set(key, measures);
    }
    return measures;
  };
}

/** A refusal as the client sees it: `extensions.http` is Apollo Server's instruction, not part of the answer. */
function formatted(error: GraphQLError): GraphQLFormattedError {
  const { http: _http, ...extensions } = error.extensions;
  return { message: error.message, extensions };
}

/**
 * Refuses an operation before it runs when it exceeds a limit, and stops one that runs too long. Every refusal goes
 * through Apollo Server's ordinary error path, so other plugins' `didEncounterErrors` and `willSendResponse` see it.
 *
 * - TOO_MANY_TOKENS: the source is counted in `parsingDidStart`. With `apolloServerOptions(limits)` Apollo's parser
 *   stops at the same count (`parseOptions.maxTokens`), so an oversized document is never parsed whole or
 *   validated; its GRAPHQL_PARSE_FAILED answer is replaced in `willSendResponse` by TOO_MANY_TOKENS. Without that
 *   option the operation is refused in `didResolveOperation` instead.
 * - TOO_MANY_ROOT_FIELDS, TOO_MANY_ALIASES, QUERY_TOO_DEEP, QUERY_TOO_COSTLY (the first exceeded, in this order):
 *   `didResolveOperation`, on the validated document with the request's variables. HTTP 400; nothing executes.
 * - REQUEST_TIMEOUT: `requestDidStart` arms a timer of `requestTimeoutMs` that aborts the request's signal (see
 *   `requestSignal` and `AbortableRemoteGraphQLDataSource`, which aborts the subgraph fetches); a request whose
 *   signal fired is answered HTTP 504 REQUEST_TIMEOUT in place of whatever it produced.
 *
 * Put it first in `plugins`: it rewrites the response synchronously at the start of `willSendResponse`, and the
 * hooks of plugins listed after it then see the refusal as the client will.
 *
 * `schema` is the API schema that costs are measured against. Under a gateway pass undefined: the schema the gateway
 * loads (and each update of it) arrives in `schemaDidLoadOrUpdate`; each request's own schema is the last resort.
 */
export function createLimitsPlugin<TContext extends BaseContext = BaseContext>(
  schema: GraphQLSchema | undefined,
  limits: Limits = DEFAULT_LIMITS,
): ApolloServerPlugin<TContext> {
  let served = schema;
  const measure = measureCache(limits);
  return {
    async serverWillStart() {
      return {
        schemaDidLoadOrUpdate({ apiSchema }) {
          served = apiSchema;
        },
      };
    },

    async requestDidStart(requestContext) {
      const started = performance.now();
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(timeoutError(limits.requestTimeoutMs, performance.now() - started)),
        limits.requestTimeoutMs,
      );
      timer.unref();
      attachRequestSignal(requestContext.contextValue, controller.signal);
      let tooManyTokens: GraphQLError | undefined;

      return {
        async parsingDidStart({ source }) {
          tooManyTokens = checkTokens(source, limits);
        },

        async didResolveOperation({ document, request, schema: requestSchema, contextValue }) {
          const measures = tooManyTokens ? undefined : measure(served ?? requestSchema, document, request);
          const refusal = tooManyTokens ?? checkMeasures(measures!, limits);
          measured.set(contextValue, { measures, refused: refusal !== undefined });
          if (refusal) throw refusal;
        },

        async willSendResponse({ response }) {
          clearTimeout(timer);
          if (tooManyTokens) {
            const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
            if (errors?.length === 1 && errors[0]?.extensions?.code === LimitCode.TOO_MANY_TOKENS) return;
            response.http.status = 400;
            response.body = { kind: 'single', singleResult: { errors: [formatted(tooManyTokens)] } };
          } else if (controller.signal.aborted) {
            response.http.status = 504;
            const error = timeoutError(limits.requestTimeoutMs, performance.now() - started);
            response.body = { kind: 'single', singleResult: { errors: [formatted(error)] } };
          }
        },
      };
    },
  };
}
