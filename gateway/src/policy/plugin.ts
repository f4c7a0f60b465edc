import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { createOperationPolicy, createPolicyPlugin, grantsOf, type Caller, type OperationPolicy } from '@hub/core';
import { buildSchema } from 'graphql';

/**
 * The gateway's half of the authorization directives (`@authenticated`, `@requiresScopes`, `@policy`, which
 * @apollo/gateway itself ignores): @hub/core's policy plugin over the supergraph, so refused fields are taken out
 * before planning and no department is asked for them. Every department runs the same plugin over its own schema.
 */
export function createGatewayPolicyPlugin<TContext extends BaseContext & { caller: Caller }>(policy: OperationPolicy<TContext>): ApolloServerPlugin<TContext> {
  return createPolicyPlugin<TContext>({ policy });
}

/** What a caller's grants are made of: two callers with the same class are allowed and refused the same fields. */
export const callerClassOf = (caller: Caller): string => JSON.stringify([caller.role, caller.department, caller.purpose, caller.scopes]);

/**
 * The policy over the supergraph, shared by the plugin and the gateway's prepared path: one decision per document and
 * caller class for both.
 */
export function createGatewayPolicy<TContext extends BaseContext & { caller: Caller }>(supergraphSdl: string): OperationPolicy<TContext> {
  // The directives live on the supergraph's fields (the API schema drops them); field names and types are the same.
  const schema = buildSchema(supergraphSdl, { assumeValidSDL: true, noLocation: true });
  // What `grantsOf` reads of a caller, and nothing else: an operation is filtered once per document and caller class.
  return createOperationPolicy<TContext>({
    schema,
    grantsOf: ({ caller }) => grantsOf(caller),
    grantsKeyOf: ({ caller }) => callerClassOf(caller),
  });
}

export { withEnforcedSecurityLinks } from './supergraph.ts';
