export { addressKey, clientAddress } from './address.ts';
export { TokenBuckets, type Charge } from './buckets.ts';
export {
  DEFAULT_OTHER_ROLES,
  DEFAULT_RATE_LIMITS,
  DEFAULT_ROLE_BUDGETS,
  DEFAULT_UNAUTHENTICATED,
  parseRateLimits,
  parseTrustedProxies,
  proxyList,
  rateLimitsFromEnv,
  type Budget,
  type RateLimits,
} from './config.ts';
export { createRateLimiter, RATE_LIMITED, type RateLimiter } from './limiter.ts';
