import { residentKeyer, TransactionalBatchWriter, type BatchWriterOptions, type demoSeed, type RowWriter } from '@hub/core';
import type { DemoGridContents, DemoWorld } from './types.ts';

/**
 * How one department takes in the demo district: its view of the places once, then grid by grid. Each department
 * writes its own database inside one transaction, so a seed interrupted halfway leaves nothing behind.
 */
export interface DepartmentSeeder {
  department: string;
  start(world: DemoWorld, options?: SeedOptions): Promise<void>;
  grid(contents: DemoGridContents): Promise<void>;
  /**
   * Everything but the commit: the last rows written, the department's keys and indexes built, the seed recorded. Called
   * as soon as the department's last rows are handed over, while other departments may still be loading.
   */
  complete(): Promise<void>;
  /** Commits; called once every department completed, so no department holds the demo without the others. */
  finish(): Promise<void>;
  abort(): Promise<void>;
}

export interface SeedOptions {
  /**
   * How rows reach the databases: `copy` (default) with `COPY … FROM STDIN`, the indexes and keys built after the load;
   * `insert` the unnest INSERTs seeding used before, kept so a test can show both give the same rows.
   */
  writer?: 'copy' | 'insert';
  /**
   * Where a department's rows go instead of its own transaction: the seed's worker thread builds some departments'
   * COPY chunks and hands them to the thread that holds their transactions.
   */
  writerFor?: (department: string) => SeedWriter;
  /**
   * Departments whose databases were made for this seed and are dropped should it fail (a first start's, on the
   * embedded server): with `copy`, their rows commit as soon as they are in and their keys and indexes are then built
   * on several connections at once (`seedWriterOptions`); only their seed records wait for every department.
   */
  buildAfterCommit?: readonly string[];
}

/** Connections a department in `buildAfterCommit` builds its keys and indexes on. */
export const SEED_BUILD_CONNECTIONS = 3;

/** How a department's transactional writer is made for a seed with these options. */
export function seedWriterOptions(department: string, options: SeedOptions | undefined): BatchWriterOptions {
  const mode = options?.writer ?? 'copy';
  return mode === 'copy' && options?.buildAfterCommit?.includes(department) ? { mode, buildConnections: SEED_BUILD_CONNECTIONS } : { mode };
}

/** The demo-seed record a department's database holds once seeded. */
export type DemoSeedMarker = typeof demoSeed.$inferInsert;

/** A department's rows' way into its database: begun, written, completed (keys built, seed recorded), committed. */
export interface SeedWriter extends RowWriter {
  begin(): Promise<void>;
  complete(marker: DemoSeedMarker): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface SeedProgress {
  gridsDone: number;
  gridsTotal: number;
  residentsDone: number;
}

/**
 * Walks the district once and hands every grid to every department, so a million residents are generated once,
 * not once per department, and the departments' databases take their inserts in parallel.
 */
export async function seedDepartments(
  world: DemoWorld,
  seeders: DepartmentSeeder[],
  onProgress?: (progress: SeedProgress) => void,
  options: SeedOptions = {},
): Promise<void> {
  if (seeders.length === 0) return;
  let residentsDone = 0;
  let gridsDone = 0;
  try {
    await Promise.all(seeders.map((s) => s.start(world, options)));
    for (const contents of world.gridContents()) {
      await Promise.all(seeders.map((s) => s.grid(contents)));
      gridsDone++;
      residentsDone += contents.residents.length;
      onProgress?.({ gridsDone, gridsTotal: world.grids.length, residentsDone });
    }
    // Each department's keys and indexes are built on its own connection, all at once, then all commit.
    await Promise.all(seeders.map((s) => s.complete()));
    await Promise.all(seeders.map((s) => s.finish()));
  } catch (error) {
    await Promise.allSettled(seeders.map((s) => s.abort()));
    throw error;
  }
}

/**
 * A seeder that writes one department's records through one transaction: `start` takes the places, `grid` each
 * grid's contents; the demo-seed marker is written in the same transaction, so a database holds the whole demo
 * district or none of it.
 */
export function transactionalSeeder(
  department: string,
  pool: ConstructorParameters<typeof TransactionalBatchWriter>[0],
  handlers: {
    start?(writer: RowWriter, world: DemoWorld): Promise<void>;
    grid(writer: RowWriter, contents: DemoGridContents): Promise<void>;
  },
): DepartmentSeeder {
  let writer: SeedWriter | null = null;
  let world: DemoWorld | null = null;
  const started = () => {
    if (!writer) throw new Error('seeder not started');
    return writer;
  };
  return {
    department,
    async start(w, options) {
      world = w;
      // Demo databases are empty: rows are copied in and the indexes and keys built once at the end.
      writer = options?.writerFor?.(department) ?? new TransactionalBatchWriter(pool, seedWriterOptions(department, options));
      await writer.begin();
      await handlers.start?.(writer, w);
    },
    grid: (contents) => handlers.grid(started(), contents),
    async complete() {
      if (!world) throw new Error('seeder not started');
      await started().complete({ department, seed: world.options.seed, residents: world.options.residents });
    },
    finish: () => started().commit(),
    abort: async () => {
      await writer?.rollback();
    },
  };
}

/** Hub ids already derived for a grid's contents, per secret: every department seeding the grid shares them. */
const gridHubIds = new WeakMap<DemoGridContents, Map<string, Map<string, string>>>();

/** The keyed hash per secret, its key schedule computed once for the whole seed rather than once per person. */
const keyers = new Map<string, (idNumber: string) => string>();

/**
 * The hub id (`residentKey`) of an ID number or document key, derived once per grid and secret however many
 * departments and records name the person: the keyed hash is most of what a department's rows cost to build, and the
 * departments take each grid's contents in turn. Held by the contents object, so the ids go when the grid does.
 */
export function hubIdsOf(contents: DemoGridContents, secret: string): (idNumber: string) => string {
  let bySecret = gridHubIds.get(contents);
  if (!bySecret) gridHubIds.set(contents, (bySecret = new Map()));
  let ids = bySecret.get(secret);
  if (!ids) bySecret.set(secret, (ids = new Map()));
  const known = ids;
  let keyer = keyers.get(secret);
  if (!keyer) keyers.set(secret, (keyer = residentKeyer(secret)));
  const key = keyer;
  return (idNumber) => {
    let id = known.get(idNumber);
    if (id === undefined) known.set(idNumber, (id = key(idNumber)));
    return id;
  };
}
