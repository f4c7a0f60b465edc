import type { Caller } from '@hub/core';

/** What every operation through the gateway runs with: the caller its bearer token and declared purpose make. */
export interface GatewayContext {
  caller: Caller;
  /** Set when the operation is a page of a dataset export: a document of the repository's, not the client's. */
  dataset?: string;
}
