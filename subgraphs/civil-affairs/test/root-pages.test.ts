import { wireStats, type PageRequest } from '@hub/core';
import { serveSubgraphForTests } from '@hub/core/testing';
import { and, asc, count, eq, gt, ilike } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { gridPage, organizationPage } from '../src/db/queries.ts';
import { grids, organizations } from '../src/db/schema.ts';
import { subgraph } from '../src/server.ts';

const harness = serveSubgraphForTests(subgraph);

/**
 * The root pages of `filteredPage` (core's `preparedPage`): their rows and total are two named statements on the
 * wire, one per shape of the filter, and answer as drizzle's own statements do, page after page.
 */
describe('root pages through filteredPage', () => {
  it("are two statements on the wire, and answer as drizzle's own select and count, for every filter value and cursor", async () => {
    const { db, pool, statements } = harness.database;
    const allGrids = await db.select().from(grids).orderBy(asc(grids.code));
    const communities = [...new Set(allGrids.map((g) => g.communityCode))].slice(0, 3);
    expect(communities.length).toBe(3);
    for (const communityCode of communities) {
      const inCommunity = allGrids.filter((g) => g.communityCode === communityCode);
      for (const page of [
        { first: 2, after: null },
        { first: 2, after: inCommunity[0]!.code },
        { first: 0, after: null },
      ] satisfies PageRequest[]) {
        // The first of each shape prepares its statements, on one of the wire's connections: then they are described.
        await gridPage(db, { communityCode }, page);
        const before = { ...wireStats(pool)! };
        statements.reset();
        const [rows, total] = await gridPage(db, { communityCode }, page);
        const wanted = page.first === 0 ? 1 : 2;
        expect(statements.count).toBe(wanted);
        expect(wireStats(pool)!.statements - before.statements).toBe(wanted);
        expect(total).toBe(inCommunity.length);
        expect(rows).toEqual(page.first === 0 ? [] : inCommunity.filter((g) => page.after === null || g.code > page.after).slice(0, page.first + 1));
      }
    }
  });

  it('match an organization name with its pattern characters taken literally, as a value of the statement', async () => {
    const { db, pool } = harness.database;
    const [sample] = await db.select().from(organizations).orderBy(asc(organizations.id)).limit(1);
    const part = sample!.name.slice(0, 2);
    for (const nameContains of [part, '%', '_']) {
      const own = await db
        .select()
        .from(organizations)
        .where(ilike(organizations.name, `%${nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`))
        .orderBy(asc(organizations.id));
      const before = wireStats(pool)!.statements;
      const [rows, total] = await organizationPage(db, { nameContains }, { first: 5, after: null });
      expect(wireStats(pool)!.statements - before).toBe(2);
      expect(total).toBe(own.length);
      expect(rows).toEqual(own.slice(0, 6));
    }
    expect((await organizationPage(db, { nameContains: part }, { first: 5, after: null }))[1]).toBeGreaterThan(0);
  });

  it('inside a transaction are built per call, and answer the same', async () => {
    const { db, pool } = harness.database;
    const [first] = await db.select().from(grids).orderBy(asc(grids.code)).limit(1);
    const filter = { streetCode: first!.streetCode };
    const outside = await gridPage(db, filter, { first: 3, after: first!.code });
    const before = wireStats(pool)!.statements;
    const inside = await db.transaction((tx) => gridPage(tx, filter, { first: 3, after: first!.code }));
    expect(wireStats(pool)!.statements).toBe(before);
    expect(inside).toEqual(outside);
    const [{ n }] = (await db.select({ n: count() }).from(grids).where(and(eq(grids.streetCode, filter.streetCode), gt(grids.code, '')))) as [{ n: number }];
    expect(outside[1]).toBe(n);
  });
});
