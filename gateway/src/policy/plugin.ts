import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { buildSchema, print, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { buildPolicyIndex, type Grants } from './directives.ts';
import { applyDenials, authorizeOperation, type AuthorizedOperation } from './enforce.ts';

/**
 * Enforces the supergraph's `@authenticated`, `@requiresScopes` and `@policy` directives, which @apollo/gateway
 * itself ignores: before planning, the fields the caller may not read are taken out of the operation (so no
 * department is asked for them); after execution, each comes back null with a FORBIDDEN error at its path and the
 * rest of the answer stands.
 */
export function createPolicyPlugin<TContext extends BaseContext>(options: {
  supergraphSdl: string;
  grantsOf: (context: TContext) => Grants;
}): ApolloServerPlugin<TContext> {
  // The directives live on the supergraph's fields (the API schema drops them); field names and types are the same.
  const schema = buildSchema(options.supergraphSdl, { assumeValidSDL: true });
  const index = buildPolicyIndex(schema);
  return {
    async requestDidStart() {
      let authorized: AuthorizedOperation | null = null;
      return {
        async didResolveOperation(requestContext) {
          authorized = authorizeOperation(schema, index, requestContext.document, requestContext.operationName, options.grantsOf(requestContext.contextValue));
          if (authorized.denials.length === 0 && authorized.placeholders.length === 0) return;
          const filtered = authorized.document.definitions[0] as OperationDefinitionNode;
          // The gateway caches query plans by query hash: a filtered operation must never share a plan with the full one.
          const mutable = requestContext as unknown as { document: DocumentNode; operation: OperationDefinitionNode; queryHash: string };
          mutable.queryHash = createHash('sha256').update(requestContext.queryHash).update(print(authorized.document)).digest('hex');
          mutable.document = authorized.document;
          mutable.operation = filtered;
        },
        async willSendResponse(requestContext) {
          if (!authorized || (authorized.denials.length === 0 && authorized.placeholders.length === 0)) return;
          const body = requestContext.response.body;
          if (body.kind !== 'single') return;
          const result = body.singleResult;
          const applied = applyDenials(result.data as Parameters<typeof applyDenials>[0], authorized);
          result.data = applied.data as typeof result.data;
          if (applied.errors.length) result.errors = [...(result.errors ?? []), ...applied.errors];
        },
      };
    },
  };
}

export { withEnforcedSecurityLinks } from './supergraph.ts';
export { buildPolicyIndex, missingFor, requirementOf, type Grants, type PolicyIndex, type Requirement } from './directives.ts';
export { applyDenials, authorizeOperation, type AuthorizedOperation, type Denial } from './enforce.ts';
