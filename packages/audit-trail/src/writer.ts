import { randomUUID } from 'node:crypto';
import { isResidentKey } from '@hub/core';
import { getTableColumns, getTableName } from 'drizzle-orm';
import pg from 'pg';
import { CHAIN_LOCK, GENESIS_HASH, recordHashOfHubIds, sha256 } from './chain.ts';
import { auditDatabase } from './db/index.ts';
import { auditEventType, auditOutcome, auditRecords, type AuditRecordRow, type JsonValue } from './db/schema.ts';
import { redactVariables, storableText } from './redact.ts';
import { auditRetentionDays } from './retention.ts';

export { redactVariables, REDACTED } from './redact.ts';
export { auditRetentionDays, MIN_RETENTION_DAYS } from './retention.ts';
export { GENESIS_HASH, canonicalJson, recordHash, recordHashText } from './chain.ts';

export type AuditEventType = AuditRecordRow['eventType'];
export type AuditOutcome = AuditRecordRow['outcome'];

/** The sensitive categories the access policy names (PIPL art. 28); the trail takes any other short name too. */
export const SENSITIVE_CATEGORIES = ['identity', 'key-person', 'health', 'minors', 'address'] as const;
export type SensitiveCategory = (typeof SENSITIVE_CATEGORIES)[number];

/**
 * One event, as the gateway knows it. The caller's fields have the names of `Caller` in @hub/core, so
 * `{ ...caller, eventType, … }` fills them; for a refused token there is no verified caller and they stay null.
 */
export interface AuditRecordInput {
  /** When the request arrived; default now. */
  occurredAt?: Date;
  userId?: string | null;
  role?: string | null;
  department?: string | null;
  purpose?: string | null;
  eventType: AuditEventType;
  operationName?: string | null;
  /** The operation's document: only its sha256 is kept. */
  document?: string | null;
  /** Instead of `document`: its sha256 or a persisted document's id (64 hex characters, `sha256:` prefix allowed). */
  operationHash?: string | null;
  /** The variables as received: redacted here (`redactVariables`) before anything is stored. */
  variables?: Record<string, unknown> | null;
  /** Sensitive categories the operation read (`SENSITIVE_CATEGORIES`). */
  categories?: readonly (SensitiveCategory | (string & {}))[];
  /** Pseudonymous ids of the residents whose records it read. */
  residentIds?: readonly string[];
  outcome: AuditOutcome;
  /** `extensions.code` of the errors answered, in order. */
  errorCodes?: readonly string[];
  /**
   * What a department's record adds (the subgraph, a refusal's reason, trace and request ids, a notice): redacted
   * like `variables`. Never a token's text.
   */
  details?: Record<string, unknown> | null;
}

/** Where a record landed in the chain. */
export interface AppendedRecord {
  seq: number;
  id: string;
  hash: string;
}

export interface AuditWriter {
  /** Appends one record; resolves once the transaction holding it has committed, rejects if it did not. */
  write(record: AuditRecordInput): Promise<AppendedRecord>;
  /** Waits for every accepted record to be committed (or refused), then closes the connections. */
  close(): Promise<void>;
}

export interface AuditWriterOptions {
  /** Most records appended in one transaction (default 200). */
  maxBatch?: number;
  /**
   * Attempts at appending a batch in one round trip after the head this writer last saw, before it takes the lock
   * across two (default 3; 0 always takes the lock first, as tests of that path do).
   */
  optimisticAttempts?: number;
  /**
   * Largest batch, in characters of its JSON, written into the one-round-trip message (default 16,384). A larger
   * one (a column page's record holds 5,000 resident ids, ~200 KB) goes as a parameter under the lock, across three
   * round trips: as a quoted literal its text is escaped character by character here and scanned again by
   * PostgreSQL's parser, which costs more than the two round trips saved. 0 sends every batch as a parameter.
   */
  inlineLimit?: number;
  /** Read for `HUB_AUDIT_RETENTION_DAYS`, which is refused below 180. */
  env?: NodeJS.ProcessEnv;
}

type PreparedRecord = Omit<AuditRecordRow, 'seq' | 'previousHash' | 'hash'>;

/** Each field of a record and its column's name in the table. */
const COLUMNS = Object.entries(getTableColumns(auditRecords)).map(([key, column]) => [key as keyof AuditRecordRow, column.name] as const);

