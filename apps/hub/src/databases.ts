import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createProgressBar,
  databaseUrlFromEnv,
  demoSeedOf,
  department,
  dropDatabase,
  ensureDatabase,
  hubClock,
  hubToday,
  startEmbeddedPostgres,
  type PostgresServer,
} from '@hub/core';
import { generateDemoWorld, seedDepartments, type DepartmentSeeder, type SeedOptions } from '@hub/demo';
import type pg from 'pg';
import { departmentRuntimes, type ConnectedDepartment } from './departments.ts';
import { nodeArgsFor } from './process.ts';
import { SEED_WORKER_DEPARTMENTS, startSeedWorker, type SeedWorker } from './seed-threads.ts';

export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../.data/postgres', import.meta.url));

export interface DemoSize {
  residents: number;
  seed: number;
  /** Share of floating residents (流动人口), 0 to 0.95; the generator's default when absent. */
  floatingShare?: number;
}

export interface PrepareOptions {
  demo: DemoSize;
  secret: string;
  /** Data folder of the embedded server. */
  dataDir?: string;
  /** Port of the embedded server; 0 picks a free one. */
  port?: number;
  /** How the services reach the embedded server: its Unix socket (default) or 127.0.0.1 (`HUB_LOCAL_SOCKETS=0`). */
  postgresTransport?: 'unix' | 'tcp';
  ephemeral?: boolean;
  /** Prefix for the embedded server's database names (tests keep templates apart). */
  databasePrefix?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Drop and rebuild the embedded server's department databases. */
  reset?: boolean;
  /** Show a progress bar while seeding. */
  progress?: boolean;
  /** Told the residents whose rows every department has been handed, as the seed goes (the benchmark's phases). */
  onSeedProgress?: (residents: number) => void;
  /**
   * Seed in a child process running this module (the bundle of `seed-process.ts`), so the generated district's
   * memory leaves with it instead of staying in a long-running launcher. Default: in this process (tests).
   */
  seedProcess?: string;
  /** How the seed writes its rows (default `copy`; `insert` for the benchmark's comparison). */
  seedWriter?: SeedOptions['writer'];
  /**
   * Databases made for this seed commit their rows, then build their keys on several connections (default true); false
   * keeps every department in one transaction and analyses after the commit, the flow before (the benchmark's, for an
   * earlier build's seeding process, which knows nothing else).
   */
  buildAfterCommit?: boolean;
}

export interface PreparedDatabases {
  /** Database URL per department. */
  urls: Record<string, string>;
  /** Departments that were seeded now (empty when all already held the demo district). */
  seeded: string[];
  /**
   * Databases that hold records not of the demo district (imported, or written by a deployment): while there are
   * any, nothing is seeded, so no demo person or case is ever mixed into a district's real records.
   */
  realRecords: string[];
  /** The embedded server, when one was started. */
  server: PostgresServer | null;
  stop(): Promise<void>;
}

/**
 * Brings every department's database to the point of serving: the embedded server started unless every
 * `<DEPT>_DATABASE_URL` is given, each database created if missing, migrated, and seeded with the demo district
 * when it holds no data yet. Departments seed in one pass over the generated district, each in its own transaction.
 */
