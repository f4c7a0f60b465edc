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
 *
 * The text hashed is `recordHashText` (below, the definition): here it is written field by field in the keys' sorted
 * order rather than by building that object and sorting its keys for every record (the gateway hashes one per
 * request), and handed to the hash in pieces, the resident ids apart: joined into one string with the rest, a column
 * page's 200 KB was copied again before hashing. The same characters, so old and new records verify alike.
 */
export function recordHash(record: Omit<AuditRecordRow, 'hash'>): string {
  return hashRecord(record, canonicalJson(record.residentIds));
}

/**
 * `recordHash` of a record whose resident ids are all hub ids (32 lowercase hexadecimal characters, as the writer
 * checks them): their canonical JSON is then one `join`, nothing in them being escaped.
 */
export function recordHashOfHubIds(record: Omit<AuditRecordRow, 'hash'>, quotedIds?: Uint8Array): string {
  return hashRecord(record, record.residentIds.length === 0 ? '[]' : null, quotedIds);
}

/**
 * `quotedIds`, when given, are the record's ids as the bytes of `"id1","id2",…` (the writer's, which it sends as the
 * insert's parameter too): their JSON is those bytes inside brackets. A `join` of 5,000 ids cost ~3 ms a record,
 * writing them into one buffer a tenth of that.
 */
function hashRecord(record: Omit<AuditRecordRow, 'hash'>, residentIdsJson: string | null, quotedIds?: Uint8Array): string {
  const hash = createHash('sha256');
  hash.update(
    `{"categories":${canonicalJson(record.categories)},"department":${canonicalJson(record.department)},${
      record.details != null ? `"details":${canonicalJson(record.details)},` : ''
    }"errorCodes":${canonicalJson(record.errorCodes)},"eventType":${canonicalJson(record.eventType)},"id":${canonicalJson(record.id)},"occurredAt":${JSON.stringify(
      record.occurredAt.toISOString(),
    )},"operationHash":${canonicalJson(record.operationHash)},"operationName":${canonicalJson(record.operationName)},"outcome":${canonicalJson(
      record.outcome,
    )},"previousHash":${canonicalJson(record.previousHash)},"purpose":${canonicalJson(record.purpose)},"residentIds":`,
    'utf8',
  );
  if (residentIdsJson !== null) hash.update(residentIdsJson, 'utf8');
  else if (quotedIds !== undefined) hash.update('[', 'latin1').update(quotedIds).update(']', 'latin1');
  else hash.update('["', 'latin1').update(record.residentIds.join('","'), 'latin1').update('"]', 'latin1');
  hash.update(`,"role":${canonicalJson(record.role)},"seq":${canonicalJson(record.seq)},"userId":${canonicalJson(record.userId)},"variables":${canonicalJson(record.variables)}}`, 'utf8');
  return hash.digest('hex');
}

/** What `recordHash` hashes, by its definition: the canonical JSON of an object of the record's fields. */
export function recordHashText(record: Omit<AuditRecordRow, 'hash'>): string {
  return canonicalJson({
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
  });
}
