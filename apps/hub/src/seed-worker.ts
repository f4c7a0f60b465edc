import { parentPort, workerData } from 'node:worker_threads';
import { CopyChunkWriter, type CopyChunk } from '@hub/core';
import type { DemoGridContents, DemoWorld, DepartmentSeeder, SeedWriter } from '@hub/demo';
import { departmentRuntimes } from './departments.ts';
import type { SeedWorkerInput, SeedWorkerMessage, SeedWorkerTask, SeedWorld } from './seed-threads.ts';

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

const grid = async (contents: DemoGridContents) => {
  await Promise.all(seeders.map((s) => s.grid(contents)));
  residents += contents.residents.length;
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
