import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dropDatabase, ensureDatabase, migrateDatabase, withDatabase } from '@hub/core';
import { cloneDatabase, testCaller, uniqueDatabaseName } from '@hub/core/testing';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { AUDIT_MIGRATIONS, auditDatabase } from '@hub/audit-trail/db';
import { auditRecords, type AuditRecordRow } from '@hub/audit-trail/schema';
import { verifyAuditChain } from '@hub/audit-trail/verify';
import { auditRetentionDays, createAuditWriter, distinctHubIds, GENESIS_HASH, prepareRecord, recordHash, recordHashText, type AppendedRecord, type AuditWriter } from '@hub/audit-trail';
import { createHash } from 'node:crypto';
import { operation, residentOf } from '@hub/audit-trail/testing';

const drops: (() => Promise<void>)[] = [];
const writers: AuditWriter[] = [];
afterEach(async () => {
  await Promise.all(writers.splice(0).map((w) => w.close()));
});
afterAll(async () => {
  await Promise.allSettled(drops.map((drop) => drop()));
});

/** A fresh, migrated audit database of this test's own. */
async function freshTrail(): Promise<string> {
  const clone = await cloneDatabase(inject('templateUrl'));
  drops.push(clone.drop);
  return clone.url;
}

function writer(url: string, options?: Parameters<typeof createAuditWriter>[1]): AuditWriter {
  const created = createAuditWriter(url, options);
  writers.push(created);
  return created;
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function readChain(url: string): Promise<AuditRecordRow[]> {
  const database = auditDatabase.open(url, { max: 1 });
  try {
    return await database.db.select().from(auditRecords).orderBy(auditRecords.seq);
  } finally {
    await database.close();
  }
}

/** Runs SQL on the trail with its append-only triggers off, as a superuser tampering with it would. */
async function tamper(url: string, statement: string, params: unknown[] = []): Promise<void> {
  await withClient(url, async (client) => {
    await client.query('ALTER TABLE audit_records DISABLE TRIGGER audit_records_no_update_delete');
    try {
      await client.query(statement, params);
    } finally {
      await client.query('ALTER TABLE audit_records ENABLE TRIGGER audit_records_no_update_delete');
    }
  });
}

describe('a record\'s resident ids', () => {
  it('are kept once each in code-unit order, however many share their first digits, and the gateway\'s sorted list is taken as it is', () => {
    const ids = Array.from({ length: 6000 }, (_, i) => residentOf(i));
    // Ids that share their first eight digits (the keyed sort's number) or all but the last, and repeats.
    for (let i = 0; i < 600; i++) ids[i] = ids[i + 600]!.slice(0, 8 + (i % 24)) + ids[i + 1200]!.slice(8 + (i % 24));
    for (let i = 1800; i < 2100; i++) ids[i] = ids[i - 300]!;
    ids.push('f'.repeat(32), '0'.repeat(32), '0'.repeat(32), 'ffffffff' + '0'.repeat(24));
    const expected = [...new Set(ids)].sort();
    expect(prepareRecord(operation(1, { residentIds: ids })).residentIds).toEqual(expected);
    expect(prepareRecord(operation(1, { residentIds: ids.slice(0, 200) })).residentIds).toEqual([...new Set(ids.slice(0, 200))].sort());
    const distinct = distinctHubIds(ids);
    expect(distinct).toEqual(expected);
    expect(prepareRecord(operation(1, { residentIds: distinct! })).residentIds).toEqual(expected);
    expect(distinctHubIds([...ids.slice(0, 300), 'R1'])).toBeNull();
    expect(() => prepareRecord(operation(1, { residentIds: [...ids.slice(0, 300), 'A'.repeat(32)] }))).toThrow(/hub resident ids/);
  });
});

describe('the record hash', () => {
  const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
  const linked = (n: number, overrides: Parameters<typeof operation>[1] = {}, extra: Partial<AuditRecordRow> = {}) => ({
    ...prepareRecord(operation(n, overrides)),
    seq: n,
    previousHash: GENESIS_HASH,
    ...extra,
  });

  it('is the sha256 of the canonical JSON of the record\'s fields, written field by field', () => {
    const records = [
      linked(1),
      linked(2, { residentIds: Array.from({ length: 300 }, (_, i) => residentOf(i)) }),
      linked(3, { residentIds: [], details: { subgraph: 'party', reason: 'expired', nested: { b: [1, { d: 2, c: '引号"\\' }], a: null } } }),
      linked(4, { variables: { z: 1, a: { y: [3, 'x'], b: true }, phone: '13800138000' }, userId: null, operationName: null }),
      // As the verifier reads them back: ids of any form, details null, fields the writer never leaves undefined.
      linked(5, {}, { residentIds: ['ABC', 'with "quote"', ...Array.from({ length: 100 }, (_, i) => residentOf(i))], details: null }),
      linked(6, {}, { userId: undefined as unknown as null, variables: null }),
    ];
    for (const record of records) expect(recordHash(record)).toBe(sha256(recordHashText(record)));
    // The text is the canonical JSON of those fields, keys sorted; a changed field changes it.
    expect(recordHashText(records[0]!).startsWith('{"categories":["identity"],"department":"public-security","errorCodes":[]')).toBe(true);
    expect(recordHash({ ...records[1]!, residentIds: records[1]!.residentIds.slice(1) })).not.toBe(recordHash(records[1]!));
  });
});

describe('the chain', () => {
  it('links every record to the one before it, in seq order, and verifies', async () => {
    const url = await freshTrail();
    expect(await verifyAuditChain(url)).toEqual({ ok: true, records: 0, headSeq: null, headHash: null });
    const trail = writer(url);
    const appended: AppendedRecord[] = [];
    for (let n = 1; n <= 5; n++) appended.push(await trail.write(operation(n)));
    expect(appended.map((a) => a.seq)).toEqual([1, 2, 3, 4, 5]);

    const rows = await readChain(url);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]!.previousHash).toBe(GENESIS_HASH);
    rows.forEach((row, i) => {
      if (i > 0) expect(row.previousHash).toBe(rows[i - 1]!.hash);
      expect(row.hash).toBe(recordHash(row));
      expect(row.hash).toBe(appended[i]!.hash);
      expect(row.id).toBe(appended[i]!.id);
    });
    expect(rows[0]).toMatchObject({
      userId: 'user-1',
      role: 'police-officer',
      department: 'public-security',
      purpose: 'public-safety',
      eventType: 'OPERATION',
      operationName: 'ResidentProfile',
      categories: ['identity'],
      outcome: 'SUCCESS',
      errorCodes: [],
    });
    // The document itself is not kept, only its sha256.
    expect(rows[0]!.operationHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain('query ResidentProfile');

    expect(await verifyAuditChain(url)).toEqual({ ok: true, records: 5, headSeq: 5, headHash: rows[4]!.hash });
  });

  it.each([
    ['in one round trip after the head each last saw', {}],
    ['under the lock taken first', { optimisticAttempts: 0 }],
  ])('keeps one unbroken chain under 50 concurrent writes from two writers appending %s', async (_, path) => {
    const url = await freshTrail();
    // Small batches, so the two writers' transactions interleave many times.
    const [a, b] = [writer(url, { maxBatch: 3, ...path }), writer(url, { maxBatch: 3, ...path })];
    const appended = await Promise.all(
      Array.from({ length: 50 }, (_, n) => (n % 2 === 0 ? a : b).write(operation(n, { operationName: `op-${n}` }))),
    );
    expect(appended.map((r) => r.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));

    const rows = await readChain(url);
    expect(rows).toHaveLength(50);
    expect(new Set(rows.map((r) => r.previousHash)).size).toBe(50); // no two records after the same one: no fork
    rows.forEach((row, i) => {
      expect(row.seq).toBe(i + 1);
      expect(row.previousHash).toBe(i === 0 ? GENESIS_HASH : rows[i - 1]!.hash);
    });
    // Both writers' records are in it, each where its write said.
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    appended.forEach((r, n) => expect(bySeq.get(r.seq)!.operationName).toBe(`op-${n}`));
    expect(await verifyAuditChain(url)).toMatchObject({ ok: true, records: 50, headSeq: 50 });
  });

  it('links after the head another writer moved, whichever writer last saw it, and inserts nothing after a stale one', async () => {
    const url = await freshTrail();
    // Each writer links its batch to the head it saw last; taking turns, each finds the other moved it every time.
    const [a, b] = [writer(url), writer(url)];
    const appended: AppendedRecord[] = [];
    for (let n = 0; n < 10; n++) appended.push(await (n % 2 === 0 ? a : b).write(operation(n, { operationName: `turn-${n}` })));
    expect(appended.map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const rows = await readChain(url);
    expect(rows.map((r) => r.operationName)).toEqual(Array.from({ length: 10 }, (_, n) => `turn-${n}`));
    rows.forEach((row, i) => expect(row.previousHash).toBe(i === 0 ? GENESIS_HASH : rows[i - 1]!.hash));
    expect(await verifyAuditChain(url)).toMatchObject({ ok: true, records: 10, headSeq: 10 });
  });

  it('batches the writes of one moment into one transaction, and resolves each only once committed', async () => {
    const url = await freshTrail();
    const trail = writer(url);
    const pending = Array.from({ length: 20 }, (_, n) => trail.write(operation(n)));
    const appended = await Promise.all(pending);
    const rows = await readChain(url);
    // Resolved means committed: another connection sees every record.
    expect(rows.map((r) => r.id).sort()).toEqual(appended.map((r) => r.id).sort());
    const xmins = await withClient(url, (client) => client.query<{ xmin: string }>('SELECT DISTINCT xmin FROM audit_records'));
    expect(xmins.rowCount).toBe(1);
  });

  it("takes the caller's fields from a Caller as the gateway holds it", async () => {
    const url = await freshTrail();
    const caller = testCaller('grid-worker', { userId: 'gw-0042', purpose: 'grid-service', grids: ['320311001001001'] });
    await writer(url).write({ ...caller, eventType: 'OPERATION', outcome: 'PARTIAL', errorCodes: ['FORBIDDEN', 'FORBIDDEN'] });
    const [row] = await readChain(url);
    expect(row).toMatchObject({
      userId: 'gw-0042',
      role: 'grid-worker',
      department: 'civil-affairs',
      purpose: 'grid-service',
      operationHash: null,
      variables: null,
      outcome: 'PARTIAL',
      errorCodes: ['FORBIDDEN'],
    });
  });

  it('writes any text in a record as given, whatever quoting it would need in the message', async () => {
    const url = await freshTrail();
    const trail = writer(url);
    const texts = ["it's", 'back\\slash', "both ' and \\", '$audit_batch$', 'ends $audit_batch', '$$', '$1 $tag$ \'$\'', '$audit_batch$\\\''];
    await Promise.all(texts.map((text, i) => trail.write(operation(i + 1, { operationName: `Q${i}`, variables: { note2: text, code: text }, details: { reason: text } }))));
    for (const [i, text] of texts.entries()) await trail.write(operation(100 + i, { variables: { code: text } }));
    const rows = await readChain(url);
    expect(rows.slice(0, texts.length).map((row) => (row.variables as { code: string }).code)).toEqual(texts);
    expect(rows.slice(0, texts.length).map((row) => (row.details as { reason: string }).reason)).toEqual(texts);
    expect(rows.slice(texts.length).map((row) => (row.variables as { code: string }).code)).toEqual(texts);
    expect(await verifyAuditChain(url)).toMatchObject({ ok: true, records: 2 * texts.length });
  });

  it('refuses a record it cannot write, and keeps the chain whole', async () => {
    const url = await freshTrail();
    const trail = writer(url);
    await expect(trail.write(operation(1, { operationHash: 'not-a-hash' }))).rejects.toThrow(/operationHash/);
    await expect(trail.write({ ...operation(2), eventType: 'DELETED' as 'OPERATION' })).rejects.toThrow(/event type/);
    await trail.write(operation(3));
    expect(await verifyAuditChain(url)).toMatchObject({ ok: true, records: 1 });
    await trail.close();
    await expect(trail.write(operation(4))).rejects.toThrow(/closed/);
  });

  it('rejects writes when the database cannot take them', async () => {
    const url = await freshTrail();
    const broken = new URL(url);
    broken.pathname = '/no_such_audit_database';
    const trail = writer(broken.toString());
    await expect(trail.write(operation(1))).rejects.toThrow(/does not exist/);
  });
});

describe('large records (a column page\'s 5,000 resident ids)', () => {
  const page = (from: number) => Array.from({ length: 5000 }, (_, i) => residentOf(from + i));

  /** The inserts the writer sent with the batch as a parameter, and those with it written into the text. */
  function watchInserts() {
    const spy = vi.spyOn(pg.Client.prototype, 'query');
    const inserts = () =>
      spy.mock.calls
        .map(([text, values]) => ({ text: typeof text === 'string' ? text : '', values: values as unknown }))
        .filter((call) => call.text.includes('insert into audit_records'));
    return {
      parameterised: () => inserts().filter((c) => Array.isArray(c.values) && c.values.length > 0).length,
      inline: () => inserts().filter((c) => c.values === undefined).length,
      restore: () => spy.mockRestore(),
    };
  }

  it('goes as a parameter under the lock and chains exactly like a small one, between small ones', async () => {
    const url = await freshTrail();
    const trail = writer(url);
    const watch = watchInserts();
    const appended: AppendedRecord[] = [];
    try {
      appended.push(await trail.write(operation(1)));
      appended.push(await trail.write(operation(2, { operationName: 'DatasetPage', residentIds: page(0).reverse() })));
      appended.push(await trail.write(operation(3)));
      // A small and a large record of one moment share a batch, which goes as a parameter as a whole.
      appended.push(...(await Promise.all([trail.write(operation(4)), trail.write(operation(5, { residentIds: page(5000) }))])));
      expect(watch.parameterised()).toBe(2);
      expect(watch.inline()).toBe(2);
    } finally {
      watch.restore();
    }
    expect(appended.map((a) => a.seq)).toEqual([1, 2, 3, 4, 5]);
    const rows = await readChain(url);
    rows.forEach((row, i) => {
      expect(row.previousHash).toBe(i === 0 ? GENESIS_HASH : rows[i - 1]!.hash);
      expect(row.hash).toBe(recordHash(row));
      expect(row.hash).toBe(appended[i]!.hash);
    });
    // Every id landed, once each and in order, as a small record's do.
    expect(rows[1]!.residentIds).toEqual(page(0).sort());
    expect(rows[4]!.residentIds).toEqual(page(5000).sort());
    expect(rows[1]).toMatchObject({ operationName: 'DatasetPage', categories: ['identity'], outcome: 'SUCCESS' });
    const found = await withClient(url, (client) =>
      client.query<{ seq: string }>('SELECT seq::text FROM audit_records WHERE resident_ids @> ARRAY[$1]::uuid[] ORDER BY seq', [page(0)[4321]]),
    );
    expect(found.rows.map((r) => Number(r.seq))).toEqual([2]);
    expect(await verifyAuditChain(url)).toEqual({ ok: true, records: 5, headSeq: 5, headHash: rows[4]!.hash });
  });

  it('keeps a page\'s ids out of line without trying to compress them (migration 0004), and reads them back whole', async () => {
    const url = await freshTrail();
    const appended = await writer(url).write(operation(1, { residentIds: page(0) }));
    const stored = await withClient(url, (client) =>
      client.query<{ storage: string; ids: number }>(
        "select a.attstorage as storage, (select cardinality(resident_ids) from audit_records where seq = $1) as ids from pg_attribute a where a.attrelid = 'audit_records'::regclass and a.attname = 'resident_ids'",
        [appended.seq],
      ),
    );
    expect(stored.rows[0]).toEqual({ storage: 'e', ids: 5000 });
    expect(await verifyAuditChain(url)).toMatchObject({ ok: true, records: 1 });
  });

  it('gives each record of a large batch its own ids, none to one without, and none to a lone record without', async () => {
    const url = await freshTrail();
    const trail = writer(url);
    const appended = await Promise.all([
      trail.write(operation(1, { residentIds: page(0) })),
      trail.write(operation(2, { residentIds: [] })),
      trail.write(operation(3, { residentIds: page(5000).slice(0, 7) })),
      trail.write(operation(4, { residentIds: page(10000) })),
      trail.write(operation(5, { residentIds: [] })),
    ]);
    // A lone record without ids, sent the large way (the string of its ids is then empty).
    const lone = createAuditWriter(url, { inlineLimit: 0 });
    writers.push(lone);
    appended.push(await lone.write(operation(6, { residentIds: [] })));
    expect(appended.map((a) => a.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const rows = await readChain(url);
    expect(rows.map((row) => row.residentIds)).toEqual([page(0).sort(), [], page(5000).slice(0, 7).sort(), page(10000).sort(), [], []]);
    rows.forEach((row, i) => expect(row.hash).toBe(appended[i]!.hash));
    expect(await verifyAuditChain(url)).toEqual({ ok: true, records: 6, headSeq: 6, headHash: rows[5]!.hash });
  });

  it('links after the head another writer moved, and keeps one chain under concurrent large and small writes', async () => {
    const url = await freshTrail();
    const [a, b] = [writer(url, { maxBatch: 2 }), writer(url, { maxBatch: 2 })];
    // a links its next batch to the head it last saw; b moves it first, so a's large batch is linked again under the lock.
    await a.write(operation(0, { operationName: 'a-0' }));
    await b.write(operation(1, { operationName: 'b-1' }));
    const stale = await a.write(operation(2, { operationName: 'a-2', residentIds: page(0) }));
    expect(stale.seq).toBe(3);
    const appended = await Promise.all(
      Array.from({ length: 16 }, (_, n) =>
        (n % 2 === 0 ? a : b).write(operation(n + 3, { operationName: `op-${n}`, residentIds: n % 3 === 0 ? page(n * 100) : [residentOf(n)] })),
      ),
    );
    expect(appended.map((r) => r.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 16 }, (_, i) => i + 4));
    const rows = await readChain(url);
    expect(rows).toHaveLength(19);
    expect(rows.slice(0, 3).map((r) => r.operationName)).toEqual(['a-0', 'b-1', 'a-2']);
    rows.forEach((row, i) => {
      expect(row.seq).toBe(i + 1);
      expect(row.previousHash).toBe(i === 0 ? GENESIS_HASH : rows[i - 1]!.hash);
    });
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    appended.forEach((r, n) => {
      expect(bySeq.get(r.seq)!.operationName).toBe(`op-${n}`);
      expect(bySeq.get(r.seq)!.residentIds).toHaveLength(n % 3 === 0 ? 5000 : 1);
    });
    expect(await verifyAuditChain(url)).toMatchObject({ ok: true, records: 19, headSeq: 19 });
  });

  it('writes nothing of a large batch it cannot write, and the chain goes on after it', async () => {
    const url = await freshTrail();
    const trail = writer(url, { inlineLimit: 0 });
    await trail.write(operation(1));
    // Over the column's limit: PostgreSQL refuses the insert, after the lock was taken in the same transaction.
    await withClient(url, (client) => client.query("ALTER TABLE audit_records ADD CONSTRAINT few_ids CHECK (cardinality(resident_ids) < 4000)"));
    await expect(trail.write(operation(2, { residentIds: page(0) }))).rejects.toThrow(/audit records not written: .*few_ids/);
    await withClient(url, (client) => client.query('ALTER TABLE audit_records DROP CONSTRAINT few_ids'));
    const next = await trail.write(operation(3, { residentIds: page(0) }));
    expect(next.seq).toBe(2);
    expect(await verifyAuditChain(url)).toMatchObject({ ok: true, records: 2, headSeq: 2 });
  });
});

describe('append-only', () => {
  it.each([
    ['UPDATE', `UPDATE audit_records SET outcome = 'SUCCESS'`],
    ['UPDATE of no row', `UPDATE audit_records SET outcome = 'SUCCESS' WHERE seq = -1`],
    ['DELETE', 'DELETE FROM audit_records WHERE seq = 1'],
    ['TRUNCATE', 'TRUNCATE audit_records'],
  ])('the database refuses %s, even to its superuser', async (_, statement) => {
    const url = await freshTrail();
    await writer(url).write(operation(1));
    await withClient(url, async (client) => {
      await expect(client.query(statement)).rejects.toMatchObject({
        code: '42501',
        message: expect.stringMatching(/audit_records is append-only: (UPDATE|DELETE|TRUNCATE) refused/),
      });
    });
    expect(await readChain(url)).toHaveLength(1);
  });
});

describe('tampering', () => {
  async function trailOf(records: number): Promise<{ url: string; rows: AuditRecordRow[] }> {
    const url = await freshTrail();
    const trail = writer(url);
    for (let n = 1; n <= records; n++) await trail.write(operation(n, { outcome: n === 7 ? 'DENIED' : 'SUCCESS' }));
    return { url, rows: await readChain(url) };
  }

  it('finds a record whose field was changed, and names it', async () => {
    const { url } = await trailOf(12);
    await tamper(url, `UPDATE audit_records SET outcome = 'SUCCESS' WHERE seq = 7`);
    // Pages smaller than the chain: the break is found across page boundaries.
    expect(await verifyAuditChain(url, { pageSize: 5 })).toEqual({
      ok: false,
      records: 6,
      firstBrokenSeq: 7,
      reason: 'its contents do not match its hash: the record was altered',
    });
  });

  it.each([
    ['the user', `UPDATE audit_records SET user_id = 'someone-else' WHERE seq = 4`, 4],
    ['the residents concerned', `UPDATE audit_records SET resident_ids = '{}' WHERE seq = 9`, 9],
    ['the variables', `UPDATE audit_records SET variables = '{"id":"x"}' WHERE seq = 2`, 2],
    ['the time', `UPDATE audit_records SET occurred_at = occurred_at + interval '1 hour' WHERE seq = 11`, 11],
    ['the first record', `UPDATE audit_records SET role = 'administrator' WHERE seq = 1`, 1],
    ['the last record', `UPDATE audit_records SET error_codes = '{FORBIDDEN}' WHERE seq = 12`, 12],
  ])('finds a change of %s', async (_, statement, seq) => {
    const { url } = await trailOf(12);
    await tamper(url, statement);
    expect(await verifyAuditChain(url)).toMatchObject({ ok: false, firstBrokenSeq: seq });
  });

  it('finds a record changed with its hash recomputed, at the link after it', async () => {
    const { url, rows } = await trailOf(12);
    const forged = { ...rows[5]!, outcome: 'DENIED' as const };
    await tamper(url, 'UPDATE audit_records SET outcome = $1, hash = $2 WHERE seq = 6', [forged.outcome, recordHash(forged)]);
    expect(await verifyAuditChain(url)).toMatchObject({ ok: false, records: 6, firstBrokenSeq: 7, reason: expect.stringMatching(/record 6/) });
  });

  it('finds a deleted record', async () => {
    const { url } = await trailOf(12);
    await tamper(url, 'DELETE FROM audit_records WHERE seq IN (5, 6)');
    expect(await verifyAuditChain(url)).toEqual({ ok: false, records: 4, firstBrokenSeq: 7, reason: 'follows record 4: records 5 to 6 missing' });
  });
});

describe('retention', () => {
  it('is 180 days unless set longer, and a shorter period is refused at start', async () => {
    expect(auditRetentionDays({})).toBe(180);
    expect(auditRetentionDays({ HUB_AUDIT_RETENTION_DAYS: '400' })).toBe(400);
    for (const value of ['179', '90', '0', '-1', '180.5', 'half a year']) {
      expect(() => auditRetentionDays({ HUB_AUDIT_RETENTION_DAYS: value })).toThrow(/at least 180/);
    }
    const url = await freshTrail();
    expect(() => createAuditWriter(url, { env: { HUB_AUDIT_RETENTION_DAYS: '30' } })).toThrow(/HUB_AUDIT_RETENTION_DAYS/);
  });
});

/** An empty database (no migration applied) of this test's own. */
async function emptyDatabase(prefix: string): Promise<string> {
  const url = withDatabase(inject('templateUrl'), uniqueDatabaseName(prefix));
  await ensureDatabase(url);
  drops.push(() => dropDatabase(url));
  return url;
}

/** The SQL type of `audit_records.resident_ids` as the database has it now. */
const residentIdsType = (url: string) =>
  withClient(url, async (c) => (await c.query(`select format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = 'audit_records'::regclass and attname = 'resident_ids'`)).rows[0].type as string);

describe('migration 0003 (departments\' own records)', () => {
  it('keeps the records of before verifying, and chains a department\'s records with their details, which tampering breaks', async () => {
    const before = await mkdtemp(path.join(tmpdir(), 'audit-migrations-'));
    await cp(fileURLToPath(AUDIT_MIGRATIONS), before, { recursive: true });
    const journalFile = path.join(before, 'meta', '_journal.json');
    const journal = JSON.parse(await readFile(journalFile, 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => e.tag < '0003');
    await writeFile(journalFile, JSON.stringify(journal));
    const url = await emptyDatabase('audit_details');
    const database = auditDatabase.open(url, { max: 1 });
    try {
      await migrateDatabase(database.db, pathToFileURL(`${before}/`));
      for (let n = 1; n <= 4; n++) await writer(url).write(operation(n));
      await migrateDatabase(database.db, AUDIT_MIGRATIONS);
      expect(await verifyAuditChain(url)).toMatchObject({ ok: true, records: 4 });
      // A subgraph's refusal and a timer's notice, each with details, from writers of their own (other processes).
      const refused = await writer(url).write({
        eventType: 'INTERNAL_TOKEN_REFUSED',
        userId: 'test-administrator',
        outcome: 'DENIED',
        errorCodes: ['INTERNAL_TOKEN_REPLAYED'],
        details: { subgraph: 'housing', reason: 'replay', jti: 'AAAAAAAAAAAAAAAAAAAAAA', requestId: 'r-1', traceId: 'a'.repeat(32) },
      });
      const notice = await writer(url).write({ eventType: 'SYSTEM_WRITE', userId: 'system', outcome: 'SUCCESS', details: { caseId: 'c-1', notice: { id: 1, kind: 'RED' } } });
      expect(await verifyAuditChain(url)).toMatchObject({ ok: true, records: 6, headSeq: notice.seq });
      const rows = await readChain(url);
      expect(rows.map((r) => r.details)).toEqual([null, null, null, null, expect.objectContaining({ subgraph: 'housing', reason: 'replay' }), { caseId: 'c-1', notice: { id: 1, kind: 'RED' } }]);
      await tamper(url, `UPDATE audit_records SET details = jsonb_set(details, '{reason}', '"expired"') WHERE seq = $1`, [refused.seq]);
      expect(await verifyAuditChain(url)).toMatchObject({ ok: false, firstBrokenSeq: refused.seq });
    } finally {
      await database.close();
      await rm(before, { recursive: true, force: true });
    }
  });
});

describe('migration 0002 (resident ids as uuid)', () => {
  it('keeps every record of a trail written before it, its hashes intact and its residents findable', async () => {
    // The migrations as they stood before 0002, in a folder of their own.
    const migrations = AUDIT_MIGRATIONS;
    const before = await mkdtemp(path.join(tmpdir(), 'audit-migrations-'));
    await cp(fileURLToPath(migrations), before, { recursive: true });
    const journalFile = path.join(before, 'meta', '_journal.json');
    const journal = JSON.parse(await readFile(journalFile, 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => e.tag < '0002');
    await writeFile(journalFile, JSON.stringify(journal));
    const url = await emptyDatabase('audit_upgrade');
    const database = auditDatabase.open(url, { max: 1 });
    try {
      await migrateDatabase(database.db, pathToFileURL(`${before}/`));
      expect(await residentIdsType(url)).toBe('text[]');
      const appended = await Promise.all(Array.from({ length: 12 }, (_, i) => writer(url).write(operation(i + 1))));
      await migrateDatabase(database.db, migrations);
      expect(await residentIdsType(url)).toBe('uuid[]');
      const head = appended.reduce((a, b) => (a.seq > b.seq ? a : b));
      expect(await verifyAuditChain(url)).toEqual({ ok: true, records: 12, headSeq: head.seq, headHash: head.hash });
      const rows = await readChain(url);
      // Read back in the hub's form (32 hex characters, no hyphens), each record with the ids written into it.
      const written = Array.from({ length: 12 }, (_, i) => operation(i + 1).residentIds);
      expect(rows.map((r) => r.residentIds).sort()).toEqual(written.sort());
      // Written after the migration, into the uuid column, and found by resident through the index.
      const next = await writer(url).write(operation(99));
      expect(await verifyAuditChain(url)).toMatchObject({ ok: true, records: 13, headSeq: next.seq });
      const found = await withClient(url, (c) => c.query('select seq from audit_records where resident_ids @> array[$1]::uuid[] order by seq', [operation(99).residentIds![0]]));
      expect(found.rows.map((r) => Number(r.seq))).toEqual([next.seq]);
    } finally {
      await database.close();
      await rm(before, { recursive: true, force: true });
    }
  });

  it('is applied once when several processes migrate the same database at the same moment', async () => {
    const url = await emptyDatabase('audit_race');
    // Three replicas starting together, each with a pool of its own.
    const replicas = [1, 2, 3].map(() => auditDatabase.open(url, { max: 2 }));
    try {
      const results = await Promise.allSettled(replicas.map((r) => migrateDatabase(r.db, AUDIT_MIGRATIONS)));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      const applied = await withClient(url, (c) => c.query('select count(*)::int as n from drizzle.__drizzle_migrations'));
      const journal = JSON.parse(await readFile(new URL('meta/_journal.json', AUDIT_MIGRATIONS), 'utf8')) as { entries: unknown[] };
      expect(applied.rows[0].n).toBe(journal.entries.length);
      await writer(url).write(operation(1));
      expect(await verifyAuditChain(url)).toMatchObject({ ok: true, records: 1 });
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  it('refuses to record anything but hub resident ids', async () => {
    const url = await freshTrail();
    await expect(writer(url).write(operation(1, { residentIds: ['not-a-hub-id'] }))).rejects.toThrow(/hub resident ids/);
    expect(await verifyAuditChain(url)).toMatchObject({ ok: true, records: 0 });
  });
});
