import { asc, gt } from 'drizzle-orm';
import { GENESIS_HASH, recordHash } from './chain.ts';
import { auditDatabase, type Db } from './db/index.ts';
import { auditRecords } from './db/schema.ts';

/** The verdict on the whole chain. `records` counts the records found intact (before the break, when broken). */
export type AuditChainVerdict =
  | { ok: true; records: number; headSeq: number | null; headHash: string | null }
  | { ok: false; records: number; firstBrokenSeq: number; reason: string };

const PAGE = 1000;

/**
 * Recomputes every record's hash in `seq` order and checks each link to the record before, page by page (memory
 * stays bounded whatever the trail's length), in one read-only snapshot: records appended meanwhile are either all
 * seen or not at all. The head (last seq and hash) is returned so it can be noted elsewhere: removing the newest
 * records leaves an intact shorter chain, which only a head recorded outside the database can reveal.
 */
export async function verifyAuditChainIn(db: Db, pageSize = PAGE): Promise<AuditChainVerdict> {
  return db.transaction(
    async (tx) => {
      let records = 0;
      let lastSeq = 0;
      let previousHash = GENESIS_HASH;
      for (;;) {
        const rows = await tx.select().from(auditRecords).where(gt(auditRecords.seq, lastSeq)).orderBy(asc(auditRecords.seq)).limit(pageSize);
        for (const row of rows) {
          const broken = (reason: string) => ({ ok: false as const, records, firstBrokenSeq: row.seq, reason });
          if (row.seq !== lastSeq + 1) {
            return broken(`follows record ${lastSeq}: record${row.seq - lastSeq > 2 ? `s ${lastSeq + 1} to` : ''} ${row.seq - 1} missing`);
          }
          if (recordHash(row) !== row.hash) return broken('its contents do not match its hash: the record was altered');
          if (row.previousHash !== previousHash) {
            return broken(
              lastSeq === 0
                ? 'the first record does not start the chain'
                : `its previousHash is not the hash of record ${lastSeq}: record ${lastSeq} was replaced or this link altered`,
            );
          }
          previousHash = row.hash;
          lastSeq = row.seq;
          records++;
        }
        if (rows.length < pageSize) break;
      }
      return { ok: true as const, records, headSeq: records > 0 ? lastSeq : null, headHash: records > 0 ? previousHash : null };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

/** Verifies the chain in the audit database at `url`. */
export async function verifyAuditChain(url: string, options: { pageSize?: number } = {}): Promise<AuditChainVerdict> {
  const database = auditDatabase.open(url, { max: 1, applicationName: 'audit-verify' });
  try {
    return await verifyAuditChainIn(database.db, options.pageSize);
  } finally {
    await database.close();
  }
}
