import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { LimitCode, limitError } from './errors.ts';
import { countAliases, measureDepth } from './measure.ts';

/**
 * What a subgraph refuses whoever sends it: a backstop behind the gateway's own limits, for a caller that reaches a
 * department directly with a valid internal token (a compromised replica, a token read from a log). Set above
 * anything the gateway's planner sends for an operation within the gateway's limits: a fetch is at most one level
 * deeper than the operation (`_entities`), and coalescing aliases each merged fetch's root fields
 * (`gateway/src/coalesce.ts`). Request bodies are capped by the HTTP service (1 MiB, 413 REQUEST_TOO_LARGE).
 */
export const SUBGRAPH_LIMITS = Object.freeze({
  /** Deepest selection, fragments inlined, introspection fields counted (the gateway's default HUB_MAX_DEPTH is 12). */
  maxDepth: 24,
  /** Aliased fields, fragments inlined as often as spread (the gateway's default HUB_MAX_ALIASES is 30). */
  maxAliases: 1000,
});
export type SubgraphLimits = { readonly maxDepth: number; readonly maxAliases: number };

/**
 * Refuses an operation deeper than `maxDepth` or with more aliases than `maxAliases`, HTTP 400 QUERY_TOO_DEEP or
 * TOO_MANY_ALIASES (the gateway's codes, `extensions.limit` naming the subgraph's limit), before it executes. The
 * measures are the gateway's, from the same module.
 */
export function createSubgraphLimitsPlugin<TContext extends BaseContext>(limits: SubgraphLimits = SUBGRAPH_LIMITS): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const depth = measureDepth(document, request.operationName, { introspection: true });
          if (depth > limits.maxDepth) {
            throw limitError(LimitCode.QUERY_TOO_DEEP, `The operation is ${depth} levels deep; this service allows at most ${limits.maxDepth}`, 'subgraph maxDepth', limits.maxDepth, depth);
          }
          const aliases = countAliases(document, request.operationName);
          if (aliases > limits.maxAliases) {
            throw limitError(LimitCode.TOO_MANY_ALIASES, `The operation uses ${aliases} aliases; this service allows at most ${limits.maxAliases}`, 'subgraph maxAliases', limits.maxAliases, aliases);
          }
        },
      };
    },
  };
}

/**
 * Refuses, from the text alone, a document nested far deeper than `limits.maxDepth` allows. graphql-js parses by
 * recursion: a selection thousands of levels deep can exhaust the stack, and whether it does depends on how far V8 has
 * optimised the parser by then (GRAPHQL_PARSE_FAILED one time, QUERY_TOO_DEEP the next). Called before Apollo sees
 * the request; anything less nested is parsed and measured exactly by the plugin above.
 */
export function textNestingRefusal(limits: SubgraphLimits = SUBGRAPH_LIMITS): (query: unknown) => TextRefusal | undefined {
  const maxNesting = limits.maxDepth * NESTING_PER_DEPTH;
  // The gateway sends the same few texts over and over: a text found within bounds once is not scanned again (a
  // lookup hashes it natively, several times cheaper than the scan of a 2 KB fetch).
  const withinBounds = new Set<string>();
  return (query) => {
    if (typeof query !== 'string' || query.length <= maxNesting || withinBounds.has(query)) return undefined;
    const nesting = braceNesting(query, maxNesting);
    if (nesting <= maxNesting) {
      if (withinBounds.size >= TEXTS_KEPT) withinBounds.delete(withinBounds.values().next().value!);
      withinBounds.add(query);
      return undefined;
    }
    return {
      code: LimitCode.QUERY_TOO_DEEP,
      message: `The operation nests more than ${maxNesting} levels of braces; this service allows a depth of at most ${limits.maxDepth}`,
      extensions: { limit: 'subgraph maxDepth', maximum: limits.maxDepth, measured: nesting },
    };
  };
}
/** A refusal made before parsing: the limit plugin's code and extensions, for an HTTP 400. */
export interface TextRefusal {
  code: LimitCode;
  message: string;
  extensions: { limit: string; maximum: number; measured: number };
}

/**
 * Braces a document may nest per level of depth it is allowed before it is parsed: inline fragments and input objects
 * nest braces without adding depth, so the text's check is looser than the parsed document's, which follows it.
 */
const NESTING_PER_DEPTH = 4;
/** Texts remembered as within bounds: far more than the gateway's distinct fetch documents; the oldest go first. */
const TEXTS_KEPT = 1_000;

/**
 * The deepest nesting of `{` in a GraphQL text outside strings and comments, counted until it passes `stopAbove`
 * (a refusal needs no more).
 */
export function braceNesting(text: string, stopAbove: number): number {
  let nesting = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */) {
      if (++nesting > deepest && (deepest = nesting) > stopAbove) return deepest;
    } else if (c === 125 /* } */) nesting--;
    else if (c === 35 /* # */) {
      while (i < text.length && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
    } else if (c === 34 /* " */) {
      if (text.startsWith('"""', i)) {
        // A block string ends at the first unescaped triple quote.
        i += 3;
        while (i < text.length && !(text.startsWith('"""', i) && text[i - 1] !== '\\')) i++;
        i += 2;
      } else {
        for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \ */) i++;
      }
    }
  }
  return deepest;
}
