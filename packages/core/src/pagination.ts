import { ErrorCode, inputError } from './errors.ts';

/** Pages larger than this are refused rather than silently cut, so a client never mistakes a cut page for the end. */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 20;

export interface PageRequest {
  /** Rows wanted on this page. */
  first: number;
  /** The sort key of the last row of the previous page, or null for the first page. */
  after: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * Cursors are opaque to clients: base64url of a tag naming what they page over and the sort key, so a cursor from
 * one list handed to another is refused instead of giving a wrong page.
 */
export function encodeCursor(kind: string, key: string): string {
  return Buffer.from(`${kind}:${key}`, 'utf8').toString('base64url');
}

export function decodeCursor(kind: string, cursor: string, keyPattern: RegExp): string {
  const refuse = () =>
    inputError(ErrorCode.INVALID_CURSOR, `"after" is not a cursor of this list (${kind}); pass an endCursor it returned`, {
      argumentName: 'after',
    });
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw refuse();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const prefix = `${kind}:`;
  if (!text.startsWith(prefix)) throw refuse();
  const key = text.slice(prefix.length);
  if (!keyPattern.test(key)) throw refuse();
  return key;
}

export function pageRequest(
  kind: string,
  args: { first?: number | null; after?: string | null },
  keyPattern: RegExp,
): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw inputError(ErrorCode.INVALID_PAGE_SIZE, `"first" must be between 0 and ${MAX_PAGE_SIZE}, got ${first}`, {
      argumentName: 'first',
      maximum: MAX_PAGE_SIZE,
    });
  }
  return { first, after: args.after == null ? null : decodeCursor(kind, args.after, keyPattern) };
}

/** Builds a connection from rows fetched with `first + 1` as the limit: the extra row only says a next page exists. */
export function toConnection<T>(kind: string, rows: T[], page: PageRequest, keyOf: (row: T) => string): Connection<T> {
  const hasNextPage = rows.length > page.first;
  const nodes = hasNextPage ? rows.slice(0, page.first) : rows;
  const edges = nodes.map((node) => ({ cursor: encodeCursor(kind, keyOf(node)), node }));
  return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
}

export type PageArgs = { first?: number | null; after?: string | null };

/**
 * A page and the total it is a page of, as a list field with `totalCount` answers: checks the page arguments, has
 * `load` fetch both (a page loader and a counts loader, batched across parents), and builds the connection.
 */
export async function pageWithTotal<T>(
  list: { kind: string; keyPattern: RegExp; keyOf: (row: T) => string },
  args: PageArgs,
  load: (page: PageRequest) => Promise<[T[], number]>,
): Promise<Connection<T> & { totalCount: number }> {
  const page = pageRequest(list.kind, args, list.keyPattern);
  const [rows, totalCount] = await load(page);
  return { ...toConnection(list.kind, rows, page, list.keyOf), totalCount };
}

/** The total of a parent's counts by group (`countsByParent`): of one group when a filter names it, else of all. */
export function totalOf<G extends string>(counts: { total: number; by: Partial<Record<G, number>> }, group: G | null | undefined): number {
  return group ? (counts.by[group] ?? 0) : counts.total;
}
