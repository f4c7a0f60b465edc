import { buildSchema, execute, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { applyDenials, authorizeOperation, buildPolicyIndex, createPolicyPlugin, grantsOf, missingFor, type Grants } from '../src/index.ts';
import { testCaller } from '../src/testing/index.ts';

const schema = buildSchema(/* GraphQL */ `
  directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  directive @policy(policies: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  type Query {
    grid(code: ID!): Grid
    secret: String @authenticated
  }
  type Grid {
    code: ID!
    residents: [Resident!]!
  }
  type Resident {
    id: ID!
    name: String!
    idNumber: String @requiresScopes(scopes: [["resident:identity"]])
    phone: String! @requiresScopes(scopes: [["resident:identity"]])
    keyPerson: KeyPerson
    health: String @requiresScopes(scopes: [["health:read", "resident:identity"], ["admin"]]) @policy(policies: [["purpose:welfare-review"]])
  }
  type KeyPerson @requiresScopes(scopes: [["keyperson:read"]]) {
    category: String!
  }
`);
const index = buildPolicyIndex(schema);
const rootValue = {
  grid: () => ({
    code: 'G1',
    residents: [
      { id: 'a', name: '张三', idNumber: '110105194912310021', phone: '13800138000', keyPerson: { category: 'X' }, health: 'h' },
      { id: 'b', name: '李四', idNumber: '110105194912310039', phone: '13900139000', keyPerson: null, health: null },
    ],
  }),
  secret: () => 's',
};

const grants = (scopes: string[], policies: string[] = [], authenticated = true): Grants => ({
  authenticated,
  scopes: new Set(scopes),
  policy: (name) => policies.includes(name),
});

async function run(query: string, caller: Grants) {
  const authorized = authorizeOperation(schema, index, parse(query), undefined, caller);
  const result = await execute({ schema, document: authorized.document, rootValue });
  expect(result.errors).toBeUndefined();
  return { authorized, ...applyDenials(JSON.parse(JSON.stringify(result.data)), authorized) };
}

describe('field authorization from the supergraph directives', () => {
  it('leaves an operation untouched for a caller who may read everything in it', () => {
    const document = parse('{ grid(code: "G1") { residents { id idNumber keyPerson { category } } } }');
    const authorized = authorizeOperation(schema, index, document, undefined, grants(['resident:identity', 'keyperson:read']));
    expect(authorized.denials).toEqual([]);
    expect(print(authorized.document)).toBe(print(document));
  });

  it('answers denied nullable fields with null and a FORBIDDEN error per position, naming the missing scope', async () => {
    const { data, errors, authorized } = await run('{ grid(code: "G1") { code residents { id idNumber keyPerson { category } } } }', grants([]));
    expect(print(authorized.document)).not.toContain('idNumber');
    expect(print(authorized.document)).not.toContain('keyPerson');
    expect(data).toEqual({
      grid: {
        code: 'G1',
        residents: [
          { id: 'a', idNumber: null, keyPerson: null },
          { id: 'b', idNumber: null, keyPerson: null },
        ],
      },
    });
    expect(errors).toHaveLength(4);
    expect(errors).toContainEqual({
      message: 'Not authorized to read Resident.idNumber: needs scope resident:identity',
      path: ['grid', 'residents', 1, 'idNumber'],
      extensions: { code: 'FORBIDDEN', field: 'Resident.idNumber', missingScopes: ['resident:identity'] },
    });
    expect(errors).toContainEqual(
      expect.objectContaining({ path: ['grid', 'residents', 0, 'keyPerson'], extensions: expect.objectContaining({ missingScopes: ['keyperson:read'] }) }),
    );
  });

  it('moves the null of a denied non-null field up to the nearest nullable parent', async () => {
    const { data, errors } = await run('{ grid(code: "G1") { code residents { id phone } } secret }', grants([]));
    expect(data).toEqual({ grid: null, secret: 's' });
    expect(errors[0]).toMatchObject({ path: ['grid', 'residents', 0, 'phone'], extensions: { code: 'FORBIDDEN' } });
  });

  it('keeps a selection valid when every field in it is denied, and hides the placeholder', async () => {
    const { data } = await run('{ grid(code: "G1") { residents { keyPerson { category } } } }', grants([]));
    expect(data).toEqual({ grid: { residents: [{ keyPerson: null }, { keyPerson: null }] } });
  });

  it('looks inside fragments and aliases', async () => {
    const { data, errors } = await run(
      'query { g: grid(code: "G1") { ...people } } fragment people on Grid { residents { id number: idNumber } }',
      grants([]),
    );
    expect(data).toEqual({ g: { residents: [{ id: 'a', number: null }, { id: 'b', number: null }] } });
    expect(errors.map((e) => e.path)).toEqual([
      ['g', 'residents', 0, 'number'],
      ['g', 'residents', 1, 'number'],
    ]);
  });

  it('reads alternatives as any-of and their members as all-of, and checks policies and sign-in', () => {
    const health = index.get('Resident.health')!;
    expect(missingFor(health, grants(['health:read'], ['purpose:welfare-review']))).toEqual({
      scopes: ['resident:identity'],
      policies: [],
      authenticated: false,
    });
    expect(missingFor(health, grants(['health:read', 'resident:identity'], ['purpose:welfare-review']))).toBeNull();
    expect(missingFor(health, grants(['admin'], []))).toEqual({ scopes: [], policies: ['purpose:welfare-review'], authenticated: false });
    expect(missingFor(index.get('Query.secret')!, grants([], [], false))).toMatchObject({ authenticated: true });
  });
});

describe('the policy in a department', () => {
  const subgraphSchema = (typeDirective: string) =>
    buildSubgraphSchema({
      typeDefs: parse(`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@requiresScopes"])
        type Query { resident(id: ID!): Resident @requiresScopes(scopes: [["resident:read"]]) }
        type Resident @key(fields: "id") ${typeDirective} { id: ID! idNumber: String @requiresScopes(scopes: [["resident:identity"]]) }
      `),
    });

  it('reads the directives of a subgraph schema, written through Federation\'s link', () => {
    const index = buildPolicyIndex(subgraphSchema(''));
    expect([...index.keys()].sort()).toEqual(['Query.resident', 'Resident.idNumber']);
    expect(() => createPolicyPlugin({ schema: subgraphSchema(''), grantsOf: () => grantsOf(testCaller()) })).not.toThrow();
  });

  it('refuses to start over an entity type guarded as a type, which an entity fetch would pass unchecked', () => {
    expect(() => createPolicyPlugin({ schema: subgraphSchema('@requiresScopes(scopes: [["resident:read"]])'), grantsOf: () => grantsOf(testCaller()) })).toThrow(
      /entity type Resident carries an authorization directive on the type/,
    );
  });

  it('grants what the caller holds: scopes, and the policies of its purpose, role and department', () => {
    const grants = grantsOf(testCaller('mediator', { purpose: 'case-handling' }));
    expect(grants.authenticated).toBe(true);
    expect(grants.scopes.has('case:read')).toBe(true);
    expect(['purpose:case-handling', 'role:mediator', 'department:mediation'].map(grants.policy)).toEqual([true, true, true]);
    expect(['purpose:audit', 'role:auditor', 'department:party', 'purpose:null'].map(grants.policy)).toEqual([false, false, false, false]);
  });
});
