import { ApolloServer, HeaderMap, type BaseContext, type ContextThunk, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * Apollo Server's answer to an executed operation, byte for byte, for the prepared path (Apollo Server 5's
 * `normalizeAndFormatErrors`, `runHttpQuery` and `prettyJSONStringify`, which it does not export): errors get a code
 * (INTERNAL_SERVER_ERROR when they have none), their `extensions.http` becomes the response's status and headers,
 * `formatError` masks them; the body is `{ errors, data, extensions }` in that order, and a new line.
 */
export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

export interface ApolloHead {
  status?: number;
  headers: HeaderMap;
}

export const APPLICATION_JSON = 'application/json; charset=utf-8';

export function formatErrors(errors: readonly unknown[], formatError: FormatError): { formatted: GraphQLFormattedError[]; head: ApolloHead } {
  const head: ApolloHead = { headers: new HeaderMap() };
  const enrich = (maybeError: unknown): GraphQLFormattedError => {
    const error = toGraphQLError(maybeError);
    // graphql-jit's errors have no extensions object when they have no extensions (graphql-js's have an empty one).
    const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions?.code ?? 'INTERNAL_SERVER_ERROR' };
    if (isPartialHead(extensions.http)) {
      if (extensions.http.status) head.status = extensions.http.status;
      if (extensions.http.headers) for (const [name, value] of extensions.http.headers) head.headers.set(name, value);
      delete extensions.http;
    }
    return { ...error.toJSON(), extensions };
  };
  const formatted = errors.map((error) => {
    try {
      return formatError(enrich(error), error);
    } catch {
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  });
  return { formatted, head };
}

/** The complete HTTP answer for one result whose errors are formatted already. */
export function completeAnswer(
  result: { errors?: readonly GraphQLFormattedError[] | undefined; data?: unknown; extensions?: unknown },
  head: ApolloHead,
  contentType: string,
): HTTPGraphQLResponse {
  if (!head.headers.get('content-type')) head.headers.set('content-type', contentType);
  return {
    status: head.status,
    headers: head.headers,
    body: { kind: 'complete', string: JSON.stringify({ errors: result.errors, data: result.data, extensions: result.extensions }) + '\n' },
  };
}

/** Apollo's answer to an error thrown (not returned) by execution: the errors alone, status 500 unless they say. */
export function thrownAnswer(error: unknown, formatError: FormatError, contentType: string): HTTPGraphQLResponse {
  const { formatted, head } = formatErrors([error], formatError);
  head.status ??= 500;
  return completeAnswer({ errors: formatted }, head, contentType);
}

function toGraphQLError(maybeError: unknown): GraphQLError {
  const error = maybeError instanceof Error ? maybeError : new GraphQLError(`Unexpected error value: ${String(maybeError)}`);
  return error instanceof GraphQLError ? error : new GraphQLError(error.message, { originalError: error });
}

function isPartialHead(value: unknown): value is { status?: number; headers?: Map<string, string> } {
  return (
    !!value &&
    typeof value === 'object' &&
    (!('status' in value) || typeof value.status === 'number') &&
    (!('headers' in value) || value.headers instanceof Map)
  );
}

export const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The content type Apollo answers a single result with for this `Accept`, for the values a gateway or client sends
 * (none, undici's `* / *`, or JSON); undefined for any other, which Apollo negotiates itself.
 */
export function singleResultType(accept: string | undefined): string | undefined {
  if (accept === undefined || accept === '' || accept === '*/*' || accept === 'application/json') return APPLICATION_JSON;
  return undefined;
}

/** Apollo's CSRF check lets any POST through whose content type is JSON; anything else is left to it. */
export function isJsonRequest(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/json\s*(;|$)/i.test(contentType);
}

/** What a shortcut leaves to Apollo: the request, with the context already built (or its failure). */
export type Handover<TContext extends BaseContext> = { context: ContextThunk<TContext> };

/**
 * Apollo Server with a shortcut in front of its pipeline, taken only while the server is started (a stopping
 * server's answers, errors, are Apollo's to give). The shortcut answers, hands the request over with its context
 * built, or leaves it untouched (undefined).
 */
export abstract class ShortcutApolloServer<TContext extends BaseContext> extends ApolloServer<TContext> {
  private serving = false;

  protected abstract shortcut(http: HTTPGraphQLRequest, context: ContextThunk<TContext>): Promise<HTTPGraphQLResponse | Handover<TContext> | undefined>;

  override async start(): Promise<void> {
    await super.start();
    this.serving = true;
  }

  override async stop(): Promise<void> {
    this.serving = false;
    await super.stop();
  }

  override async executeHTTPGraphQLRequest(request: { httpGraphQLRequest: HTTPGraphQLRequest; context: ContextThunk<TContext> }): Promise<HTTPGraphQLResponse> {
    const answer = this.serving ? await this.shortcut(request.httpGraphQLRequest, request.context) : undefined;
    if (answer === undefined) return super.executeHTTPGraphQLRequest(request);
    if ('context' in answer) return super.executeHTTPGraphQLRequest({ httpGraphQLRequest: request.httpGraphQLRequest, context: answer.context });
    return answer;
  }
}
