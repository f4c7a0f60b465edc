import { createHmac } from 'node:crypto';

/**
 * The pseudonymous hub key of a resident: HMAC-SHA256 of the normalized ID number under the hub secret,
 * so that every department derives the same key from the ID numbers it holds and none has to pass raw numbers
 * across the graph (GB/T 37964 de-identification). 32 hex characters (128 bits) keep keys short yet collision-free.
 */
export function residentKey(idNumber: string, secret: string): string {
  return createHmac('sha256', secret).update(idNumber.trim().toUpperCase()).digest('hex').slice(0, 32);
}

export const RESIDENT_KEY = /^[0-9a-f]{32}$/;

/** `RESIDENT_KEY.test` as a loop over character codes, for checking the thousands of ids of a column page. */
export function isResidentKey(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 32) return false;
  for (let i = 0; i < 32; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
