import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TransactionalBatchWriter, type CopyChunk } from '@hub/core';
import { REFERENCE_DATE, type DemoSeedMarker, type DepartmentSeeder } from '@hub/demo';
import type pg from 'pg';
import type { DemoSize } from './databases.ts';

/**
 * Departments whose rows the seed builds on a worker thread. The seeding process's one thread was the seed's critical
 * path (generating the district, then every department's rows and COPY text, while PostgreSQL had the other core);
 * public security's register is the largest share of the rows (a 100,000-resident profile: public security 2.1 s of
 * 3.8 s of row building, generation 2.6 s), so the worker generating the district again and building public
 * security's rows takes about as long as this thread generating it and building the other departments'.
 */
export const SEED_WORKER_DEPARTMENTS: readonly string[] = ['public-security'];

/** What the worker is given: its departments' database URLs (opened, never connected there), the demo, the secret. */
export interface SeedWorkerTask {
  urls: Record<string, string>;
  demo: DemoSize;
  secret: string;
}

export type SeedWorkerMessage =
  | { type: 'chunks'; department: string; chunks: CopyChunk[] }
  | { type: 'done'; department: string; marker: DemoSeedMarker }
  | { type: 'progress'; residents: number }
  | { type: 'finished' }
  | { type: 'failed'; message: string };

/** The thread's answer to a batch of chunks: taken on (the batch before it is written), so the next may come. */
export type SeedWorkerReply = { type: 'ack'; department: string };

/** The worker's module: its bundle next to the seeding process's, or its TypeScript source (tests). */
const WORKER_ENTRY = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './seed-worker.ts' : './seed-worker.js', import.meta.url));

/**
 * How the worker is started: the bundle as it is; the source through tsx's loader, registered in the thread before
 * the module is imported (Node 20 does not apply `--import tsx` given in a worker's execArgv to its main module).
 */
function workerOf(task: SeedWorkerTask, env: NodeJS.ProcessEnv): Worker {
  if (!WORKER_ENTRY.endsWith('.ts')) return new Worker(WORKER_ENTRY, { workerData: task, env, execArgv: ['--enable-source-maps'] });
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
   * department's transaction on this thread and writes the chunks the worker builds, in their order; its grids cost
   * this thread nothing, and it completes (keys and indexes built) as soon as the worker sent its last rows.
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

/** Starts the worker for the departments in `task.urls`, their pools (migrated, on this thread) in `pools`. */
export function startSeedWorker(task: SeedWorkerTask, pools: Record<string, pg.Pool>): SeedWorker {
  // The district must be the one this thread generates: the same reference date whatever the environment says.
  const worker = workerOf(task, { ...process.env, HUB_DEMO_REFERENCE_DATE: REFERENCE_DATE });
  let failure: Error | null = null;
  let residents = 0;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const departments = new Map<string, RemoteDepartment>();
  const fail = (error: Error) => {
    failure ??= error;
    for (const d of departments.values()) d.fail(failure);
  };
  for (const name of Object.keys(task.urls)) {
    const pool = pools[name];
    if (!pool) throw new Error(`no pool for ${name}`);
    departments.set(name, new RemoteDepartment(name, pool, () => failure, (reply) => worker.postMessage(reply)));
  }
  let finished = false;
  worker.on('message', (message: SeedWorkerMessage) => {
    if (message.type === 'chunks') departments.get(message.department)?.receive(message.chunks);
    else if (message.type === 'done') departments.get(message.department)?.done.resolve(message.marker);
    else if (message.type === 'progress') residents = message.residents;
    else if (message.type === 'finished') finished = true;
    else fail(new Error(message.message));
  });
  worker.once('error', (error) => fail(error));
  worker.once('exit', (code) => {
    if (!finished) fail(new Error(`the seed's worker thread exited (code ${code}) before its departments were done`));
  });
  return {
    seeders: [...departments.values()],
    residentsDone: () => residents,
    stop: async () => {
      if (!finished) await worker.terminate();
      await exited;
    },
  };
}

/** A department seeded with the worker's rows: its transaction here, its rows' chunks written as they arrive. */
class RemoteDepartment implements DepartmentSeeder {
  private readonly writer: TransactionalBatchWriter;
  private readonly begun = deferred<void>();
  readonly done = deferred<DemoSeedMarker>();
  /** The chunks' writes, one batch after the other in the order the worker built them. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly department: string,
    pool: pg.Pool,
    private readonly failure: () => Error | null,
    private readonly reply: (message: SeedWorkerReply) => void,
  ) {
    this.writer = new TransactionalBatchWriter(pool, { mode: 'copy' });
  }

  async start(): Promise<void> {
    try {
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
        await this.writer.writeChunks(chunks);
        this.reply({ type: 'ack', department: this.department });
      })
      .catch((error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))));
  }

  fail(error: Error): void {
    this.begun.reject(error);
    this.done.reject(error);
  }

  async grid(): Promise<void> {
    // The rows are the worker's; a failure there stops this thread's departments at their next grid.
    const failure = this.failure();
    if (failure) throw failure;
  }

  async complete(): Promise<void> {
    const marker = await this.done.promise;
    await this.queue;
    const failure = this.failure();
    if (failure) throw failure;
    await this.writer.complete(marker);
  }

  finish(): Promise<void> {
    return this.writer.commit();
  }

  abort(): Promise<void> {
    return this.writer.rollback();
  }
}
