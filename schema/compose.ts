import { readFileSync, writeFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { departments, portOf } from '@hub/core';
import { parse, printSchema, Source } from 'graphql';

export const SUPERGRAPH_FILE = new URL('./supergraph.graphql', import.meta.url);
export const API_SCHEMA_FILE = new URL('./api.graphql', import.meta.url);

export interface Composition {
  supergraphSdl: string;
  apiSchemaSdl: string;
}

/** Every department's schema.graphql with the URL it listens on by default (4001 upward). */
export function subgraphDefinitions(only?: readonly string[]) {
  return departments.filter((dept) => !only || only.includes(dept.name)).map((dept) => {
    const file = new URL(`../subgraphs/${dept.name}/schema.graphql`, import.meta.url);
    return {
      name: dept.name,
      url: `http://localhost:${portOf(dept, {})}/graphql`,
      typeDefs: parse(new Source(readFileSync(file, 'utf8'), `subgraphs/${dept.name}/schema.graphql`)),
    };
  });
}

/** Composes the subgraphs offline; throws one readable message listing every composition error. */
export function compose(definitions = subgraphDefinitions()): Composition {
  const result = composeServices(definitions);
  if (result.errors) {
    const lines = result.errors.map((e) => {
      const code = (e.extensions?.code as string | undefined) ?? 'ERROR';
      const where = e.nodes?.map((n) => n.loc && `${n.loc.source.name}:${n.loc.startToken.line}`).filter(Boolean);
      return `  [${code}] ${e.message}${where?.length ? `\n      at ${where.join(', ')}` : ''}`;
    });
    throw new Error(`Composition failed with ${result.errors.length} error(s):\n${lines.join('\n')}`);
  }
  return {
    supergraphSdl: `${result.supergraphSdl.trimEnd()}\n`,
    apiSchemaSdl: `${printSchema(result.schema.toAPISchema().toGraphQLJSSchema())}\n`,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const { supergraphSdl, apiSchemaSdl } = compose();
    writeFileSync(SUPERGRAPH_FILE, supergraphSdl);
    writeFileSync(API_SCHEMA_FILE, apiSchemaSdl);
    console.log(`composed ${departments.length} subgraphs into schema/supergraph.graphql and schema/api.graphql`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
