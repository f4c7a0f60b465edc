import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';

export interface GraphQLResponse<TData> {
  data?: TData | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** Headers that depend on the body they travel with (a subgraph's internal token is signed for one body). */
export type BodyHeaders = (body: string) => Promise<Record<string, string>>;

/** Posts an operation over HTTP, as a departmental app (or, with `callerHeaders`, the gateway) would. */
export async function postGraphQL<TData = Record<string, unknown>, TVariables = Record<string, unknown>>(
  url: string,
  query: string | DocumentNode | TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
  headers: Record<string, string> | BodyHeaders = {},
): Promise<GraphQLResponse<TData>> {
  const body = JSON.stringify({ query: typeof query === 'string' ? query : print(query), variables });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(typeof headers === 'function' ? await headers(body) : headers) },
    body,
  });
  const text = await response.text();
  try {
    return JSON.parse(text) as GraphQLResponse<TData>;
  } catch {
    throw new Error(`${url} answered ${response.status} with non-JSON: ${text.slice(0, 200)}`);
  }
}

/** The codes of a response's errors, for asserting on refusals. */
export const errorCodes = (response: GraphQLResponse<unknown>) => (response.errors ?? []).map((e) => e.extensions?.code);
