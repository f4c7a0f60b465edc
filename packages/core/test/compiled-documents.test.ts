import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { execute, GraphQLError, GraphQLScalarType, parse, validate, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { formatErrors } from '../src/execution/apollo-answer.ts';
import { CompiledDocuments } from '../src/execution/compiled-documents.ts';

/*
 * The prepared path runs queries through graphql-jit; what it answers must be what graphql-js answers, error paths
 * included (the e2e test compares whole HTTP answers for the hub's own fetches; here are the shapes the hub's data
 * rarely produces: null in a non-null field, throws inside lists, a field selected twice, scalars that refuse).
 */
const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  scalar Day
  type Query {
    person(id: ID!): Person
    people(ids: [ID!]!): [Person]!
    strictPeople(ids: [ID!]!): [Person!]
    count(of: [ID!]): Int!
  }
  type Person @key(fields: "id") {
    id: ID!
    name: String!
    nick: String
    born: Day
    friends: [Person!]!
    code: String
  }
`);

interface Person {
  id: string;
  name: string | null;
  born?: string;
  friends?: string[];
}
const people: Record<string, Person> = {
  a: { id: 'a', name: 'Ann', born: '2001-02-03', friends: ['b', 'c'] },
  b: { id: 'b', name: 'Bo', born: 'not a day', friends: [] },
  c: { id: 'c', name: null, friends: ['a'] },
  d: { id: 'd', name: 'Di', friends: ['a', 'x', 'c'] },
};
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const coded = (code: string, message: string) => new GraphQLError(message, { extensions: { code } });
const find = async (id: string) => {
  await tick();
  if (id === 'x') throw coded('OUTSIDE_SCOPE', 'The person referred to is outside your grids');
  if (id === 'y') throw new Error('connection reset by peer');
  if (id === 'late') {
    // Fails after the list's other items are done (graphql-jit put such an item's null at the list's end).
    await new Promise((resolve) => setTimeout(resolve, 20));
    throw coded('OUTSIDE_SCOPE', 'The person referred to is outside your grids');
  }
  // A rejection with something other than an Error, as some libraries make.
  if (id === 'odd') throw 'not an error';
  return people[id] ?? null;
};

const resolvers = {
  Day: new GraphQLScalarType({
    name: 'Day',
    serialize(value) {
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new TypeError(`Day cannot represent ${String(value)}`);
      return value;
    },
  }),
  Query: {
    person: (_: unknown, { id }: { id: string }) => find(id),
    people: (_: unknown, { ids }: { ids: string[] }) => ids.map(find),
    strictPeople: async (_: unknown, { ids }: { ids: string[] }) => Promise.all(ids.map((id) => people[id] ?? null)),
    count: (_: unknown, { of }: { of?: string[] }) => (of ? of.length : null),
  },
  Person: {
    __resolveReference: ({ id }: { id: string }) => find(id),
    nick: (p: Person) => {
      if (p.id === 'a') throw coded('FORBIDDEN', 'Not for you');
      return p.id === 'b' ? 'bobo' : null;
    },
    friends: (p: Person) => (p.friends ?? []).map(find),
    code: async (p: Person) => {
      await tick();
      if (p.id === 'd') return new Error('returned, not thrown');
      return `P-${p.id}`;
    },
  },
};
const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as unknown as GraphQLResolverMap<unknown> });

/** The answer's text as the prepared path sends it (Apollo's error formatting, unmasked). */
const shown = (result: ExecutionResult) =>
  JSON.stringify({ errors: result.errors && formatErrors(result.errors, (formatted) => formatted).formatted, data: result.data });

const cases: [string, string, Record<string, unknown>?][] = [
  ['plain fields and a custom scalar', '{ person(id: "a") { id name born } }'],
  ['a custom scalar that refuses its value', '{ person(id: "b") { id born } }'],
  ['null in a non-null field, bubbling to the nullable parent', '{ person(id: "c") { id name } }'],
  ['null in a non-null field selected twice under one key', '{ person(id: "c") { id name ... on Person { name } } }'],
  ['a resolver that throws a coded error', '{ person(id: "a") { id nick } }'],
  ['throws inside a nullable list', '{ people(ids: ["a", "x", "y", "zz"]) { id name } }'],
  ['throws inside a non-null list of non-null items', '{ person(id: "d") { id friends { id name } } }'],
  ['null item in a list of non-null items', '{ strictPeople(ids: ["a", "nobody"]) { id } }'],
  ['an error returned rather than thrown', '{ person(id: "d") { code } }'],
  ['aliases, several errors at nullable positions in one answer', '{ two: person(id: "a") { nick } three: person(id: "x") { id } four: person(id: "d") { code } }'],
  ['null for a non-null root field', 'query Count($of: [ID!]) { count(of: $of) }', {}],
  [
    '_entities: found, missing, refused and failed',
    'query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Person { id name nick born } } }',
    { r: [{ __typename: 'Person', id: 'a' }, { __typename: 'Person', id: 'nobody' }, { __typename: 'Person', id: 'x' }, { __typename: 'Person', id: 'y' }] },
  ],
  // @apollo/subgraph throws for an unknown typename while mapping the representations: a rejecting reference before
  // it would be left unhandled (the request guard refuses such a request before execution: INVALID_REPRESENTATION).
  [
    '_entities: an unknown typename',
    'query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Person { id name } } }',
    { r: [{ __typename: 'Person', id: 'a' }, { __typename: 'Nothing', id: 'a' }] },
  ],
  [
    '_entities: a reference that fails after the others, and a rejection that is not an Error',
    'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id name } ... on Person { id } } }',
    { r: [{ __typename: 'Person', id: 'a' }, { __typename: 'Person', id: 'late' }, { __typename: 'Person', id: 'nobody' }, { __typename: 'Person', id: 'odd' }, { __typename: 'Person', id: 'b' }] },
  ],
  ['a list field whose items fail late', '{ people(ids: ["late", "a", "odd"]) { id } }'],
  ['_service', '{ _service { sdl } }'],
  ['__typename and introspection', '{ __typename __schema { queryType { name } } __type(name: "Person") { fields { name } } }'],
  ['variables that do not coerce', 'query ($id: ID!) { person(id: $id) { id } }', { id: { not: 'an id' } }],
  ['a missing non-null variable', 'query ($id: ID!) { person(id: $id) { id } }', {}],
];

describe("graphql-jit's answers are graphql-js's", () => {
  const compiled = new CompiledDocuments(schema);

  it.each(cases)('%s', async (_name, query, variables) => {
    const document = parse(query);
    expect(validate(schema, document)).toEqual([]);
    const run = compiled.of(document, undefined, 'query');
    expect(run).toBeDefined();
    const context = {};
    const reference = await execute({ schema, document, contextValue: context, variableValues: variables });
    const answer = await run!(context, variables);
    if (reference.data === undefined) {
      // graphql-js refused the variables: so does the compiled query, and the prepared path hands such a request to Apollo.
      expect(answer.data).toBeUndefined();
      expect(answer.errors?.length).toBeGreaterThan(0);
      return;
    }
    expect(shown(answer)).toBe(shown(reference));
    // A second run of the same compiled code answers the same (nothing of a request is kept in it).
    expect(shown(await run!(context, variables))).toBe(shown(reference));
  });

  it('errors of both kinds in one answer: the same errors and data, nullable positions\' errors listed first', async () => {
    // The one difference left (compiled-documents.ts): graphql-js lists errors as they happen.
    const document = parse('{ one: person(id: "c") { name } two: person(id: "a") { nick } three: person(id: "x") { id } four: person(id: "d") { code friends { name } } }');
    const reference = await execute({ schema, document, contextValue: {} });
    const answer = await compiled.of(document, undefined, 'query')!({}, undefined);
    const texts = (result: ExecutionResult) => formatErrors(result.errors ?? [], (formatted) => formatted).formatted.map((error) => JSON.stringify(error));
    expect(JSON.stringify(answer.data)).toBe(JSON.stringify(reference.data));
    expect(texts(answer).toSorted()).toEqual(texts(reference).toSorted());
    expect(answer.errors!.map((error) => error.path!.join('.'))).toEqual(['two.nick', 'three', 'four.code', 'one.name', 'four.friends.1']);
  });

  it('compiles each document once, and leaves mutations to graphql-js', () => {
    const document = parse('{ person(id: "a") { id } }');
    expect(compiled.of(document, undefined, 'query')).toBe(compiled.of(document, undefined, 'query'));
    expect(compiled.of(parse('mutation { x }'), undefined, 'mutation')).toBeUndefined();
  });

  it('picks the named operation of a document with several', async () => {
    const document = parse('query A { person(id: "a") { id } } query B { person(id: "b") { name } }');
    const answer = await compiled.of(document, 'B', 'query')!({}, undefined);
    expect(answer).toEqual({ data: { person: { name: 'Bo' } } });
    expect(await compiled.of(document, 'A', 'query')!({}, undefined)).toEqual({ data: { person: { id: 'a' } } });
  });
});
