import { buildSchema as buildFederationSchema, operationFromDocument } from '@apollo/federation-internals';
import { computeResponse } from '@apollo/gateway/dist/resultShaping.js';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, Kind, parse, type FragmentDefinitionNode, type GraphQLError, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { applyShape, compileShape, UnsupportedShape } from '../src/execution/shape.ts';

/*
 * The prepared executor shapes answers from a shape compiled once per operation; the stock gateway shapes them with
 * `computeResponse` over a federation Operation built per request. Both are run here on the same data, including data
 * that breaks the schema (nulls in non-null places, leaves of the wrong type, unknown __typename), and must agree on
 * the answer and on every error.
 */
const SDL = `
  type Query {
    resident(id: ID!): Resident
    residents: [Resident!]!
    ids: [ID!]
    codes: [String]!
    dates: [Date]
    node: Node
    item: Item
    count: Int
  }
  interface Node { id: ID! }
  type Resident implements Node { id: ID! name: String age: Int score: Float active: Boolean status: Status tags: [String!]! born: Date household: Household }
  type Household implements Node { id: ID! members: [Resident] size: Int! }
  union Item = Resident | Household
  enum Status { ACTIVE MOVED }
  scalar Date
`;
const federationSchema = buildFederationSchema(SDL);
const schema = federationSchema.toGraphQLJSSchema();

type Outcome = { data: unknown; errors: { message: string; path: unknown; code: unknown }[] } | { threw: true };

function normalise(data: unknown, errors: readonly GraphQLError[]): Outcome {
  return { data: JSON.parse(JSON.stringify(data ?? null)), errors: errors.map((e) => ({ message: e.message, path: e.path, code: e.extensions?.code })) };
}

function stock(query: string, input: unknown, variables?: Record<string, unknown>): Outcome {
  try {
    const operation = operationFromDocument(federationSchema, parse(query), { validate: false });
    const { data, errors } = computeResponse({ operation, variables, input: structuredClone(input) as Record<string, unknown>, introspectionHandling: () => null });
    return normalise(data, errors);
  } catch {
    return { threw: true };
  }
}

function prepared(query: string, input: unknown, variables?: Record<string, unknown>): Outcome {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d as FragmentDefinitionNode]] : [])));
  const shape = compileShape(schema, operation, fragments);
  try {
    const { data, errors } = applyShape(schema, shape, structuredClone(input) as Record<string, unknown>, variables);
    return normalise(data, errors);
  } catch {
    return { threw: true };
  }
}

const resident = { __typename: 'Resident', id: '1', name: '张三', age: 40, score: 1.5, active: true, status: 'ACTIVE', tags: ['a', 'b'], born: '1986-01-02', extra: 'not asked', household: { __typename: 'Household', id: 'h1', size: 3, members: [{ id: '2', tags: [] }, null] } };

