import {
  GraphQLError,
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLID,
  GraphQLInt,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  Kind,
  valueFromAST,
  type DirectiveNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLEnumType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * The answer's shape for one operation, worked out once from the document and the API schema: what the stock
 * gateway's result shaping (`computeResponse` over a federation Operation it builds from the document on every
 * request) decides per field and per request (response names, skip/include, field types, type conditions, how to
 * check a leaf) is here a tree of plain objects, and a request only walks its data through it. The output is the
 * stock one, errors included: a null in a non-null position nulls its parent with "Cannot return null for non-nullable
 * field …", an invalid leaf or `__typename` is an INVALID_GRAPHQL error at its path.
 */
export interface Shape {
  selections: SelectionShape[];
  root: GraphQLCompositeType;
  /** Variable defaults of the operation, under the request's own variables (for `@skip`/`@include`). */
  defaults: Record<string, unknown>;
}

/** `@skip(if:)` / `@include(if:)`: a constant or a variable, per request. */
interface Condition {
  skip: boolean;
  value: boolean | { variable: string };
}

type SelectionShape = FieldShape | FragmentShape;

/**
 * A field's type, unwrapped once: the walk asks `kind` instead of graphql-js's type predicates (an `instanceof` check
 * each, with development-mode checks besides) at every value. `text` is the type as error messages print it.
 */
type TypeShape =
  | { kind: 'nonNull'; of: TypeShape; text: string }
  | { kind: 'list'; of: TypeShape; text: string }
  | { kind: 'composite'; type: GraphQLCompositeType; text: string }
  | { kind: 'leaf'; type: GraphQLOutputType; custom: boolean; enumType: GraphQLEnumType | undefined; check: LeafCheck; text: string };

/**
 * How a leaf's value is checked, decided once per field: comparing the type with graphql-js's scalars at every value
 * went through the bundle's getters of graphql's exports (`import_graphql.GraphQLBoolean`), one call per comparison.
 */
const LeafCheck = {
  Custom: 0,
  Boolean: 1,
  /** Int: an integer number. */
  Int: 2,
  /** ID: a string, or an integer number. */
  Id: 3,
  Float: 4,
  Enum: 5,
  /** String and any other built-in scalar: a string. */
  String: 6,
} as const;
type LeafCheck = (typeof LeafCheck)[keyof typeof LeafCheck];

function leafCheckOf(type: GraphQLOutputType, custom: boolean, enumType: GraphQLEnumType | undefined): LeafCheck {
  if (custom) return LeafCheck.Custom;
  if (enumType) return LeafCheck.Enum;
  if (type === GraphQLBoolean) return LeafCheck.Boolean;
  if (type === GraphQLInt) return LeafCheck.Int;
  if (type === GraphQLID) return LeafCheck.Id;
  if (type === GraphQLFloat) return LeafCheck.Float;
  return LeafCheck.String;
}

function typeShapeOf(type: GraphQLOutputType): TypeShape {
  if (isNonNullType(type)) return { kind: 'nonNull', of: typeShapeOf(type.ofType as GraphQLOutputType), text: String(type) };
  if (isListType(type)) return { kind: 'list', of: typeShapeOf(type.ofType as GraphQLOutputType), text: String(type) };
  if (isCompositeType(type)) return { kind: 'composite', type, text: type.name };
  const custom = isScalarType(type) && !isSpecifiedScalarType(type);
  const enumType = isEnumType(type) ? type : undefined;
  return { kind: 'leaf', type, custom, enumType, check: leafCheckOf(type, custom, enumType), text: String(type) };
}