const EVENT_TYPES = new Set<string>(auditEventType.enumValues);
const OUTCOMES = new Set<string>(auditOutcome.enumValues);
const HASH = /^(?:sha256:)?([0-9a-fA-F]{64})$/;
const SHORT_TEXT = 256;

const text = (value: string | null | undefined, max = SHORT_TEXT): string | null => (value == null ? null : storableText(value, max));
const distinct = (values: readonly string[] | undefined, max: number) => [...new Set((values ?? []).map((v) => storableText(v, max)))];

/** Resident ids once each, in order; anything but a hub id is a programming error (the column holds uuids). */
function hubIds(ids: readonly string[] | undefined): string[] {
  if (!ids || ids.length === 0) return [];
  // Already checked, in order and once each (the gateway's `distinctHubIds`), or in order anyway: not sorted again.
  if (distinctLists.has(ids) || ascendingHubIds(ids)) return ids.slice();
  const distinct = sortedHubIds(ids);
  if (distinct === null) throw notHubIds();
  return distinct;
}

/** Lists `distinctHubIds` made: checked hub ids, sorted, once each. */
const distinctLists = new WeakSet<readonly string[]>();

/** True when every entry is a hub id and each is greater than the one before (in order, no repeats). */
function ascendingHubIds(ids: readonly string[]): boolean {
  let previous = '';
  for (const id of ids) {
    if (!isResidentKey(id) || !(id > previous)) return false;
    previous = id;
  }
  return true;
}

/**
 * The hub ids of a list once each, in the order the trail stores them (sorted), or null when an entry is not a hub
 * id. For the gateway's reading of an answer: a column page's 5,000 ids into a `Set`, to drop repeats, cost more
 * than this sort, which the writer then neither repeats nor checks again (the list is known to it; keep it as it is).
 */
export function distinctHubIds(ids: readonly unknown[]): string[] | null {
  const distinct = ids.length === 0 ? [] : sortedHubIds(ids);
  if (distinct !== null) distinctLists.add(distinct);
  return distinct;
}

/** Hub ids sorted, repeats dropped beside each other; null when an entry is not a hub id. */
function sortedHubIds(ids: readonly unknown[]): string[] | null {
  // A column page's record names up to 5,000 residents, and a set of them cost more than the sort itself.
  const sorted = ids.length < 256 || ids.length > MAX_KEYED_SORT ? checkedSort(ids) : sortHubIds(ids);
  if (sorted === null) return null;
  const distinctIds: string[] = [];
  let previous: string | undefined;
  for (const id of sorted) {
    if (id === previous) continue;
    distinctIds.push(id);
    previous = id;
  }
  return distinctIds;
}

const notHubIds = () => new TypeError('residentIds must be hub resident ids (32 lowercase hexadecimal characters)');
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function checkedSort(ids: readonly unknown[]): string[] | null {
  for (const id of ids) if (!isResidentKey(id)) return null;
  return (ids as string[]).slice().sort(byCodeUnits);
}

/** Ids a keyed sort takes: an id's place in the list goes into the key's low 21 bits, under its first 32 bits. */
const MAX_KEYED_SORT = 1 << 21;
const PLACE = 2 ** 21;

/**
 * Checks a long list of hub ids (null when one is not) and returns them in the order `Array.prototype.sort` puts
 * them (UTF-16 code units, which for lowercase hexadecimal is the digits' order). Each id's first eight digits are
 * read as a number while its characters are checked, and that number times 2^21 plus the id's place is one exact
 * double: a `Float64Array` of them sorts natively, without a comparison call or a string compare per step, and
 * without the 4,096 small arrays the buckets of before made per page. Ids whose first eight digits are the same (a
 * few pairs in a page of 5,000 random ids, or a repeated id) are then sorted by their whole text.
 */
function sortHubIds(ids: readonly unknown[]): string[] | null {
  const count = ids.length;
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const id = ids[i];
    if (typeof id !== 'string' || id.length !== 32) return null;
    let prefix = 0;
    for (let j = 0; j < 32; j++) {
      const c = id.charCodeAt(j);
      const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (digit < 0) return null;
      if (j < 8) prefix = prefix * 16 + digit;
    }
    keys[i] = prefix * PLACE + i;
  }
  keys.sort();
  const sorted: string[] = new Array(count);
  let previousPrefix = -1;
  let runStart = 0;
  for (let k = 0; k < count; k++) {
    const key = keys[k]!;
    const prefix = Math.floor(key / PLACE);
    sorted[k] = ids[key - prefix * PLACE] as string;
    if (prefix !== previousPrefix) {
      if (k - runStart > 1) sortRun(sorted, runStart, k);
      previousPrefix = prefix;
      runStart = k;
    }
  }
  if (count - runStart > 1) sortRun(sorted, runStart, count);
  return sorted;
}

