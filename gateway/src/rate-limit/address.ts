import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { AddressMatcher } from './config.ts';

const MAX_HOPS = 20;

/** `::ffff:10.0.0.1` is the IPv4 address 10.0.0.1 on a dual-stack socket. */
function plain(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}


/**
 * The address a request comes from: the socket's peer, unless that peer is a trusted proxy; then `X-Forwarded-For`
 * read from the right (each proxy appends the address it received the request from), skipping trusted proxies, up to
 * the first address no trusted proxy vouches for. Entries to the left of it are the client's to write and are never
 * read; a malformed entry stops the walk at the last proxy that was trusted.
 */
export function clientAddress(req: IncomingMessage, proxies: AddressMatcher): string {
  let address = plain(req.socket.remoteAddress ?? 'unknown');
  if (!proxies.has(address)) return address;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((h) => plain(h.trim()));
  for (let i = hops.length - 1, seen = 0; i >= 0 && seen < MAX_HOPS; i--, seen++) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) break;
    address = hop;
    if (!proxies.has(hop)) break;
  }
  return address;
}

/**
 * The key an address is limited under: an IPv4 address itself, an IPv6 address by its /64 (one subscriber's
 * prefix: a host picks any of its 2^64 addresses at will, so a per-address bucket would be no limit at all).
 */
export function addressKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head, tail] = address.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
