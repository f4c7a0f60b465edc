import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

/**
 * Requests a department refused for the client's own input: a variable or literal of a department's scalar (a
 * malformed `Date`) that the gateway, which does not know the departments' scalars, could not coerce itself.
 */
const refusedInput = new WeakSet<object>();

/** Called by the data source when a department's 400 refused the client's input (`SubgraphRefusal.inputErrors`). */
export function markInputRefused(context: object): void {
  refusedInput.add(context);
}

/**
 * Answers such a request as the request error it is (GraphQL over HTTP: variables that fail coercion, a literal that
 * fails validation): HTTP 400 and no `data`, exactly as the gateway answers a variable of a type it coerces itself
 * (an `Int` given a string). Had the gateway known the scalar, nothing would have run; what other departments
 * answered meanwhile is dropped, so the status never depends on which department holds the scalar. The same status
 * for `application/json` as for `application/graphql-response+json` (docs/errors.md says why).
 */
export function createInputRefusalPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (response.body.kind !== 'single') return;
          answerRefusedInput(contextValue as object, response.body.singleResult, response.http);
        },
      };
    },
  };
}

/** The plugin's work on one answer, shared with the gateway's prepared path (`execution/prepared-requests.ts`). */
export function answerRefusedInput(context: object, result: { data?: unknown; errors?: readonly unknown[] | undefined }, http: { status?: number | undefined }): void {
  if (!refusedInput.has(context) || !result.errors?.length) return;
  delete result.data;
  http.status = 400;
}
