import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { checkMeasures, checkTokens, measureOperation, type OperationMeasures } from './check.ts';
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
          const measures = tooManyTokens ? undefined : measureOperation(served ?? requestSchema, document, request, limits);
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