export async function prepareDatabases(options: PrepareOptions): Promise<PreparedDatabases> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const external = Object.fromEntries(departmentRuntimes.map((r) => [r.name, databaseUrlFromEnv(department(r.name), env)]));
  let server: PostgresServer | null = null;
  const dataDir = path.resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  // A first start on a fresh folder is the demo district's seed: the server loads it with its bulk settings and is
  // restarted with the ordinary ones before anything is served. A throwaway server's folder goes when it stops.
  const bulkLoad = !options.ephemeral && !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (departmentRuntimes.some((r) => !external[r.name])) {
    const started = Date.now();
    server = await startEmbeddedPostgres({ dataDir, port: options.port ?? 0, ephemeral: options.ephemeral, bulkLoad, transport: options.postgresTransport });
    const over = server.socketDir ? 'over its Unix socket' : server.tcpReason ? `over TCP: ${server.tcpReason}` : 'over TCP';
    log(`embedded PostgreSQL ready in ${Date.now() - started} ms (data in ${path.relative(process.cwd(), dataDir) || dataDir}, ${over})`);
  }
  const embeddedUrl = (name: string) => server!.url(`${options.databasePrefix ?? ''}${department(name).database}`);
  const urls: Record<string, string> = {};
  const connected: ConnectedDepartment[] = [];
  const seeded: string[] = [];
  const realRecords: string[] = [];
  // A seed whose rows committed before its keys were built (`buildAfterCommit`) and that never finished: its databases
  // hold rows without keys or seed record, and are dropped and seeded again, as on a reset.
  const unfinished = server ? path.join(dataDir, UNFINISHED_SEED) : null;
  const resumed = unfinished !== null && existsSync(unfinished);
  if (resumed) log('a seed of the demo district was left unfinished here: its databases are dropped and seeded again');
  /** The embedded server's databases this start made: nothing is in them but what it puts there. */
  const made = new Set<string>();
  let discard: string[] = [];
  try {
    for (const runtime of departmentRuntimes) {
      const url = external[runtime.name] ?? embeddedUrl(runtime.name);
      // Reset rebuilds only what the hub itself keeps; a database given by URL belongs to its operator.
      if ((options.reset || resumed) && !external[runtime.name]) await dropDatabase(url);
      if ((await ensureDatabase(url)) && !external[runtime.name]) made.add(runtime.name);
      urls[runtime.name] = url;
    }
    if (resumed) await rm(unfinished!, { force: true });
    // One after another: concurrent migrations against one server have collided on the migrations schema.
    let needSeed: { name: string; connected: ConnectedDepartment }[] = [];
    for (const runtime of departmentRuntimes) {
      const db = await runtime.connect(urls[runtime.name]!);
      connected.push(db);
      const existing = await demoSeedOf(db.pool, runtime.name);
      if (!existing) {
        const held = await recordsHeld(db.pool);
        if (held.length > 0) realRecords.push(`${department(runtime.name).database} (${held.join(', ')})`);
        else needSeed.push({ name: runtime.name, connected: db });
      } else if (existing.seed !== options.demo.seed || existing.residents !== options.demo.residents || options.demo.floatingShare !== undefined) {
        // The seed marker keeps size and seed only: a floating share asked for is the generator's, so it takes effect on seeding.
        log(
          `${runtime.name} already holds the demo district of ${existing.residents} residents (seed ${existing.seed}); ` +
            `keeping it (start with --reset to rebuild${options.demo.floatingShare !== undefined ? ' with the floating share asked for' : ''})`,
        );
      }
    }
    if (realRecords.length > 0) {
      // A half-seeded district is worse than none: demo grids and people beside real ones would join in the graph.
      if (needSeed.length > 0) {
        log(
          `not seeding the demo district: ${realRecords.join('; ')} already hold records that are not the demo's. ` +
            `The hub serves them as they are; ${needSeed.map((n) => department(n.name).database).join(', ')} stay empty until their records are imported ` +
            '(npm run import). For the demo, start on another data folder (HUB_DATA_DIR) or other databases.',
        );
      }
      needSeed = [];
    }
    if (needSeed.length > 0) {
      const started = Date.now();
      const bar = options.progress ? createProgressBar('seeding demo district', options.demo.residents, 'residents') : null;
      let residents = 0;
      // Databases made for this seed commit their rows before their keys are built, on several connections at once:
      // should the seed fail, or this process die, they are dropped (here, or by the next start, told by the file).
      const buildAfterCommit = (options.seedWriter ?? 'copy') === 'copy' && options.buildAfterCommit !== false ? needSeed.map((n) => n.name).filter((name) => made.has(name)) : [];
      if (buildAfterCommit.length > 0) {
        await writeFile(unfinished!, `${buildAfterCommit.join('\n')}\n`);
        discard = buildAfterCommit;
      }
      const onProgress = (done: number) => {
        residents = done;
        bar?.update(residents);
        options.onSeedProgress?.(residents);
      };
      if (options.seedProcess) {
        // The district is generated as on the hub's today, so it opens as a centre at work; later starts shift
        // nothing and it ages as a real centre's cases would (docs/configuration.md#the-demo-clock).
        const referenceDate = hubToday(hubClock(env));
        log(`generating the demo district as on ${referenceDate} (the hub's today)`);
        await seedInChildProcess(
          options.seedProcess,
          { urls: Object.fromEntries(needSeed.map((n) => [n.name, urls[n.name]!])), demo: options.demo, secret: options.secret, writer: options.seedWriter, buildAfterCommit },
          referenceDate,
          onProgress,
        );
      } else {
        const seeders = await Promise.all(needSeed.map((n) => n.connected.seeder(options.secret)));
        await seedDepartments(generateDemoWorld(options.demo), seeders, (p) => onProgress(p.residentsDone), { writer: options.seedWriter, buildAfterCommit });
      }
      discard = [];
      if (buildAfterCommit.length > 0) await rm(unfinished!, { force: true });
      bar?.finish(residents);
      seeded.push(...needSeed.map((n) => n.name));
      log(`seeded ${needSeed.map((n) => n.name).join(', ')} with ${residents} residents in ${Date.now() - started} ms`);
      // Statistics before the first request: autovacuum (off during a bulk load) would analyse the tables only a minute
      // or so after the services start, and until then every plan is made without them.
      // Those whose keys were built after their rows' commit were analysed as soon as they were built.
      const analysing = Date.now();
      await Promise.all(needSeed.filter((n) => !buildAfterCommit.includes(n.name)).map((n) => n.connected.pool.query('ANALYZE')));
      log(`analysed the seeded databases in ${Date.now() - analysing} ms`);
    }
  } catch (error) {
    await Promise.allSettled(connected.map((c) => c.close()));
    if (discard.length > 0) {
      // A failed seed leaves no department seeded: the databases made for it go (the next start makes them again).
      const dropped = await Promise.allSettled(discard.map((name) => dropDatabase(urls[name]!)));
      if (dropped.every((d) => d.status === 'fulfilled')) await rm(unfinished!, { force: true }).catch(() => {});
    }
    await server?.stop();
    throw error;
  }
  await Promise.all(connected.map((c) => c.close()));
  if (server && bulkLoad) {
    const started = Date.now();
    server = await restartForServing(server, dataDir, options.port ?? 0);
    for (const runtime of departmentRuntimes) if (!external[runtime.name]) urls[runtime.name] = embeddedUrl(runtime.name);
    log(`embedded PostgreSQL restarted with its serving settings in ${Date.now() - started} ms`);
  }
  return {
    urls,
    seeded,
    realRecords,
    server,
    stop: async () => {
      await server?.stop();
    },
  };
}

