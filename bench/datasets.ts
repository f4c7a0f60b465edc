/**
 * Datasets exported through the hub, each beside its own floor: the same joined rows from one SQL join over the
 * departments' tables it reads, loaded into a single PostgreSQL database and written with COPY.
 *
 *   npm run bench:datasets -- [--residents 100000,1000000] [--dataset residents-by-grid,cases,…] (default: every dataset with a floor)
 *                             [--format csv|ndjson|parquet] [--gateway-heap-mb N] [--export-runs N] [--profile <folder>] [--write]
 *
 * The gateway runs with the launcher's flags (its heap bounded at 256 MiB, `GATEWAY_NODE_FLAGS`); `--gateway-heap-mb`
 * sets another bound (4096 to see V8 left to its own sizing).
 *
 * For each size: the demo district (kept under .data/bench-<N>, seeded on first use), every subgraph and the gateway
 * as their own processes (waited on until idle), and the floor: the tables the dataset joins, copied into one database `bench_floor_<N>`,
 * indexed on their join keys, and `COPY (join) TO STDOUT WITH CSV`, run before, between and after the export's runs
 * (the fastest counts). The export is read over HTTP to the end three times (`--export-runs`; the fastest counts), while each process's resident memory is sampled every 100 ms and
 * every process's CPU seconds (PostgreSQL's backends included) are read before and after. Everything shares the
 * machine: read the ratios, wall time and CPU.
 */
import { request } from 'node:http';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { DEMO_HUB_SECRET, demoIssuer, department, freePort, internalTokenEnvForRun } from '@hub/core';
import { prepareDatabases } from '@hub/hub';
import { departmentRuntimes } from '@hub/hub/departments';
import { DEFAULT_DEMO_SEED } from '@hub/hub/options';
import { builtEntry, forkService, type ServiceProcess } from '@hub/hub/process';
import { machineLine } from './machine.ts';
import { cpuSeconds, postgresPids, untilIdle } from './proc.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCHMARKS = path.join(ROOT, 'docs/benchmarks.md');
const say = (line: string) => process.stderr.write(`${line}\n`);

function parseArgs(argv: string[]) {
  const known = ['--residents', '--dataset', '--format', '--gateway-heap-mb', '--export-runs', '--profile', '--write'];
  for (const arg of argv) if (arg.startsWith('--') && !known.includes(arg)) throw new Error(`unknown option ${arg}; known: ${known.join(', ')}`);
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sizes = (value('--residents') ?? '100000').split(',').map((s) => Number(s));
  for (const size of sizes) if (!Number.isInteger(size) || size < 1000 || size > 2_000_000) throw new Error(`--residents takes sizes from 1000 to 2000000, got ${size}`);
  const datasets = (value('--dataset') ?? Object.keys(FLOORS).join(',')).split(',');
  for (const dataset of datasets) if (!(dataset in FLOORS)) throw new Error(`--dataset takes ${Object.keys(FLOORS).join(', ')}, got ${dataset}`);
  const format = value('--format') ?? 'csv';
  if (!['csv', 'ndjson', 'parquet'].includes(format)) throw new Error(`--format is csv, ndjson or parquet, got ${format}`);
  const heap = value('--gateway-heap-mb');
  const gatewayHeapMb = heap === undefined ? null : Number(heap);
  if (gatewayHeapMb !== null && (!Number.isInteger(gatewayHeapMb) || gatewayHeapMb < 32)) throw new Error(`--gateway-heap-mb takes a whole number of MiB from 32, got ${heap}`);
  /** Full exports of each dataset; the faster counts, as the floor's faster run does. */
  const exportRuns = Number(value('--export-runs') ?? '3');
  if (!Number.isInteger(exportRuns) || exportRuns < 1 || exportRuns > 5) throw new Error(`--export-runs takes 1 to 5, got ${value('--export-runs')}`);
  /** A folder for V8 CPU profiles of the gateway and every subgraph (written when they stop). */
  const profile = value('--profile');
  return { sizes, datasets, format, gatewayHeapMb, exportRuns, profile: profile === undefined ? null : path.resolve(profile), write: argv.includes('--write') };
}

