import {
  GraphQLError,
  Kind,
  parse,
  print,
  validate,
  valueFromASTUntyped,
  visit,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type ValueNode,
} from 'graphql';

/**
 * A subscription field the gateway serves, and the feed query that answers it: each event of the stream is an edge
 * of that query's connection, so "what happened after my cursor" is one query through the normal plan.
 */
export interface StreamDefinition {
  /** The `Query` field over the feed (a connection taking `after`, `first` and the stream's other arguments). */
  feedField: string;
  /** The subgraph whose wake-up stream says when to read it. */
  subgraph: string;
}

export const STREAMS: Record<string, StreamDefinition> = {
  caseEvents: { feedField: 'caseEvents', subgraph: 'mediation' },
  myWork: { feedField: 'myWork', subgraph: 'mediation' },
  groupRentalChanges: { feedField: 'groupRentalEvents', subgraph: 'housing' },
};

/** Aliases the gateway adds to the feed query; a client's own selection cannot use them (they start with `_hub`). */
export const CURSOR_ALIAS = '_hubCursor';
const AFTER_VARIABLE = '_hubAfter';
const FIRST_VARIABLE = '_hubFirst';

export interface TranslatedSubscription {
  stream: StreamDefinition;
  /** The response key of the subscription's root field (its alias or name). */
  responseKey: string;
  operationName: string | null;
  /** The feed query, printed: one per distinct subscription document, so plans and parses are cached. */
  query: string;
  /** The client's `after`, if it gave one (a resume from Last-Event-ID overrides it). */
  after: string | null;
  /** The client's variables without those the gateway sets. */
  variables: Record<string, unknown>;
  /** The subscription field's name, and its arguments but `after` with the variables put in: what `reach.ts` decides on. */
  field: string;
  arguments: Record<string, unknown>;
}

export const variablesFor = (translated: TranslatedSubscription, after: string, first: number) => ({ ...translated.variables, [AFTER_VARIABLE]: after, [FIRST_VARIABLE]: first });

const invalid = (message: string) => new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });

/**
 * Checks a subscription request against the API schema and rewrites it as a query over the stream's feed:
 * `subscription { caseEvents(after: $a, filter: $f) { cursor node { … } } }` becomes
 * `query { caseEvents(after: $_hubAfter, first: $_hubFirst, filter: $f) { edges { _hubCursor: cursor cursor node { … } } } }`.
 * Returns GraphQL errors for anything else (a query, two root fields, an unknown field, a bad selection).
 */
export function translateSubscription(
  apiSchema: GraphQLSchema,
  request: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
): TranslatedSubscription | GraphQLError[] {
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (error) {
    return [new GraphQLError(error instanceof GraphQLError ? error.message : 'the query is not GraphQL', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
  }
  const errors = validate(apiSchema, document);
  if (errors.length > 0) return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = request.operationName ? operations.find((o) => o.name?.value === request.operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return [invalid(request.operationName ? `no operation named ${request.operationName}` : 'the document holds several operations: name one in operationName')];
  if (operation.operation !== 'subscription') return [invalid(`this endpoint serves subscriptions; send a ${operation.operation} to /graphql`)];
  const fields = operation.selectionSet.selections;
  const root = fields[0];
  if (fields.length !== 1 || !root || root.kind !== Kind.FIELD) return [invalid('a subscription selects exactly one root field')];
  const stream = STREAMS[root.name.value];
  if (!stream) return [invalid(`Subscription.${root.name.value} is not served by this gateway`)];
  const text = JSON.stringify(document);
  if (text.includes(`"${AFTER_VARIABLE}"`) || text.includes(`"${FIRST_VARIABLE}"`) || text.includes(`"${CURSOR_ALIAS}"`)) {
    return [invalid('names starting with _hub are reserved by the gateway')];
  }
  const variables = request.variables ?? {};
  const afterArgument = root.arguments?.find((a) => a.name.value === 'after');
  const after = afterArgument ? stringValue(afterArgument.value, variables) : null;
  const feedField: FieldNode = {
    ...root,
    name: { kind: Kind.NAME, value: stream.feedField },
    alias: { kind: Kind.NAME, value: root.alias?.value ?? root.name.value },
    arguments: [
      ...(root.arguments ?? []).filter((a) => a.name.value !== 'after'),
      argument('after', AFTER_VARIABLE),
      argument('first', FIRST_VARIABLE),
    ],
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: [
        field('edges', [field('cursor', undefined, CURSOR_ALIAS), ...(root.selectionSet?.selections ?? [])]),
      ],
    },
    directives: root.directives ?? [],
  };
  // The client's `after` variable is the gateway's now; a definition left unused would fail validation.
  const used = new Set<string>();
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  visit({ kind: Kind.DOCUMENT, definitions: [...fragments, { ...operation, variableDefinitions: [], selectionSet: { kind: Kind.SELECTION_SET, selections: [feedField] } }] }, {
    Variable: (node) => void used.add(node.name.value),
  });
  const query: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION),
      {
        ...operation,
        operation: 'query' as OperationDefinitionNode['operation'],
        variableDefinitions: [
          ...(operation.variableDefinitions ?? []).filter((d) => used.has(d.variable.name.value)),
          variableDefinition(AFTER_VARIABLE, 'String', false),
          variableDefinition(FIRST_VARIABLE, 'Int', true),
        ],
        selectionSet: { kind: Kind.SELECTION_SET, selections: [feedField] },
      },
    ],
  };
  return {
    stream,
    responseKey: root.alias?.value ?? root.name.value,
    operationName: operation.name?.value ?? null,
    query: print(query),
    after,
    variables,
    field: root.name.value,
    arguments: Object.fromEntries((root.arguments ?? []).filter((a) => a.name.value !== 'after').map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)])),
  };
}

function stringValue(value: ValueNode, variables: Record<string, unknown>): string | null {
  if (value.kind === Kind.STRING) return value.value;
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value];
    return typeof v === 'string' ? v : null;
  }
  return null;
}

const argument = (name: string, variable: string) => ({
  kind: Kind.ARGUMENT as const,
  name: { kind: Kind.NAME as const, value: name },
  value: { kind: Kind.VARIABLE as const, name: { kind: Kind.NAME as const, value: variable } },
});

function field(name: string, selections?: readonly SelectionNode[], alias?: string): FieldNode {
  return {
    kind: Kind.FIELD,
    name: { kind: Kind.NAME, value: name },
    ...(alias ? { alias: { kind: Kind.NAME, value: alias } } : {}),
    ...(selections ? { selectionSet: { kind: Kind.SELECTION_SET, selections } } : {}),
  };
}

function variableDefinition(name: string, type: string, nonNull: boolean) {
  const named = { kind: Kind.NAMED_TYPE as const, name: { kind: Kind.NAME as const, value: type } };
  return {
    kind: Kind.VARIABLE_DEFINITION as const,
    variable: { kind: Kind.VARIABLE as const, name: { kind: Kind.NAME as const, value: name } },
    type: nonNull ? { kind: Kind.NON_NULL_TYPE as const, type: named } : named,
  };
}
