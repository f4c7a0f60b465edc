/**
 * How PostgreSQL plans the loaders' key lookups, by the form of the key condition and the batch size.
 *
 *   cd bench && node --import tsx loader-plans.ts [--residents 1000000] [--data <folder>]
 *
 * Seeds (or reuses) the demo district in .data/bench-N, then for a set of the loaders' key columns (primary keys and
 * the secondary indexes the resident lookups use) and batches of 1, 20, 500 and 5,000 existing keys, prepares
 * `select * from <table> where <key condition>` in two forms, `column = any($1)` (core's `keyBatch`/`selectByKeys`) and
 * `column in (select unnest($1))` (the column pages' `keysIn`), under `plan_cache_mode` auto (after six executions,
 * where PostgreSQL may have gone generic) and `force_generic_plan`, and prints each plan's nodes, the buffers it
 * touched and its execution time. Buffers decide (timings on a shared machine are noise); each statement runs six
 * times before it is explained, so every form finds the cache warm.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DEMO_HUB_SECRET } from '@hub/core';
import { prepareDatabases } from '@hub/hub';
import { DEFAULT_DEMO_SEED } from '@hub/hub/options';
import { machineLine } from './machine.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (flag: string) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const residents = Number(arg('--residents') ?? 1_000_000);
const dataDir = arg('--data') ?? path.join(ROOT, '.data', `bench-${residents}`);

/** A loader's statement with its key condition left as KEYS, the key column, and its array's element type. */
interface Case {
  name: string;
  department: string;
  /** The key column as the statement names it; the sample of keys is drawn from `table`. */
  column: string;
  table: string;
  type: string;
  statement: string;
}
const lookup = (department: string, table: string, column: string, type: string, scope?: string): Case => ({
  name: `${department}.${table}.${column}${scope ? ' (scoped)' : ''}`,
  department,
  table,
  column,
  type,
  statement: `select * from ${table} where KEYS${scope ? ` and ${scope}` : ''}`,
});
const CASES: Case[] = [
  lookup('public-security', 'residents', 'id', 'varchar'),
  lookup('public-security', 'residents', 'household_id', 'text'),
  lookup('public-security', 'residents', 'id', 'varchar', "left(grid_code, 12) in ('320311001001', '320311002001')"),
  lookup('civil-affairs', 'welfare_entitlements', 'resident_id', 'varchar'),
  lookup('housing', 'ownerships', 'owner_resident_id', 'varchar'),
  lookup('housing', 'houses', 'code', 'text'),
  lookup('mediation', 'case_parties', 'resident_id', 'varchar'),
  // housing's keyBatch statements with joins (housing.ownedSummaryByResident, housing.leasesByResident).
  {
    name: 'housing.ownedSummaryByResident',
    department: 'housing',
    table: 'ownerships',
    column: 'owner_resident_id',
    type: 'varchar',
    statement:
      'select resident_id, count(*), sum(area_m2) from (select distinct ownerships.owner_resident_id as resident_id, ownerships.house_code, h.area_m2 from ownerships join houses h on h.code = ownerships.house_code where KEYS) owned group by resident_id',
  },
  {
    name: 'housing.leasesByResident',
    department: 'housing',
    table: 'tenancy_occupants',
    column: 'resident_id',
    type: 'varchar',
    statement: 'select tenancy_occupants.resident_id, t.* from tenancy_occupants join tenancies t on t.id = tenancy_occupants.tenancy_id where KEYS order by t.starts_on, t.id',
  },
];
const SIZES = [1, 20, 500, 5000];

const say = (line: string) => process.stderr.write(`${line}\n`);
const databases = await prepareDatabases({ demo: { residents, seed: DEFAULT_DEMO_SEED }, secret: DEMO_HUB_SECRET, dataDir, port: 0, env: {}, log: say });
console.log(`${machineLine()}; ${residents.toLocaleString('en')} residents`);
console.log('case\tkeys\tform\tplan_cache_mode\texecution ms\tbuffers\trows\tplan');
try {
  for (const { name, department, table, column, type, statement } of CASES) {
    const client = new pg.Client({ connectionString: databases.urls[department] });
    await client.connect();
    try {
      const sample = (await client.query(`select ${column} as k from ${table} where ${column} is not null order by random() limit 5000`)).rows.map((r) => r.k as string);
      for (const n of SIZES) {
        const keys = sample.slice(0, n);
        for (const [form, condition] of [
          ['= any', `${table}.${column} = any($1)`],
          ['in unnest', `${table}.${column} in (select unnest($1::${type}[]))`],
        ] as const) {
          const text = statement.replace('KEYS', condition);
          for (const mode of ['auto', 'force_generic_plan']) {
            await client.query(`set plan_cache_mode = ${mode}`);
            await client.query('deallocate all');
            await client.query(`prepare keyed(${type}[]) as ${text}`);
            for (let i = 0; i < 6; i++) await client.query(`execute keyed('{${keys.join(',')}}')`);
            const literal = `{${keys.map((k) => `"${k}"`).join(',')}}`;
            const [explained] = (await client.query(`explain (analyze, buffers, format json) execute keyed('${literal}')`)).rows[0]['QUERY PLAN'] as {
              Plan: PlanNode;
              'Execution Time': number;
            }[];
            const nodes: string[] = [];
            const walk = (node: PlanNode) => {
              nodes.push(`${node['Node Type']}${node['Index Name'] ? `(${node['Index Name']})` : ''}`);
              for (const child of node.Plans ?? []) walk(child);
            };
            walk(explained!.Plan);
            const plan = explained!.Plan;
            console.log(
              [name, n, form, mode, explained!['Execution Time'].toFixed(2), plan['Shared Hit Blocks'] + plan['Shared Read Blocks'], plan['Actual Rows'], nodes.join(' > ')].join('\t'),
            );
          }
        }
      }
    } finally {
      await client.end();
    }
  }
} finally {
  await databases.stop();
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  'Actual Rows': number;
  Plans?: PlanNode[];
}
