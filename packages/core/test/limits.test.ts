import { ApolloServer } from '@apollo/server';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { countAliases, createSubgraphLimitsPlugin, measureDepth } from '../src/limits/index.ts';
import { braceNesting, textNestingRefusal } from '../src/limits/subgraph.ts';

const typeDefs = `type Query { node: Node } type Node { id: ID! next: Node }`;
/** `{ node { next { … id } } }`, `depth` levels deep. */
const chain = (depth: number) => `{ node { ${'next { '.repeat(depth - 2)}id${' }'.repeat(depth - 1)} }`;

describe('the measures at the subgraph edge', () => {
  it('count introspection fields in the depth only when asked', () => {
    const document = parse('{ __type(name: "Query") { ofType { ofType { name } } } }');
    expect(measureDepth(document)).toBe(0);
    expect(measureDepth(document, undefined, { introspection: true })).toBe(4);
    expect(measureDepth(parse(chain(5)))).toBe(5);
  });

  it('refuse an operation deeper or with more aliases than the limits, and run one within them', async () => {
    const server = new ApolloServer({ typeDefs, resolvers: { Query: { node: () => null } }, plugins: [createSubgraphLimitsPlugin({ maxDepth: 6, maxAliases: 3 })] });
    await server.start();
    try {
      const run = async (query: string) => {
        const response = await server.executeOperation({ query });
        return response.body.kind === 'single' ? { status: response.http.status, result: response.body.singleResult } : undefined;
      };
      expect(await run(chain(6))).toMatchObject({ result: { data: { node: null } } });
      expect(await run(chain(7))).toMatchObject({ status: 400, result: { errors: [{ extensions: { code: 'QUERY_TOO_DEEP', maximum: 6, measured: 7 } }] } });
      const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: node { id }`).join(' ')} }`;
      expect(countAliases(parse(aliases(4)))).toBe(4);
      expect(await run(aliases(3))).toMatchObject({ result: { data: { a0: null } } });
      expect(await run(aliases(4))).toMatchObject({ status: 400, result: { errors: [{ extensions: { code: 'TOO_MANY_ALIASES', maximum: 3, measured: 4 } }] } });
    } finally {
      await server.stop();
    }
  });

  it('count the nesting of braces in the text outside strings, block strings and comments', () => {
    expect(braceNesting('{ a { b { c } } }', 100)).toBe(3);
    expect(braceNesting('{ a(s: "{{{{ \\" {{") # {{{{\n { b } }', 100)).toBe(2);
    expect(braceNesting('{ a(s: """ {{{ \\""" {{{ """) { b } }', 100)).toBe(2);
    expect(braceNesting('{'.repeat(1_000) + '}'.repeat(1_000), 10)).toBe(11);
  });

  it('refuse from the text a document nested far beyond the depth, before anything parses it', () => {
    const refusal = textNestingRefusal({ maxDepth: 6, maxAliases: 3 });
    // Nesting up to 4 x 6 is left to the parsed measure (which refuses 7 and more); past it, whatever the stack.
    expect(refusal(chain(24))).toBeUndefined();
    // Twice each: a text within bounds is remembered, a refused one never is.
    for (const depth of [26, 20_000, 26]) expect(refusal(chain(depth))).toEqual({ code: 'QUERY_TOO_DEEP', message: expect.stringContaining('at most 6'), extensions: { limit: 'subgraph maxDepth', maximum: 6, measured: 25 } });
    expect(refusal(chain(24))).toBeUndefined();
    expect(refusal(`{ a(s: "${'{'.repeat(500)}") }`)).toBeUndefined();
    expect(refusal(undefined)).toBeUndefined();
  });
});
