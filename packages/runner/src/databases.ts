import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createProgressBar,
  databaseUrlFromEnv,
  demoSeedOf,
  department,
  dropDatabase,
  ensureDatabase,
  startEmbeddedPostgres,
  type PostgresServer,
} from '@hub/core';
import { generateDemoWorld, seedDepartments, type DepartmentSeeder } from '@hub/demo';
import { departmentRuntimes, type ConnectedDepartment } from './departments.ts';

export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../.data/postgres', import.meta.url));

export interface DemoSize {
  residents: number;
  seed: number;
}

export interface PrepareOptions {
  demo: DemoSize;
  secret: string;
  /** Data folder of the embedded server. */
  dataDir?: string;
  /** Port of the embedded server; 0 picks a free one. */
  port?: number;
  ephemeral?: boolean;
  /** Prefix for the embedded server's database names (tests keep templates apart). */
  databasePrefix?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Drop and rebuild the embedded server's department databases. */
  reset?: boolean;
  /** Show a progress bar while seeding. */
  progress?: boolean;
}

export interface PreparedDatabases {
  /** Database URL per department. */
  urls: Record<string, string>;
  /** Departments that were seeded now (empty when all already held the demo district). */
  seeded: string[];
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
  if (departmentRuntimes.some((r) => !external[r.name])) {
    const dataDir = path.resolve(options.dataDir ?? DEFAULT_DATA_DIR);
    const started = Date.now();
    server = await startEmbeddedPostgres({ dataDir, port: options.port ?? 0, ephemeral: options.ephemeral });
    log(`embedded PostgreSQL ready in ${Date.now() - started} ms (data in ${path.relative(process.cwd(), dataDir) || dataDir})`);
  }
  const urls: Record<string, string> = {};
  const connected: ConnectedDepartment[] = [];
  const seeded: string[] = [];
  try {
    for (const runtime of departmentRuntimes) {
      const url = external[runtime.name] ?? server!.url(`${options.databasePrefix ?? ''}${department(runtime.name).database}`);
      // Reset rebuilds only what the hub itself keeps; a database given by URL belongs to its operator.
      if (options.reset && !external[runtime.name]) await dropDatabase(url);
      await ensureDatabase(url);
      urls[runtime.name] = url;
    }
    // One after another: concurrent migrations against one server have collided on the migrations schema.
    const needSeed: { name: string; seeder: DepartmentSeeder }[] = [];
    for (const runtime of departmentRuntimes) {
      const db = await runtime.connect(urls[runtime.name]!);
      connected.push(db);
      const existing = await demoSeedOf(db.pool, runtime.name);
      if (!existing) needSeed.push({ name: runtime.name, seeder: db.seeder(options.secret) });
      else if (existing.seed !== options.demo.seed || existing.residents !== options.demo.residents) {
        log(
          `${runtime.name} already holds the demo district of ${existing.residents} residents (seed ${existing.seed}); ` +
            'keeping it (start with --reset to rebuild)',
        );
      }
    }
    if (needSeed.length > 0) {
      const started = Date.now();
      const world = generateDemoWorld(options.demo);
      const bar = options.progress ? createProgressBar('seeding demo district', options.demo.residents, 'residents') : null;
      let residents = 0;
      await seedDepartments(
        world,
        needSeed.map((n) => n.seeder),
        (p) => {
          residents = p.residentsDone;
          bar?.update(residents);
        },
      );
      bar?.finish(residents);
      seeded.push(...needSeed.map((n) => n.name));
      log(`seeded ${needSeed.map((n) => n.name).join(', ')} with ${residents} residents in ${Date.now() - started} ms`);
    }
  } catch (error) {
    await Promise.allSettled(connected.map((c) => c.close()));
    await server?.stop();
    throw error;
  }
  await Promise.all(connected.map((c) => c.close()));
  return {
    urls,
    seeded,
    server,
    stop: async () => {
      await server?.stop();
    },
  };
}
