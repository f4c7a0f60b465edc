import {
  getNamedType,
  getNullableType,
  getOperationAST,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  Lexer,
  Source,
  TokenKind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/*
 * Pure measurements of one operation of a document. Named fragments are inlined: a fragment spread twice counts
 * twice. Each fragment is measured once and its result reused, so a document of fragments spreading fragments costs
 * linear time however large its inlined form would be. Fields named `__…` (introspection, `__typename`) add no depth,
 * no root field and no cost. `@skip`/`@include` are not evaluated: a selection counts whether or not it would run.
 */

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

function fragmentsOf(document: DocumentNode): Fragments {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** The operation a request runs: the one named, or the only one. */
function operationOf(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  return getOperationAST(document, operationName ?? undefined) ?? undefined;
}

const isMeta = (field: FieldNode) => field.name.value.startsWith('__');

/**
 * Folds a selection set with fragments inlined: `field` measures one field, `combine` joins the measures of a
 * selection set's members, each named fragment's measure is computed once (a cycle, which validation refuses,
 * measures `empty`).
 */
function memoizedFold(
  fragments: Fragments,
  field: (node: FieldNode, recurse: (set: SelectionSetNode) => number) => number,
  combine: (a: number, b: number) => number,
  empty = 0,
): (set: SelectionSetNode) => number {
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const fold = (set: SelectionSetNode): number => {
    let result = empty;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) result = combine(result, field(selection, fold));
      else if (selection.kind === Kind.INLINE_FRAGMENT) result = combine(result, fold(selection.selectionSet));
      else result = combine(result, spread(selection.name.value));
    }
    return result;
  };
  const spread = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (!fragment || visiting.has(name)) return empty;
    visiting.add(name);
    const measured = fold(fragment.selectionSet);
    visiting.delete(name);
    memo.set(name, measured);
    return measured;
  };
  return fold;
}

/**
 * The deepest selection of the operation: `{ grid { community { name } } }` is 3 deep. Introspection fields add no
 * depth unless `introspection` says so (a subgraph counts them: nothing it serves needs a deep one).
 */
export function measureDepth(document: DocumentNode, operationName?: string | null, { introspection = false }: { introspection?: boolean } = {}): number {
  const operation = operationOf(document, operationName);
  if (!operation) return 0;
  const fold = memoizedFold(
    fragmentsOf(document),
    (node, recurse) => (isMeta(node) && !introspection ? 0 : 1 + (node.selectionSet ? recurse(node.selectionSet) : 0)),
    Math.max,
  );
  return fold(operation.selectionSet);
}

/** Aliased fields of the operation (every `alias: field`, introspection's included). */
export function countAliases(document: DocumentNode, operationName?: string | null): number {
  const operation = operationOf(document, operationName);
  if (!operation) return 0;
  const fold = memoizedFold(
    fragmentsOf(document),
    (node, recurse) => (node.alias ? 1 : 0) + (node.selectionSet ? recurse(node.selectionSet) : 0),
    (a, b) => a + b,
  );
  return fold(operation.selectionSet);
}

/** Top-level fields of the operation, including those its top-level fragments select; `__typename` not counted. */
export function countRootFields(document: DocumentNode, operationName?: string | null): number {
  const operation = operationOf(document, operationName);
  if (!operation) return 0;
  const fold = memoizedFold(fragmentsOf(document), (node) => (isMeta(node) ? 0 : 1), (a, b) => a + b);
  return fold(operation.selectionSet);
}

/**
 * Lexer tokens of a document, comments not counted (what graphql's `parse(…, { maxTokens })` counts). Stops once it
 * has counted more than `stopAfter`. A document that does not lex is counted up to its error; parsing reports it.
 */
export function countTokens(source: string, stopAfter = Number.POSITIVE_INFINITY): number {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  try {
    while (count <= stopAfter && lexer.advance().kind !== TokenKind.EOF) count++;
  } catch {
    // a syntax error: the parser answers it with its own message
  }
  return count;
}

export interface CostOptions {
  operationName?: string | null;
  /** The request's variables, for `first: $n`. */
  variables?: Readonly<Record<string, unknown>> | null;
  /** Size assumed for a list field without `first` (default 10). */
  assumedListSize?: number;
  /** Page size when `first` is absent or null and the schema gives no default (default 20). */
  defaultPageSize?: number;
  /** Largest page a connection serves; a larger `first` counts as this (default 500). */
  maxPageSize?: number;
}

