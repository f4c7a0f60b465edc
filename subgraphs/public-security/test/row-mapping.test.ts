import { keyBatch, pageByParent, rowByKey } from '@hub/core';
import { serveSubgraphForTests } from '@hub/core/testing';
import { asc, count, eq, inArray, max, sql } from 'drizzle-orm';
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
    let descriptions = 0;
    const counted = new WeakSet<object>();
    const countOn = (client: object) => {
      const connection = (client as { connection: { on(event: string, listener: () => void): void } }).connection;
      if (counted.has(connection)) return;
      counted.add(connection);
      connection.on('rowDescription', () => descriptions++);
    };
    for (const client of (pool as unknown as { _clients: object[] })._clients) countOn(client);
    pool.on('connect', countOn);
    for (let round = 0; round < 25; round++) {
      const loader = rowByKey(db, residents, residents.id, (r) => r.id);
      statements.reset();
      const slice = round % 2 ? [...ids].reverse() : ids.slice(round, round + 40);
      const loaded = await loader.loadMany(slice);
      expect(statements.count).toBe(1);
      expect(loaded).toEqual(slice.map((id) => own.find((r) => r.id === id)));
      expect(Object.keys(loaded[0] as object)).toEqual(Object.keys(own[0]!));
    }
    pool.off('connect', countOn);
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
});
