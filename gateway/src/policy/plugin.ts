import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { createPolicyPlugin, grantsOf, type Caller } from '@hub/core';
import { buildSchema } from 'graphql';

/**
 * The gateway's half of the authorization directives (`@authenticated`, `@requiresScopes`, `@policy`, which
 * @apollo/gateway itself ignores): @hub/core's policy plugin over the supergraph, so refused fields are taken out
 * before planning and no department is asked for them. Every department runs the same plugin over its own schema.
 */
export function createGatewayPolicyPlugin<TContext extends BaseContext & { caller: Caller }>(supergraphSdl: string): ApolloServerPlugin<TContext> {
  // The directives live on the supergraph's fields (the API schema drops them); field names and types are the same.
  const schema = buildSchema(supergraphSdl, { assumeValidSDL: true });
  // What `grantsOf` reads of a caller, and nothing else: an operation is filtered once per document and caller class.
  return createPolicyPlugin<TContext>({
    schema,
    grantsOf: ({ caller }) => grantsOf(caller),
    grantsKeyOf: ({ caller }) => JSON.stringify([caller.role, caller.department, caller.purpose, caller.scopes]),
  });
}

export { withEnforcedSecurityLinks } from './supergraph.ts';
