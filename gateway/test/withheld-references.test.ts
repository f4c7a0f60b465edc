import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { nullableAt } from '../src/withheld-references.ts';

const schema = buildSchema(/* GraphQL */ `
  type Query { organization(id: ID!): Organization, house(code: ID!): House! }
  type Organization { id: ID!, committee: Committee }
  type Committee { chair: Resident, secretary: Resident! }
  type House { tenancies: [Tenancy!]!, occupants: [Resident!]! }
  type Tenancy { landlord: Resident, occupants: [Resident]! }
  type Resident { id: ID!, name: String }
`);

const at = (query: string, path: (string | number)[]) => {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
  return nullableAt(schema, document, operation, path);
};

describe('where a withheld reference may be nulled', () => {
  it('follows fields, aliases, inline fragments and fragment spreads to the reference', () => {
    expect(at('{ organization(id: "1") { committee { chair { id } } } }', ['organization', 'committee', 'chair'])).toBe(true);
    expect(at('{ org: organization(id: "1") { c: committee { boss: chair { id } } } }', ['org', 'c', 'boss'])).toBe(true);
    expect(at('{ organization(id: "1") { ... on Organization { committee { ...C } } } } fragment C on Committee { chair { id } }', ['organization', 'committee', 'chair'])).toBe(true);
  });

  it('through lists, to a nullable item or field', () => {
    expect(at('{ house(code: "1") { tenancies { landlord { id } occupants { id } } } }', ['house', 'tenancies', 2, 'landlord'])).toBe(true);
    expect(at('{ house(code: "1") { tenancies { occupants { id } } } }', ['house', 'tenancies', 0, 'occupants', 1])).toBe(true);
  });

  it('never where null would null the parent: a non-null field or list item, or a path the operation does not hold', () => {
    expect(at('{ organization(id: "1") { committee { secretary { id } } } }', ['organization', 'committee', 'secretary'])).toBe(false);
    expect(at('{ house(code: "1") { occupants { id } } }', ['house', 'occupants', 0])).toBe(false);
    expect(at('{ organization(id: "1") { id } }', ['organization', 'committee', 'chair'])).toBe(false);
    expect(at('{ organization(id: "1") { id } }', [])).toBe(false);
  });
});
