import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_HUB_SECRET, TransactionalBatchWriter, demoSeed, department, dropDatabase, ensureDatabase } from '@hub/core';
import { startTestPostgres, uniqueDatabaseName, type TestPostgres } from '@hub/core/testing';
import { fileURLToPath } from 'node:url';
import { prepareDatabases, seedDemo, UNFINISHED_SEED } from '../src/databases.ts';
import { departmentRuntimes } from '../src/departments.ts';
import { SEED_WORKER_DEPARTMENTS } from '../src/seed-threads.ts';

// Large enough for every kind of record the generator makes (foreigners, group rentals, cases with every party kind).
const DEMO = { residents: 4000, seed: 11 };

let server: TestPostgres;
const created: string[] = [];
beforeAll(async () => {
  // Under `turbo run test` many packages start servers at once: a port found free can be taken before this one binds it.
  for (let attempt = 1; ; attempt++) {
    try {
      server = await startTestPostgres();
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}, 180_000);
afterAll(async () => {
  await Promise.allSettled(created.map((url) => dropDatabase(url)));
  await server?.stop();
});

/** A migrated, empty database per department, named after `label`. */
async function migratedDatabases(label: string): Promise<Record<string, string>> {
  const urls: Record<string, string> = {};
  for (const runtime of departmentRuntimes) {
    const dept = department(runtime.name);
    const url = server.urlFor(dept, uniqueDatabaseName(`${label}_${dept.database}`));
    created.push(url);
    await ensureDatabase(url);
    await (await runtime.connect(url)).close();
    urls[runtime.name] = url;
  }
  return urls;
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

/** Every public table's rows: count and a checksum of the rows in a fixed order (columns stamped with the time of writing left out). */
function tableChecksums(url: string): Promise<Record<string, { rows: number; md5: string | null }>> {
  return withClient(url, async (client) => {
    const tables = await client.query<{ name: string }>(
      `SELECT relname AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY relname`,
    );
    const sums: Record<string, { rows: number; md5: string | null }> = {};
    for (const { name } of tables.rows) {
      const columns = await client.query<{ name: string }>(
        `SELECT column_name AS name FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name = $1 AND coalesce(column_default, '') !~* 'now\\(\\)|current_timestamp'
          ORDER BY ordinal_position`,
        [name],
      );
      const row = `(${columns.rows.map((c) => `t."${c.name}"`).join(', ')}, null)::text`;
      const result = await client.query<{ rows: number; md5: string | null }>(
        `SELECT count(*)::int AS rows, md5(string_agg(${row}, E'\\n' ORDER BY ${row})) AS md5 FROM "${name}" t`,
      );
      sums[name] = result.rows[0]!;
    }
    return sums;
  });
}

/** What the migrations built: tables' columns, constraints and indexes, as the catalogue prints them. */
function schemaOf(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const result = await client.query<{ line: string }>(
      `SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS line
         FROM information_schema.columns WHERE table_schema = 'public'
       UNION ALL
       SELECT 'constraint ' || c.relname || '.' || k.conname || ' ' || k.contype::text || ' ' || pg_get_constraintdef(k.oid) || ' valid=' || k.convalidated::text
         FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = 'public'::regnamespace
       UNION ALL
       SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
       ORDER BY 1`,
    );
    return result.rows.map((r) => r.line);
  });
}

describe('seeding the demo district with COPY', () => {
  it('writes the same rows as the INSERT writer, table for table, and leaves the migrated schema exactly as it was', async () => {
    const [inserted, copied, built, migrated] = [
      await migratedDatabases('seed_insert'),
      await migratedDatabases('seed_copy'),
      await migratedDatabases('seed_built'),
      await migratedDatabases('seed_none'),
    ];
    await seedDemo({ urls: inserted, demo: DEMO, secret: DEMO_HUB_SECRET, writer: 'insert' }, () => {});
    await seedDemo({ urls: copied, demo: DEMO, secret: DEMO_HUB_SECRET }, () => {});
    // A first start's way: the rows committed, then the keys and indexes built on several connections.
    await seedDemo({ urls: built, demo: DEMO, secret: DEMO_HUB_SECRET, buildAfterCommit: departmentRuntimes.map((r) => r.name) }, () => {});
    for (const runtime of departmentRuntimes) {
      const before = await tableChecksums(inserted[runtime.name]!);
      expect(before.demo_seed?.rows, runtime.name).toBe(1);
      for (const urls of [copied, built]) {
        expect(await tableChecksums(urls[runtime.name]!), runtime.name).toEqual(before);
        expect(await schemaOf(urls[runtime.name]!), runtime.name).toEqual(await schemaOf(migrated[runtime.name]!));
      }
      // Analysed as soon as built, in the seed.
      const unanalysed = await withClient(built[runtime.name]!, async (c) =>
        (await c.query<{ relname: string }>('SELECT relname FROM pg_stat_user_tables WHERE n_live_tup > 0 AND last_analyze IS NULL')).rows,
      );
      expect(unanalysed, runtime.name).toEqual([]);
    }
    // The district is all there: the comparison is not of two empty databases.
    const residents = await withClient(copied['public-security']!, (c) => c.query<{ n: number }>('SELECT count(*)::int AS n FROM residents'));
    expect(residents.rows[0]!.n).toBeGreaterThan(3500);
  }, 600_000);

  it('leaves nothing behind when a row is refused: the keys it dropped come back with the rollback', async () => {
    const [urls, migrated] = [await migratedDatabases('seed_fail'), await migratedDatabases('seed_fail_ref')];
    // A record already holding a resident's key: the primary key, rebuilt at the end of the load, refuses the seed.
    await seedDemo({ urls: { 'public-security': urls['public-security']! }, demo: { residents: 300, seed: 5 }, secret: DEMO_HUB_SECRET }, () => {});
    const url = urls['public-security']!;
    await withClient(url, (c) => c.query('DELETE FROM demo_seed'));
    await expect(seedDemo({ urls: { 'public-security': url }, demo: { residents: 300, seed: 5 }, secret: DEMO_HUB_SECRET }, () => {})).rejects.toThrow(
      /could not create unique index|duplicate key/,
    );
    expect(await withClient(url, (c) => c.query('SELECT count(*)::int AS n FROM demo_seed'))).toMatchObject({ rows: [{ n: 0 }] });
    expect(await schemaOf(url)).toEqual(await schemaOf(migrated['public-security']!));
  }, 600_000);

  it('rolls a writer back whole when the seed fails while it completes: nothing it had still to write runs after the ROLLBACK', async () => {
    // Another department's failure aborts this one in the middle of its completion (its last rows, keys, the marker).
    const url = (await migratedDatabases('seed_abandon')).party!;
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      for (const mode of ['insert', 'copy'] as const) {
        const writer = new TransactionalBatchWriter(pool, { mode });
        await writer.begin();
        await writer.add(demoSeed, [{ department: `left-${mode}`, seed: 1, residents: 1 }]);
        const completing = writer.complete({ department: 'party', seed: 1, residents: 1 });
        await writer.rollback();
        await completing.catch(() => {});
        expect(await withClient(url, (c) => c.query('SELECT department FROM demo_seed')), mode).toMatchObject({ rows: [] });
      }
    } finally {
      await pool.end();
    }
  });

  it.each(['public-security', 'party'])(
    'commits no department when %s refuses its rows, whichever thread built them',
    async (refusing) => {
      // Public security's rows are built on the seed's worker thread, party's on the thread holding the transactions.
      expect(SEED_WORKER_DEPARTMENTS).toContain('public-security');
      expect(SEED_WORKER_DEPARTMENTS).not.toContain('party');
      const [all, migrated] = [await migratedDatabases(`seed_refuse_${refusing.replace('-', '_')}`), await migratedDatabases('seed_refuse_ref')];
      const urls = { 'public-security': all['public-security']!, party: all.party! };
      const demo = { residents: 600, seed: 5 };
      // The refusing department already holds the district's keys (its seed record deleted): its key builds refuse.
      await seedDemo({ urls: { [refusing]: urls[refusing as keyof typeof urls] }, demo, secret: DEMO_HUB_SECRET }, () => {});
      await withClient(urls[refusing as keyof typeof urls], (c) => c.query('DELETE FROM demo_seed'));
      const before = await tableChecksums(urls[refusing as keyof typeof urls]);
      await expect(seedDemo({ urls, demo, secret: DEMO_HUB_SECRET }, () => {})).rejects.toThrow(/could not create unique index|duplicate key/);
      expect(await tableChecksums(urls[refusing as keyof typeof urls])).toEqual(before);
      for (const name of Object.keys(urls).filter((n) => n !== refusing)) {
        const sums = await tableChecksums(all[name]!);
        expect(Object.values(sums).every((t) => t.rows === 0), name).toBe(true);
        expect(await schemaOf(all[name]!), name).toEqual(await schemaOf(migrated[name]!));
      }
    },
    600_000,
  );

  it('writes no seed record in any department when public security refuses its keys built after its rows committed', async () => {
    const [all] = [await migratedDatabases('seed_refuse_built')];
    const urls = { 'public-security': all['public-security']!, party: all.party! };
    const demo = { residents: 600, seed: 5 };
    await seedDemo({ urls: { 'public-security': urls['public-security'] }, demo, secret: DEMO_HUB_SECRET }, () => {});
    await withClient(urls['public-security'], (c) => c.query('DELETE FROM demo_seed'));
    await expect(seedDemo({ urls, demo, secret: DEMO_HUB_SECRET, buildAfterCommit: Object.keys(urls) }, () => {})).rejects.toThrow(
      /could not create unique index|duplicate key/,
    );
    // Rows committed before the builds are the launcher's to drop with the databases (next test); no seed record is written.
    for (const url of Object.values(urls)) expect(await withClient(url, (c) => c.query('SELECT count(*)::int AS n FROM demo_seed'))).toMatchObject({ rows: [{ n: 0 }] });
  }, 600_000);

  it('drops the databases a first start made for a seed that failed, and a later start seeds them again', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'hub-seed-refused-'));
    await chmod(dataDir, 0o755);
    const data = path.join(dataDir, 'data');
    const demo = { residents: 200, seed: 3 };
    const start = (seedProcess?: string) => prepareDatabases({ demo, secret: DEMO_HUB_SECRET, dataDir: data, env: {}, ...(seedProcess ? { seedProcess } : {}) });
    try {
      // Every department seeded whole (rows, keys, seed records), then the seed refused: the launcher drops them all.
      const refusing = fileURLToPath(new URL('./fixtures/seed-then-refuse.ts', import.meta.url));
      await expect(start(refusing)).rejects.toThrow(new RegExp(`refused after seeding; built after commit: ${departmentRuntimes.map((r) => r.name).join(', ')}$`));
      expect(existsSync(path.join(data, UNFINISHED_SEED))).toBe(false);
      let prepared = await start();
      try {
        expect({ seeded: prepared.seeded, realRecords: prepared.realRecords }).toEqual({ seeded: departmentRuntimes.map((r) => r.name), realRecords: [] });
      } finally {
        await prepared.stop();
      }
      // A seed the launcher could not clean up after (it died): the file it leaves has the next start drop and seed again.
      await writeFile(path.join(data, UNFINISHED_SEED), 'public-security\n');
      const lines: string[] = [];
      prepared = await prepareDatabases({ demo, secret: DEMO_HUB_SECRET, dataDir: data, env: {}, log: (l) => lines.push(l) });
      try {
        expect(prepared.seeded).toEqual(departmentRuntimes.map((r) => r.name));
        expect(lines.some((l) => l.includes('left unfinished'))).toBe(true);
        expect(existsSync(path.join(data, UNFINISHED_SEED))).toBe(false);
        const residents = await withClient(prepared.urls['public-security']!, (c) => c.query<{ n: number }>('SELECT count(*)::int AS n FROM residents'));
        expect(residents.rows[0]!.n).toBeGreaterThan(150);
      } finally {
        await prepared.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 600_000);

  it('seeds a first start with the bulk-load settings and serves with the ordinary ones', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'hub-seed-first-start-'));
    // As root the server runs as `postgres`, which must enter the folder.
    await chmod(dataDir, 0o755);
    const lines: string[] = [];
    const prepared = await prepareDatabases({ demo: { residents: 200, seed: 3 }, secret: DEMO_HUB_SECRET, dataDir: path.join(dataDir, 'data'), env: {}, log: (l) => lines.push(l) });
    try {
      expect(prepared.seeded).toHaveLength(departmentRuntimes.length);
      expect(lines.some((l) => l.startsWith('embedded PostgreSQL restarted with its serving settings'))).toBe(true);
      const settings = await withClient(prepared.urls['public-security']!, async (c) => ({
        walLevel: (await c.query<{ wal_level: string }>('SHOW wal_level')).rows[0]!.wal_level,
        autovacuum: (await c.query<{ autovacuum: string }>('SHOW autovacuum')).rows[0]!.autovacuum,
        residents: (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM residents')).rows[0]!.n,
      }));
      expect(settings).toEqual({ walLevel: 'replica', autovacuum: 'on', residents: expect.any(Number) });
      expect(settings.residents).toBeGreaterThan(150);
      // Analysed before anything serves (by the launcher, not autovacuum): every seeded table has its statistics.
      for (const runtime of departmentRuntimes) {
        const unanalysed = await withClient(prepared.urls[runtime.name]!, async (c) =>
          (await c.query<{ relname: string }>("SELECT relname FROM pg_stat_user_tables WHERE n_live_tup > 0 AND last_analyze IS NULL ORDER BY relname")).rows.map((r) => r.relname),
        );
        expect(unanalysed, `${runtime.name}: tables holding rows, not analysed`).toEqual([]);
      }
      expect(lines.some((l) => l.startsWith('analysed the seeded databases'))).toBe(true);
    } finally {
      await prepared.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 600_000);
});
