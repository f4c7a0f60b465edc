import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_ROLES } from '@hub/core';
import { describe, expect, it } from 'vitest';
import { addressKey, clientAddress } from '../src/rate-limit/address.ts';
import { BoundedMap } from '../src/rate-limit/bounded-map.ts';
import { TokenBuckets } from '../src/rate-limit/buckets.ts';
import { DEFAULT_ROLE_BUDGETS, parseTrustedProxies, proxyList, rateLimitsFromEnv } from '../src/rate-limit/config.ts';

const request = (remoteAddress: string, forwardedFor?: string | string[]) =>
  ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

describe('token buckets', () => {
  it('refuse a charge the bucket cannot cover, leave it untouched, and refill with time', () => {
    let now = 0;
    const buckets = new TokenBuckets(10, () => now);
    const budget = { perMinute: 60, burst: 10 };
    expect(buckets.take('a', budget, 7)).toEqual({ ok: true, left: 3 });
    expect(buckets.take('a', budget, 5)).toEqual({ ok: false, left: 3, retryAfterSeconds: 2 });
    expect(buckets.level('a', budget)).toBe(3);
    now += 2_000;
    expect(buckets.take('a', budget, 5)).toEqual({ ok: true, left: 0 });
    now += 60_000;
    expect(buckets.level('a', budget)).toBe(10);
  });

  it('let an operation dearer than the whole bucket run on a full one only, leaving it in debt; a forced charge overdraws', () => {
    let now = 0;
    const buckets = new TokenBuckets(10, () => now);
    const budget = { perMinute: 60, burst: 10 };
    expect(buckets.take('a', budget, 25).ok).toBe(true);
    expect(buckets.level('a', budget)).toBe(-15);
    const refused = buckets.take('a', budget, 1);
    expect(refused).toEqual({ ok: false, left: -15, retryAfterSeconds: 16 });
    expect(buckets.take('a', budget, 100, true)).toEqual({ ok: true, left: -115 });
    now += 116_000;
    expect(buckets.take('a', budget, 1).ok).toBe(true);
  });

  it('hold at most maxEntries buckets, keeping those in use and forgetting those unused for longest', () => {
    const buckets = new TokenBuckets(10, () => 0);
    const budget = { perMinute: 60, burst: 10 };
    buckets.take('kept', budget, 10);
    buckets.take('forgotten', budget, 10);
    for (let i = 0; i < 1000; i++) {
      buckets.take(`flood-${i}`, budget, 1);
      if (i % 3 === 0) buckets.take('kept', budget, 0);
      expect(buckets.size).toBeLessThanOrEqual(10);
    }
    expect(buckets.level('kept', budget)).toBe(0);
    // Dropped, it is full again: what an idle bucket refills to anyway.
    expect(buckets.level('forgotten', budget)).toBe(10);
  });
});

describe('bounded maps', () => {
  it('never hold more than their bound, move an entry read from the old generation to the young one', () => {
    const map = new BoundedMap<number>(4);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3); // a and b are now the old generation
    expect(map.get('a')).toBe(1); // read: young again
    map.set('d', 4);
    map.set('e', 5); // c, a… old; b dropped
    expect(map.peek('b')).toBeUndefined();
    expect(map.peek('a')).toBe(1);
    for (let i = 0; i < 100; i++) {
      map.set(`k${i}`, i);
      expect(map.size).toBeLessThanOrEqual(4);
    }
  });
});

describe('trusted proxies', () => {
  it('match addresses and CIDR ranges of both families, an IPv4-mapped address as IPv4', () => {
    const proxies = proxyList(['10.0.0.0/8', '192.0.2.1', '172.16.0.0/12', 'fd00::/8', '2001:db8:1::/48']);
    for (const inside of ['10.255.0.1', '192.0.2.1', '172.31.255.255', '::ffff:10.1.1.1', 'fd12::1', '2001:db8:1:ffff::9']) expect(proxies.has(inside), inside).toBe(true);
    for (const outside of ['11.0.0.1', '192.0.2.2', '172.32.0.0', 'fe80::1', '2001:db8:2::1', 'not-an-address', '::ffff:11.0.0.1']) expect(proxies.has(outside), outside).toBe(false);
    expect(proxyList([]).has('10.0.0.1')).toBe(false);
  });
});

