import { DEMO_HUB_SECRET, residentKey } from '@hub/core';
import { serveSubgraphForTests } from '@hub/core/testing';
import { generateDemoWorld } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';

const everyone = [...generateDemoWorld(TEST_DEMO).gridContents()].flatMap((g) => g.residents);
const harness = serveSubgraphForTests(subgraph);

/** Every index the plan of `sql` scans, by name. */
function indexesIn(plan: Record<string, unknown>): string[] {
  const own = typeof plan['Index Name'] === 'string' ? [plan['Index Name']] : [];
  return [...own, ...((plan['Plans'] as Record<string, unknown>[] | undefined) ?? []).flatMap(indexesIn)];
}

describe('residents by hub id through the hash index (residents_id_hash_idx, migration 0005)', () => {
  it('finds the same residents as the primary key, an unknown id nothing', async () => {
    const sample = everyone.filter((_, i) => i % 53 === 0).map((r) => residentKey(r.idNumber, DEMO_HUB_SECRET));
    expect(sample.length).toBeGreaterThan(10);
    const asked = [...sample, 'f'.repeat(32)];
    const lookup = 'select id, name, grid_code from residents where id = any($1) order by id';
    const client = await harness.database.pool.connect();
    try {
      const byPrimaryKey = (await client.query(lookup, [asked])).rows;
      expect(byPrimaryKey.map((r) => r.id)).toEqual([...sample].sort());
      await client.query('begin');
      // A district this small keeps the primary key (a one-level tree) cheaper, as 10,000 residents do; at
      // 1,000,000 the planner takes the hash index by itself. Without the table's other indexes (this test file's own
      // database, the transaction rolled back: a skip scan of (grid_code, id) can serve `id = any` too, depending on
      // the statistics of the moment) and without a sequential scan, the hash index is the only way left.
      const others = await client.query<{ index: string; constraint: string | null }>(
        `select i.indexrelid::regclass::text as index, c.conname as constraint from pg_index i
           left join pg_constraint c on c.conindid = i.indexrelid and c.conrelid = i.indrelid
          where i.indrelid = 'residents'::regclass and i.indexrelid <> 'residents_id_hash_idx'::regclass`,
      );
      for (const { index, constraint } of others.rows) {
        if (constraint) await client.query(`alter table residents drop constraint "${constraint}" cascade`);
        else await client.query(`drop index ${index}`);
      }
      await client.query('set local enable_seqscan = off');
      const plan = (await client.query(`explain (format json) ${lookup}`, [asked])).rows[0]['QUERY PLAN'][0].Plan;
      expect(indexesIn(plan)).toEqual(['residents_id_hash_idx']);
      expect((await client.query(lookup, [asked])).rows).toEqual(byPrimaryKey);
      await client.query('rollback');
    } finally {
      client.release();
    }
  });
});
