import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';

/**
 * Idempotency of the hub's mutations: a client sends a key of its own with each change and the same key to retry it;
 * the department answers a retry with what the first attempt did, and refuses the key with a different input. Where
 * the department keeps the keys is its own (mediation a table of keys, housing the event each change wrote).
 */
export const IdempotencyCode = {
  INVALID_IDEMPOTENCY_KEY: 'INVALID_IDEMPOTENCY_KEY',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
} as const;

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,100}$/;

export function checkIdempotencyKey(key: string): string {
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new GraphQLError('idempotencyKey must be 8 to 100 characters of letters, digits, ".", "_", ":" or "-" (a UUID will do)', {
      extensions: { code: IdempotencyCode.INVALID_IDEMPOTENCY_KEY, argumentName: 'idempotencyKey' },
    });
  }
  return key;
}

/** Canonical JSON (keys sorted, nulls dropped) of a change's input without its key: what "the same input" means for a retry. */
export function requestHash(action: string, input: object): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .filter(([k, v]) => k !== 'idempotencyKey' && v !== undefined && v !== null)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => [k, canonical(v)]),
      );
    }
    return value;
  };
  return createHash('sha256').update(JSON.stringify([action, canonical(input)])).digest('hex');
}

/** The refusal of a key used before with a different input. */
export const idempotencyKeyReused = (extensions: Record<string, unknown> = {}) =>
  new GraphQLError('this idempotency key was already used with a different input; use a new key for a new change', {
    extensions: { code: IdempotencyCode.IDEMPOTENCY_KEY_REUSED, ...extensions },
  });
