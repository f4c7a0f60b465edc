/**
 * What one prepared loader statement costs this process: drizzle's own execution against core's row queries.
 *
 *   cd bench && node --import tsx prepared-selects.ts [--residents 10000] [--iterations 3000] [--rounds 4] [--data <folder>]
 *
 * Seeds (or reuses) the demo district in .data/bench-N and runs public-security's statements as its loaders build
 * them (a batch of 20 residents by id, a grid's first page of 20 households, counts per grid), each prepared twice:
 * once left to drizzle (`execute` as drizzle has it) and once through `withDirectRows` (row-query.ts). The two run in
 * turns, round after round, one statement at a time on a pool of one connection, and each prints the process's CPU
 * per execution (user + system, from `process.cpuUsage`) and the wall time; the rows of both are checked equal.
 * PostgreSQL's CPU is not in the figures.
 */
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asc, count, sql } from 'drizzle-orm';
import { DEMO_HUB_SECRET, withDirectRows } from '@hub/core';
import { prepareDatabases } from '@hub/hub';
import { DEFAULT_DEMO_SEED } from '@hub/hub/options';
import { publicSecurityDatabase } from '@hub/public-security/db';
import { machineLine } from './machine.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (flag: string, fallback: number) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const residentCount = arg('--residents', 10_000);
const iterations = arg('--iterations', 3000);
const rounds = arg('--rounds', 4);
const say = (line: string) => process.stderr.write(`${line}\n`);

const databases = await prepareDatabases({
  demo: { residents: residentCount, seed: DEFAULT_DEMO_SEED },
  secret: DEMO_HUB_SECRET,
  dataDir: process.argv.includes('--data') ? path.resolve(process.argv[process.argv.indexOf('--data') + 1]!) : path.join(ROOT, '.data', `bench-${residentCount}`),
  port: 0,
  env: {},
  log: say,
});
const { residents, households } = publicSecurityDatabase.schema;
const database = publicSecurityDatabase.open(databases.urls['public-security']!, { max: 1 });
try {
  const { db } = database;
  const ids = (await db.select({ id: residents.id }).from(residents).orderBy(asc(residents.id)).limit(20)).map((r) => r.id);
  const grids = (await db.selectDistinct({ grid: households.gridCode }).from(households).orderBy(households.gridCode).limit(3)).map((r) => r.grid);
  type Prepared = { execute(values?: Record<string, unknown>): Promise<unknown> };
  const statements: { name: string; values: Record<string, unknown>; build: (name: string) => Prepared }[] = [
    {
      name: '20 residents by id',
      values: { keys: ids },
      build: (name) => db.select().from(residents).where(sql`${residents.id} = any(${sql.placeholder('keys')})`).prepare(name),
    },
    {
      name: "3 grids' first 20 households",
      values: { parents: grids, limit: 21 },
      build: (name) => {
        const keys = sql`select page_keys.row_key from unnest(${sql.placeholder('parents')}::text[]) as page_parent(parent) cross join lateral (select ${households.id} as row_key from ${households} where ${households.gridCode} = page_parent.parent order by ${households.id} limit ${sql.placeholder('limit')}) as page_keys`;
        return db.select({ row: households }).from(households).where(sql`${households.id} in (${keys})`).orderBy(asc(households.gridCode), asc(households.id)).prepare(name);
      },
    },
    {
      name: 'residents per grid and type, 3 grids',
      values: { parents: grids },
      build: (name) =>
        db
          .select({ parent: sql<string>`${residents.gridCode}`, group: sql<string>`${residents.populationType}`, n: count() })
          .from(residents)
          .where(sql`${residents.gridCode} = any(${sql.placeholder('parents')})`)
          .groupBy(residents.gridCode, residents.populationType)
          .prepare(name),
    },
  ];
  console.log(`${machineLine()}; ${residentCount.toLocaleString('en')} residents; ${iterations} executions a statement, way and round`);
  console.log('statement\tway\tCPU µs/execution (rounds)\twall µs/execution');
  for (const [s, statement] of statements.entries()) {
    const ways = { drizzle: statement.build(`bench_drizzle_${s}`), 'row query': withDirectRows(statement.build(`bench_rows_${s}`)) };
    const first = await ways.drizzle.execute(statement.values);
    if (!isDeepStrictEqual(await ways['row query'].execute(statement.values), first)) throw new Error(`${statement.name}: the two ways' rows differ`);
    const figures: Record<string, { cpu: number[]; wall: number[] }> = { drizzle: { cpu: [], wall: [] }, 'row query': { cpu: [], wall: [] } };
    for (let round = 0; round < rounds; round++) {
      for (const [way, prepared] of Object.entries(ways)) {
        for (let i = 0; i < 200; i++) await prepared.execute(statement.values);
        const cpu = process.cpuUsage();
        const started = process.hrtime.bigint();
        for (let i = 0; i < iterations; i++) await prepared.execute(statement.values);
        const used = process.cpuUsage(cpu);
        figures[way]!.cpu.push((used.user + used.system) / iterations);
        figures[way]!.wall.push(Number(process.hrtime.bigint() - started) / 1000 / iterations);
      }
    }
    for (const [way, { cpu, wall }] of Object.entries(figures)) {
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      console.log(`${statement.name}\t${way}\t${median(cpu).toFixed(1)} (${cpu.map((v) => v.toFixed(0)).join(', ')})\t${median(wall).toFixed(0)}`);
    }
  }
} finally {
  await database.close();
  await databases.stop();
}
