import { Kind, parse, print, visit, type DocumentNode, type FieldNode, type GraphQLFormattedError, type OperationDefinitionNode } from 'graphql';

/** One subgraph fetch of a query plan: its operation text and variables. */
export interface SubgraphFetch {
  query: string;
  variables?: Record<string, unknown>;
}

/** A subgraph's answer to one fetch. */
export interface SubgraphAnswer {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

const parsed = new Map<string, DocumentNode>();
const MAX_PARSED = 2_000;

/** Fetch operations repeat for every request of an operation: each text is parsed once. */
function parseOnce(query: string): DocumentNode {
  let document = parsed.get(query);
  if (!document) {
    document = parse(query);
    if (parsed.size >= MAX_PARSED) parsed.delete(parsed.keys().next().value!);
    parsed.set(query, document);
  }
  return document;
}

const prefixOf = (i: number) => `c${i}_`;

interface MergedText {
  query: string;
  /** Each fetch's root response keys, in order. */
  rootKeys: string[][];
}

const mergedTexts = new Map<string, MergedText>();

/**
 * The merged operation of these fetches' texts: a plan sends the same texts together at every request, so the
 * renaming and printing is done once per combination (`MAX_PARSED` combinations kept, the oldest dropped first).
 */
function mergedText(fetches: readonly SubgraphFetch[]): MergedText {
  const key = fetches.map((fetch) => fetch.query).join('\u0000');
  let merged = mergedTexts.get(key);
  if (!merged) {
    merged = renameAndMerge(fetches);
    if (mergedTexts.size >= MAX_PARSED) mergedTexts.delete(mergedTexts.keys().next().value!);
    mergedTexts.set(key, merged);
  }
  return merged;
}

function renameAndMerge(fetches: readonly SubgraphFetch[]): MergedText {
  const definitions: DocumentNode['definitions'][number][] = [];
  const variableDefinitions: NonNullable<OperationDefinitionNode['variableDefinitions']>[number][] = [];
  const selections: FieldNode[] = [];
  const rootKeys: string[][] = [];
  fetches.forEach((fetch, i) => {
    const renamed = visit(parseOnce(fetch.query), {
      Variable: (node) => ({ ...node, name: { ...node.name, value: `${node.name.value}__c${i}` } }),
      FragmentDefinition: (node) => ({ ...node, name: { ...node.name, value: `${node.name.value}__c${i}` } }),
      FragmentSpread: (node) => ({ ...node, name: { ...node.name, value: `${node.name.value}__c${i}` } }),
    });
    const keys: string[] = [];
    for (const definition of renamed.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) {
        definitions.push(definition);
        continue;
      }
      if (definition.operation !== 'query') throw new Error('only queries are merged');
      variableDefinitions.push(...(definition.variableDefinitions ?? []));
      for (const selection of definition.selectionSet.selections) {
        // Fetch operations select fields at their root (the planner writes `_entities(…) { … }`, `grid(…) { … }`).
        if (selection.kind !== Kind.FIELD) throw new Error('a fetch operation with a fragment at its root is not merged');
        const key = selection.alias?.value ?? selection.name.value;
        keys.push(key);
        selections.push({ ...selection, alias: { kind: Kind.NAME, value: `${prefixOf(i)}${key}` } });
      }
    }
    rootKeys.push(keys);
  });
  const operation: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: 'query' as OperationDefinitionNode['operation'],
    variableDefinitions,
    selectionSet: { kind: Kind.SELECTION_SET, selections },
  };
  return { query: print({ kind: Kind.DOCUMENT, definitions: [operation, ...definitions] }), rootKeys };
}

/**
 * Several queries to one subgraph, made into one: the query planner sends a subgraph one fetch per path where its
 * entities appear (`_entities` for Grid at one path, again for Grid or Resident at another), and all of a parallel
 * step leave at once. Sent as one operation, they cost the subgraph one HTTP request, one parse and one execution,
 * and its DataLoaders batch across them. Fetch i keeps its meaning by renaming: its root fields get the alias
 * `c<i>_<key>`, its variables `$<name>__c<i>`, its fragments `<name>__c<i>`. `split` turns the merged answer back
 * into each fetch's own, errors included (by the alias at the head of their path).
 */
export function mergeFetches(fetches: readonly SubgraphFetch[]): { query: string; variables: Record<string, unknown>; split(answer: SubgraphAnswer): SubgraphAnswer[] } {
  const { query, rootKeys } = mergedText(fetches);
  const variables: Record<string, unknown> = {};
  fetches.forEach((fetch, i) => {
    if (fetch.variables) for (const name of Object.keys(fetch.variables)) variables[`${name}__c${i}`] = fetch.variables[name];
  });
  return {
    query,
    variables,
    split(answer) {
      return rootKeys.map((keys, i) => {
        const prefix = prefixOf(i);
        const errors = (answer.errors ?? []).flatMap((error) => {
          const head = error.path?.[0];
          // An error without a path (the whole request failed) belongs to every fetch.
          if (typeof head !== 'string') return [error];
          if (!head.startsWith(prefix)) return [];
          return [{ ...error, path: [head.slice(prefix.length), ...error.path!.slice(1)] }];
        });
        const data = answer.data ? Object.fromEntries(keys.map((key) => [key, answer.data![`${prefix}${key}`] ?? null])) : (answer.data ?? undefined);
        return { ...(data !== undefined ? { data } : {}), ...(errors.length > 0 ? { errors } : {}) };
      });
    },
  };
}
