import { parentPort, workerData } from 'node:worker_threads';
import { CopyChunkWriter, type CopyChunk } from '@hub/core';
import type { DemoGridContents, DemoWorld, DepartmentSeeder, SeedWriter } from '@hub/demo';
import { departmentRuntimes } from './departments.ts';
import type { SeedWorkerGrid, SeedWorkerInput, SeedWorkerMessage, SeedWorkerTask, SeedWorld } from './seed-threads.ts';

/**
 * The seed's worker thread (started by `startSeedWorker`): takes the district's places and then each grid's contents
 * from the thread that generates them, and builds its departments' rows as COPY chunks, handed back to that thread,
 * which holds the departments' transactions and writes them.
 */
const port = parentPort!;
const task = workerData as SeedWorkerTask;
const post = (message: SeedWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/** Per department, the batches sent and not yet taken on, oldest first (`CopyChunkWriter` sends a few ahead). */
const waiting = new Map<string, (() => void)[]>();

function writerFor(department: string): SeedWriter {
  const queue: (() => void)[] = [];
  waiting.set(department, queue);
  const chunks = new CopyChunkWriter(
    (batch: CopyChunk[]) =>
      new Promise<void>((resolve) => {
        queue.push(resolve);
        // The texts move to the other thread without a copy.
        post({ type: 'chunks', department, chunks: batch }, batch.map((c) => c.text.buffer as ArrayBuffer));
      }),
  );
  return {
    add: (table, rows) => chunks.add(table, rows),
    flush: () => chunks.flush(),
    begin: async () => {},
    async complete(marker) {
      await chunks.end();
      post({ type: 'done', department, marker });
    },
    // The transaction, its commit and its rollback are the other thread's.
    commit: async () => {},
    rollback: async () => {},
  };
}

const opened: { close(): Promise<void> }[] = [];
const seeders: DepartmentSeeder[] = [];
let residents = 0;
/** The work in the order it came: the places, the grids, the end. */
let work: Promise<void> = (async () => {
  for (const runtime of departmentRuntimes.filter((r) => task.urls[r.name])) {
    const { seeder, close } = await runtime.openSeeder(task.urls[runtime.name]!, task.secret);
    opened.push({ close });
    seeders.push(seeder);
  }
})();

const start = async (places: SeedWorld) => {
  const world: DemoWorld = {
    ...places,
    gridContents: () => {
      throw new Error('the worker is handed the grids; it does not generate them');
    },
  };
  await Promise.all(seeders.map((s) => s.start(world, { writer: 'copy', writerFor })));
};

/** The fields not sent, every one named (a field added to the contents must be placed on one side or the other). */
const NOT_SENT: Record<Exclude<keyof DemoGridContents, keyof SeedWorkerGrid>, true> = {
  workers: true,
  organizations: true,
  civilAffairs: true,
  party: true,
  mediation: true,
};

/**
 * The grid as the seeders take it: the fields sent, and a clear failure (not rows silently missing) should one of this
 * thread's departments come to read a field that `SEED_WORKER_GRID_FIELDS` does not send.
 */
const contentsOf = (part: SeedWorkerGrid): DemoGridContents =>
  new Proxy(part, {
    get(target, field, receiver) {
      if (typeof field === 'string' && Object.hasOwn(NOT_SENT, field)) {
        throw new Error(`the seed's worker thread reads grid contents' ${field}, which SEED_WORKER_GRID_FIELDS does not send it`);
      }
      return Reflect.get(target, field, receiver) as unknown;
    },
  }) as DemoGridContents;

const grid = async (part: SeedWorkerGrid) => {
  const contents = contentsOf(part);
  await Promise.all(seeders.map((s) => s.grid(contents)));
  residents += part.residents.length;
  post({ type: 'grid-done', residents });
};

const end = async () => {
  await Promise.all(seeders.map((s) => s.complete()));
  post({ type: 'finished' });
};

const close = async () => {
  await Promise.allSettled(opened.map((o) => o.close()));
  port.close();
};

let failed = false;
port.on('message', (message: SeedWorkerInput) => {
  if (message.type === 'ack') {
    waiting.get(message.department)?.shift()?.();
    return;
  }
  if (failed) return;
  const step = message.type === 'start' ? () => start(message.world) : message.type === 'grid' ? () => grid(message.contents) : () => end();
  work = work.then(step).then(
    () => (message.type === 'end' ? close() : undefined),
    async (error: unknown) => {
      failed = true;
      post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      await close();
    },
  );
});
