import type { Caller } from '@hub/core';

/** What every operation through the gateway runs with: the caller its bearer token and declared purpose make. */
export interface GatewayContext {
  caller: Caller;
  /** Set when the operation is a page of a dataset export: a document of the repository's, not the client's. */
  dataset?: string;
  /**
   * Set when the operation is a subscription's read of its feed (the subscription's operation name): a query the
   * gateway wrote from a subscription it already admitted, recorded in the trail when the subscription starts and ends.
   */
  subscription?: string;
  /**
   * Set on a subscription's reads after its first: the subscribe was charged its selection's cost to the caller's
   * rate limit by its first read; what the feed pushes later is not charged again (nor to whichever member of a group
   * a shared read runs as).
   */
  subscriptionFollow?: true;
}
