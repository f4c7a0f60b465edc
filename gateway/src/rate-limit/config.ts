import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { RoleRegistry } from '@hub/core';

/**
 * A token bucket of cost units: it holds at most `burst`, and refills at `perMinute` units a minute. An operation is
 * charged the cost the limits measure (`estimateCost`, at least 1); an unauthenticated request, 1.
 */
export interface Budget {
  perMinute: number;
  burst: number;
}

/**
 * What the gateway lets each caller spend. State is per gateway replica (see docs/security.md#rate-limits): with N
 * replicas behind a balancer a caller may spend up to N times these figures.
 */
export interface RateLimits {
  /** `false`: nothing is limited (benchmarks, or a deployment that limits in front of the gateway). */
  enabled: boolean;
  /** By role name; a role not listed gets `otherRoles`. */
  roles: Record<string, Budget>;
  otherRoles: Budget;
  /** Requests without a valid token, per client address (an IPv6 address by its /64); 1 unit per request. */
  unauthenticated: Budget;
  /** The proxies whose `X-Forwarded-For` is believed (addresses or CIDR ranges); the socket's address otherwise. */
  trustedProxies: string[];
  /** Buckets kept at most, per kind (callers, addresses); those unused for longest are dropped first. */
  maxEntries: number;
  /** Milliseconds on a monotonic clock; tests drive it. */
  clock: () => number;
  /** At most one audit record per refused key in this many ms (the first refusal of a run is always recorded). */
  auditEveryMs: number;
}

/**
 * Defaults a district would start from. A grid worker's app shows pages of 20-100 residents (cost 40-200) a few
 * times a minute: 30,000 a minute is ample for people and stops a script. Analysts and administrators run ad-hoc
 * aggregates and dataset exports (charged by their size); the other desk roles sit between. Unauthenticated
 * requests get nothing from the hub but a refusal: 120 a minute per address (bursts of 60) covers the retries of a
 * misconfigured client and an office behind one address, and cuts a flood to two a second.
 */
export const DEFAULT_ROLE_BUDGETS: Readonly<Record<string, Budget>> = Object.freeze({
  'grid-worker': { perMinute: 30_000, burst: 30_000 },
  'district-analyst': { perMinute: 600_000, burst: 200_000 },
  administrator: { perMinute: 600_000, burst: 200_000 },
});
export const DEFAULT_OTHER_ROLES: Readonly<Budget> = Object.freeze({ perMinute: 60_000, burst: 60_000 });
export const DEFAULT_UNAUTHENTICATED: Readonly<Budget> = Object.freeze({ perMinute: 120, burst: 60 });

export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = Object.freeze({
  enabled: true,
  roles: DEFAULT_ROLE_BUDGETS,
  otherRoles: DEFAULT_OTHER_ROLES,
  unauthenticated: DEFAULT_UNAUTHENTICATED,
  trustedProxies: [],
  maxEntries: 100_000,
  clock: () => performance.now(),
  auditEveryMs: 60_000,
});

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const positive = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;

function budgetOf(value: unknown, where: string, problems: string[]): Budget | undefined {
  if (!isObject(value)) {
    problems.push(`${where}: expected { "perMinute": <units>, "burst": <units> }`);
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(value)) if (key !== 'perMinute' && key !== 'burst') problems.push(`${where}: unknown field "${key}"`);
  if (!positive(value.perMinute)) problems.push(`${where}: perMinute must be a whole number of at least 1`);
  if (!positive(value.burst)) problems.push(`${where}: burst must be a whole number of at least 1`);
  return problems.length === before ? { perMinute: value.perMinute as number, burst: value.burst as number } : undefined;
}

/**
 * A rate-limits document, `{ "roles": { "<role>": { perMinute, burst } }, "otherRoles": {…}, "unauthenticated": {…} }`,
 * each part optional, over the defaults. Role names must be configured roles: a typo must not leave a role on the
 * default budget unnoticed. Every problem is named in one error.
 */
