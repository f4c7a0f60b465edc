import {
  getNamedType,
  getNullableType,
  getOperationAST,
  GraphQLError,
  GraphQLNonNull,
  GraphQLString,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  Kind,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionNode,
} from 'graphql';
import { inspect } from 'graphql/jsutils/inspect.js';
import { compileQuery, isCompiledQuery } from 'graphql-jit';

/** One prepared document (as asked, or a caller class's filtered copy) compiled to JavaScript by graphql-jit. */
export type CompiledExecution = (contextValue: unknown, variableValues: Record<string, unknown> | undefined) => ExecutionResult | Promise<ExecutionResult>;

/**
 * The prepared path's executor: graphql-jit compiles each prepared document once (and each caller class's filtered
 * copy once, the policy hands out the same object for a class), so a request runs straight-line code instead of
 * graphql-js's walk (field lookup, resolve info and path objects, type checks per field). The schema is
 * @apollo/subgraph's, resolvers and all: `_entities`, `__resolveReference`, the scalars' `serialize` run as they do
 * under graphql-js.
 *
 * Only queries are compiled. Mutations are few beside the gateway's reads, each a write that is audited: they keep
 * graphql-js, whose serial execution the audit tests were written against. A document the compiler refuses is
 * executed by graphql-js too, and is not tried again.
 *
 * The prepared path must answer Apollo's bytes, and graphql-jit's answers differ from graphql-js's in ways undone
 * here: it words a null in a non-null field selected twice under one response key `T.(f,f)` where graphql-js says
 * `T.f`, and reports every error that nulls the same nullable field where graphql-js reports the first (`answerOf`);
 * it puts the null of a list item that fails late at the list's end (`settleListItems`); its errors without
 * extensions have none at all (`formatErrors` in apollo-answer.ts reads them as empty). One difference remains: in an answer with both kinds of error (a nullable field's, and one that nulls a
 * non-null position), graphql-jit lists the first kind first, graphql-js lists them as they happened.
 */
export class CompiledDocuments {
  private readonly compiled = new WeakMap<DocumentNode, Map<string, CompiledExecution | null>>();

  constructor(private readonly schema: GraphQLSchema) {
    settleListItems(schema);
  }

  /** The compiled execution of the document's operation, or undefined where graphql-js must run it. */
  of(document: DocumentNode, operationName: string | undefined, kind: 'query' | 'mutation' | 'subscription'): CompiledExecution | undefined {
    if (kind !== 'query') return undefined;
    let byName = this.compiled.get(document);
    if (!byName) this.compiled.set(document, (byName = new Map()));
    const key = operationName ?? '';
    let execution = byName.get(key);
    if (execution === undefined) {
      execution = this.compile(document, operationName);
      byName.set(key, execution);
    }
    return execution ?? undefined;
  }

  private compile(document: DocumentNode, operationName: string | undefined): CompiledExecution | null {
    let compiled: ReturnType<typeof compileQuery<Record<string, unknown>, Record<string, unknown>>>;
    try {
      compiled = compileQuery<Record<string, unknown>, Record<string, unknown>>(this.schema, document, operationName);
    } catch {
      return null;
    }
    if (!isCompiledQuery(compiled)) return null;
    const shape = shapeOf(this.schema, document, operationName);
    if (!shape) return null;
    const query = compiled.query.bind(compiled);
    const answer = (result: ExecutionResult) => answerOf(result, shape);
    return (contextValue, variableValues) => {
      const result = query(undefined, contextValue, variableValues);
      return isPromise(result) ? result.then(answer) : answer(result);
    };
  }
}

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as Promise<T> | undefined)?.then === 'function';

const settledSchemas = new WeakSet<GraphQLSchema>();

/**
 * graphql-jit 0.8 nulls a list item whose promise rejects at the list's end (`push`) instead of at its index, so an
 * `_entities` answer with a reference that fails late (a row out of the caller's grids) came out one item too long.
 * An item that is an Error, not a rejected promise, it handles at its index, as graphql-js handles both. So every
 * resolver of a list field has its items' rejections turned into Error values: the same answer under graphql-js
 * (Apollo's path shares the schema), the right one under graphql-jit.
 */
function settleListItems(schema: GraphQLSchema): void {
  if (settledSchemas.has(schema)) return;
  settledSchemas.add(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (!resolve || !isListType(getNullableType(field.type))) continue;
      field.resolve = (source, args, context, info) => {
        const value: unknown = resolve(source, args, context, info);
        return isPromise(value) ? value.then(settledItems) : settledItems(value);
      };
    }
  }
}