/** Per schema: composite types by name and which type conditions apply to which types, looked up once each. */
interface Types {
  composite: Map<string, GraphQLCompositeType | null>;
  applies: Map<GraphQLCompositeType, Map<GraphQLNamedType, boolean>>;
  /** The schema's named types by name, and the name `__typename` answers for a type (null: not an object type). */
  named: Map<string, GraphQLNamedType>;
  objectName: Map<GraphQLNamedType, string | null>;
}
const typesBySchema = new WeakMap<GraphQLSchema, Types>();
function typesOf(schema: GraphQLSchema): Types {
  let types = typesBySchema.get(schema);
  if (!types) typesBySchema.set(schema, (types = { composite: new Map(), applies: new Map(), named: new Map(), objectName: new Map() }));
  return types;
}
/** What `__typename` answers for an object whose own says `typename` (a type's name, or nothing) under `parent`. */
function typenameOf(run: Run, typename: unknown, parent: GraphQLCompositeType): string | null {
  let type: GraphQLNamedType | undefined;
  if (typeof typename === 'string') {
    type = run.types.named.get(typename);
    // Only the schema's names are kept (whatever else a subgraph answers is looked up each time).
    if (type === undefined && (type = run.schema.getType(typename) ?? undefined)) run.types.named.set(typename, type);
  }
  type ??= parent;
  let name = run.types.objectName.get(type);
  if (name === undefined) run.types.objectName.set(type, (name = isObjectType(type) ? type.name : null));
  return name;
}

function compositeNamed(run: Run, name: string): GraphQLCompositeType | null {
  let type = run.types.composite.get(name);
  if (type === undefined) {
    const named = run.schema.getType(name);
    type = named && isCompositeType(named) ? named : null;
    run.types.composite.set(name, type);
  }
  return type;
}

interface FieldShape {
  kind: 'field';
  responseName: string;
  conditions: Condition[];
  /** `__typename` (under any alias). */
  typename: boolean;
  type: TypeShape | undefined;
  selections: SelectionShape[] | undefined;
}

interface FragmentShape {
  kind: 'fragment';
  conditions: Condition[];
  typeCondition: GraphQLCompositeType | undefined;
  selections: SelectionShape[];
}

/** Why an operation is left to the stock execution (its shape is not compiled). */
export class UnsupportedShape extends Error {}

export function compileShape(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): Shape {
  const root = schema.getRootType(operation.operation);
  if (!root) throw new UnsupportedShape(`no ${operation.operation} root type`);
  const defaults: Record<string, unknown> = Object.create(null);
  for (const definition of operation.variableDefinitions ?? []) {
    if (!definition.defaultValue) continue;
    // Only @skip/@include read these, and only Boolean ones can be their `if`.
    const value = valueFromAST(definition.defaultValue, GraphQLBoolean);
    if (value !== undefined) defaults[definition.variable.name.value] = value;
  }
  return { selections: compileSelectionSet(schema, operation.selectionSet, root, fragments, []), root, defaults };
}

function conditionsOf(directives: readonly DirectiveNode[] | undefined): Condition[] {
  const conditions: Condition[] = [];
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const argument = directive.arguments?.find((a) => a.name.value === 'if');
    if (!argument) continue;
    const value = argument.value.kind === Kind.VARIABLE ? { variable: argument.value.name.value } : argument.value.kind === Kind.BOOLEAN ? argument.value.value : undefined;
    if (value === undefined) throw new UnsupportedShape('an @skip/@include condition that is neither a variable nor a boolean');
    conditions.push({ skip: name === 'skip', value });
  }
  return conditions;
}

