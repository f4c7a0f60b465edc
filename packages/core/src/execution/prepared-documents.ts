import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';

/** A document Apollo Server has parsed, validated, resolved and let through every plugin's checks once. */
export interface PreparedDocument {
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

/** The key of a request without `operationName`: no GraphQL name can hold a NUL, so none collides with it. */
const UNNAMED = '\u0000';

/**
 * The documents a department has run, by query text and operation name: the gateway sends the same few fetch
 * documents (its query plans') over and over, and what Apollo Server works out for each before execution (parse,
 * validate, the operation, the request guard's and the limits' verdicts) depends on the text and the name alone.
 *
 * A document is prepared only by Apollo itself: `plugin()` records it when Apollo starts executing it, that is after
 * every check passed. So a document that fails any check is never prepared and always gets Apollo's own answer.
 */
export class PreparedDocuments {
  /** By operation name, then query text: a lookup hashes the text once and allocates nothing. */
  private readonly byName = new Map<string, Map<string, PreparedDocument>>();
  private count = 0;

  /** `capacity`: distinct documents kept; beyond them a document is answered by Apollo each time (still cached there). */
  constructor(readonly capacity = 2_000) {}

  get size(): number {
    return this.count;
  }

  get(query: string, operationName: string | undefined): PreparedDocument | undefined {
    return this.byName.get(operationName ?? UNNAMED)?.get(query);
  }

  private remember(query: string, operationName: string | undefined, prepared: PreparedDocument): void {
    if (this.count >= this.capacity) return;
    const name = operationName ?? UNNAMED;
    let byQuery = this.byName.get(name);
    if (!byQuery) this.byName.set(name, (byQuery = new Map()));
    if (byQuery.has(query)) return;
    byQuery.set(query, prepared);
    this.count++;
  }

  /**
   * Records the documents Apollo executes. It must come first in the server's plugins: its `didResolveOperation` then
   * sees the document as asked, before the policy plugin swaps in a caller's filtered copy (hooks of one stage start
   * in the plugins' order, and the policy's runs without awaiting).
   */
  plugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
    return {
      requestDidStart: async ({ request }) => {
        // Only what the prepared path serves: a POSTed query text, no persisted-query extension.
        if (typeof request.query !== 'string' || request.http?.method !== 'POST' || request.extensions?.persistedQuery !== undefined) return;
        if (this.get(request.query, request.operationName)) return;
        const query = request.query;
        const operationName = request.operationName;
        let asked: PreparedDocument | undefined;
        return {
          didResolveOperation: async ({ document, operation }) => {
            if (operation) asked = { document, operation };
          },
          executionDidStart: async () => {
            if (asked) this.remember(query, operationName, asked);
          },
        };
      },
    };
  }
}