/**
 * The number of objects an operation can return, estimated from the schema: each object selected costs 1 times the
 * sizes of the lists above it. A field with a `first` argument returns a page of `first` rows (the literal, the
 * variable's value or default, else the argument's default, else `defaultPageSize`; at most `maxPageSize`): a list
 * field costs `first`; a connection costs 1 and multiplies its selections by `first`, its `edges` and `nodes` being
 * that page (no second multiplication). Any other list costs `assumedListSize`. Scalars, enums and `__…` fields cost
 * nothing. `grids(first: 50) { edges { node { residents(first: 100) { edges { node { id } } } } } }` costs
 * 1 + 50 × (1 + 1 + (1 + 100 × (1 + 1))) = 10,151.
 */
export function estimateCost(schema: GraphQLSchema, document: DocumentNode, options: CostOptions = {}): number {
  const operation = operationOf(document, options.operationName);
  if (!operation) return 0;
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return 0;
  const fragments = fragmentsOf(document);
  const assumedListSize = options.assumedListSize ?? 10;
  const defaultPageSize = options.defaultPageSize ?? 20;
  const maxPageSize = options.maxPageSize ?? 500;
  const variables = options.variables ?? {};
  const variableDefaults = new Map<string, unknown>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) variableDefaults.set(definition.variable.name.value, valueFromASTUntyped(definition.defaultValue));
  }

  function pageSize(node: FieldNode, definition: GraphQLField<unknown, unknown>): number {
    const argument = node.arguments?.find((a) => a.name.value === 'first');
    const schemaDefault = definition.args.find((a) => a.name === 'first')?.defaultValue;
    let value: unknown;
    if (!argument) value = schemaDefault;
    else if (argument.value.kind === Kind.VARIABLE) {
      const name = argument.value.name.value;
      value = Object.hasOwn(variables, name) ? variables[name] : variableDefaults.has(name) ? variableDefaults.get(name) : schemaDefault;
    } else value = valueFromASTUntyped(argument.value);
    if (typeof value !== 'number' || !Number.isFinite(value)) return defaultPageSize;
    return Math.min(Math.max(Math.trunc(value), 0), maxPageSize);
  }

  // Cost of a selection set per one parent object; `page` marks a connection's selections, whose edges are the page.
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  function costOf(set: SelectionSetNode, parent: GraphQLCompositeType | undefined, page: boolean): number {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) total += fieldCost(selection, parent, page);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typeName = selection.typeCondition?.name.value;
        total += costOf(selection.selectionSet, typeName ? compositeType(typeName) : parent, page);
      } else total += spreadCost(selection.name.value, page);
    }
    return total;
  }

  function spreadCost(name: string, page: boolean): number {
    const key = `${page ? 'page' : 'object'}:${name}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (!fragment || visiting.has(key)) return 0;
    visiting.add(key);
    const cost = costOf(fragment.selectionSet, compositeType(fragment.typeCondition.name.value), page);
    visiting.delete(key);
    memo.set(key, cost);
    return cost;
  }

  function compositeType(name: string): GraphQLCompositeType | undefined {
    const type = schema.getType(name);
    return type && isCompositeType(type) ? type : undefined;
  }

  function fieldCost(node: FieldNode, parent: GraphQLCompositeType | undefined, page: boolean): number {
    if (isMeta(node)) return 0;
    const definition = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[node.name.value] : undefined;
    if (!definition) {
      // Not in the schema (validation refuses it): counted as one object so that nothing selected is free.
      return node.selectionSet ? 1 + costOf(node.selectionSet, undefined, false) : 0;
    }
    const type = getNamedType(definition.type);
    if (!isCompositeType(type) || !node.selectionSet) return 0;
    const isList = isListType(getNullableType(definition.type));
    const paged = definition.args.some((a) => a.name === 'first');
    let own: number;
    let size: number;
    let childPage = false;
    if (paged) {
      size = pageSize(node, definition);
      own = isList ? size : 1;
      childPage = !isList;
    } else if (isList) {
      size = page && (node.name.value === 'edges' || node.name.value === 'nodes') ? 1 : assumedListSize;
      own = size;
    } else {
      size = 1;
      own = 1;
    }
    return own + size * costOf(node.selectionSet, type, childPage);
  }

  return costOf(operation.selectionSet, rootType, false);
}