function compileSelectionSet(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  parent: GraphQLCompositeType,
  fragments: Record<string, FragmentDefinitionNode>,
  spreading: string[],
): SelectionShape[] {
  const shapes: SelectionShape[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      const responseName = selection.alias?.value ?? name;
      // The answer's objects are plain ones (`{}`, which V8 keeps in fast mode: building and stringifying objects made
      // with `Object.create(null)` cost 1.6-3x): a response name an Object inherits (`__proto__`, `constructor`, …)
      // is left to the stock execution.
      if (responseName in Object.prototype) throw new UnsupportedShape(`the response name ${responseName}`);
      if (name === '__typename') {
        shapes.push({ kind: 'field', responseName, conditions: conditionsOf(selection.directives), typename: true, type: undefined, selections: undefined });
        continue;
      }
      if (name.startsWith('__')) throw new UnsupportedShape('introspection');
      if (!isObjectType(parent) && !isInterfaceType(parent)) throw new UnsupportedShape(`field ${name} on a union`);
      const definition = parent.getFields()[name];
      if (!definition) throw new UnsupportedShape(`no field ${parent.name}.${name}`);
      const named = getNamedOf(definition.type);
      let selections: SelectionShape[] | undefined;
      if (selection.selectionSet) {
        if (!isCompositeType(named)) throw new UnsupportedShape(`a selection on leaf ${parent.name}.${name}`);
        selections = compileSelectionSet(schema, selection.selectionSet, named, fragments, spreading);
      }
      shapes.push({ kind: 'field', responseName, conditions: conditionsOf(selection.directives), typename: false, type: typeShapeOf(definition.type), selections });
      continue;
    }
    const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments[selection.name.value];
    if (!fragment) throw new UnsupportedShape(`no fragment ${selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : ''}`);
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      if (spreading.includes(selection.name.value)) throw new UnsupportedShape('a fragment that spreads itself');
    }
    const conditionName = fragment.typeCondition?.name.value;
    const condition = conditionName ? schema.getType(conditionName) : undefined;
    if (conditionName && (!condition || !isCompositeType(condition))) throw new UnsupportedShape(`no composite type ${conditionName}`);
    const typeCondition = condition as GraphQLCompositeType | undefined;
    const inner = compileSelectionSet(
      schema,
      fragment.selectionSet,
      typeCondition ?? parent,
      fragments,
      selection.kind === Kind.FRAGMENT_SPREAD ? [...spreading, selection.name.value] : spreading,
    );
    // A named fragment's own directives and the spread's both apply, as they do when the stock gateway expands it.
    const conditions = [...conditionsOf(selection.directives), ...(selection.kind === Kind.FRAGMENT_SPREAD ? conditionsOf(fragment.directives) : [])];
    shapes.push({ kind: 'fragment', conditions, typeCondition, selections: inner });
  }
  return shapes;
}

function getNamedOf(type: GraphQLOutputType): GraphQLNamedType {
  let t: GraphQLOutputType = type;
  while (isNonNullType(t) || isListType(t)) t = t.ofType as GraphQLOutputType;
  return t as GraphQLNamedType;
}

interface Run {
  schema: GraphQLSchema;
  types: Types;
  variables: Record<string, unknown>;
  errors: GraphQLError[];
  path: (string | number)[];
}

const invalid = (message: string, path: (string | number)[]) => new GraphQLError(message, { path: [...path], extensions: { code: 'INVALID_GRAPHQL' } });

const NULL_BUBBLE_UP = 1;
const OK = 0;

/**
 * The client's answer from the data the plan's fetches gathered, shaped as the operation asks (`computeResponse`'s
 * result, from a compiled shape).
 */
export function applyShape(schema: GraphQLSchema, shape: Shape, input: Record<string, unknown> | null | undefined, variables: Record<string, unknown> | undefined): { data: Record<string, unknown> | null | undefined; errors: GraphQLError[] } {
  if (!input) return { data: input, errors: [] };
  const run: Run = { schema, types: typesOf(schema), variables: variables ? { ...shape.defaults, ...variables } : shape.defaults, errors: [], path: [] };
  const data: Record<string, unknown> = {};
  const result = applySelections(run, input, shape.selections, data, shape.root);
  return { data: result === NULL_BUBBLE_UP ? null : data, errors: run.errors };
}

function skipped(conditions: Condition[], variables: Record<string, unknown>): boolean {
  for (const condition of conditions) {
    let value: unknown = condition.value;
    if (typeof value === 'object') {
      value = variables[(condition.value as { variable: string }).variable];
      if (typeof value !== 'boolean') throw new Error(`Unexpected value ${String(value)} for an @skip/@include condition`);
    }
    if (condition.skip ? value === true : value === false) return true;
  }
  return false;
}

function typeConditionApplies(run: Run, condition: GraphQLCompositeType | undefined, typename: unknown, parent: GraphQLCompositeType): boolean {
  if (!condition) return true;
  const type = typeof typename === 'string' && typename ? run.schema.getType(typename) : parent;
  if (!type) return false;
  if (type === condition) return true;
  let byType = run.types.applies.get(condition);
  if (!byType) run.types.applies.set(condition, (byType = new Map()));
  let applies = byType.get(type);
  if (applies === undefined) {
    applies = isAbstractType(condition) && (isObjectType(type) || isInterfaceType(type)) && run.schema.isSubType(condition, type);
    byType.set(type, applies);
  }
  return applies;
}

