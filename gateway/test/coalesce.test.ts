import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { mergeFetches } from '../src/coalesce.ts';

describe('mergeFetches', () => {
  const entities = 'query($representations:[_Any!]!){_entities(representations:$representations){...on Grid{name ...gridPart}}} fragment gridPart on Grid{code}';
  const rooted = 'query($code:ID!){grid(code:$code){name} stats: district{name}}';

  it('renames each fetch apart: root fields by alias, variables and fragments by suffix', () => {
    const merged = mergeFetches([
      { query: entities, variables: { representations: [{ __typename: 'Grid', code: '1' }] } },
      { query: rooted, variables: { code: '2' } },
    ]);
    const document = parse(merged.query);
    expect(document.definitions.map((d) => ('name' in d ? d.name?.value : undefined))).toEqual([undefined, 'gridPart__c0']);
    expect(merged.query).toContain('c0__entities: _entities(representations: $representations__c0)');
    expect(merged.query).toContain('c1_grid: grid(code: $code__c1)');
    expect(merged.query).toContain('c1_stats: district');
    expect(merged.variables).toEqual({ representations__c0: [{ __typename: 'Grid', code: '1' }], code__c1: '2' });
  });

  it("gives each fetch its own data and errors back, and a pathless error to all", () => {
    const merged = mergeFetches([{ query: entities }, { query: rooted }]);
    const parts = merged.split({
      data: { c0__entities: [{ name: 'A' }], c1_grid: null, c1_stats: { name: 'D' } },
      errors: [
        { message: 'bad grid', path: ['c1_grid'] },
        { message: 'bad entity', path: ['c0__entities', 0, 'name'] },
        { message: 'everything failed' },
      ],
    });
    expect(parts).toEqual([
      { data: { _entities: [{ name: 'A' }] }, errors: [{ message: 'bad entity', path: ['_entities', 0, 'name'] }, { message: 'everything failed' }] },
      { data: { grid: null, stats: { name: 'D' } }, errors: [{ message: 'bad grid', path: ['grid'] }, { message: 'everything failed' }] },
    ]);
  });

  it('renames the same combination once and gives every merge its own variables', () => {
    const first = mergeFetches([{ query: entities, variables: { representations: [{ __typename: 'Grid', code: '1' }] } }, { query: rooted, variables: { code: '2' } }]);
    const again = mergeFetches([{ query: entities, variables: { representations: [{ __typename: 'Grid', code: '3' }] } }, { query: rooted, variables: { code: '4' } }]);
    expect(again.query).toBe(first.query);
    expect(again.variables).toEqual({ representations__c0: [{ __typename: 'Grid', code: '3' }], code__c1: '4' });
    expect(first.variables).toEqual({ representations__c0: [{ __typename: 'Grid', code: '1' }], code__c1: '2' });
    // The other order is another combination: fetch 0 is the rooted one now.
    const swapped = mergeFetches([{ query: rooted, variables: { code: '5' } }, { query: entities }]);
    expect(swapped.query).toContain('c0_grid: grid(code: $code__c0)');
    expect(swapped.split({ data: { c0_grid: { name: 'G' }, c0_stats: null, c1__entities: [] } })).toEqual([{ data: { grid: { name: 'G' }, stats: null } }, { data: { _entities: [] } }]);
  });

  it('refuses a mutation (merging it could reorder its effects)', () => {
    expect(() => mergeFetches([{ query: 'mutation { a }' }, { query: '{ b }' }])).toThrow(/only queries/);
  });
});
