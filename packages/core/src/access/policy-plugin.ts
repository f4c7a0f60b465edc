import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { isObjectType, print, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { applyDenials, authorizeOperation, type AuthorizedOperation } from './enforce.ts';
import { buildPolicyIndex, missingFor, typeRequirement, type Grants } from './policy.ts';

/**
 * Enforces a schema's `@authenticated`, `@requiresScopes` and `@policy` directives, which neither @apollo/gateway nor
 * a plain subgraph server enforces: before execution, the fields the caller may not read are taken out of the
 * operation (at the gateway, so no department is asked for them; at a department, so no resolver reads them); after
 * execution, each comes back null with a FORBIDDEN error at its path and the rest of the answer stands.
 *
 * The gateway runs it over the supergraph, every department over its own schema: the same rule code over the same
 * directives, so a caller who reaches a department without the gateway (a valid internal token in the wrong hands)
 * is refused exactly what the gateway would refuse. An entity fetch (`_entities`) is covered like any root field:
 * its `... on Type` selections are checked field by field.
 */
export interface PolicyOptions<TContext> {
  /** The schema whose directives are enforced: the supergraph at the gateway, the department's own at a subgraph. */
  schema: GraphQLSchema;
  grantsOf: (context: TContext) => Grants;
  /**
   * A key that is equal for two requests exactly when `grantsOf` gives them the same grants (role, department,
   * purpose, scopes), or undefined to decide afresh. With it, what an operation leaves a caller class is worked out
   * once per document (the documents Apollo caches are the same objects request after request) and reused.
   */
  grantsKeyOf?: (context: TContext) => string | undefined;
}

/** The policy's two steps, for an executor that runs them itself (a department's prepared documents) and the plugin. */
export interface OperationPolicy<TContext> {
  /** What the caller may run of the operation: the document to execute and what to answer FORBIDDEN afterwards. */
  authorize(document: DocumentNode, operationName: string | null | undefined, context: TContext): AuthorizedOperation;
  /** Whether the authorized operation differs from the one asked (denied fields, placeholders). */
  filtered(authorized: AuthorizedOperation): boolean;
  /** Answers the denied fields in an executed result (its errors already formatted): null and FORBIDDEN at each. */
  apply(result: { data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] }, authorized: AuthorizedOperation): void;
}

export function createOperationPolicy<TContext>(options: PolicyOptions<TContext>): OperationPolicy<TContext> {
  const { schema } = options;
  const index = buildPolicyIndex(schema);
  refuseGuardedEntityTypes(schema);
  const decided = new WeakMap<DocumentNode, Map<string, AuthorizedOperation>>();
  const authorize = (document: DocumentNode, operationName: string | null | undefined, context: TContext): AuthorizedOperation => {
    const grantsKey = options.grantsKeyOf?.(context);
    if (grantsKey === undefined) return authorizeOperation(schema, index, document, operationName, options.grantsOf(context));
    const key = `${operationName ?? ''}\u0000${grantsKey}`;
    let byKey = decided.get(document);
    const known = byKey?.get(key);
    if (known) return known;
    const fresh = authorizeOperation(schema, index, document, operationName, options.grantsOf(context));
    if (!byKey) decided.set(document, (byKey = new Map()));
    // A document asked by ever more caller classes keeps the first few; the others are decided per request.
    if (byKey.size < MAX_CLASSES_PER_DOCUMENT) byKey.set(key, fresh);
    return fresh;
  };
  const filtered = (authorized: AuthorizedOperation) => authorized.denials.length > 0 || authorized.placeholders.length > 0;
  return {
    authorize,
    filtered,
    apply(result, authorized) {
      if (!filtered(authorized)) return;
      const applied = applyDenials(result.data as Parameters<typeof applyDenials>[0], authorized);
      result.data = applied.data;
      if (applied.errors.length) result.errors = [...(result.errors ?? []), ...applied.errors];
    },
  };
}

/**
 * Enforces a schema's `@authenticated`, `@requiresScopes` and `@policy` directives, which neither @apollo/gateway nor
 * a plain subgraph server enforces: before execution, the fields the caller may not read are taken out of the
 * operation (at the gateway, so no department is asked for them; at a department, so no resolver reads them); after
 * execution, each comes back null with a FORBIDDEN error at its path and the rest of the answer stands.
 *
 * The gateway runs it over the supergraph, every department over its own schema: the same rule code over the same
 * directives, so a caller who reaches a department without the gateway (a valid internal token in the wrong hands)
 * is refused exactly what the gateway would refuse. An entity fetch (`_entities`) is covered like any root field:
 * its `... on Type` selections are checked field by field. Given a `policy` (`createOperationPolicy`), the plugin
 * shares its decisions with whoever else runs it.
 */
export function createPolicyPlugin<TContext extends BaseContext>(options: PolicyOptions<TContext> | { policy: OperationPolicy<TContext> }): ApolloServerPlugin<TContext> {
  const policy = 'policy' in options ? options.policy : createOperationPolicy(options);
  return {
    async requestDidStart() {
      let authorized: AuthorizedOperation | null = null;
      return {
        async didResolveOperation(requestContext) {
          authorized = policy.authorize(requestContext.document, requestContext.operationName, requestContext.contextValue);
          if (!policy.filtered(authorized)) return;
          const filtered = authorized.document.definitions[0] as OperationDefinitionNode;
          // The gateway caches query plans by query hash: a filtered operation must never share a plan with the full one.
          const mutable = requestContext as unknown as { document: DocumentNode; operation: OperationDefinitionNode; queryHash: string };
          mutable.queryHash = createHash('sha256').update(requestContext.queryHash).update(printedOnce(authorized.document)).digest('hex');
          mutable.document = authorized.document;
          mutable.operation = filtered;
        },
        async willSendResponse(requestContext) {
          if (!authorized || !policy.filtered(authorized)) return;
          const body = requestContext.response.body;
          if (body.kind !== 'single') return;
          policy.apply(body.singleResult as Parameters<OperationPolicy<TContext>['apply']>[0], authorized);
        },
      };
    },
  };
}

const MAX_CLASSES_PER_DOCUMENT = 64;

// A filtered document decided once per caller class is the same object at each of its requests: printed once.
const printedDocuments = new WeakMap<DocumentNode, string>();
function printedOnce(document: DocumentNode): string {
  let text = printedDocuments.get(document);
  if (text === undefined) printedDocuments.set(document, (text = print(document)));
  return text;
}

/**
 * A directive on an entity type guards the fields that return it; an entity fetch (`_entities`) returns it through
 * a union that carries none, so a department cannot hold such a rule on its own. No schema of the hub has one: a
 * department that adds one is stopped at start rather than served unguarded.
 */
function refuseGuardedEntityTypes(schema: GraphQLSchema): void {
  const entity = schema.getType('_Entity');
  if (!entity || !('getTypes' in entity)) return;
  const nobody: Grants = { authenticated: false, scopes: new Set(), policy: () => false };
  for (const type of entity.getTypes()) {
    if (isObjectType(type) && missingFor(typeRequirement(type), nobody)) {
      throw new Error(`entity type ${type.name} carries an authorization directive on the type: put it on its fields, which every department can enforce`);
    }
  }
}
