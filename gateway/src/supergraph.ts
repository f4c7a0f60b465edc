import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, type EnumValueDefinitionNode, Kind } from 'graphql';

export const DEFAULT_SUPERGRAPH = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));

export interface SupergraphSubgraph {
  /** The subgraph's name as composed (e.g. `public-security`). */
  name: string;
  /** The URL the supergraph names for it. */
  url: string;
}

export function readSupergraph(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read supergraph ${path}: ${error instanceof Error ? error.message : error}`);
  }
}

/** The subgraphs a supergraph names, from its `join__Graph` enum. */
export function subgraphsOf(supergraphSdl: string): SupergraphSubgraph[] {
  const document = parse(supergraphSdl);
  const graphEnum = document.definitions.find((d) => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === 'join__Graph');
  if (!graphEnum || graphEnum.kind !== Kind.ENUM_TYPE_DEFINITION) throw new Error('not a supergraph: no join__Graph enum');
  return (graphEnum.values ?? []).map((value: EnumValueDefinitionNode) => {
    const directive = value.directives?.find((d) => d.name.value === 'join__graph');
    const arg = (name: string) => {
      const node = directive?.arguments?.find((a) => a.name.value === name)?.value;
      return node?.kind === Kind.STRING ? node.value : undefined;
    };
    const name = arg('name');
    const url = arg('url');
    if (!name || url === undefined) throw new Error(`join__Graph.${value.name.value} has no @join__graph(name, url)`);
    return { name, url };
  });
}

/** `public-security` reads its URL override from PUBLIC_SECURITY_URL. */
export const urlVariableOf = (subgraphName: string) => `${subgraphName.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_URL`;

/** Each subgraph's Unix socket on this machine, where `<NAME>_SOCKET` is set (the launcher's one-machine hub). */
export function subgraphSockets(names: readonly string[], env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => {
    const socket = env[urlVariableOf(name).replace(/_URL$/, '_SOCKET')];
    return socket ? [[name, socket]] : [];
  }));
}

/** Each subgraph's URL: the override from the environment when set, else the one the supergraph names. */
export function subgraphUrls(supergraphSdl: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(
    subgraphsOf(supergraphSdl).map(({ name, url }) => {
      const override = env[urlVariableOf(name)];
      const chosen = override || url;
      try {
        new URL(chosen);
      } catch {
        throw new Error(`${override ? urlVariableOf(name) : `the supergraph's URL for ${name}`} is not a URL: "${chosen}"`);
      }
      return [name, chosen];
    }),
  );
}