/** Sorts `list[from..to)` in place by code units (ids that share their first eight digits). */
function sortRun(list: string[], from: number, to: number): void {
  const run = list.slice(from, to).sort(byCodeUnits);
  for (let i = 0; i < run.length; i++) list[from + i] = run[i]!;
}

/** Checks and redacts one input; throws on what only a programming error gives (an unknown event type or outcome). */
export function prepareRecord(input: AuditRecordInput): PreparedRecord {
  if (!EVENT_TYPES.has(input.eventType)) throw new TypeError(`unknown audit event type ${String(input.eventType)}`);
  if (!OUTCOMES.has(input.outcome)) throw new TypeError(`unknown audit outcome ${String(input.outcome)}`);
  const occurredAt = input.occurredAt ?? new Date();
  if (!(occurredAt instanceof Date) || Number.isNaN(occurredAt.getTime())) throw new TypeError('occurredAt is not a time');
  let operationHash: string | null = null;
  if (input.operationHash != null) {
    const match = HASH.exec(input.operationHash);
    if (!match) throw new TypeError('operationHash must be 64 hexadecimal characters (a sha256)');
    operationHash = match[1]!.toLowerCase();
  } else if (input.document != null) {
    operationHash = sha256(input.document);
  }
  let variables: JsonValue = null;
  if (input.variables != null) {
    const redacted = redactVariables(input.variables);
    // Kept as an object: JSONB hands a top-level string back in a form drizzle would re-parse.
    variables = redacted !== null && typeof redacted === 'object' && !Array.isArray(redacted) ? redacted : { value: redacted };
  }
  return {
    id: randomUUID(),
    occurredAt: new Date(occurredAt.getTime()),
    userId: text(input.userId),
    role: text(input.role),
    department: text(input.department),
    purpose: text(input.purpose),
    eventType: input.eventType,
    operationName: text(input.operationName),
    operationHash,
    variables,
    categories: distinct(input.categories, 64).sort(),
    residentIds: hubIds(input.residentIds),
    outcome: input.outcome,
    errorCodes: distinct(input.errorCodes, 64),
    details: input.details == null ? null : (redactVariables(input.details) as JsonValue),
  };
}

/** The last record of the chain: `seq` 0 and the genesis hash when it is empty. */
interface ChainHead {
  seq: number;
  hash: string;
}

/** Attempts at the one-round-trip append before a batch waits for the lock across two. */
const OPTIMISTIC_ATTEMPTS = 3;
const lockStatement = `select pg_advisory_xact_lock(${CHAIN_LOCK}::bigint)`;
const TABLE = getTableName(auditRecords);
const HEAD_STATEMENT = `select seq::text as head_seq, hash from ${TABLE} order by seq desc limit 1`;

/** Records with more ids than this have them written into bytes (`quotedIds`) for the hash. */
const QUOTED_IDS_FROM = 64;

/** A record's ids (its `residentIds` list) as the bytes of `"id1","id2",…`, made once per list. */
const quotedIdBytes = new WeakMap<readonly string[], Buffer>();

/**
 * The bytes of `"id1","id2",…` for checked hub ids: inside brackets their JSON, which the record's hash takes.
 * Written id by id into one buffer: a `join` of a column page's 5,000 ids took ~3 ms under load, this a tenth.
 */
function quotedIds(ids: readonly string[]): Buffer {
  let bytes = quotedIdBytes.get(ids);
  if (bytes === undefined) {
    bytes = Buffer.allocUnsafe(ids.length * 35 - 1);
    let at = 0;
    for (const id of ids) {
      if (at > 0) bytes[at++] = 44; // ,
      bytes[at++] = 34; // "
      at += bytes.write(id, at, 'latin1');
      bytes[at++] = 34;
    }
    quotedIdBytes.set(ids, bytes);
  }
  return bytes;
}