function applySelections(run: Run, input: Record<string, unknown>, selections: SelectionShape[], output: Record<string, unknown>, parent: GraphQLCompositeType): number {
  for (const selection of selections) {
    if (selection.conditions.length > 0 && skipped(selection.conditions, run.variables)) continue;
    if (selection.kind === 'fragment') {
      const typename = input.__typename;
      if (typename !== undefined && typename !== null && typeof typename !== 'string') throw new Error(`Got unexpected value for __typename: ${String(typename)}`);
      if (typeConditionApplies(run, selection.typeCondition, typename, parent)) {
        if (applySelections(run, input, selection.selections, output, selection.typeCondition ?? parent) === NULL_BUBBLE_UP) return NULL_BUBBLE_UP;
      }
      continue;
    }
    const responseName = selection.responseName;
    const outputValue = output[responseName];
    let inputValue = Object.prototype.hasOwnProperty.call(input, responseName) ? (input[responseName] ?? null) : null;
    if (selection.typename) {
      if (outputValue === undefined) {
        if (inputValue === null && responseName !== '__typename') inputValue = input.__typename ?? null;
        const name = typenameOf(run, inputValue, parent);
        if (name === null) return NULL_BUBBLE_UP;
        output[responseName] = name;
      }
      continue;
    }
    const type = selection.type!;
    // A valid leaf met for the first time (most fields of an answer) is copied as it is: no path step and no result
    // object per field. Anything else (a null, an invalid value, a value merged before) takes the general way below.
    if (outputValue === undefined && inputValue !== null && !selection.selections) {
      const leaf = type.kind === 'nonNull' ? type.of : type;
      if (leaf.kind === 'leaf' && (leaf.custom || isValidLeaf(inputValue, leaf))) {
        output[responseName] = inputValue;
        continue;
      }
    }
    run.path.push(responseName);
    const updated = updateValue(run, outputValue, type, inputValue, selection.selections, parent);
    output[responseName] = updated.value;
    run.path.pop();
    if (updated.invalid) return NULL_BUBBLE_UP;
  }
  return OK;
}

interface Updated {
  value: unknown;
  invalid?: boolean;
  hasErrors?: boolean;
}

function lastStep(path: (string | number)[], type: TypeShape, parent: GraphQLCompositeType): string {
  const step = path[path.length - 1];
  return typeof step === 'string' ? `field ${parent.name}.${step}` : `array element of type ${type.text} at index ${step}`;
}

