import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TransactionalBatchWriter, type CopyChunk } from '@hub/core';
import { REFERENCE_DATE, seedWriterOptions, type DemoGridContents, type DemoSeedMarker, type DemoWorld, type DepartmentSeeder, type SeedOptions } from '@hub/demo';
import type pg from 'pg';

/**
 * Departments whose rows the seed builds on a worker thread. The seeding process's one thread was the seed's critical
 * path (generating the district, then every department's rows and COPY text, while PostgreSQL had the other core).
 * This thread still generates the district (once: its counters run across grids, so it cannot be split by grid range)
 * and hands each grid's contents to the worker by structured clone, which costs a fraction of generating it again
 * (100,000 residents, loaded machine: generation 17.3 s, serialising every grid's contents 4.0 s). Public security's
 * register and housing's records are the larger share of the rows (the same profile: of 3.8 s of row building,
 * public security 2.1 s, housing 0.9 s, party 0.5 s, civil affairs 0.2 s, mediation 0.15 s), so the worker's share
 * (theirs) is about this thread's (generation, the clone and the others').
 */
export const SEED_WORKER_DEPARTMENTS: readonly string[] = ['public-security', 'housing'];

/**
 * The parts of a grid's contents the worker's departments read (public security: the people, those registered away
 * and its own records; housing: the buildings, houses and its records). Only these are cloned to the worker: the
 * people are most of a grid's clone, but the other departments' records (party's and civil affairs' above all) were a
 * quarter of it, for a thread that never reads them.
 */
export const SEED_WORKER_GRID_FIELDS = ['grid', 'buildings', 'houses', 'residents', 'registeredAway', 'publicSecurity', 'housing'] as const;

/** A grid's contents as the worker is handed them. */
export type SeedWorkerGrid = Pick<DemoGridContents, (typeof SEED_WORKER_GRID_FIELDS)[number]>;

/** The worker's part of a grid's contents, taken without copying (the clone happens as it is posted). */
function workerGridOf(contents: DemoGridContents): SeedWorkerGrid {
  const part: Partial<SeedWorkerGrid> = {};
  for (const field of SEED_WORKER_GRID_FIELDS) (part as Record<string, unknown>)[field] = contents[field];
  return part as SeedWorkerGrid;
}

/** What the worker is given: its departments' database URLs (opened, never connected there) and the secret. */
export interface SeedWorkerTask {
  urls: Record<string, string>;
  secret: string;
}

/** The district's places as the worker's seeders start with them: the world without its generator. */
export type SeedWorld = Omit<DemoWorld, 'gridContents'>;

/** This thread's messages: the places, each grid's contents in code order, the end. */
export type SeedWorkerInput = { type: 'start'; world: SeedWorld } | { type: 'grid'; contents: SeedWorkerGrid } | { type: 'end' } | SeedWorkerReply;

export type SeedWorkerMessage =
  | { type: 'chunks'; department: string; chunks: CopyChunk[] }
  | { type: 'grid-done'; residents: number }
  | { type: 'done'; department: string; marker: DemoSeedMarker }
  | { type: 'finished' }
  | { type: 'failed'; message: string };

/** The thread's answer to a batch of chunks: taken on (the batch before it is written), so the next may come. */
export type SeedWorkerReply = { type: 'ack'; department: string };

/** Grids handed to the worker and not yet built: enough to keep it busy, few enough to hold little memory. */
const GRIDS_AHEAD = 8;

/** The worker's module: its bundle next to the seeding process's, or its TypeScript source (tests). */
const WORKER_ENTRY = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './seed-worker.ts' : './seed-worker.js', import.meta.url));

/**
 * How the worker is started: the bundle as it is; the source through tsx's loader, registered in the thread before
 * the module is imported (Node 20 does not apply `--import tsx` given in a worker's execArgv to its main module).
 */
