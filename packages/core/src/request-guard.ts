import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { getArgumentValues, GraphQLError, isObjectType, Kind, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';

/** The stable `extensions.code` of a request that names nothing runnable; all HTTP 400. */
export const RequestCode = {
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  OPERATION_NOT_SUPPORTED: 'OPERATION_NOT_SUPPORTED',
  PERSISTED_QUERY_INVALID: 'PERSISTED_QUERY_INVALID',
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  INVALID_REPRESENTATION: 'INVALID_REPRESENTATION',
} as const;
export type RequestCode = (typeof RequestCode)[keyof typeof RequestCode];

function refusal(code: RequestCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

function formatted(error: GraphQLError): GraphQLFormattedError {
  const { http: _http, ...extensions } = error.extensions;
  return { message: error.message, extensions };
}

/** What is wrong with a request's `extensions.persistedQuery`, if anything. */
function persistedQueryRefusal(persisted: unknown, served: boolean): GraphQLError | undefined {
  if (persisted === undefined || persisted === null) return undefined;
  if (!served) return refusal(RequestCode.PERSISTED_QUERY_NOT_SUPPORTED, 'This service takes no persisted queries: send the query text');
  const { version, sha256Hash } = (typeof persisted === 'object' ? persisted : {}) as { version?: unknown; sha256Hash?: unknown };
  if (version !== 1 || typeof sha256Hash !== 'string') {
    return refusal(RequestCode.PERSISTED_QUERY_INVALID, 'extensions.persistedQuery must be { "version": 1, "sha256Hash": "<64 hex characters>" }');
  }
  return undefined;
}

/**
 * The first `_entities` representation (a subgraph's entry point for the gateway) that names no object type of the
 * schema: @apollo/subgraph would fail it with a code-less error, masked as an internal one and logged as unexpected.
 */
export function representationRefusal(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>): GraphQLError | undefined {
  const field = schema.getQueryType()?.getFields()._entities;
  if (!field) return undefined;
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.name.value !== '_entities') continue;
    let representations: unknown;
    try {
      representations = getArgumentValues(field, selection, variables).representations;
    } catch {
      return undefined; // execution reports a bad argument itself, with its own code
    }
    for (const [i, representation] of (Array.isArray(representations) ? representations : []).entries()) {
      const typename = typeof representation === 'object' && representation !== null && !Array.isArray(representation) ? (representation as { __typename?: unknown }).__typename : undefined;
      if (typeof typename !== 'string' || !isObjectType(schema.getType(typename))) {
        return refusal(RequestCode.INVALID_REPRESENTATION, `representations[${i}] is not an object whose __typename names an entity of this service`);
      }
    }
  }
  return undefined;
}

/**
 * Refuses with HTTP 400 and a stable code what Apollo Server would otherwise answer with a code-less error (masked
 * as an internal one) or a 500: a malformed persisted-query extension (Apollo throws "Unsupported persisted query
 * version" without a code), a document whose operation cannot be chosen (the gateway's executor throws, a 500), and
 * an operation of a type the schema has no root for, or a subscription (execution fails without a code); and at a
 * subgraph, an `_entities` representation naming no type of its schema.
 *
 * `persistedQueries`: whether the service takes persisted queries at all (the gateway does; a subgraph, which only
 * the gateway calls with full documents, does not).
 */
export function createRequestGuard<TContext extends BaseContext>({ persistedQueries }: { persistedQueries: boolean }): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ request }) {
      const refused = persistedQueryRefusal(request.extensions?.persistedQuery, persistedQueries);
      if (refused) {
        // Nothing to look up or parse: Apollo answers at once, and the refusal replaces that answer.
        request.query = undefined;
        const { persistedQuery: _refused, ...rest } = request.extensions ?? {};
        request.extensions = rest;
        return {
          async willSendResponse({ response }) {
            response.http.status = 400;
            response.body = { kind: 'single', singleResult: { errors: [formatted(refused)] } };
          },
        };
      }
      return {
        async didResolveOperation({ operation, schema, request: resolved }) {
          if (!operation) {
            const name = resolved.operationName;
            throw refusal(
              RequestCode.OPERATION_RESOLUTION_FAILURE,
              name ? `The document has no operation named "${name.slice(0, 100)}"` : 'The document holds several operations: name the one to run in operationName',
            );
          }
          if (operation.operation === 'subscription' || !schema.getRootType(operation.operation)) {
            throw refusal(RequestCode.OPERATION_NOT_SUPPORTED, `This service runs no ${operation.operation} operations`);
          }
          const badRepresentation = representationRefusal(schema, operation, resolved.variables ?? {});
          if (badRepresentation) throw badRepresentation;
        },
      };
    },
  };
}
