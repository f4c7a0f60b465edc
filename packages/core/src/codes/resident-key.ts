import { createHmac } from 'node:crypto';

/**
 * The pseudonymous hub key of a resident: HMAC-SHA256 of the normalized ID number under the hub secret,
 * so that every department derives the same key from the ID numbers it holds and none has to pass raw numbers
 * across the graph (GB/T 37964 de-identification). 32 hex characters (128 bits) keep keys short yet collision-free.
 */
export function residentKey(idNumber: string, secret: string): string {
  return createHmac('sha256', secret).update(idNumber.trim().toUpperCase()).digest('hex').slice(0, 32);
}

/**
 * What the hub key of a person without a citizen ID is derived from: the document type, nationality and number, so
 * that a department holding the same passport or permit derives the same key, and no two countries' passports of the
 * same number collide. Unsettled people (未落户) are keyed by the number the police station registered them under.
 */
export function documentKey(documentType: string, nationality: string, documentNumber: string): string {
  return `${documentType}:${nationality.trim().toUpperCase()}:${documentNumber.trim().toUpperCase()}`;
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