function settledItems(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  let settled: unknown[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i];
    if (!isPromise(item)) continue;
    settled ??= [...list];
    settled[i] = item.then(undefined, asError);
  }
  return settled ?? list;
}

/** What graphql-js's `locatedError` makes of a rejection with something other than an Error. */
const asError = (reason: unknown): Error => (reason instanceof Error ? reason : new Error(`Unexpected error value: ${inspect(reason)}`));

/** graphql-js's wording of a non-null field's null for a field the operation selects more than once. */
const MERGED_NULL = /^(Cannot return null for non-nullable field [_A-Za-z][_0-9A-Za-z]*\.)\(([_A-Za-z][_0-9A-Za-z]*)(?:,[_A-Za-z][_0-9A-Za-z]*)*\)\.$/;

/**
 * graphql-js's errors out of graphql-jit's: the null message reworded (above), and of the errors that null a
 * non-null position, only the first for each nullable field they null (graphql-js stops completing a subtree at its
 * first such error, graphql-jit completes it and reports them all).
 */
function answerOf(result: ExecutionResult, shape: Shape): ExecutionResult {
  if (!result.errors) return result;
  const errors: GraphQLError[] = [];
  const nulled = new Set<string>();
  for (const error of result.errors) {
    const boundary = error.path ? nullingBoundary(shape, error.path) : undefined;
    if (boundary !== undefined) {
      if (nulled.has(boundary)) continue;
      nulled.add(boundary);
    }
    const merged = MERGED_NULL.exec(error.message);
    if (!merged) {
      errors.push(error);
      continue;
    }
    // graphql-jit's errors carry their locations as such, not the nodes graphql-js would compute them from.
    const worded = new GraphQLError(`${merged[1]}${merged[2]}.`, { path: error.path, originalError: error.originalError, extensions: error.extensions });
    (worded as { locations: GraphQLError['locations'] }).locations = error.locations;
    errors.push(worded);
  }
  return { ...result, errors };
}

/** What an answer's paths are: the operation's root type and selections, and the document's fragments. */
interface Shape {
  schema: GraphQLSchema;
  root: GraphQLObjectType;
  selections: readonly SelectionNode[];
  fragments: Map<string, FragmentDefinitionNode>;
}

function shapeOf(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): Shape | undefined {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  return { schema, root, selections: operation.selectionSet.selections, fragments };
}

/**
 * For an error at a non-null position, the path (joined) of the nullable field or list item its null reaches, '' for
 * the whole data; undefined for an error at a nullable position (it nulls only itself) or a path the walk cannot follow.
 */
function nullingBoundary(shape: Shape, path: readonly (string | number)[]): string | undefined {
  let type: GraphQLOutputType = shape.root;
  let selections: readonly SelectionNode[] = shape.selections;
  let boundary = 0;
  let nullable = true;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    let next: GraphQLOutputType | undefined;
    if (typeof segment === 'number') {
      const list = getNullableType(type);
      if (!isListType(list)) return undefined;
      next = list.ofType as GraphQLOutputType;
    } else {
      const nodes = fieldsByKey(shape, selections, segment, []);
      const field = nodes[0];
      if (!field) return undefined;
      const fieldName = field.name.value;
      const parent: GraphQLNamedType = getNamedType(type);
      if (fieldName === '__typename') next = new GraphQLNonNull(GraphQLString);
      else if (isObjectType(parent) || isInterfaceType(parent)) next = parent.getFields()[fieldName]?.type;
      else if (isUnionType(parent)) next = parent.getTypes().find((member) => member.getFields()[fieldName])?.getFields()[fieldName]?.type;
      if (!next) return undefined;
      selections = nodes.flatMap((node) => node.selectionSet?.selections ?? []);
    }
    nullable = !isNonNullType(next);
    if (nullable && i < path.length - 1) boundary = i + 1;
    type = next;
  }
  return nullable ? undefined : path.slice(0, boundary).join('.');
}

/** The field nodes of one response key in a selection set, through every fragment whatever its type condition. */
function fieldsByKey(shape: Shape, selections: readonly SelectionNode[], key: string, found: FieldNode[]): FieldNode[] {
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) {
      if ((selection.alias ?? selection.name).value === key) found.push(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      fieldsByKey(shape, selection.selectionSet.selections, key, found);
    } else {
      const fragment = shape.fragments.get(selection.name.value);
      if (fragment) fieldsByKey(shape, fragment.selectionSet.selections, key, found);
    }
  }
  return found;
}
