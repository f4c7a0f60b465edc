import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_HUB_SECRET, department, dropDatabase, ensureDatabase } from '@hub/core';
import { startTestPostgres, uniqueDatabaseName, type TestPostgres } from '@hub/core/testing';
import { generateDemoWorld } from '@hub/demo';
import { prepareDatabases } from '../src/databases.ts';
import { departmentRuntimes } from '../src/departments.ts';
import { parseDemoOptions } from '../src/options.ts';

const DEMO = { residents: 100, seed: 7 };

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

/** Every department's database given by URL, as a deployment gives them: fresh, empty databases of this test. */
function freshDatabases(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const runtime of departmentRuntimes) {
    const dept = department(runtime.name);
    const url = server.urlFor(dept, uniqueDatabaseName(`seed_guard_${dept.database}`));
    created.push(url);
    env[`${dept.envPrefix}_DATABASE_URL`] = url;
  }
  return env;
}

async function query(url: string | undefined, text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

const IMPORT_RUN = `INSERT INTO import_runs (entity, file_name, file_sha256, format, imported_by, started_at, finished_at, foreign_references,
  rows_read, inserted, updated, unchanged, rejected, completed) VALUES ('residents', 'people.csv', repeat('a', 64), 'csv', 'clerk', now(), now(), 'format', 2, 2, 0, 0, 0, true)`;

describe('npm start and a district\'s own records', () => {
  it('seeds no demo district while any database holds records that are not the demo\'s, and says which and why', async () => {
    const env = freshDatabases();
    // Public security imported its register before the hub ever started; mediation holds a record of its own.
    const [publicSecurity, mediation] = ['public-security', 'mediation'].map((name) => departmentRuntimes.find((r) => r.name === name)!);
    for (const runtime of [publicSecurity!, mediation!]) {
      const url = env[`${department(runtime.name).envPrefix}_DATABASE_URL`]!;
      await ensureDatabase(url);
      await (await runtime.connect(url)).close();
    }
    await query(env.PUBLIC_SECURITY_DATABASE_URL, IMPORT_RUN);
    await query(env.MEDIATION_DATABASE_URL, "INSERT INTO case_sequences (grid_code, last_sequence) VALUES ('320311001001001', 12)");

    const lines: string[] = [];
    const prepared = await prepareDatabases({ env, demo: DEMO, secret: DEMO_HUB_SECRET, log: (line) => lines.push(line) });
    await prepared.stop();
    expect(prepared.seeded).toEqual([]);
    expect(prepared.realRecords).toEqual(['public_security (import_runs: 1 row)', 'mediation (case_sequences: 1 row)']);
    expect(lines.join('\n')).toMatch(/not seeding the demo district: public_security \(import_runs: 1 row\); mediation \(case_sequences: 1 row\) already hold records/);
    expect(lines.join('\n')).toContain('civil_affairs');

    // Nothing of the demo went anywhere; what was there stays.
    for (const runtime of departmentRuntimes) {
      const url = env[`${department(runtime.name).envPrefix}_DATABASE_URL`];
      expect(await query(url, 'SELECT * FROM demo_seed')).toEqual([]);
    }
    expect(await query(env.CIVIL_AFFAIRS_DATABASE_URL, 'SELECT count(*)::int AS n FROM grids')).toEqual([{ n: 0 }]);
    expect(await query(env.PUBLIC_SECURITY_DATABASE_URL, 'SELECT count(*)::int AS n FROM residents')).toEqual([{ n: 0 }]);
    expect(await query(env.PUBLIC_SECURITY_DATABASE_URL, 'SELECT count(*)::int AS n FROM import_runs')).toEqual([{ n: 1 }]);

    // And on every later start the same: no demo creeps in.
    const again = await prepareDatabases({ env, demo: DEMO, secret: DEMO_HUB_SECRET });
    await again.stop();
    expect(again.seeded).toEqual([]);
  }, 120_000);

  it('still seeds empty databases, and a demo hub with files imported on top starts as it is', async () => {
    const env = freshDatabases();
    const first = await prepareDatabases({ env, demo: DEMO, secret: DEMO_HUB_SECRET });
    await first.stop();
    expect(first.seeded).toEqual(departmentRuntimes.map((r) => r.name));
    expect(first.realRecords).toEqual([]);
    await query(env.PUBLIC_SECURITY_DATABASE_URL, IMPORT_RUN);
    const residents = await query(env.PUBLIC_SECURITY_DATABASE_URL, 'SELECT count(*)::int AS n FROM residents');

    const lines: string[] = [];
    const second = await prepareDatabases({ env, demo: DEMO, secret: DEMO_HUB_SECRET, log: (line) => lines.push(line) });
    await second.stop();
    expect(second).toMatchObject({ seeded: [], realRecords: [] });
    expect(lines).toEqual([]);
    expect(await query(env.PUBLIC_SECURITY_DATABASE_URL, 'SELECT count(*)::int AS n FROM residents')).toEqual(residents);
  }, 120_000);

  it('seeds the floating share asked for with --floating-share, and counts it so in the register', async () => {
    const env = freshDatabases();
    const { demo } = parseDemoOptions(['--residents', '3000', '--seed', '7', '--floating-share', '0.7'], {});
    const prepared = await prepareDatabases({ env, demo, secret: DEMO_HUB_SECRET });
    await prepared.stop();
    const [counts] = await query(
      env.PUBLIC_SECURITY_DATABASE_URL,
      `SELECT (count(*) FILTER (WHERE residence_status IS DISTINCT FROM 'REGISTERED_NOT_RESIDENT'))::int AS residents,
              (count(*) FILTER (WHERE residence_status = 'REGISTERED_NOT_RESIDENT'))::int AS away,
              (count(*) FILTER (WHERE population_type = 'FLOATING'))::int AS floating FROM residents`,
    );
    // --residents counts the people living in the district; those registered here but living elsewhere (户在人不在)
    // are on the register besides them.
    expect(counts!.residents).toBe(3000);
    expect(counts!.away).toBe([...generateDemoWorld(demo).gridContents()].reduce((n, g) => n + g.registeredAway.length, 0));
    // The seed's 马陆镇: over 70 % from elsewhere; the default district has 22 %.
    expect(Number(counts!.floating) / 3000).toBeGreaterThan(0.66);
    expect(Number(counts!.floating) / 3000).toBeLessThan(0.74);

    const lines: string[] = [];
    const again = await prepareDatabases({ env, demo: { ...demo, floatingShare: 0.3 }, secret: DEMO_HUB_SECRET, log: (line) => lines.push(line) });
    await again.stop();
    expect(again.seeded).toEqual([]);
    expect(lines.join('\n')).toContain('start with --reset to rebuild with the floating share asked for');
  }, 180_000);
});
