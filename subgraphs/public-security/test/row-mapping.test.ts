import { keyBatch, rowByKey } from '@hub/core';
import { serveSubgraphForTests } from '@hub/core/testing';
import { asc, count, inArray, max, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { residents } from '../src/db/schema.ts';
import { subgraph } from '../src/server.ts';

const harness = serveSubgraphForTests(subgraph);

describe('rows of the prepared statements, mapped once per statement', () => {
  it('equal drizzle\'s own mapping of the same rows, column by column (texts, enums, dates, timestamps, nulls)', async () => {
    const { db } = harness.database;
    const own = await db.select().from(residents).orderBy(asc(residents.id)).limit(400);
    expect(own.length).toBe(400);
    // Both sides of every nullable column are among them, and timestamps come back as Dates.
    expect(own.some((r) => r.phone === null) && own.some((r) => r.phone !== null)).toBe(true);
    expect(own.some((r) => r.houseCode === null) && own.some((r) => r.houseCode !== null)).toBe(true);
    expect(own[0]!.createdAt).toBeInstanceOf(Date);
    const loader = rowByKey(db, residents, residents.id, (r) => r.id);
    const ids = own.map((r) => r.id);
    const loaded = await loader.loadMany([...ids].reverse());
    expect(loaded).toEqual([...own].reverse());
    // Key order of the columns as well (a client's JSON follows it).
    expect(Object.keys(loaded[0] as object)).toEqual(Object.keys(own[0]!));
  });

  it('decode aggregates through their own decoders (`mapWith`), as drizzle does', async () => {
    const { db } = harness.database;
    const perGrid = (grids: readonly unknown[], query: 'prepared' | 'own') => {
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
    const prepared = await perGrid(grids, 'prepared');
    expect(own.length).toBe(grids.length);
    expect(typeof own[0]!.n).toBe('number');
    expect(own[0]!.stamped).toBeInstanceOf(Date);
    expect(prepared).toEqual(own);
  });
});