function updateValue(run: Run, outputValue: unknown, type: TypeShape, inputValue: unknown, selections: SelectionShape[] | undefined, parent: GraphQLCompositeType): Updated {
  if (outputValue === null || (outputValue !== undefined && !selections)) return { value: outputValue };
  if (type.kind === 'nonNull') {
    const updated = updateValue(run, outputValue, type.of, inputValue, selections, parent);
    if (updated.value === null) {
      if (!updated.hasErrors) run.errors.push(invalid(`Cannot return null for non-nullable ${lastStep(run.path, type.of, parent)}.`, run.path));
      return { value: null, invalid: true, hasErrors: true };
    }
    return { value: updated.value };
  }
  if (inputValue === null) return { value: null };
  if (type.kind === 'list') {
    if (!Array.isArray(inputValue)) throw new Error(`Invalid non-list value ${String(inputValue)} returned by subgraph for list type ${type.text}`);
    if (outputValue !== undefined && (!Array.isArray(outputValue) || outputValue.length !== inputValue.length)) throw new Error(`A list of ${type.text} merged with one of another length`);
    const item = type.of;
    const leaf = item.kind === 'nonNull' ? item.of : item;
    // Lists of leaves (ids, codes, column pages) dominate large answers: each value is checked without a call per item.
    if (outputValue === undefined && !selections && leaf.kind === 'leaf') return leafList(run, inputValue, leaf, item.kind === 'nonNull', parent);
    const outputs = (outputValue as unknown[] | undefined) ?? new Array<unknown>(inputValue.length).fill(undefined);
    let nullify = false;
    let hasErrors = false;
    const value = new Array<unknown>(outputs.length);
    for (let i = 0; i < outputs.length; i++) {
      run.path.push(i);
      const updated = updateValue(run, outputs[i], item, inputValue[i], selections, parent);
      run.path.pop();
      nullify ||= !!updated.invalid;
      hasErrors ||= !!updated.hasErrors;
      value[i] = updated.value;
    }
    return { value: nullify ? null : value, hasErrors };
  }
  if (type.kind === 'composite') {
    if (!selections) throw new Error(`Invalid empty selection set for composite type ${type.text}`);
    if (typeof inputValue !== 'object') throw new Error(`Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${type.text}`);
    const object = inputValue as Record<string, unknown>;
    const typename = object.__typename;
    if (typename !== undefined && typeof typename !== 'string') throw new Error(`Invalid non-string value ${String(typename)} for __typename at ${run.path.join(',')}`);
    let objectType: GraphQLCompositeType = type.type;
    if (typename) {
      const named = compositeNamed(run, typename);
      if (!named) {
        run.errors.push(invalid(`Invalid __typename found for object at ${lastStep(run.path, type, parent)}.`, run.path));
        return { value: null, hasErrors: true };
      }
      objectType = named;
    }
    const target = (outputValue as Record<string, unknown> | undefined) ?? {};
    const bubbled = applySelections(run, object, selections, target, objectType) === NULL_BUBBLE_UP;
    return { value: bubbled ? null : target, hasErrors: bubbled };
  }
  const valid = type.custom || isValidLeaf(inputValue, type);
  if (!valid) run.errors.push(invalid(`Invalid value found for ${lastStep(run.path, type, parent)}.`, run.path));
  return { value: valid ? inputValue : null, hasErrors: !valid };
}

/**
 * A list of leaves, item by item as `updateValue` would take them: the value itself, or null with an error where it
 * is not of the leaf's type; a null among non-null items is an error too, and nulls the list.
 */
function leafList(run: Run, input: unknown[], leaf: Extract<TypeShape, { kind: 'leaf' }>, nonNull: boolean, parent: GraphQLCompositeType): Updated {
  let hasErrors = false;
  let nullify = false;
  const value = new Array<unknown>(input.length);
  for (let i = 0; i < input.length; i++) {
    const item = input[i] ?? null;
    if (item !== null && (leaf.custom || isValidLeaf(item, leaf))) {
      value[i] = item;
      continue;
    }
    value[i] = null;
    run.path.push(i);
    if (item !== null) {
      run.errors.push(invalid(`Invalid value found for ${lastStep(run.path, leaf, parent)}.`, run.path));
      hasErrors = true;
    } else if (nonNull) {
      run.errors.push(invalid(`Cannot return null for non-nullable ${lastStep(run.path, leaf, parent)}.`, run.path));
      hasErrors = true;
    }
    run.path.pop();
    if (nonNull) nullify = true;
  }
  return { value: nullify ? null : value, hasErrors };
}

const INTEGER = /^[+-]?\d+$/;

/** `isValidLeafValue` of the stock result shaping: custom scalars pass; built-in scalars and enums by their values. */
function isValidLeaf(value: unknown, leaf: Extract<TypeShape, { kind: 'leaf' }>): boolean {
  const check = leaf.check;
  if (check === LeafCheck.Custom) return true;
  if (typeof value === 'boolean') return check === LeafCheck.Boolean;
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (check === LeafCheck.Int || check === LeafCheck.Id) return INTEGER.test(String(value));
    return check === LeafCheck.Float;
  }
  if (typeof value === 'string') {
    if (check === LeafCheck.Enum) return leaf.enumType!.getValue(value) !== undefined;
    // ID and String take any string; Boolean, Int and Float none.
    return check === LeafCheck.String || check === LeafCheck.Id;
  }
  return false;
}