async function rssMiB(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of each named group: its processes' own, and for PostgreSQL (the postmaster first) also the backends
 * the postmaster has reaped, so a connection closed between two readings still counts.
 */
/** The first street of the district, by code. */
async function firstStreet(civilAffairsUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: civilAffairsUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ code: string }>('select code from streets order by code limit 1');
    return rows[0]!.code;
  } finally {
    await client.end();
  }
}

/** Merges the audit index's pending list into the index now; its wall time and PostgreSQL's CPU meanwhile. */
async function mergeAuditIndex(auditUrl: string, dataDir: string): Promise<{ seconds: number; cpu: number }> {
  const client = new pg.Client({ connectionString: auditUrl });
  await client.connect();
  try {
    const postgres = { postgres: await postgresPids(dataDir) };
    const before = await cpuOf(postgres);
    const t0 = performance.now();
    await client.query(`select gin_clean_pending_list('audit_records_resident_ids_idx'::regclass)`);
    const seconds = (performance.now() - t0) / 1000;
    postgres.postgres = await postgresPids(dataDir);
    return { seconds, cpu: cpuBetween(before, await cpuOf(postgres)).postgres ?? 0 };
  } finally {
    await client.end();
  }
}

async function cpuOf(groups: Record<string, number[]>): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const [name, pids] of Object.entries(groups)) {
    const seconds = await Promise.all(pids.map((pid, i) => cpuSeconds(pid, name === 'postgres' && i === 0)));
    result[name] = seconds.reduce((a, b) => a + b, 0);
  }
  return result;
}

/** CPU seconds each group used between two readings (backends that started in between counted from zero). */
function cpuBetween(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([name, seconds]) => [name, seconds - (before[name] ?? 0)]));
}

/** Samples each process's RSS every 100 ms until stopped; returns the peaks. */
function sampleMemory(pids: Record<string, number>) {
  const peaks: Record<string, number> = Object.fromEntries(Object.keys(pids).map((name) => [name, 0]));
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const [name, pid] of Object.entries(pids)) peaks[name] = Math.max(peaks[name] ?? 0, await rssMiB(pid));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return peaks;
  };
}