/**
 * In the embedded server's folder while a seed that commits rows before building their keys (`buildAfterCommit`) is
 * under way: the departments it names hold rows without keys or seed record until it is removed.
 */
export const UNFINISHED_SEED = 'hub-seed-unfinished';

/** Stops the server started with its bulk-load settings and starts it again as it serves, on the same port when free. */
async function restartForServing(server: PostgresServer, dataDir: string, port: number): Promise<PostgresServer> {
  const previousPort = Number(new URL(server.url('postgres')).port);
  const transport = server.socketDir ? 'unix' : 'tcp';
  await server.stop();
  try {
    return await startEmbeddedPostgres({ dataDir, port: previousPort, transport });
  } catch (error) {
    // Another process may have taken the port in the moment between.
    if (port !== 0) throw error;
    return startEmbeddedPostgres({ dataDir, port: 0, transport });
  }
}

/**
 * What a department's database holds besides the demo district, as `<table>: <rows>` (tables that hold any, and
 * imports run): the migration bookkeeping aside, any row in a database without a demo-seed record is somebody's data.
 */
async function recordsHeld(pool: pg.Pool): Promise<string[]> {
  const tables = await pool.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'demo_seed' ORDER BY table_name`,
  );
  if (tables.rows.length === 0) return [];
  const counts = await pool.query<{ name: string; rows: string }>(
    tables.rows.map((_, i) => `SELECT $${i + 1}::text AS name, (SELECT count(*) FROM (SELECT 1 FROM "${tables.rows[i]!.name}" LIMIT 1000001) t) AS rows`).join(' UNION ALL '),
    tables.rows.map((t) => t.name),
  );
  return counts.rows
    .map((c) => ({ name: c.name, rows: Number(c.rows) }))
    .filter((c) => c.rows > 0)
    .map((c) => `${c.name}: ${c.rows > 1_000_000 ? 'over 1,000,000 rows' : `${c.rows.toLocaleString('en')} row${c.rows === 1 ? '' : 's'}`}`);
}

/** What the seeding child process is asked to do: the departments' databases to seed, the demo's size, the secret. */
export interface SeedTask {
  urls: Record<string, string>;
  demo: DemoSize;
  secret: string;
  /** How the rows are written (default `copy`); tests compare the two. */
  writer?: SeedOptions['writer'];
  /** Departments whose databases were made for this seed, dropped should it fail (`SeedOptions.buildAfterCommit`). */
  buildAfterCommit?: string[];
}

export type SeedMessage = { type: 'progress'; residents: number } | { type: 'done' } | { type: 'failed'; message: string };

/**
 * Seeds the demo district into each named department's database (the child process's work, and tests'). With the
 * `copy` writer, the departments of `SEED_WORKER_DEPARTMENTS` have their rows built on a worker thread, handed each
 * grid's contents as this thread generates them, while this thread builds the others' and writes every department's
 * transaction: the seed's two Node threads and PostgreSQL share the machine's cores. Every transaction commits only once every
 * department's keys and indexes are built, so a refused seed leaves no department seeded.
 */
export async function seedDemo(task: SeedTask, onProgress: (residents: number) => void): Promise<void> {
  const connected: ConnectedDepartment[] = [];
  let worker: SeedWorker | null = null;
  try {
    const runtimes = departmentRuntimes.filter((r) => task.urls[r.name]);
    const remote = (task.writer ?? 'copy') === 'copy' && runtimes.length > 1 ? runtimes.filter((r) => SEED_WORKER_DEPARTMENTS.includes(r.name)) : [];
    const seeders: DepartmentSeeder[] = [];
    const pools: Record<string, pg.Pool> = {};
    for (const runtime of runtimes) {
      const db = await runtime.connect(task.urls[runtime.name]!);
      connected.push(db);
      if (remote.includes(runtime)) pools[runtime.name] = db.pool;
      else seeders.push(await db.seeder(task.secret));
    }
    let here = 0;
    if (remote.length > 0) {
      worker = startSeedWorker({ urls: Object.fromEntries(remote.map((r) => [r.name, task.urls[r.name]!])), secret: task.secret }, pools);
      seeders.push(...worker.seeders);
    }
    const progress = () => onProgress(worker ? Math.min(here, worker.residentsDone()) : here);
    const ticker = worker ? setInterval(progress, 500) : null;
    try {
      await seedDepartments(
        generateDemoWorld(task.demo),
        seeders,
        (p) => {
          here = p.residentsDone;
          progress();
        },
        { writer: task.writer, buildAfterCommit: task.buildAfterCommit },
      );
    } finally {
      if (ticker) clearInterval(ticker);
    }
    onProgress(here);
  } finally {
    await worker?.stop();
    await Promise.allSettled(connected.map((c) => c.close()));
  }
}

/**
 * V8's flags for the seeding process, a batch job beside PostgreSQL on the same cores: the garbage collector on the
 * thread that allocates. By default V8 hands scavenges and marking to helper threads, which on a machine of two cores
 * take the core PostgreSQL and the seed's other thread need, for more CPU in all (docs/benchmarks.md, "Seeding the
 * demo district").
 */
export const SEED_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];

function seedInChildProcess(entry: string, task: SeedTask, referenceDate: string, onProgress: (residents: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(entry, [], {
      execArgv: [...nodeArgsFor(entry), ...SEED_NODE_FLAGS],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // The generator reads its reference date as it loads, before the task arrives.
      env: { ...process.env, HUB_DEMO_REFERENCE_DATE: referenceDate },
    });
    let outcome: SeedMessage | undefined;
    child.on('message', (message: SeedMessage) => {
      if (message.type === 'progress') onProgress(message.residents);
      else outcome = message;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (outcome?.type === 'done' && code === 0) resolve();
      else reject(new Error(outcome?.type === 'failed' ? outcome.message : `the seeding process exited (${signal ?? `code ${code}`})`));
    });
    child.send(task);
  });
}
