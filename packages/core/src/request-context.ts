import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header a request id travels in: from a client to the gateway, from the gateway to every subgraph. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** What is known of the request being served, wherever its work runs (resolvers, fetches, log lines). */
export interface RequestScope {
  requestId: string;
}

const scope = new AsyncLocalStorage<RequestScope>();

/** Ids we take from a caller: short, and nothing a log line could be forged with. */
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when it is a plain token of at most 128 characters, else a fresh UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const header = req.headers[REQUEST_ID_HEADER];
  const given = Array.isArray(header) ? header[0] : header;
  return given && ACCEPTED_ID.test(given) ? given : randomUUID();
}

export function runInRequestScope<T>(requestScope: RequestScope, work: () => T): T {
  return scope.run(requestScope, work);
}

/** The id of the request whose work is running now; undefined outside one (start-up, shutdown). */
export function currentRequestId(): string | undefined {
  return scope.getStore()?.requestId;
}
