import { HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
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
