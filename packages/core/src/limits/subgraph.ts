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
