import { createHash } from 'node:crypto';
import type { AuditRecordRow, JsonValue } from './db/schema.ts';

/** The `previousHash` of the first record of the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The one advisory lock every writer takes before reading the chain's head and appending after it, so writers in
 * several gateway replicas append one after the other and never fork the chain. An arbitrary constant ("audit" in
 * ASCII), the same in every process.
 */
export const CHAIN_LOCK = 0x61756469_74;

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * JSON with object keys sorted at every depth and no whitespace: the same value always gives the same text,
 * whichever order its keys were built (or JSONB returned them) in.
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    // A list of plain values (a column page's thousands of resident ids) in one call: the same text, entry by entry.
    if (value.every((entry) => entry === null || typeof entry !== 'object')) return JSON.stringify(value);
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(',')}}`;
}

/**
 * The hash of a record: sha256 over the canonical JSON of every field but the hash itself, `previousHash` included.
 * The writer computes it before inserting and the verifier recomputes it from what the database returns, so every
 * field goes into it in the form that survives the round trip (the time as ISO 8601 in UTC with milliseconds).
 * `details` goes in only when it holds something: the records of before that column hash as they did.
 */
export function recordHash(record: Omit<AuditRecordRow, 'hash'>): string {
  return sha256(
    canonicalJson({
      seq: record.seq,
      id: record.id,
      occurredAt: record.occurredAt.toISOString(),
      userId: record.userId,
      role: record.role,
      department: record.department,
      purpose: record.purpose,
      eventType: record.eventType,
      operationName: record.operationName,
      operationHash: record.operationHash,
      variables: record.variables,
      categories: record.categories,
      residentIds: record.residentIds,
      outcome: record.outcome,
      errorCodes: record.errorCodes,
      ...(record.details != null ? { details: record.details } : {}),
      previousHash: record.previousHash,
    }),
  );
}
