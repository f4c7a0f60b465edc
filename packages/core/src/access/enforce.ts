import {
  getNamedType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  isCompositeType,
} from 'graphql';
import { missingFor, requirementOf, type Grants, type PolicyIndex } from './policy.ts';

/** A field left out of the operation because the caller may not read it, and where it stood in the response. */
export interface Denial {
  /** Response keys from the root to the denied field; lists along the way are expanded when applied. */
  path: string[];
  /** For each step of `path`, whether that field is non-null (a null there must move up to a nullable parent). */
  nonNull: boolean[];
  coordinate: string;
  missingScopes: string[];
  missingPolicies: string[];
  unauthenticated: boolean;
}

export interface AuthorizedOperation {
  /** The operation without the denied fields (fragments inlined), to plan and execute in place of the original. */
  document: DocumentNode;
  denials: Denial[];
  /** Paths where a `__typename` was selected only to keep a selection set non-empty; removed from the answer. */
  placeholders: string[][];
}

const TYPENAME: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };

/**
 * Takes out of an operation every field the caller may not read, before it is planned, so no department is asked
 * for it. What was taken out is returned, for `applyDenials` to answer with null and a FORBIDDEN error at each place.
 */
export function authorizeOperation(
  schema: GraphQLSchema,
  index: PolicyIndex,
  document: DocumentNode,
  operationName: string | null | undefined,
  grants: Grants,
): AuthorizedOperation {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    if (def.kind === Kind.OPERATION_DEFINITION && (!operationName || def.name?.value === operationName)) operation ??= def;
  }
  if (!operation) return { document, denials: [], placeholders: [] };
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return { document, denials: [], placeholders: [] };

  const denials = new Map<string, Denial>();
  const placeholders: string[][] = [];

  function filterSelections(selectionSet: SelectionSetNode, parent: GraphQLCompositeType, path: string[], nonNull: boolean[]): SelectionNode[] {
    const kept: SelectionNode[] = [];
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = selection.name.value;
        const responseKey = selection.alias?.value ?? field;
        if (field.startsWith('__') || (!isObjectType(parent) && !isInterfaceType(parent))) {
          kept.push(selection);
          continue;
        }
        const definition = parent.getFields()[field];
        if (!definition) {
          kept.push(selection);
          continue;
        }
        const missing = missingFor(requirementOf(index, parent.name, field), grants);
        const fieldPath = [...path, responseKey];
        const fieldNonNull = [...nonNull, isNonNullType(definition.type)];
        if (missing) {
          const key = fieldPath.join('\u0000');
          if (!denials.has(key)) {
            denials.set(key, {
              path: fieldPath,
              nonNull: fieldNonNull,
              coordinate: `${parent.name}.${field}`,
              missingScopes: missing.scopes,
              missingPolicies: missing.policies,
              unauthenticated: missing.authenticated,
            });
          }
          continue;
        }
        if (!selection.selectionSet) {
          kept.push(selection);
          continue;
        }
        const childType = getNamedType(definition.type);
        if (!isCompositeType(childType)) {
          kept.push(selection);
          continue;
        }
        let children = filterSelections(selection.selectionSet, childType, fieldPath, fieldNonNull);
        if (children.length === 0) {
          children = [TYPENAME];
          placeholders.push(fieldPath);
        }
        kept.push({ ...selection, selectionSet: { ...selection.selectionSet, selections: children } });
      } else {
        const fragment: InlineFragmentNode | undefined =
          selection.kind === Kind.INLINE_FRAGMENT
            ? selection
            : (() => {
                const def = fragments.get(selection.name.value);
                return def && { kind: Kind.INLINE_FRAGMENT, typeCondition: def.typeCondition, directives: selection.directives, selectionSet: def.selectionSet };
              })();
        if (!fragment) continue;
        const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : parent;
        const scope = condition && isCompositeType(condition) ? condition : parent;
        const children = filterSelections(fragment.selectionSet, scope, path, nonNull);
        if (children.length > 0) kept.push({ ...fragment, selectionSet: { ...fragment.selectionSet, selections: children } });
      }
    }
    return kept;
  }

  let selections = filterSelections(operation.selectionSet, rootType, [], []);
  if (selections.length === 0) {
    selections = [TYPENAME];
    placeholders.push([]);
  }
  const filtered: OperationDefinitionNode = { ...operation, selectionSet: { ...operation.selectionSet, selections } };
  return { document: { kind: Kind.DOCUMENT, definitions: [filtered] }, denials: [...denials.values()], placeholders };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * Answers each denied field with null and a FORBIDDEN error at its path (list positions filled in), moving the null
 * up to the nearest nullable field where the denied one is non-null, as GraphQL's own null propagation would.
 */
export function applyDenials(
  data: JsonObject | null | undefined,
  authorized: Pick<AuthorizedOperation, 'denials' | 'placeholders'>,
): { data: JsonObject | null | undefined; errors: GraphQLFormattedError[] } {
  const errors: GraphQLFormattedError[] = [];
  if (data == null) return { data, errors };
  let root: JsonObject | null = data;

  for (const denial of authorized.denials) {
    const message =
      `Not authorized to read ${denial.coordinate}` +
      (denial.unauthenticated ? ': sign in first' : '') +
      (denial.missingScopes.length ? `: needs scope ${denial.missingScopes.join(', ')}` : '') +
      (denial.missingPolicies.length ? `${denial.missingScopes.length ? ' and' : ':'} needs ${denial.missingPolicies.join(', ')}` : '');
    const extensions = {
      code: 'FORBIDDEN',
      field: denial.coordinate,
      ...(denial.missingScopes.length ? { missingScopes: denial.missingScopes } : {}),
      ...(denial.missingPolicies.length ? { missingPolicies: denial.missingPolicies } : {}),
    };
    // Every concrete position of the denied field: [holders along the path, concrete path].
    const visit = (value: Json, depth: number, trail: (string | number)[], holders: { object: JsonObject; key: string }[]) => {
      if (value === null || value === undefined) return;
      if (Array.isArray(value)) {
        value.forEach((item, i) => visit(item, depth, [...trail, i], holders));
        return;
      }
      if (typeof value !== 'object') return;
      const key = denial.path[depth]!;
      if (depth === denial.path.length - 1) {
        if (value[key] !== undefined) return; // the field was also selected elsewhere, allowed there
        value[key] = null;
        errors.push({ message, path: [...trail, key], extensions });
        if (denial.nonNull[depth]) propagate([...holders, { object: value, key }], depth);
        return;
      }
      visit(value[key] as Json, depth + 1, [...trail, key], [...holders, { object: value, key }]);
    };
    // holders[i] holds path[i]; a null at a non-null step i moves to step i - 1, and so on.
    const propagate = (holders: { object: JsonObject; key: string }[], depth: number) => {
      let step = depth;
      while (step >= 0 && denial.nonNull[step]) step--;
      if (step < 0) {
        root = null;
        return;
      }
      const holder = holders[step]!;
      holder.object[holder.key] = null;
    };
    visit(root, 0, [], []);
    if (root === null) break;
  }

  if (root !== null) {
    for (const path of authorized.placeholders) {
      const strip = (value: Json, depth: number) => {
        if (value === null || typeof value !== 'object') return;
        if (Array.isArray(value)) return value.forEach((v) => strip(v, depth));
        if (depth === path.length) {
          delete value.__typename;
          return;
        }
        strip(value[path[depth]!] as Json, depth + 1);
      };
      strip(root, 0);
    }
  }
  return { data: root, errors };
}