/** Reads a dataset to the end; returns the rows the gateway counted and the bytes. */
function exportOnce(url: URL, token: string): Promise<{ rows: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}`, 'x-hub-purpose': 'statistics' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`export answered ${res.statusCode}`));
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ rows: Number(res.trailers['x-hub-rows']), bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface Floor {
  /** The tables the dataset joins, as (department, query of the columns it needs, floor table). */
  tables: readonly (readonly [string, string, string])[];
  /** Indexes on the join keys. */
  indexes: readonly string[];
  /** The same columns as the dataset, in one statement, in the dataset's order. */
  join: string;
}

const PLACE_TABLES = [
  ['civil-affairs', 'select code, name from streets', 'streets (code text, name text)'],
  ['civil-affairs', 'select code, name, street_code from communities', 'communities (code text, name text, street_code text)'],
  ['civil-affairs', 'select code, name, community_code from grids', 'grids (code text, name text, community_code text)'],
] as const;
const PLACE_INDEXES = ['create index on grids (code)', 'create index on communities (code)', 'create index on streets (code)'];
/** A timestamp as the hub writes it: China Standard Time with its offset. */
const CHINA_TIME = (column: string) => `to_char(${column} at time zone 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"')`;
const AGE_BAND = `case when a.age is null then null when a.age < 18 then '0-17' when a.age < 35 then '18-34' when a.age < 60 then '35-59' when a.age < 80 then '60-79' else '80+' end`;

/** Each dataset's floor, by dataset name. */
const FLOORS: Record<string, Floor> = {
  'residents-by-grid': {
    tables: [
      // The people living in the grid (实有人口), as the dataset holds them: not those registered here who live elsewhere.
      ['public-security', "select id, sex::text, birth_date, population_type::text, grid_code from residents where residence_status is distinct from 'REGISTERED_NOT_RESIDENT'", 'residents (id text, sex text, birth_date date, population_type text, grid_code text)'],
      ...PLACE_TABLES,
      ['civil-affairs', 'select resident_id, kind::text, status::text from welfare_entitlements', 'welfare (resident_id text, kind text, status text)'],
      ['party', 'select resident_id from party_members', 'party_members (resident_id text)'],
      ['mediation', 'select case_id, resident_id from case_parties where resident_id is not null', 'case_parties (case_id text, resident_id text)'],
      ['mediation', 'select id, status::text from cases', 'cases (id text, status text)'],
    ],
    indexes: [
      'create index on residents (grid_code, id)',
      ...PLACE_INDEXES,
      'create index on welfare (resident_id)',
      'create index on party_members (resident_id)',
      'create index on case_parties (resident_id)',
      'create index on cases (id)',
    ],
    join: `
  select r.id as resident_id, s.code as street_code, s.name as street, c.code as community_code, c.name as community,
         g.code as grid_code, g.name as grid, r.population_type, r.sex, ${AGE_BAND} as age_band,
         exists (select 1 from party_members m where m.resident_id = r.id) as party_member,
         coalesce((select string_agg(distinct w.kind, ';' order by w.kind) from welfare w where w.resident_id = r.id and w.status = 'ACTIVE'), '') as welfare_kinds,
         (select count(*) from case_parties p join cases k on k.id = p.case_id
           where p.resident_id = r.id and k.status in ('REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'ESCALATED')) as open_cases
    from residents r
    join grids g on g.code = r.grid_code
    join communities c on c.code = g.community_code
    join streets s on s.code = c.street_code
    cross join lateral (select date_part('year', age(current_date, r.birth_date))::int as age) a
   order by g.code, r.id`,
  },
  'party-members-by-grid': {
    tables: [
      ['public-security', 'select id, sex::text, birth_date, population_type::text from residents', 'residents (id text, sex text, birth_date date, population_type text)'],
      ...PLACE_TABLES,
      [
        'party',
        'select resident_id, grid_code, organization_id, status::text, joined_on, full_member_on from party_members',
        'party_members (resident_id text, grid_code text, organization_id text, status text, joined_on date, full_member_on date)',
      ],
      ['party', 'select id, name, level::text from party_organizations', 'party_organizations (id text, name text, level text)'],
      ['party', 'select resident_id, points from points_entries', 'points_entries (resident_id text, points int)'],
    ],
    indexes: [
      'create index on residents (id)',
      ...PLACE_INDEXES,
      'create index on party_members (grid_code, resident_id)',
      'create index on party_organizations (id)',
      'create index on points_entries (resident_id)',
    ],
    join: `
  select m.resident_id, s.code as street_code, s.name as street, c.code as community_code, c.name as community,
         g.code as grid_code, g.name as grid, m.status as member_type, m.full_member_on is null as probationary,
         m.joined_on, m.full_member_on, o.id as branch_id, o.name as branch, o.level as branch_level,
         coalesce((select sum(p.points) from points_entries p where p.resident_id = m.resident_id), 0) as points,
         r.sex, ${AGE_BAND} as age_band, r.population_type
    from party_members m
    join grids g on g.code = m.grid_code
    join communities c on c.code = g.community_code
    join streets s on s.code = c.street_code
    join party_organizations o on o.id = m.organization_id
    left join residents r on r.id = m.resident_id
    cross join lateral (select date_part('year', age(current_date, r.birth_date))::int as age) a
   order by g.code, m.resident_id`,
  },
  'care-lists': {
    tables: [
      ['public-security', 'select id, sex::text, birth_date from residents', 'residents (id text, sex text, birth_date date)'],
      ...PLACE_TABLES,
      [
        'civil-affairs',
        'select id, resident_id, grid_code, kind::text, listed_on from care_records where ended_on is null',
        'care_records (id text, resident_id text, grid_code text, kind text, listed_on date)',
      ],
    ],
    indexes: ['create index on residents (id)', ...PLACE_INDEXES, 'create index on care_records (grid_code, id)'],
    join: `
  select k.id as care_id, k.resident_id, s.code as street_code, s.name as street, c.code as community_code, c.name as community,
         g.code as grid_code, g.name as grid, k.kind, k.listed_on, r.sex, ${AGE_BAND} as age_band
    from care_records k
    join grids g on g.code = k.grid_code
    join communities c on c.code = g.community_code
    join streets s on s.code = c.street_code
    left join residents r on r.id = k.resident_id
    cross join lateral (select date_part('year', age(current_date, r.birth_date))::int as age) a
   order by g.code, k.id`,
  },
  cases: {
    tables: [
      ...PLACE_TABLES,
      [
        'mediation',
        `select id, grid_code, category::text, source::text, hotline_ticket, severity::text, criminal_risk, head_count, leader_name, leader_post,
                status::text, outcome::text, assigned_department::text, level::text, reported_up_at, lead_unit, dispatch_round,
                received_at, accepted_at, acknowledged_at, resolved_at, closed_at, due_on from cases`,
        `cases (id text, grid_code text, category text, source text, hotline_ticket text, severity text, criminal_risk boolean, head_count int,
                leader_name text, leader_post text, status text, outcome text, assigned_department text, level text, reported_up_at timestamptz,
                lead_unit text, dispatch_round int, received_at timestamptz, accepted_at timestamptz, acknowledged_at timestamptz,
                resolved_at timestamptz, closed_at timestamptz, due_on date)`,
      ],
      ['mediation', 'select case_id, round, role::text, unit_code, status::text from case_parts', 'case_parts (case_id text, round int, role text, unit_code text, status text)'],
      ['mediation', 'select case_id, position, level::text from follow_ups', 'follow_ups (case_id text, position int, level text)'],
    ],
    indexes: [...PLACE_INDEXES, 'create index on cases (grid_code, id)', 'create index on case_parts (case_id)', 'create index on follow_ups (case_id, position)'],
    // Times in China Standard Time as the hub writes them; today's date there for the deadlines; the red card after
    // the default five days of grace.
    join: `
  select k.id as case_id, s.code as street_code, s.name as street, c.code as community_code, c.name as community,
         g.code as grid_code, g.name as grid, k.category, k.source, k.hotline_ticket, k.severity, k.criminal_risk,
         k.head_count is not null as group_dispute, k.head_count, case when k.leader_name is null then null else k.leader_post end as leader_post,
         k.status, k.outcome, k.assigned_department as department, k.lead_unit,
         (select string_agg(p.unit_code, ';' order by p.unit_code) from case_parts p
           where p.case_id = k.id and p.round = k.dispatch_round and p.role = 'CO_HANDLER') as co_handlers,
         (select count(*) from case_parts p where p.case_id = k.id and p.status = 'HANDED_BACK') as hand_backs,
         k.level, k.reported_up_at is not null as reported_up,
         ${CHINA_TIME('k.received_at')} as received_at, ${CHINA_TIME('k.accepted_at')} as accepted_at,
         ${CHINA_TIME('k.acknowledged_at')} as acknowledged_at, ${CHINA_TIME('k.resolved_at')} as resolved_at,
         ${CHINA_TIME('k.closed_at')} as closed_at, k.due_on, d.days > 0 as overdue, d.days as overdue_days,
         case when d.days = 0 then null when d.days > 5 then 'RED' else 'YELLOW' end as card,
         (select count(*) from follow_ups f where f.case_id = k.id) as follow_ups,
         l.level <> 'DISSATISFIED' as satisfied, l.level as satisfaction
    from cases k
    join grids g on g.code = k.grid_code
    join communities c on c.code = g.community_code
    join streets s on s.code = c.street_code
    cross join lateral (select case when k.status in ('REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'ESCALATED')
                                     and k.due_on < (now() at time zone 'Asia/Shanghai')::date
                                    then (now() at time zone 'Asia/Shanghai')::date - k.due_on else 0 end as days) d
    left join lateral (select f.level from follow_ups f where f.case_id = k.id order by f.position desc limit 1) l on true
   order by g.code, k.id`,
  },
  'group-rentals': {
    tables: [
      ...PLACE_TABLES,
      [
        'housing',
        'select id, house_code, grid_code, status::text, identified_on, occupant_count from group_rentals',
        'group_rentals (id text, house_code text, grid_code text, status text, identified_on date, occupant_count int)',
      ],
      ['public-security', 'select house_code, population_type::text from residents where house_code is not null', 'residents (house_code text, population_type text)'],
      ['mediation', 'select group_rental_id from cases where group_rental_id is not null', 'cases (group_rental_id text)'],
    ],
    indexes: [...PLACE_INDEXES, 'create index on group_rentals (grid_code, id)', 'create index on residents (house_code)', 'create index on cases (group_rental_id)'],
    join: `
  select r.id as group_rental_id, r.house_code, s.code as street_code, s.name as street, c.code as community_code, c.name as community,
         g.code as grid_code, g.name as grid, r.status, r.identified_on, r.occupant_count as occupants,
         o.registered as registered_occupants, o.floating as floating_occupants,
         (select count(*) from cases k where k.group_rental_id = r.id) as disputes
    from group_rentals r
    join grids g on g.code = r.grid_code
    join communities c on c.code = g.community_code
    join streets s on s.code = c.street_code
    cross join lateral (select count(*) as registered, count(*) filter (where p.population_type = 'FLOATING') as floating
                          from residents p where p.house_code = r.house_code) o
   order by g.code, r.id`,
  },
  'welfare-cross-check': {
    tables: [
      ...PLACE_TABLES,
      [
        'civil-affairs',
        `select id, resident_id, grid_code, kind::text, status::text, monthly_amount, starts_on from welfare_entitlements
          where kind in ('MINIMUM_LIVING', 'EXTREME_POVERTY')`,
        'welfare (id text, resident_id text, grid_code text, kind text, status text, monthly_amount numeric, starts_on date)',
      ],
      ['housing', 'select owner_resident_id, house_code from ownerships where owner_resident_id is not null', 'ownerships (owner_resident_id text, house_code text)'],
      ['housing', 'select code, area_m2 from houses', 'houses (code text, area_m2 double precision)'],
    ],
    indexes: [...PLACE_INDEXES, 'create index on welfare (grid_code, id)', 'create index on ownerships (owner_resident_id)', 'create index on houses (code)'],
    // Each house a recipient owns once, however many shares of it they hold.
    join: `
  select w.id as entitlement_id, w.resident_id, s.code as street_code, s.name as street, c.code as community_code, c.name as community,
         g.code as grid_code, g.name as grid, w.kind, w.status, w.monthly_amount, w.starts_on,
         o.houses as houses_owned, o.area as total_area_m2
    from welfare w
    join grids g on g.code = w.grid_code
    join communities c on c.code = g.community_code
    join streets s on s.code = c.street_code
    cross join lateral (select count(*) as houses, coalesce(round(sum(h.area_m2)::numeric, 2), 0) as area
                          from (select distinct o.house_code from ownerships o where o.owner_resident_id = w.resident_id) owned
                          join houses h on h.code = owned.house_code) o
   order by g.code, w.id`,
  },
};

/**
 * Loads the floor's database (the joined tables in one database, indexed on their join keys) and returns a run of
 * its COPY: rows, seconds, and PostgreSQL's CPU seconds over it.
 */
async function prepareFloor(floor: Floor, dataset: string, urls: Record<string, string>, residents: number, dataDir: string) {
  const name = `bench_floor_${residents}_${dataset.replaceAll('-', '_')}`;
  const adminUrl = new URL(urls['public-security'] as string);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const floorUrl = new URL(adminUrl);
  floorUrl.pathname = `/${name}`;
  const target = new pg.Client({ connectionString: floorUrl.toString() });
  await target.connect();
  for (const [dept, query, table] of floor.tables) {
    await target.query(`create table ${table}`);
    const source = new pg.Client({ connectionString: urls[dept] });
    await source.connect();
    try {
      await pipeline(source.query(copyTo(`copy (${query}) to stdout`)), target.query(copyFrom(`copy ${table.slice(0, table.indexOf(' '))} from stdin`)));
    } finally {
      await source.end();
    }
  }
  for (const statement of floor.indexes) await target.query(statement);
  await target.query('analyze');
  return {
    run: async (): Promise<{ rows: number; seconds: number; cpu: number }> => {
      let rows = 0;
      const pids = await postgresPids(dataDir);
      const before = await cpuOf({ postgres: pids });
      const started = performance.now();
      await pipeline(
        target.query(copyTo(`copy (${floor.join}) to stdout with (format csv, header)`)),
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            for (const byte of chunk) if (byte === 0x0a) rows++;
            done();
          },
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const cpu = cpuBetween(before, await cpuOf({ postgres: await postgresPids(dataDir) })).postgres ?? 0;
      return { rows: rows - 1, seconds, cpu };
    },
    close: () => target.end(),
  };
}

/** One full export: its rows, wall seconds, the audit index's merge after it, CPU per process and peak memory. */
interface ExportRun {
  exported: Awaited<ReturnType<typeof exportOnce>>;
  seconds: number;
  merge: Awaited<ReturnType<typeof mergeAuditIndex>>;
  used: Record<string, number>;
  peaks: Awaited<ReturnType<ReturnType<typeof sampleMemory>>>;
}

const options = parseArgs(process.argv.slice(2));
const profileArgs = (name: string) => (options.profile === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${path.join(options.profile, name)}`]);
const results: string[] = [];
for (const residents of options.sizes) {
  const dataDir = path.join(ROOT, '.data', `bench-${residents}`);
  const keys = internalTokenEnvForRun({});
  const started: ServiceProcess[] = [];
  say(`preparing the demo district of ${residents.toLocaleString('en')} residents in ${path.relative(ROOT, dataDir)}…`);
  const databases = await prepareDatabases({ demo: { residents, seed: DEFAULT_DEMO_SEED }, secret: DEMO_HUB_SECRET, dataDir, port: 0, env: {}, log: say, progress: true });
  try {
    const pids: Record<string, number> = {};
    const urls: Record<string, string> = {};
    for (const runtime of departmentRuntimes) {
      const dept = department(runtime.name);
      const port = await freePort();
      const service = forkService(runtime.name, builtEntry(runtime.entry), {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        LOG_LEVEL: 'error',
        HUB_SECRET: DEMO_HUB_SECRET,
        [`${dept.envPrefix}_DATABASE_URL`]: databases.urls[runtime.name],
        [`${dept.envPrefix}_PORT`]: String(port),
        ...keys.subgraph(runtime.name),
      }, { execArgv: profileArgs(runtime.name) });
      started.push(service);
      await service.ready;
      pids[runtime.name] = service.child.pid as number;
      urls[`${dept.envPrefix}_URL`] = `http://127.0.0.1:${port}/graphql`;
    }
    const issuerDir = path.join(ROOT, '.data', 'bench-issuer');
    const gatewayPort = await freePort();
    // The rate limits stay on (their cost is part of an export) with a budget these exports cannot spend: the
    // default analyst's budget would refuse the second of back-to-back million-row exports.
    const rateLimitsFile = path.join(dataDir, 'bench-rate-limits.json');
    await writeFile(rateLimitsFile, JSON.stringify({ roles: { 'district-analyst': { perMinute: 1e12, burst: 1e12 } } }));
    const gateway = forkService('gateway', builtEntry(path.join(ROOT, 'gateway/src/index.ts')), {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'error',
      GATEWAY_PORT: String(gatewayPort),
      HUB_DEMO_ISSUER_DIR: issuerDir,
      ...keys.gateway,
      AUDIT_DATABASE_URL: databases.urls.audit as string,
      HUB_RATE_LIMITS_FILE: rateLimitsFile,
      ...urls,
    }, { execArgv: [...(options.gatewayHeapMb === null ? [] : [`--max-old-space-size=${options.gatewayHeapMb}`]), ...profileArgs('gateway')] });
    started.push(gateway);
    await gateway.ready;
    pids.gateway = gateway.child.pid as number;
    const token = await demoIssuer({ HUB_DEMO_ISSUER_DIR: issuerDir }).mint({ sub: 'bench', role: 'district-analyst' }, { expiresIn: '8h' });
    await untilIdle(pids, say, 900, options.profile ? 0.15 : 0.05);

    for (const dataset of options.datasets) {
    say(`dataset ${dataset}`);
    const url = new URL(`http://127.0.0.1:${gatewayPort}/datasets/${dataset}.${options.format}`);
    // The floor runs before and after the export and counts at its faster run, so load that comes and goes on a
    // shared machine flatters the export less.
    say('loading the floor (every joined table in one database)…');
    const floorDb = await prepareFloor(FLOORS[dataset] as Floor, dataset, databases.urls, residents, dataDir);
    const floorRuns = [await floorDb.run()];
    // The floor's server is warm (it has run the join before it counts), so the gateway and departments get the same:
    // one street exported first (plans cached, code compiled), not counted.
    const street = await firstStreet(databases.urls['civil-affairs'] as string);
    const warmUp = await exportOnce(new URL(`${url.href}?street=${street}`), token);
    say(`warm-up: street ${street}, ${warmUp.rows.toLocaleString('en')} rows (not counted)`);
    const warmUpMerge = await mergeAuditIndex(databases.urls.audit as string, dataDir);
    say(`audit index merge after the warm-up: ${warmUpMerge.seconds.toFixed(1)} s (not counted)`);
    const idle = Object.fromEntries(await Promise.all(Object.entries(pids).map(async ([name, pid]) => [name, await rssMiB(pid)] as const)));
    // The export runs three times (`--export-runs`) in turns with the floor, which runs once more than it, and each
    // counts at its faster run: a small export's first run reads what no warm-up street touched (its statements ran
    // 5x slower cold), as the floor's first run did. Every run is logged and in the table.
    const runs: ExportRun[] = [];
    for (let run = 0; run < options.exportRuns; run++) {
      // The floor and the export take turns (floor, export, floor, …, floor): the machine's drift falls on both.
      if (run > 0) floorRuns.push(await floorDb.run());
      const stop = sampleMemory(pids);
      // CPU of every process over the export, PostgreSQL's backends included (connections are pooled, so they exist now).
      const groups = { ...Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, [pid]])), postgres: await postgresPids(dataDir) };
      const cpuBefore = await cpuOf(groups);
      const t0 = performance.now();
      const exported = await exportOnce(url, token);
      const seconds = (performance.now() - t0) / 1000;
      // The server's processes now: backends a pool opened during the export count from zero, those it closed are
      // in the postmaster's reaped time.
      groups.postgres = await postgresPids(dataDir);
      const cpuAfter = await cpuOf(groups);
      const peaks = await stop();
      say(`export ${run + 1}: ${exported.rows.toLocaleString('en')} rows, ${(exported.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s (${Math.round(exported.rows / seconds).toLocaleString('en')} rows/s)`);
      // The audit trail's resident index takes a page's ids into its pending list and merges them into the index
      // later (autovacuum, or the insert that finds the list full): done here at once, and its cost counted in.
      const merge = await mergeAuditIndex(databases.urls.audit as string, dataDir);
      say(`audit index merge after the export: ${merge.seconds.toFixed(1)} s, PostgreSQL CPU ${merge.cpu.toFixed(1)} s`);
      const used = cpuBetween(cpuBefore, cpuAfter);
      used.postgres = (used.postgres ?? 0) + merge.cpu;
      const cpu = Object.keys(groups).map((name) => `${name} ${(used[name] ?? 0).toFixed(1)}`);
      say(`CPU seconds of the export (PostgreSQL's with the audit index merge): ${cpu.join(', ')} (load average ${loadavg()[0]?.toFixed(1)})`);
      runs.push({ exported, seconds, merge, used, peaks });
    }
    const { exported, seconds, merge, used, peaks } = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const exportRuns = runs.map((r) => r.seconds.toFixed(1)).join(', ');
    const subgraphCpu = Object.entries(used).filter(([name]) => name !== 'gateway' && name !== 'postgres').reduce((sum, [, seconds]) => sum + seconds, 0);
    const cpuSummary = `${(used.gateway ?? 0).toFixed(1)} / ${subgraphCpu.toFixed(1)} / ${(used.postgres ?? 0).toFixed(1)}`;
    floorRuns.push(await floorDb.run());
    await floorDb.close();
    const floorRun = floorRuns.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    say(`floor runs: ${floorRuns.map((f) => `${f.seconds.toFixed(2)} s (PostgreSQL CPU ${f.cpu.toFixed(1)} s)`).join(', ')}`);
    const exportCpu = Object.values(used).reduce((a, b) => a + b, 0);
    say(`floor: ${floorRun.rows.toLocaleString('en')} rows in ${floorRun.seconds.toFixed(1)} s (${Math.round(floorRun.rows / floorRun.seconds).toLocaleString('en')} rows/s)`);
    const memory = Object.keys(pids)
      .map((name) => `${name} ${idle[name]?.toFixed(0)}→${peaks[name]?.toFixed(0)}`)
      .join(', ');
    say(`peak RSS MiB (idle→peak): ${memory}`);
    results.push(
      `| ${residents.toLocaleString('en')} | ${dataset} | ${options.format} | ${exported.rows.toLocaleString('en')} | ${seconds.toFixed(1)} | ${exportRuns} | ${Math.round(exported.rows / seconds).toLocaleString('en')} | ${floorRun.seconds.toFixed(1)} | ${Math.round(floorRun.rows / floorRun.seconds).toLocaleString('en')} | ${(floorRun.rows / floorRun.seconds / (exported.rows / seconds)).toFixed(1)}x | ${merge.seconds.toFixed(1)} | ${((seconds + merge.seconds) / floorRun.seconds).toFixed(1)}x | ${peaks.gateway?.toFixed(0)} | ${memory} | ${cpuSummary} | ${floorRun.cpu.toFixed(1)} | ${(exportCpu / Math.max(floorRun.cpu, 0.01)).toFixed(1)}x | ${loadavg()[0]?.toFixed(1)} |`,
    );
    if (floorRun.rows !== exported.rows) say(`warning: the floor has ${floorRun.rows} rows, the export ${exported.rows}`);
    }
  } finally {
    for (const service of started.reverse()) await service.stop();
    await databases.stop();
  }
}

