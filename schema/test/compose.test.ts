import { readFileSync } from 'node:fs';
import { parse, Source } from 'graphql';
import { describe, expect, it } from 'vitest';
import { API_SCHEMA_FILE, compose, SUPERGRAPH_FILE, subgraphDefinitions } from '../compose.ts';

describe('the committed supergraph', () => {
  it('is what composing the subgraphs gives today (run `npm run compose` and commit when this fails)', () => {
    const fresh = compose();
    expect(readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(fresh.supergraphSdl);
    expect(readFileSync(API_SCHEMA_FILE, 'utf8')).toBe(fresh.apiSchemaSdl);
  });

  it('has a description on every type and field of the API', () => {
    const api = parse(readFileSync(API_SCHEMA_FILE, 'utf8'));
    const missing: string[] = [];
    for (const def of api.definitions) {
      if (!('name' in def) || !def.name) continue;
      if (!('description' in def) || !def.description) missing.push(def.name.value);
      if ('fields' in def) for (const f of def.fields ?? []) if (!f.description) missing.push(`${def.name.value}.${f.name.value}`);
      if ('values' in def) for (const v of def.values ?? []) if (!v.description) missing.push(`${def.name.value}.${v.name.value}`);
    }
    expect(missing).toEqual([]);
  });

  it('prints composition errors readably, with the code and where they stand', () => {
    const broken = subgraphDefinitions().map((d) =>
      d.name === 'civil-affairs'
        ? {
            ...d,
            typeDefs: parse(
              new Source(
                `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Grid @key(fields: "code") { code: ID! population: Int }`,
                'subgraphs/civil-affairs/schema.graphql',
              ),
            ),
          }
        : d,
    );
    expect(() => compose(broken)).toThrow(/Composition failed with \d+ error\(s\):\n {2}\[[A-Z_]+\] .*population/s);
  });
});
