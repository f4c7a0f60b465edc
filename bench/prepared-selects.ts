/**
 * What one prepared loader statement costs this process: drizzle's own execution, core's row queries through
 * node-postgres's pool, and the same row queries on the wire (db/wire.ts).
 *
 *   cd bench && node --import tsx prepared-selects.ts [--residents 10000] [--iterations 3000] [--rounds 4] [--data <folder>]
 *
 * Seeds (or reuses) the demo district in .data/bench-N and runs public-security's statements as its loaders build
 * them (a batch of 20 residents by id, a grid's first page of 20 households, counts per grid), each prepared three
 * ways, each way on a pool of its own (4 connections, as a department's would have): left to drizzle (`execute` as
 * drizzle has it), through `withDirectRows` on a pool without its wire (`withoutWire`: row-query.ts's RowQuery through
 * `pool.query`), and through `withDirectRows` on the wire. The ways run in turns, round after round: first each
 * statement alone, one execution at a time; then "one turn": the three statements issued together, as a fetch's
 * loaders issue theirs, awaited together. Each prints the process's CPU per execution (user + system, from
 * `process.cpuUsage`; per turn of three for "one turn") and the wall time; the rows of all ways are checked equal.
 * PostgreSQL's CPU is not in the figures.
 */
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asc, count, sql } from 'drizzle-orm';
import { DEMO_HUB_SECRET, withDirectRows, withoutWire, wireStats } from '@hub/core';
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
const url = databases.urls['public-security']!;
const pools = {
  drizzle: publicSecurityDatabase.open(url, { max: 4 }),
  'row query': publicSecurityDatabase.open(url, { max: 4 }),
  wire: publicSecurityDatabase.open(url, { max: 8 }),
};
withoutWire(pools['row query'].pool);
type Way = keyof typeof pools;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
try {
  const { db } = pools.drizzle;
  const ids = (await db.select({ id: residents.id }).from(residents).orderBy(asc(residents.id)).limit(20)).map((r) => r.id);
  const grids = (await db.selectDistinct({ grid: households.gridCode }).from(households).orderBy(households.gridCode).limit(3)).map((r) => r.grid);
  type Prepared = { execute(values?: Record<string, unknown>): Promise<unknown> };
  type Db = (typeof pools)['drizzle']['db'];
  const statements: { name: string; values: Record<string, unknown>; build: (db: Db, name: string) => Prepared }[] = [
    {
      name: '20 residents by id',
      values: { keys: ids },
      build: (db, name) => db.select().from(residents).where(sql`${residents.id} = any(${sql.placeholder('keys')})`).prepare(name),
    },
    {
      name: "3 grids' first 20 households",
      values: { parents: grids, limit: 21 },
      build: (db, name) => {
        const keys = sql`select page_keys.row_key from unnest(${sql.placeholder('parents')}::text[]) as page_parent(parent) cross join lateral (select ${households.id} as row_key from ${households} where ${households.gridCode} = page_parent.parent order by ${households.id} limit ${sql.placeholder('limit')}) as page_keys`;
        return db.select({ row: households }).from(households).where(sql`${households.id} in (${keys})`).orderBy(asc(households.gridCode), asc(households.id)).prepare(name);
      },
    },
    {
      name: 'residents per grid and type, 3 grids',
      values: { parents: grids },
      build: (db, name) =>
        db
          .select({ parent: sql<string>`${residents.gridCode}`, group: sql<string>`${residents.populationType}`, n: count() })
          .from(residents)
          .where(sql`${residents.gridCode} = any(${sql.placeholder('parents')})`)
          .groupBy(residents.gridCode, residents.populationType)
          .orderBy(residents.gridCode, residents.populationType)
          .prepare(name),
    },
  ];
  const prepared: Record<Way, Prepared[]> = {
    drizzle: statements.map((s, i) => s.build(pools.drizzle.db, `bench_drizzle_${i}`)),
    'row query': statements.map((s, i) => withDirectRows(s.build(pools['row query'].db, `bench_rows_${i}`))),
    wire: statements.map((s, i) => withDirectRows(s.build(pools.wire.db, `bench_rows_${i}`))),
  };
  for (const [i, statement] of statements.entries()) {
    const first = await prepared.drizzle[i]!.execute(statement.values);
    for (const way of ['row query', 'wire'] as const) {
      if (!isDeepStrictEqual(await prepared[way][i]!.execute(statement.values), first)) throw new Error(`${statement.name}: ${way}'s rows differ from drizzle's`);
    }
  }
  console.log(`${machineLine()}; ${residentCount.toLocaleString('en')} residents; ${iterations} executions a statement, way and round`);
  console.log('statement\tway\tCPU µs/execution (rounds)\twall µs/execution');
  const scenarios = [
    ...statements.map((statement, i) => ({ name: statement.name, run: (way: Way) => prepared[way][i]!.execute(statement.values) })),
    { name: 'one turn: the three together', run: (way: Way) => Promise.all(statements.map((statement, i) => prepared[way][i]!.execute(statement.values))) },
  ];
  for (const scenario of scenarios) {
    const figures = Object.fromEntries(Object.keys(pools).map((way) => [way, { cpu: [] as number[], wall: [] as number[] }])) as Record<Way, { cpu: number[]; wall: number[] }>;
    for (let round = 0; round < rounds; round++) {
      for (const way of Object.keys(pools) as Way[]) {
        for (let i = 0; i < 200; i++) await scenario.run(way);
        const cpu = process.cpuUsage();
        const started = process.hrtime.bigint();
        for (let i = 0; i < iterations; i++) await scenario.run(way);
        const used = process.cpuUsage(cpu);
        figures[way].cpu.push((used.user + used.system) / iterations);
        figures[way].wall.push(Number(process.hrtime.bigint() - started) / 1000 / iterations);
      }
    }
    for (const [way, { cpu, wall }] of Object.entries(figures)) {
      console.log(`${scenario.name}\t${way}\t${median(cpu).toFixed(1)} (${cpu.map((v) => v.toFixed(0)).join(', ')})\t${median(wall).toFixed(0)}`);
    }
    const ratio = median(figures.wire.cpu) / median(figures['row query'].cpu);
    console.log(`${scenario.name}\twire ÷ row query\t${ratio.toFixed(2)}`);
  }
  const stats = wireStats(pools.wire.pool)!;
  console.log(`wire: ${stats.statements} statements in ${stats.writes} writes`);
} finally {
  for (const database of Object.values(pools)) await database.close();
  await databases.stop();
}
