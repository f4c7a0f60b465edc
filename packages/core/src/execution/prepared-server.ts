import { HeaderMap, type ApolloServerOptionsWithSchema, type BaseContext, type ContextThunk, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';
import { execute, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { OperationPolicy } from '../access/policy-plugin.ts';
import { representationRefusal } from '../request-guard.ts';
import { completeAnswer, formatErrors, isJsonRequest, isRecord, ShortcutApolloServer, singleResultType, thrownAnswer, type FormatError, type Handover } from './apollo-answer.ts';
import { CompiledDocuments } from './compiled-documents.ts';
import { PreparedDocuments } from './prepared-documents.ts';

/** How a department executes `/graphql`: prepared documents in front of Apollo Server, or Apollo Server alone. */
export type SubgraphExecutor = 'prepared' | 'apollo';

export interface PreparedExecution<TContext extends BaseContext> {
  schema: GraphQLSchema;
  /** The policy the server's policy plugin enforces, shared: one decision per document and caller class for both. */
  policy: OperationPolicy<TContext>;
  formatError: FormatError;
  documents?: PreparedDocuments;
  /** Called for each request the prepared path answers (a metric). */
  answered?: () => void;
  /** Called for each of those whose execution was graphql-jit's compiled code (a metric). */
  compiledAnswered?: () => void;
}

/**
 * Apollo Server with a shorter path for the documents it has already run. Apollo's per-request pipeline (plugin
 * hooks, hashing the text, the document store, operation lookup, content negotiation) costs a department more than
 * the execution of most of the gateway's fetches; none of it changes between two requests with the same text. So a
 * POSTed document Apollo has prepared once (`PreparedDocuments`) is answered here: per request only what depends on
 * the request is done, in Apollo's order: the request guard's representation check (it reads the variables), the
 * context and its shallow copy, the policy's decision for the caller's class (cached per document), execution
 * (graphql-jit's code, compiled once per document and caller class: `CompiledDocuments`; graphql-js for mutations and
 * whatever the compiler refuses), the policy's FORBIDDEN answers, Apollo's error formatting (our `formatError`, codes, `extensions.http`)
 * and serialisation. Anything else (GET, batches, persisted queries, an `Accept` other than JSON, a first sight of a
 * document, a request execution would refuse before running: bad variables, bad representations) is Apollo's, whole,
 * so every refusal keeps Apollo's exact answer; the prepared path hands over only before anything has run.
 */
export class PreparedApolloServer<TContext extends BaseContext> extends ShortcutApolloServer<TContext> {
  private readonly prepared: PreparedExecution<TContext> & { documents: PreparedDocuments };
  private readonly compiled: CompiledDocuments;

  constructor(config: ApolloServerOptionsWithSchema<TContext>, prepared: PreparedExecution<TContext>) {
    const documents = prepared.documents ?? new PreparedDocuments();
    super({ ...config, plugins: [documents.plugin<TContext>(), ...(config.plugins ?? [])] });
    this.prepared = { ...prepared, documents };
    this.compiled = new CompiledDocuments(prepared.schema);
  }

  protected override async shortcut(http: HTTPGraphQLRequest, context: ContextThunk<TContext>): Promise<HTTPGraphQLResponse | Handover<TContext> | undefined> {
    const answer = await this.answerPrepared(http, context);
    if (answer !== undefined && !('context' in answer)) this.prepared.answered?.();
    return answer;
  }

  private async answerPrepared(http: HTTPGraphQLRequest, context: ContextThunk<TContext>): Promise<HTTPGraphQLResponse | Handover<TContext> | undefined> {
    if (http.method !== 'POST') return undefined;
    const contentType = singleResultType(http.headers.get('accept'));
    if (!contentType || !isJsonRequest(http.headers.get('content-type'))) return undefined;
    const body = http.body;
    if (!isRecord(body)) return undefined;
    const { query, variables, operationName, extensions } = body;
    if (typeof query !== 'string') return undefined;
    if (!(operationName === undefined || operationName === null || typeof operationName === 'string')) return undefined;
    if (!(variables === undefined || variables === null || isRecord(variables))) return undefined;
    if (!(extensions === undefined || extensions === null || (isRecord(extensions) && !extensions.persistedQuery))) return undefined;
    const name = operationName ?? undefined;
    const prepared = this.prepared.documents.get(query, name);
    if (!prepared) return undefined;
    const variableValues = variables ?? undefined;
    const { schema, policy, formatError } = this.prepared;
    if (representationRefusal(schema, prepared.operation, variableValues ?? {})) return undefined;

    let built: TContext;
    try {
      built = await context();
    } catch (error) {
      return { context: () => Promise.reject(error) };
    }
    const handover: Handover<TContext> = { context: async () => built };
    // Apollo runs each operation on a shallow copy of the context (symbols included); resolvers see the same.
    const contextValue = Object.assign(Object.create(Object.getPrototypeOf(built) as object | null) as TContext, built);
    let authorized: ReturnType<typeof policy.authorize>;
    try {
      authorized = policy.authorize(prepared.document, prepared.operation.name?.value ?? null, contextValue);
    } catch {
      // Nothing has run: Apollo decides again and answers the failure its way.
      return handover;
    }
    const filtered = policy.filtered(authorized);
    const document = filtered ? authorized.document : prepared.document;
    const compiled = this.compiled.of(document, name, prepared.operation.operation);
    let result: ExecutionResult;
    try {
      result = await (compiled ? compiled(contextValue, variableValues) : execute({ schema, document, contextValue, variableValues, operationName: name }));
    } catch (error) {
      return thrownAnswer(error, formatError, contentType);
    }
    // No data: the variables did not coerce and nothing ran. Apollo words that refusal (400, BAD_USER_INPUT).
    if (result.data === undefined) return handover;
    if (compiled) this.prepared.compiledAnswered?.();
    const { formatted, head } = result.errors ? formatErrors(result.errors, formatError) : { formatted: undefined, head: { headers: new HeaderMap() } };
    const single: { errors?: typeof formatted; data?: Record<string, unknown> | null; extensions?: unknown } = { ...result, errors: formatted };
    if (filtered) policy.apply(single, authorized);
    return completeAnswer(single, head, contentType);
  }
}
