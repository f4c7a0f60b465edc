import { keyBatch, pageByParent, rowByKey, wireStats } from '@hub/core';
import { serveSubgraphForTests } from '@hub/core/testing';
import { asc, count, eq, inArray, max, sql } from 'drizzle-orm';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { households, residents } from '../src/db/schema.ts';
import { subgraph } from '../src/server.ts';

const harness = serveSubgraphForTests(subgraph);

/**
 * Core's prepared selects run as node-postgres queries that map their rows themselves (`row-query.ts`): described once
 * per connection, rows built by a function made for the statement. These hold them to drizzle's own mapping.
 */
describe('rows of the prepared statements, mapped by a row maker per statement', () => {
  it("equal drizzle's own mapping of the same rows, column by column and in key order (texts, enums, dates, timestamps, nulls)", async () => {
    const { db, statements } = harness.database;
    const own = await db.select().from(residents).orderBy(asc(residents.id)).limit(400);
    expect(own.length).toBe(400);
    // Both sides of every nullable column are among them, and timestamps come back as Dates.
    expect(own.some((r) => r.phone === null) && own.some((r) => r.phone !== null)).toBe(true);
    expect(own.some((r) => r.houseCode === null) && own.some((r) => r.houseCode !== null)).toBe(true);
    expect(own[0]!.createdAt).toBeInstanceOf(Date);
    const ids = own.map((r) => r.id);
    // More runs than the pool has connections: the first on each connection asks for the description, the rest not.
    const { pool } = harness.database;
    const describesBefore = wireStats(pool)?.describes ?? 0;
    for (let round = 0; round < 25; round++) {
      const loader = rowByKey(db, residents, residents.id, (r) => r.id);
      statements.reset();
      const slice = round % 2 ? [...ids].reverse() : ids.slice(round, round + 40);
      const loaded = await loader.loadMany(slice);
      expect(statements.count).toBe(1);
      expect(loaded).toEqual(slice.map((id) => own.find((r) => r.id === id)));
      expect(Object.keys(loaded[0] as object)).toEqual(Object.keys(own[0]!));
    }
    const descriptions = wireStats(pool)!.describes - describesBefore;
    expect(descriptions).toBeGreaterThan(0);
    expect(descriptions).toBeLessThanOrEqual(pool.totalCount);
  });

  it('run concurrently on every connection of the pool, each answer its own', async () => {
    const { db } = harness.database;
    const own = await db.select().from(residents).orderBy(asc(residents.id)).limit(60);
    const answers = await Promise.all(
      own.map((resident) => rowByKey(db, residents, residents.id, (r) => r.id).load(resident.id)),
    );
    expect(answers).toEqual(own);
  });

  it('are planned for their own values on every run, not by a generic plan after five (plan_cache_mode)', async () => {
    const { pool } = harness.database;
    const clients = await Promise.all([pool.connect(), pool.connect()]);
    try {
      for (const client of clients) expect((await client.query<{ plan_cache_mode: string }>('show plan_cache_mode')).rows[0]!.plan_cache_mode).toBe('force_custom_plan');
    } finally {
      for (const client of clients) client.release();
    }
  });

  it("nest a page's rows under their selection (`{ row: table }`) as drizzle does", async () => {
    const { db } = harness.database;
    const grids = (await db.selectDistinct({ grid: households.gridCode }).from(households).orderBy(households.gridCode).limit(3)).map((r) => r.grid);
    const page = pageByParent<typeof households, null>({ db, table: households, parentColumn: households.gridCode, orderColumn: households.id, parentOf: (r) => r.gridCode });
    const pages = await page.loadMany(grids.map((parent) => ({ parent, first: 5, after: null, filter: null })));
    for (const [i, grid] of grids.entries()) {
      const own = await db.select().from(households).where(eq(households.gridCode, grid)).orderBy(asc(households.id)).limit(6);
      expect(pages[i]).toEqual(own);
      expect((pages[i] as (typeof own)[number][])[0]!.createdAt).toBeInstanceOf(Date);
    }
  });

  it('decode aggregates through their own decoders (`mapWith`), as drizzle does', async () => {
    const { db } = harness.database;
    const perGrid = (grids: readonly string[], query: 'prepared' | 'own') => {
      const build = (keysIn: (column: typeof residents.gridCode) => ReturnType<typeof sql>) =>
        db
          .select({ grid: residents.gridCode, n: count(), born: max(residents.birthDate), stamped: sql<Date>`max(${residents.createdAt})`.mapWith(residents.createdAt), doubled: sql<number>`count(*) * 2`.mapWith(Number) })
          .from(residents)
          .where(keysIn(residents.gridCode))
          .groupBy(residents.gridCode)
          .orderBy(residents.gridCode);
      return query === 'own' ? build((column) => inArray(column, [...grids])) : keyBatch(db, 'row-mapping test', undefined, (keysIn) => build(keysIn))(grids);
    };
    const grids = (await db.selectDistinct({ grid: residents.gridCode }).from(residents).limit(5)).map((r) => r.grid);
    const own = await perGrid(grids, 'own');
    expect(own.length).toBe(grids.length);
    expect(typeof own[0]!.n).toBe('number');
    expect(own[0]!.stamped).toBeInstanceOf(Date);
    for (let round = 0; round < 12; round++) expect(await perGrid(grids, 'prepared')).toEqual(own);
  });

  it('fail with PostgreSQL\'s error on a bad value and leave the pool serving', async () => {
    const { db, pool } = harness.database;
    const byTimestamp = keyBatch(db, 'row-mapping bad value', undefined, (keysIn) => db.select({ id: residents.id }).from(residents).where(keysIn(residents.createdAt)));
    await expect(byTimestamp(['not a timestamp'])).rejects.toThrow(/invalid input syntax for type timestamp/);
    await expect(byTimestamp([new Date(0).toISOString()])).resolves.toEqual([]);
    expect(pool.totalCount).toBeLessThanOrEqual(pool.options.max);
    expect(pool.waitingCount).toBe(0);
  });

  it('written together when issued in one turn: one write, each answered with its own rows, in order', async () => {
    const { db, pool } = harness.database;
    const own = await db.select().from(residents).orderBy(asc(residents.id)).limit(50);
    const byId = rowByKey(db, residents, residents.id, (r) => r.id);
    const perHousehold = keyBatch(db, 'row-mapping pipeline', undefined, (keysIn) => db.select().from(residents).where(keysIn(residents.householdId)).orderBy(residents.id));
    // A first run of each, so the pipeline below is of described statements and of statements described in it alike.
    await byId.load(own[0]!.id);
    const before = { ...wireStats(pool)! };
    const slices = [own.slice(0, 3), own.slice(10, 30), own.slice(40, 41), own.slice(5, 9)];
    const householdIds = [...new Set(own.map((r) => r.householdId).filter((id): id is string => id !== null))].slice(0, 4);
    const answers = await Promise.all([
      ...slices.map((slice) => rowByKey(db, residents, residents.id, (r) => r.id).loadMany(slice.map((r) => r.id))),
      perHousehold(householdIds),
    ]);
    const after = wireStats(pool)!;
    expect(after.statements - before.statements).toBe(5);
    expect(after.writes - before.writes).toBe(1);
    slices.forEach((slice, i) => expect(answers[i]).toEqual(slice));
    const ownPerHousehold = await db.select().from(residents).where(inArray(residents.householdId, householdIds)).orderBy(residents.id);
    expect(ownPerHousehold.length).toBeGreaterThan(0);
    expect(answers[4]).toEqual(ownPerHousehold);
  });

  it("fail alone when one statement of a pipeline fails: those before and after it get their rows", async () => {
    const { db, pool } = harness.database;
    const own = await db.select().from(residents).orderBy(asc(residents.id)).limit(6);
    const byTimestamp = keyBatch(db, 'row-mapping pipeline bad value', undefined, (keysIn) => db.select({ id: residents.id }).from(residents).where(keysIn(residents.createdAt)));
    const byId = (ids: string[]) => rowByKey(db, residents, residents.id, (r) => r.id).loadMany(ids);
    const stamp = (await pool.query<{ stamp: string }>('select created_at::text as stamp from residents where id = $1', [own[0]!.id])).rows[0]!.stamp;
    const before = { ...wireStats(pool)! };
    const [first, bad, last, again] = await Promise.allSettled([byId(own.slice(0, 3).map((r) => r.id)), byTimestamp(['not a timestamp']), byId(own.slice(3).map((r) => r.id)), byTimestamp([stamp])]);
    expect(wireStats(pool)!.writes - before.writes).toBe(1);
    expect(first).toEqual({ status: 'fulfilled', value: own.slice(0, 3) });
    expect(bad.status).toBe('rejected');
    expect((bad as PromiseRejectedResult).reason).toMatchObject({ code: '22007', message: expect.stringMatching(/invalid input syntax for type timestamp/) });
    expect(last).toEqual({ status: 'fulfilled', value: own.slice(3) });
    expect(again.status).toBe('fulfilled');
    expect((again as PromiseFulfilledResult<{ id: string }[]>).value).toContainEqual({ id: own[0]!.id });
  });

  it('fail, every one, when their connection is killed mid-pipeline, and the next run on a fresh connection', async () => {
    const { db, pool } = harness.database;
    const own = await db.select().from(residents).orderBy(asc(residents.id)).limit(3);
    const sleeping = keyBatch(db, 'row-mapping sleeper', undefined, (keysIn) => db.select({ id: residents.id, slept: sql<string>`pg_sleep(30)::text` }).from(residents).where(keysIn(residents.id)));
    // Called in one turn (loaders would wait for a later one), so all three go in one write on one connection.
    const byId = keyBatch(db, 'row-mapping killed', undefined, (keysIn) => db.select().from(residents).where(keysIn(residents.id)).orderBy(residents.id));
    const pipeline = Promise.allSettled([sleeping([own[0]!.id]), byId([own[1]!.id]), byId([own[2]!.id])]);
    let killed = 0;
    while (killed === 0) {
      const { rows } = await pool.query<{ killed: boolean }>(
        "select pg_terminate_backend(pid) as killed from pg_stat_activity where state = 'active' and query like '%pg_sleep(30)%' and pid <> pg_backend_pid()",
      );
      killed = rows.filter((r) => r.killed).length;
      if (killed === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const settled = await pipeline;
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((settled[0] as PromiseRejectedResult).reason).toMatchObject({ code: '57P01' });
    expect(await byId(own.map((r) => r.id))).toEqual(own);
    expect(pool.totalCount).toBeLessThanOrEqual(pool.options.max);
  });

  it('are parsed and described afresh, and run again once, when a migration changes their result type', async () => {
    const { db, pool } = harness.database;
    await pool.query('drop table if exists row_mapping_probe');
    await pool.query("create table row_mapping_probe (id text primary key, n integer not null)");
    await pool.query("insert into row_mapping_probe values ('a', 1), ('b', 2)");
    try {
      const probe = pgTable('row_mapping_probe', { id: text('id').primaryKey(), n: integer('n').notNull() });
      const read = keyBatch(db, 'row-mapping probe', undefined, (keysIn) => db.select().from(probe).where(keysIn(probe.id)).orderBy(probe.id));
      // On every connection of the wire, so that each meets the change.
      for (let i = 0; i < pool.options.max; i++) await Promise.all([read(['a', 'b']), read(['a'])]);
      expect(await read(['a', 'b'])).toEqual([{ id: 'a', n: 1 }, { id: 'b', n: 2 }]);
      await pool.query('alter table row_mapping_probe alter column n type bigint');
      await pool.query("update row_mapping_probe set n = 7000000000 where id = 'b'");
      const before = wireStats(pool)!.reprepared;
      for (let i = 0; i < pool.options.max; i++) {
        const answers = await Promise.all([read(['a', 'b']), read(['b'])]);
        // The table's new type, through the column's own decoder (drizzle's integer: a number).
        expect(answers).toEqual([[{ id: 'a', n: 1 }, { id: 'b', n: 7_000_000_000 }], [{ id: 'b', n: 7_000_000_000 }]]);
      }
      expect(wireStats(pool)!.reprepared - before).toBeGreaterThan(0);
    } finally {
      await pool.query('drop table if exists row_mapping_probe');
    }
  });
});