describe('client addresses', () => {
  const proxies = proxyList(parseTrustedProxies('10.0.0.0/8, 192.0.2.1, fd00::/8'));

  it('are the socket peer when it is not a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(clientAddress(request('198.51.100.7', '203.0.113.9'), proxies)).toBe('198.51.100.7');
    expect(clientAddress(request('::ffff:198.51.100.7'), proxies)).toBe('198.51.100.7');
  });

  it('are read from X-Forwarded-For from the right, past trusted proxies only', () => {
    expect(clientAddress(request('10.1.2.3', '203.0.113.9'), proxies)).toBe('203.0.113.9');
    // The client wrote the left entry itself: only the hop the trusted proxies vouch for counts.
    expect(clientAddress(request('10.1.2.3', '1.1.1.1, 203.0.113.9, 192.0.2.1'), proxies)).toBe('203.0.113.9');
    expect(clientAddress(request('10.1.2.3', ['1.1.1.1', '203.0.113.9']), proxies)).toBe('203.0.113.9');
    // A malformed hop stops the walk at the last trusted proxy.
    expect(clientAddress(request('10.1.2.3', 'garbage, 192.0.2.1'), proxies)).toBe('192.0.2.1');
    expect(clientAddress(request('10.1.2.3'), proxies)).toBe('10.1.2.3');
  });

  it('key an IPv6 address by its /64, an IPv4 address by itself', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
  });

  it('refuse a trusted proxy that is not an address or range', () => {
    expect(() => parseTrustedProxies('10.0.0.0/33')).toThrow(/HUB_TRUSTED_PROXIES.*10\.0\.0\.0\/33/);
    expect(() => parseTrustedProxies('ingress')).toThrow(/ingress/);
  });
});

describe('rate limits from the environment', () => {
  const file = (content: unknown) => {
    const path = join(mkdtempSync(join(tmpdir(), 'rate-')), 'limits.json');
    writeFileSync(path, JSON.stringify(content));
    return path;
  };

  it('default to budgets per role, on', () => {
    const limits = rateLimitsFromEnv(DEMO_ROLES, {});
    expect(limits.enabled).toBe(true);
    expect(limits.roles['grid-worker']).toEqual(DEFAULT_ROLE_BUDGETS['grid-worker']);
    expect(limits.trustedProxies).toEqual([]);
    expect(rateLimitsFromEnv(DEMO_ROLES, { HUB_RATE_LIMITS: 'off' }).enabled).toBe(false);
    expect(() => rateLimitsFromEnv(DEMO_ROLES, { HUB_RATE_LIMITS: 'maybe' })).toThrow(/HUB_RATE_LIMITS must be on or off/);
  });

  it('read the budgets of a file over the defaults', () => {
    const path = file({ roles: { mediator: { perMinute: 100, burst: 50 } }, unauthenticated: { perMinute: 10, burst: 5 } });
    const limits = rateLimitsFromEnv(DEMO_ROLES, { HUB_RATE_LIMITS_FILE: path, HUB_TRUSTED_PROXIES: '10.0.0.0/8' });
    expect(limits.roles.mediator).toEqual({ perMinute: 100, burst: 50 });
    expect(limits.roles['grid-worker']).toEqual(DEFAULT_ROLE_BUDGETS['grid-worker']);
    expect(limits.unauthenticated).toEqual({ perMinute: 10, burst: 5 });
    expect(limits.trustedProxies).toEqual(['10.0.0.0/8']);
  });

  it('name every problem of a file at once: an unknown role, a bad figure, an unknown field', () => {
    const path = file({ roles: { 'grid-wroker': { perMinute: 100, burst: 50 }, mediator: { perMinute: 0, burst: 1.5 } }, anonymous: {} });
    let message = '';
    try {
      rateLimitsFromEnv(DEMO_ROLES, { HUB_RATE_LIMITS_FILE: path });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('"grid-wroker" is not a configured role');
    expect(message).toContain('roles.mediator: perMinute must be a whole number');
    expect(message).toContain('roles.mediator: burst must be a whole number');
    expect(message).toContain('unknown field "anonymous"');
  });
});
