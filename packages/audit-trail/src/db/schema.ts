import { bigint, customType, index, jsonb, pgEnum, pgTable, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';

export { demoSeed } from '@hub/core/db-meta';

/** What happened (事件类型). New kinds are added by a migration (`ALTER TYPE … ADD VALUE`) and in schema.graphql. */
export const auditEventType = pgEnum('audit_event_type', ['OPERATION', 'WRITE', 'TOKEN_REFUSED', 'REQUEST_REFUSED', 'INTERNAL_TOKEN_REFUSED', 'SYSTEM_WRITE']);
/** How it ended (结果). */
export const auditOutcome = pgEnum('audit_outcome', ['SUCCESS', 'PARTIAL', 'DENIED', 'ERROR']);

/**
 * Hub resident ids (32 hexadecimal characters, 128 bits) stored as `uuid[]`: 16 bytes an id, compared as bytes, where
 * `text[]` took 33 and a collation's comparison. The GIN index on them is about half the size and costs about half
 * as much to keep up (a column page's record adds 5,000 entries). PostgreSQL reads the 32 characters as a uuid and
 * writes it back with hyphens, which are taken out again here: the application sees the hub's form only.
 */
const hubIdArray = customType<{ data: string[]; driverData: string[] }>({
  dataType: () => 'uuid[]',
  fromDriver: (ids) => ids.map((id) => id.replaceAll('-', '')),
});

/** A JSON value as JSONB holds it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * The audit trail (审计记录, GB/T 22239 level 3). Append-only: a trigger of the `append_only` migration refuses
 * UPDATE, DELETE and TRUNCATE. Each record stores the hash of the one before it (`previous_hash`), in `seq` order;
 * `seq` is assigned by the writer under an advisory lock, one after the other with no gap, and `previous_hash` is
 * unique, so the database itself refuses a second record after the same predecessor (a fork of the chain).
 */
export const auditRecords = pgTable(
  'audit_records',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    id: uuid('id').notNull().unique(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull(),
    userId: text('user_id'),
    role: text('role'),
    department: text('department'),
    purpose: text('purpose'),
    eventType: auditEventType('event_type').notNull(),
    operationName: text('operation_name'),
    /** sha256 (hex) of the operation's document, or the persisted document's id; never the document itself. */
    operationHash: varchar('operation_hash', { length: 64 }),
    /** The operation's variables with personal data masked or dropped (`redactVariables`). */
    variables: jsonb('variables').$type<JsonValue>(),
    /** Sensitive categories read (identity, key-person, health, minors, address…). */
    categories: text('categories').array().notNull(),
    /** Pseudonymous resident ids the records read concern. */
    residentIds: hubIdArray('resident_ids').notNull(),
    outcome: auditOutcome('outcome').notNull(),
    errorCodes: text('error_codes').array().notNull(),
    /**
     * What a department's own record adds (the subgraph, why a token was refused, the trace and request ids, the
     * notice a timer issued); null in the gateway's records, and then left out of the hash, so records written
     * before the column existed still verify.
     */
    details: jsonb('details').$type<JsonValue>(),
    previousHash: varchar('previous_hash', { length: 64 }).notNull().unique(),
    hash: varchar('hash', { length: 64 }).notNull().unique(),
  },
  (t) => [
    index('audit_records_user_idx').on(t.userId, t.seq),
    index('audit_records_event_type_idx').on(t.eventType, t.seq),
    index('audit_records_occurred_at_idx').on(t.occurredAt),
    // A pending list of 64 MB takes a bulk read's thousands of entries as appends, merged into the index in key order
    // by autovacuum (see migration 0002), instead of one tree insertion per id inside the writer's transaction.
    index('audit_records_resident_ids_idx').using('gin', t.residentIds).with({ fastupdate: true, gin_pending_list_limit: 65536 }),
  ],
);

export type AuditRecordRow = typeof auditRecords.$inferSelect;