const cases: [string, string, unknown, Record<string, unknown>?][] = [
  ['fields, aliases, nested objects and lists, fields not asked dropped', '{ r: resident(id: "1") { id name n: name age score active status tags born household { id size members { id tags } } } }', { r: resident }],
  ['@include and @skip by variables and defaults', 'query Q($withAge: Boolean = true, $skipName: Boolean!) { resident(id: "1") { id age @include(if: $withAge) name @skip(if: $skipName) } }', { resident }, { skipName: true }],
  ['@include false by variable, constant @skip', 'query Q($withAge: Boolean = true) { resident(id: "1") { id age @include(if: $withAge) name @skip(if: true) status @skip(if: false) } }', { resident }, { withAge: false }],
  ['__typename, aliased, on abstract types', '{ node { __typename t: __typename id } item { ... on Resident { name } ... on Household { size members { id } } } }', { node: { __typename: 'Household', id: 'h1' }, item: { __typename: 'Household', size: 2, members: [{ id: '1' }] } }],
  ['named fragments and inline fragments on the parent type', 'query { resident(id: "1") { ...Person ... on Resident { age } ... { status } } } fragment Person on Resident { id name household { ...Home } } fragment Home on Household { id size }', { resident }],
  ['a fragment on an interface over an object', '{ item { ... on Node { id } ... on Resident { name } } }', { item: { __typename: 'Resident', id: '9', name: '李四' } }],
  ['null in a non-null field nulls its parent', '{ resident(id: "1") { id household { id size } } }', { resident: { id: '1', household: { id: 'h1', size: null } } }],
  ['null in a non-null list item nulls the list up to a nullable parent', '{ residents { id name } count }', { residents: [{ id: '1', name: 'a' }, { id: null, name: 'b' }], count: 2 }],
  ['lists of leaves: invalid items, nulls, non-null items', '{ ids codes dates }', { ids: ['1', 2, null], codes: ['x', 3, null, true], dates: ['2026-01-01', 5, null] }],
  ['a list of non-null leaves with an invalid item', '{ resident(id: "1") { id tags } }', { resident: { id: '1', tags: ['a', 1, 'c'] } }],
  ['leaves of the wrong type', '{ resident(id: "1") { id age score active status } }', { resident: { id: 1.5, age: '40', score: 'x', active: 1, status: 'GONE' } }],
  ['ids as integers, floats as integers', '{ resident(id: "1") { id score age } }', { resident: { id: 12, score: 3, age: 7 } }],
  ['an unknown __typename', '{ node { id } }', { node: { __typename: 'Nothing', id: '1' } }],
  ['missing fields are null', '{ resident(id: "1") { id name household { id } } count }', { resident: { id: '1' } }],
  ['a null root', '{ resident(id: "1") { id } }', null],
  ['a whole answer nulled by a non-null root field', '{ residents { id } }', { residents: null }],
];

describe('answer shapes compiled once per operation', () => {
  it.each(cases)('agree with the stock result shaping: %s', (_name, query, input, variables) => {
    const expected = stock(query, input, variables);
    expect('threw' in expected).toBe(false);
    expect(prepared(query, input, variables)).toEqual(expected);
  });

  it('refuse a condition variable that is not a boolean, as the stock shaping does', () => {
    const query = 'query Q($on: Boolean) { resident(id: "1") { id name @include(if: $on) } }';
    expect(stock(query, { resident }, {})).toEqual({ threw: true });
    expect(prepared(query, { resident }, {})).toEqual({ threw: true });
  });
});

describe('answer shapes of the prepared path', () => {
  it('build plain objects, and leave to the stock execution a response name an Object inherits', () => {
    const document = parse('{ resident(id: "1") { id household { id } } }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    const { data } = applyShape(schema, compileShape(schema, operation, {}), structuredClone({ resident }), undefined);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.getPrototypeOf((data as { resident: object }).resident)).toBe(Object.prototype);
    for (const alias of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const aliased = parse(`{ resident(id: "1") { ${alias}: name id } }`).definitions[0] as OperationDefinitionNode;
      expect(() => compileShape(schema, aliased, {})).toThrow(UnsupportedShape);
    }
  });

  it("compile every departmental app's query against the API schema", () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const api = buildSchema(readFileSync(path.join(root, 'schema/api.graphql'), 'utf8'));
    const files = readdirSync(path.join(root, 'clients'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.graphql'));
    let compiled = 0;
    for (const file of files) {
      const document = parse(readFileSync(path.join(root, 'clients', file), 'utf8'));
      const fragments = Object.fromEntries(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d as FragmentDefinitionNode]] : [])));
      for (const operation of document.definitions) {
        if (operation.kind !== Kind.OPERATION_DEFINITION || operation.operation !== 'query') continue;
        expect(() => compileShape(api, operation, fragments), `${file} ${operation.name?.value}`).not.toThrow();
        compiled++;
      }
    }
    expect(compiled).toBeGreaterThanOrEqual(6);
  });
});
