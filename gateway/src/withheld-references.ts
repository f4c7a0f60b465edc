import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type GraphQLOutputType,
  type GraphQLNamedType,
  type GraphQLField,
  type SelectionSetNode,
  type FieldNode,
  type OperationDefinitionNode,
  type DocumentNode,
  type GraphQLFormattedError,
} from 'graphql';

/**
 * A reference to a person the caller's row scope leaves out (a committee's chair who lives in another grid) is
 * answered by the department that owns people with OUTSIDE_SCOPE for that entity. The stock gateway keeps the
 * referring department's stub (`{ id }` with every other field null) and moves the error to the reference's path; this
 * plugin nulls the reference there, so the caller sees neither the person's id nor an empty person, only the parent
 * with the reference withheld and the error saying why. A reference whose position is non-null is left as the stub:
 * nulling it would null its parent, which is what the schemas' nullable references exist to prevent.
 */
export function createWithheldReferencesPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, document, operation, schema }) {
          if (response.body.kind !== 'single' || !document || !operation) return;
          withholdReferences(response.body.singleResult, schema, document, operation);
        },
      };
    },
  };
}

/** The plugin's work on one answer, shared with the gateway's prepared path (`execution/prepared-requests.ts`). */
export function withholdReferences(
  result: { data?: unknown; errors?: readonly GraphQLFormattedError[] | undefined },
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): void {
  const withheld = (result.errors ?? []).filter((e) => e.extensions?.code === 'OUTSIDE_SCOPE' && e.path && e.path.length > 0);
  if (withheld.length === 0 || !result.data) return;
  for (const error of withheld) {
    const path = error.path!;
    if (!nullableAt(schema, document, operation, path)) continue;
    setNull(result.data as Record<string, unknown>, path);
  }
}

function setNull(data: Record<string, unknown>, path: readonly (string | number)[]): void {
  let at: unknown = data;
  for (const step of path.slice(0, -1)) {
    if (at === null || typeof at !== 'object') return;
    at = (at as Record<string | number, unknown>)[step];
  }
  if (at !== null && typeof at === 'object') (at as Record<string | number, unknown>)[path.at(-1)!] = null;
}

/** Whether the position a response path names may be null: walked through the operation's fields, aliases and fragments. */
export function nullableAt(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, path: readonly (string | number)[]): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (!root) return false;
  let parent: GraphQLNamedType = root;
  let selections: SelectionSetNode[] = [operation.selectionSet];
  let type: GraphQLOutputType | null = null;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!type) return false;
      const list = isNonNullType(type) ? type.ofType : type;
      if (!isListType(list)) return false;
      type = list.ofType as GraphQLOutputType;
      continue;
    }
    if (!isObjectType(parent) && !isInterfaceType(parent)) return false;
    const fields = selections.flatMap((set) => fieldsWithKey(set, step, fragments));
    const first = fields[0];
    if (!first) return false;
    const definition: GraphQLField<unknown, unknown> | undefined = parent.getFields()[first.name.value];
    if (!definition) return false;
    type = definition.type;
    parent = getNamedType(definition.type);
    selections = fields.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
  }
  return type !== null && !isNonNullType(type);
}

function fieldsWithKey(set: SelectionSetNode, key: string, fragments: Map<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode[] {
  return set.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return (selection.alias ?? selection.name).value === key ? [selection] : [];
    if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsWithKey(selection.selectionSet, key, fragments, seen);
    const name = selection.name.value;
    const fragment = fragments.get(name);
    if (!fragment || seen.has(name)) return [];
    return fieldsWithKey(fragment.selectionSet, key, fragments, new Set([...seen, name]));
  });
}
