import { readEnv } from './env.ts';

/** The bounds of the subscription server (docs/configuration.md). */
export interface SubscriptionLimits {
  /** Open subscriptions one caller (token subject) may hold at once. */
  perCaller: number;
  /** Open subscriptions one gateway replica serves at once. */
  perGateway: number;
  /** Bytes a client may leave unread before it is dropped with SUBSCRIBER_TOO_SLOW (resumable). */
  maxBufferedBytes: number;
  /**
   * How often an open subscription's credentials are checked again (milliseconds): a role taken away, a key
   * withdrawn (seen once the verifier's reuse of a verified token runs out) ends the stream with the refusal's code.
   */
  recheckMs: number;
  /**
   * Whether a wake-up wakes only the groups its event's route can reach (`reach.ts`); off, every group reads on every
   * event, as before routes: a switch to rule routes out if a subscriber ever misses an event, and the baseline
   * `bench/subscriptions.ts --compare` measures routes against.
   */
  routedWakeups: boolean;
  /**
   * Whether a wake-up that comes while its group's read is under way starts the next read at once (one read ahead
   * per group, applied in order after the one under way) instead of waiting for it: events stop queuing behind a
   * slow read, for at most one more read in flight per group. Off, the group reads again once its read is done.
   */
  readAhead: boolean;
}

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = { perCaller: 20, perGateway: 10_000, maxBufferedBytes: 1024 * 1024, recheckMs: 60_000, routedWakeups: true, readAhead: true };

/**
 * HUB_SUBSCRIPTIONS_PER_CALLER, HUB_SUBSCRIPTIONS_PER_GATEWAY, HUB_SUBSCRIPTION_BUFFER_BYTES and
 * HUB_SUBSCRIPTION_RECHECK_SECONDS, each a positive integer; HUB_SUBSCRIPTION_ROUTES and HUB_SUBSCRIPTION_READ_AHEAD,
 * `on` (the default) or `off`.
 */
export function subscriptionLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): SubscriptionLimits {
  return {
    perCaller: readEnv('HUB_SUBSCRIPTIONS_PER_CALLER', env.HUB_SUBSCRIPTIONS_PER_CALLER, DEFAULT_SUBSCRIPTION_LIMITS.perCaller),
    perGateway: readEnv('HUB_SUBSCRIPTIONS_PER_GATEWAY', env.HUB_SUBSCRIPTIONS_PER_GATEWAY, DEFAULT_SUBSCRIPTION_LIMITS.perGateway),
    maxBufferedBytes: readEnv('HUB_SUBSCRIPTION_BUFFER_BYTES', env.HUB_SUBSCRIPTION_BUFFER_BYTES, DEFAULT_SUBSCRIPTION_LIMITS.maxBufferedBytes),
    routedWakeups: env.HUB_SUBSCRIPTION_ROUTES !== 'off',
    readAhead: env.HUB_SUBSCRIPTION_READ_AHEAD !== 'off',
    recheckMs: 1000 * readEnv('HUB_SUBSCRIPTION_RECHECK_SECONDS', env.HUB_SUBSCRIPTION_RECHECK_SECONDS, DEFAULT_SUBSCRIPTION_LIMITS.recheckMs / 1000),
  };
}