const table = [
  `Machine: ${machineLine()}`,
  '',
  `Command: \`npm run bench:datasets -- --residents ${options.sizes.join(',')} --dataset ${options.datasets.join(',')} --format ${options.format}${options.gatewayHeapMb === null ? '' : ` --gateway-heap-mb ${options.gatewayHeapMb}`}${options.exportRuns === 3 ? '' : ` --export-runs ${options.exportRuns}`}\``,
  '',
  '| residents | dataset | format | rows | export s | export runs, s | export rows/s | floor s | floor rows/s | floor ÷ export | audit index merge after, s | (export + merge) ÷ floor | gateway peak RSS MiB | every process, idle→peak RSS MiB | export CPU s: gateway / subgraphs / PostgreSQL | floor CPU s | export CPU ÷ floor CPU | load average after |',
  '|---:|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|',
  ...results,
].join('\n');
process.stdout.write(`${table}\n`);
if (options.write) {
  const text = await readFile(BENCHMARKS, 'utf8');
  const start = '<!-- datasets-benchmark:start -->';
  const end = '<!-- datasets-benchmark:end -->';
  const block = `${start}\n${table}\n${end}`;
  const next = text.includes(start) ? text.replace(new RegExp(`${start}[\\s\\S]*?${end}`), block) : `${text.trimEnd()}\n\n## Dataset exports\n\n${block}\n`;
  await writeFile(BENCHMARKS, next);
}