export function parseRateLimits(json: unknown, roles: RoleRegistry, source: string): Pick<RateLimits, 'roles' | 'otherRoles' | 'unauthenticated'> {
  const problems: string[] = [];
  const result = { roles: { ...DEFAULT_ROLE_BUDGETS }, otherRoles: DEFAULT_OTHER_ROLES, unauthenticated: DEFAULT_UNAUTHENTICATED };
  if (!isObject(json)) throw new Error(`${source}: expected a JSON object { "roles": { "<role>": { "perMinute", "burst" } }, "otherRoles", "unauthenticated" }`);
  for (const key of Object.keys(json)) if (!['roles', 'otherRoles', 'unauthenticated'].includes(key)) problems.push(`unknown field "${key}"`);
  if (json.roles !== undefined) {
    if (!isObject(json.roles)) problems.push('roles must be an object of role name → { perMinute, burst }');
    else
      for (const [name, value] of Object.entries(json.roles)) {
        if (!Object.hasOwn(roles, name)) problems.push(`roles: "${name}" is not a configured role (${Object.keys(roles).join(', ')})`);
        const budget = budgetOf(value, `roles.${name}`, problems);
        if (budget) result.roles[name] = budget;
      }
  }
  if (json.otherRoles !== undefined) result.otherRoles = budgetOf(json.otherRoles, 'otherRoles', problems) ?? result.otherRoles;
  if (json.unauthenticated !== undefined) result.unauthenticated = budgetOf(json.unauthenticated, 'unauthenticated', problems) ?? result.unauthenticated;
  if (problems.length > 0) throw new Error(`${source}:\n  ${problems.join('\n  ')}`);
  return result;
}

/** `HUB_TRUSTED_PROXIES`: addresses and CIDR ranges, comma-separated. */
export function parseTrustedProxies(value: string | undefined): string[] {
  const entries = (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.filter((entry) => {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    if (family === 0 || extra !== undefined) return true;
    if (bits === undefined) return false;
    const n = Number(bits);
    return !/^\d+$/.test(bits) || n > (family === 4 ? 32 : 128);
  });
  if (bad.length > 0) throw new Error(`HUB_TRUSTED_PROXIES: not an IP address or CIDR range: ${bad.join(', ')}`);
  return entries;
}

/** An address as its bytes (4 or 16), or undefined when it is not one. */
export function addressBytes(address: string): Uint8Array | undefined {
  const family = isIP(address);
  if (family === 4) return Uint8Array.from(address.split('.').map(Number));
  if (family !== 6) return undefined;
  let text = address.split('%')[0]!;
  const bytes = new Uint8Array(16);
  // A dotted IPv4 tail (`::ffff:10.0.0.1`) is its last two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (dotted) {
    tail = dotted[1]!.split('.').map(Number);
    text = text.slice(0, -dotted[1]!.length) + '0:0';
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  groups.forEach((group, i) => {
    const value = Number.parseInt(group, 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  if (tail.length === 4) bytes.set(tail, 12);
  return bytes;
}

/** Whether an address is one of a set of addresses and ranges. */
export interface AddressMatcher {
  readonly empty: boolean;
  has(address: string): boolean;
}

/**
 * The trusted proxies as a matcher, byte prefixes compared directly: node's BlockList took 30 µs a check, on every
 * request. An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) matches as the IPv4 address it is.
 */
export function proxyList(entries: readonly string[]): AddressMatcher {
  const ranges = entries.map((entry) => {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const bytes = addressBytes(address)!;
    return { bytes, bits: bits === undefined ? bytes.length * 8 : Number(bits) };
  });
  return {
    empty: ranges.length === 0,
    has(address) {
      if (ranges.length === 0) return false;
      let bytes = addressBytes(address);
      if (!bytes) return false;
      if (bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) bytes = bytes.subarray(12);
      return ranges.some((range) => range.bytes.length === bytes.length && prefixMatches(range.bytes, bytes, range.bits));
    },
  };
}

function prefixMatches(range: Uint8Array, address: Uint8Array, bits: number): boolean {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (range[i] !== address[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (range[whole]! & mask) === (address[whole]! & mask);
}

/**
 * The rate limits from the environment: `HUB_RATE_LIMITS` (`on`, the default, or `off`), `HUB_RATE_LIMITS_FILE` (the
 * budgets, see `parseRateLimits`) and `HUB_TRUSTED_PROXIES`. Every problem is thrown here, when the gateway starts.
 */
export function rateLimitsFromEnv(roles: RoleRegistry, env: NodeJS.ProcessEnv = process.env): RateLimits {
  const mode = (env.HUB_RATE_LIMITS ?? 'on').trim() || 'on';
  if (mode !== 'on' && mode !== 'off') throw new Error(`HUB_RATE_LIMITS must be on or off, got "${env.HUB_RATE_LIMITS}"`);
  let budgets: Pick<RateLimits, 'roles' | 'otherRoles' | 'unauthenticated'> = { roles: { ...DEFAULT_ROLE_BUDGETS }, otherRoles: DEFAULT_OTHER_ROLES, unauthenticated: DEFAULT_UNAUTHENTICATED };
  const file = env.HUB_RATE_LIMITS_FILE;
  if (file) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`HUB_RATE_LIMITS_FILE ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    budgets = parseRateLimits(json, roles, `HUB_RATE_LIMITS_FILE ${file}`);
  }
  return { ...DEFAULT_RATE_LIMITS, ...budgets, enabled: mode === 'on', trustedProxies: parseTrustedProxies(env.HUB_TRUSTED_PROXIES) };
}