/** Links and hashes records after `head`, in order. */
function link(records: PreparedRecord[], head: ChainHead): AuditRecordRow[] {
  let seq = head.seq;
  let previousHash = head.hash;
  return records.map((record) => {
    const linked = { ...record, seq: ++seq, previousHash };
    // Every id went through `hubIds` (checked as a hub id), so the list's JSON is the ids quoted, one after another.
    previousHash = recordHashOfHubIds(linked, linked.residentIds.length > QUOTED_IDS_FROM ? quotedIds(linked.residentIds) : undefined);
    return { ...linked, hash: previousHash };
  });
}

const headOfRows = (rows: AuditRecordRow[]): ChainHead => ({ seq: rows[rows.length - 1]!.seq, hash: rows[rows.length - 1]!.hash });

function headOf(result: pg.QueryResult): ChainHead {
  const row = result.rows[0] as { head_seq: string; hash: string } | undefined;
  return row ? { seq: Number(row.head_seq), hash: row.hash } : { seq: 0, hash: GENESIS_HASH };
}

async function readHead(client: pg.PoolClient): Promise<ChainHead> {
  return headOf(await client.query(HEAD_STATEMENT));
}

/**
 * The batch as one JSON text that PostgreSQL turns into rows itself (drizzle sent each value of each row as a
 * parameter, and a column page's record holds 5,000 resident ids).
 */
function batchJson(rows: AuditRecordRow[]): string {
  return JSON.stringify(rows.map((row) => Object.fromEntries(COLUMNS.map(([key, name]) => [name, row[key]]))));
}

/**
 * A batch too large to write into the message (a column page's record): its records' JSON with their resident ids
 * left out, and the ids of all its records as one `uuid[]` in PostgreSQL's binary form (`ids`), each record's its
 * slice `lows[i]..highs[i]` of it. Written into the JSON they cost the writer a `JSON.stringify` of 200 KB per page and
 * a copy of it; as the array's text, PostgreSQL's `uuid_in` read 32 characters an id, 4.2-4.5 ms of backend CPU
 * for 5,000 ids against 0.3-0.5 ms for the binary form, whose 16 bytes an id are taken as they are.
 */
interface LargeBatch {
  json: string;
  ids: Buffer;
  lows: string;
  highs: string;
}

/** The type of a `uuid[]`'s elements in its binary form (`pg_type`'s oid of uuid). */
const UUID_OID = 2950;

/** Checked hub ids (32 hexadecimal characters, 128 bits each) as a one-dimensional `uuid[]` in binary form. */
function binaryUuids(lists: readonly (readonly string[])[], count: number): Buffer {
  if (count === 0) {
    const empty = Buffer.alloc(12);
    empty.writeInt32BE(UUID_OID, 8);
    return empty;
  }
  const bytes = Buffer.allocUnsafe(20 + 20 * count);
  bytes.writeInt32BE(1, 0); // dimensions
  bytes.writeInt32BE(0, 4); // no nulls
  bytes.writeInt32BE(UUID_OID, 8);
  bytes.writeInt32BE(count, 12);
  bytes.writeInt32BE(1, 16); // lower bound
  let at = 20;
  for (const ids of lists) {
    for (const id of ids) {
      bytes.writeInt32BE(16, at);
      bytes.write(id, at + 4, 'hex');
      at += 20;
    }
  }
  return bytes;
}

function largeBatch(rows: AuditRecordRow[]): LargeBatch {
  const json = JSON.stringify(rows.map((row) => Object.fromEntries(COLUMNS.map(([key, name]) => [name, key === 'residentIds' ? [] : row[key]]))));
  const lows: number[] = [];
  const highs: number[] = [];
  let count = 0;
  for (const row of rows) {
    lows.push(count + 1);
    count += row.residentIds.length;
    highs.push(count);
  }
  return { json, ids: binaryUuids(rows.map((row) => row.residentIds), count), lows: `{${lows.join(',')}}`, highs: `{${highs.join(',')}}` };
}

/**
 * The batch's JSON for the one-round-trip message, or null when it is longer than `limit` characters. The resident
 * ids alone tell a column page's record is: each is 35 characters of that JSON (32, two quotes and a comma).
 */
function inlineJson(rows: AuditRecordRow[], limit: number): string | null {
  let ids = 0;
  for (const row of rows) ids += row.residentIds.length;
  if (ids * 35 > limit) return null;
  const json = batchJson(rows);
  return json.length > limit ? null : json;
}

