import type { GraphQLError } from 'graphql';
import { LimitCode, limitError } from '@hub/core';

// The codes and the refusal are @hub/core's, shared with the subgraphs' own limits.
export { LimitCode, limitError } from '@hub/core';

export function timeoutError(timeoutMs: number, elapsedMs: number): GraphQLError {
  return limitError(
    LimitCode.REQUEST_TIMEOUT,
    `The request took longer than ${timeoutMs} ms and was stopped`,
    'HUB_REQUEST_TIMEOUT_MS',
    timeoutMs,
    Math.round(elapsedMs),
    504,
  );
}