function workerOf(task: SeedWorkerTask, env: NodeJS.ProcessEnv): Worker {
  // A profile of the seeding process (`--cpu-prof`) covers its worker too; nothing else of the process's flags applies.
  const profile = process.execArgv.filter((a) => a.startsWith('--cpu-prof'));
  if (!WORKER_ENTRY.endsWith('.ts')) return new Worker(WORKER_ENTRY, { workerData: task, env, execArgv: ['--enable-source-maps', ...profile] });
  // tsx's ESM API by its package's own exports (its CommonJS build does not load in an evaluated worker).
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const api = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api']!.import.default;
  const tsx = new URL(api, pathToFileURL(manifest)).href;
  const source = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(pathToFileURL(WORKER_ENTRY).href)}); })`;
  return new Worker(source, { eval: true, workerData: task, env });
}

export interface SeedWorker {
  /**
   * One seeder per department of the worker, for `seedDepartments` beside the departments seeded here: each holds its
   * department's transaction on this thread and writes the chunks the worker builds, in their order; a grid hands the
   * contents to the worker (once for all its departments, waiting while it is `GRIDS_AHEAD` behind), and a department
   * completes (keys and indexes built) as soon as the worker sent its last rows.
   */
  seeders: DepartmentSeeder[];
  /** Residents whose rows the worker has built, for the progress a seed reports. */
  residentsDone(): number;
  /** Ends the thread (at once if the seed failed) and waits for it to exit. */
  stop(): Promise<void>;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nothing may be waiting yet when the worker fails; the failure is also thrown at the next grid.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** The worker's side of the seed as this thread drives it: places once, grids in order, the end once. */
class WorkerFeed {
  private started = false;
  private ended = false;
  private lastGrid: DemoGridContents | null = null;
  private ahead = 0;
  private room: Deferred<void> | null = null;
  residents = 0;
  failure: Error | null = null;

  constructor(private readonly post: (message: SeedWorkerInput) => void) {}

  start(world: DemoWorld): void {
    if (this.started) return;
    this.started = true;
    const { gridContents: _generator, ...places } = world;
    this.post({ type: 'start', world: places });
  }

  async grid(contents: DemoGridContents): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.lastGrid === contents) return;
    this.lastGrid = contents;
    while (this.ahead >= GRIDS_AHEAD) {
      this.room ??= deferred<void>();
      await this.room.promise;
      if (this.failure) throw this.failure;
    }
    this.ahead++;
    this.post({ type: 'grid', contents: workerGridOf(contents) });
  }

  gridDone(residents: number): void {
    this.residents = residents;
    this.ahead--;
    this.room?.resolve();
    this.room = null;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.post({ type: 'end' });
  }

  fail(error: Error): void {
    this.failure ??= error;
    this.room?.reject(this.failure);
  }
}

/** Starts the worker for the departments in `task.urls`, their pools (migrated, on this thread) in `pools`. */
export function startSeedWorker(task: SeedWorkerTask, pools: Record<string, pg.Pool>): SeedWorker {
  // Whatever the seeders read of the demo's today is the generating thread's, whatever the environment says.
  const worker = workerOf(task, { ...process.env, HUB_DEMO_REFERENCE_DATE: REFERENCE_DATE });
  const feed = new WorkerFeed((message) => worker.postMessage(message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const departments = new Map<string, RemoteDepartment>();
  const fail = (error: Error) => {
    feed.fail(error);
    for (const d of departments.values()) d.fail(feed.failure!);
  };
  for (const name of Object.keys(task.urls)) {
    const pool = pools[name];
    if (!pool) throw new Error(`no pool for ${name}`);
    departments.set(name, new RemoteDepartment(name, pool, feed, (reply) => worker.postMessage(reply)));
  }
  let finished = false;
  worker.on('message', (message: SeedWorkerMessage) => {
    if (message.type === 'chunks') departments.get(message.department)?.receive(message.chunks);
    else if (message.type === 'grid-done') feed.gridDone(message.residents);
    else if (message.type === 'done') departments.get(message.department)?.done.resolve(message.marker);
    else if (message.type === 'finished') finished = true;
    else fail(new Error(message.message));
  });
  worker.once('error', (error) => fail(error));
  worker.once('exit', (code) => {
    if (!finished) fail(new Error(`the seed's worker thread exited (code ${code}) before its departments were done`));
  });
  return {
    seeders: [...departments.values()],
    residentsDone: () => feed.residents,
    stop: async () => {
      if (!finished) await worker.terminate();
      await exited;
    },
  };
}

/** A department seeded with the worker's rows: its transaction here, its rows' chunks written as they arrive. */
class RemoteDepartment implements DepartmentSeeder {
  /** Made at `start`, as the seed's options say. */
  private writer: TransactionalBatchWriter | null = null;
  private readonly begun = deferred<void>();
  readonly done = deferred<DemoSeedMarker>();
  /** The chunks' writes, one batch after the other in the order the worker built them. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly department: string,
    private readonly pool: pg.Pool,
    private readonly feed: WorkerFeed,
    private readonly reply: (message: SeedWorkerReply) => void,
  ) {}

  private started(): TransactionalBatchWriter {
    if (!this.writer) throw new Error('seeder not started');
    return this.writer;
  }

  async start(world: DemoWorld, options?: SeedOptions): Promise<void> {
    this.feed.start(world);
    try {
      this.writer = new TransactionalBatchWriter(this.pool, seedWriterOptions(this.department, { ...options, writer: 'copy' }));
      await this.writer.begin();
      this.begun.resolve();
    } catch (error) {
      this.begun.reject(error);
      throw error;
    }
  }

  receive(chunks: CopyChunk[]): void {
    this.queue = this.queue
      .then(async () => {
        await this.begun.promise;
        await this.started().writeChunks(chunks);
        this.reply({ type: 'ack', department: this.department });
      })
      .catch((error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))));
  }

  fail(error: Error): void {
    this.begun.reject(error);
    this.done.reject(error);
  }

  grid(contents: DemoGridContents): Promise<void> {
    // A failure in the worker stops this thread's departments too, at their next grid.
    return this.feed.grid(contents);
  }

  async complete(): Promise<void> {
    this.feed.end();
    const marker = await this.done.promise;
    await this.queue;
    if (this.feed.failure) throw this.feed.failure;
    await this.started().complete(marker);
  }

  finish(): Promise<void> {
    return this.started().commit();
  }

  async abort(): Promise<void> {
    await this.writer?.rollback();
  }
}
