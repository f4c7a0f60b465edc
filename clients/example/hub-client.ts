import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Kind, print, type DefinitionNode, type DocumentNode, type FragmentDefinitionNode } from 'graphql';

/**
 * A small client of the hub for a departmental app: `fetch` and a typed document from the client kit
 * (`clients/__generated__/operations.ts`). It sends the document's id in the trusted-documents manifest, not its
 * text, so it works where the gateway runs only trusted documents (`HUB_TRUSTED_DOCUMENTS=enforce`, the production
 * default). Runs in Node 20 and in a browser (fetch and Web Crypto only).
 */
export interface HubClientOptions {
  /** The gateway's GraphQL endpoint, e.g. `https://hub.district.example.gov.cn/graphql`. */
  url: string;
  /** The caller's bearer token (from the district's identity provider; `npm run token` in development). */
  token: string;
  /** Why the app reads what it reads (`x-hub-purpose`), one of the role's purposes; sensitive values stay masked without one. */
  purpose?: string;
  /** Send the query text as well as its id (only useful against a gateway that does not enforce trusted documents). */
  sendText?: boolean;
}

/** An error as the hub answers it: a stable `extensions.code` (FORBIDDEN, CONFLICT, …) and where it applies. */
export interface HubError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/** The answer to one operation: the data the caller may see, and an error for every part that was refused or failed. */
export interface HubResult<TData> {
  data: TData | null;
  errors: HubError[];
}

/** The request failed as a whole (not a GraphQL answer): a refused token, a refused document, the gateway unreachable. */
export class HubRequestError extends Error {
  constructor(
    readonly status: number,
    readonly errors: HubError[],
  ) {
    super(`the hub answered HTTP ${status}${errors[0] ? `: ${errors[0].extensions?.code ?? ''} ${errors[0].message}` : ''}`);
  }
}

/**
 * The manifest's text of a document: the operation, then the fragments it uses in name order, printed by graphql-js
 * (as `schema/persisted-documents.ts` builds it), so its SHA-256 is the id the gateway knows it by.
 */
export function manifestText(document: DocumentNode): string {
  const isOperation = (d: DefinitionNode) => d.kind === Kind.OPERATION_DEFINITION;
  const operations = document.definitions.filter(isOperation);
  if (operations.length !== 1) throw new Error('a client-kit document holds exactly one operation');
  const fragments = document.definitions
    .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
    .sort((a, b) => a.name.value.localeCompare(b.name.value));
  return print({ kind: Kind.DOCUMENT, definitions: [...operations, ...fragments] });
}

export async function documentId(document: DocumentNode): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(manifestText(document)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function createHubClient(options: HubClientOptions) {
  const ids = new WeakMap<DocumentNode, Promise<string>>();
  const idOf = (document: DocumentNode) => {
    let id = ids.get(document);
    if (!id) ids.set(document, (id = documentId(document)));
    return id;
  };
  return {
    /** Runs one operation of the client kit with its variables; the answer is typed by the document. */
    async request<TData, TVariables extends Record<string, unknown>>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables): Promise<HubResult<TData>> {
      const body = {
        documentId: `sha256:${await idOf(document)}`,
        variables,
        ...(options.sendText ? { query: manifestText(document) } : {}),
      };
      const response = await fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${options.token}`,
          ...(options.purpose ? { 'x-hub-purpose': options.purpose } : {}),
        },
        body: JSON.stringify(body),
      });
      const answer = (await response.json().catch(() => ({}))) as { data?: TData | null; errors?: HubError[] };
      // A GraphQL answer (200, or a partial one) has `data`; anything else refused the request as a whole.
      if (answer.data === undefined) throw new HubRequestError(response.status, answer.errors ?? []);
      return { data: answer.data, errors: answer.errors ?? [] };
    },
  };
}

export type HubClient = ReturnType<typeof createHubClient>;