const insertFrom = (json: string) => `insert into ${TABLE} overriding system value select * from jsonb_populate_recordset(null::${TABLE}, ${json}::jsonb)`;

/**
 * The insert with the batch written in as a literal, since a simple-query message, the one that carries several
 * statements in one round trip, takes no parameters.
 */
const insertStatement = (json: string) => insertFrom(literal(json));

const DOLLAR_TAG = '$audit_batch$';

/**
 * `text` as an SQL literal: dollar-quoted, which needs nothing escaped, unless the text holds the tag (a caller's
 * variable could) or the tag but its last `$` (which would end with the closing tag's first character), then quoted
 * and escaped by the pg driver's `escapeLiteral`. That one copies the text character by character, a
 * record's ~600 with every request.
 */
function literal(text: string): string {
  return text.includes(DOLLAR_TAG.slice(0, -1)) ? pg.escapeLiteral(text) : `${DOLLAR_TAG}${text}${DOLLAR_TAG}`;
}

/**
 * The insert of a `LargeBatch`, an extended-query message of its own: the records from `$1`, each one's resident ids
 * its slice of `$2` (a record without ids has an empty slice, `[n+1:n]`).
 */
const INSERT_LARGE = `insert into ${TABLE} (${COLUMNS.map(([, name]) => `"${name}"`).join(', ')}) overriding system value select ${COLUMNS.map(([key, name]) =>
  key === 'residentIds' ? `(ids.list)[b.low:b.high]` : `r."${name}"`,
).join(', ')} from jsonb_populate_recordset(null::${TABLE}, $1::jsonb) with ordinality as r join unnest($3::int4[], $4::int4[]) with ordinality as b(low, high, n) on b.n = r.ordinality cross join (select $2::uuid[] as list) ids`;

/** Default `inlineLimit`: a few dozen ordinary records (~600 characters each) still go in one round trip. */
const INLINE_LIMIT = 16_384;

/** SQL that holds when `head` is the chain's head (evaluated after the lock, so no other writer can move it meanwhile). */
function headIs(head: ChainHead): string {
  if (head.seq === 0) return `not exists (select 1 from ${TABLE})`;
  return `exists (select 1 from (select seq, hash from ${TABLE} order by seq desc limit 1) head where head.seq = ${head.seq} and head.hash = ${literal(head.hash)})`;
}

/**
 * Runs statements in one transaction sent as one message: one round trip. A failing statement skips the rest and
 * leaves the transaction aborted, so it is rolled back before the error goes on.
 */
async function inTransaction(client: pg.PoolClient, statements: string[]): Promise<pg.QueryResult[]> {
  try {
    const results = (await client.query(['begin', ...statements, 'commit'].join(';\n'))) as unknown as pg.QueryResult[];
    return results.slice(1, -1);
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}

/** Errors after which the connection cannot be trusted with the next batch. */
const connectionLost = (error: unknown) => !(error instanceof pg.DatabaseError);

interface Pending {
  record: PreparedRecord;
  resolve(appended: AppendedRecord): void;
  reject(error: unknown): void;
}

/**
 * The audit trail's writer, for the gateway: `write` for every operation, `close` on shutdown. Records accepted
 * while a transaction is running go together into the next one (group commit), so under load a writer needs one
 * transaction per batch, not per record. Each transaction takes the chain's advisory lock, reads the head, links
 * and hashes its records in order and inserts them; writers in other processes wait on the same lock, so the chain
 * never forks and `seq` order is chain order. `write` resolves only after the commit: a record is either in the
 * chain or its caller hears that it is not.
 */
export function createAuditWriter(url: string, options: AuditWriterOptions = {}): AuditWriter {
  auditRetentionDays(options.env);
  const maxBatch = options.maxBatch ?? 200;
  const optimisticAttempts = options.optimisticAttempts ?? OPTIMISTIC_ATTEMPTS;
  const inlineLimit = options.inlineLimit ?? INLINE_LIMIT;
  const database = auditDatabase.open(url, { max: 2, applicationName: 'audit-writer' });
  const queue: Pending[] = [];
  let draining: Promise<void> | null = null;
  let closed = false;
  let closing: Promise<void> | null = null;

  /**
   * The chain's head as this writer last saw it (after its own last batch): with one writer per database, the next
   * batch can be linked to it before asking the database anything. null until read, or once another writer moved it.
   */
  let knownHead: ChainHead | null = null;

  /**
   * Appends a batch in one round trip when `knownHead` is still the head: lock, insert (only if the head is the one
   * the batch was linked to), the head as it now is and commit go as one simple-query message. When another writer
   * moved the head, nothing is inserted, and the head it read (under the lock) links the next attempt; after a few
   * such misses (writers racing each other) the batch goes in under the lock held across two round trips, which
   * cannot miss. Either way a record is linked to the head it is inserted after, so the chain never forks.
   */
  async function append(records: PreparedRecord[]): Promise<AppendedRecord[]> {
    const client = await database.pool.connect();
    let broken: Error | undefined;
    try {
      for (let attempt = 0; attempt < optimisticAttempts; attempt++) {
        knownHead ??= await readHead(client);
        const rows = link(records, knownHead);
        const json = inlineJson(rows, inlineLimit);
        if (json === null) return await underLock(client, records, { rows, large: largeBatch(rows) });
        const results = await inTransaction(client, [lockStatement, `${insertStatement(json)} where ${headIs(knownHead)}`, HEAD_STATEMENT]);
        knownHead = headOf(results[2]!);
        if (results[1]!.rowCount === rows.length) return rows.map(({ seq, id, hash }) => ({ seq, id, hash }));
      }
      return await underLock(client, records);
    } catch (error) {
      // What the chain looks like after a failure is not known here: the next batch reads it again.
      knownHead = null;
      broken = connectionLost(error) ? (error as Error) : undefined;
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Appends a batch with the lock held across round trips, which cannot miss: lock and head, then insert and commit
   * (or, for a batch too large to write into a message, the insert with its parameter and then commit on their own).
   * Taken after the optimistic attempts missed, or at once for a large batch. `linked` is the batch as
   * already linked to `knownHead`, kept when that is still the head (one writer per database, the usual case).
   */
  async function underLock(client: pg.PoolClient, records: PreparedRecord[], linked?: { rows: AuditRecordRow[]; large: LargeBatch }): Promise<AppendedRecord[]> {
    try {
      const [, , head] = (await client.query(`begin; ${lockStatement}; ${HEAD_STATEMENT}`)) as unknown as pg.QueryResult[];
      const current = headOf(head!);
      const sameHead = linked && linked.rows[0]!.seq === current.seq + 1 && linked.rows[0]!.previousHash === current.hash;
      const rows = sameHead ? linked.rows : link(records, current);
      const json = sameHead ? null : inlineJson(rows, inlineLimit);
      if (json === null) {
        const large = sameHead ? linked.large : largeBatch(rows);
        await client.query(INSERT_LARGE, [large.json, large.ids, large.lows, large.highs]);
        await client.query('commit');
      } else {
        await client.query(`${insertStatement(json)}; commit`);
      }
      knownHead = headOfRows(rows);
      return rows.map(({ seq, id, hash }) => ({ seq, id, hash }));
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      try {
        const appended = await append(batch.map((p) => p.record));
        batch.forEach((p, i) => p.resolve(appended[i]!));
      } catch (error) {
        // The driver's error, not drizzle's wrapper: that one quotes the statement and every parameter.
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        const refusal = new Error(`audit records not written: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
        for (const p of batch) p.reject(refusal);
      }
    }
    draining = null;
  }

  return {
    write(input) {
      if (closed) return Promise.reject(new Error('audit writer is closed'));
      let record: PreparedRecord;
      try {
        record = prepareRecord(input);
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise<AppendedRecord>((resolve, reject) => {
        queue.push({ record, resolve, reject });
        // Started after the current task, so the writes of one tick share a transaction.
        draining ??= new Promise<void>((start) => queueMicrotask(start)).then(drain);
      });
    },
    close() {
      closed = true;
      closing ??= (async () => {
        await draining;
        await database.close();
      })();
      return closing;
    },
  };
}

/**
 * The trail's writer for a department's own records, from AUDIT_DATABASE_URL: undefined when the process has none
 * (a department then logs and counts what it would have recorded). Each department's `index.ts` hands this to
 * `runSubgraph`, since @hub/core, which runs the departments, cannot depend on this package.
 */
export function auditWriterFromEnv(env: NodeJS.ProcessEnv = process.env): AuditWriter | undefined {
  return env.AUDIT_DATABASE_URL ? createAuditWriter(env.AUDIT_DATABASE_URL, { env }) : undefined;
}
