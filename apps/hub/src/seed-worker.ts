import { parentPort, workerData } from 'node:worker_threads';
import { CopyChunkWriter, type CopyChunk } from '@hub/core';
import { generateDemoWorld, seedDepartments, type DepartmentSeeder, type SeedWriter } from '@hub/demo';
import { departmentRuntimes } from './departments.ts';
import type { SeedWorkerMessage, SeedWorkerReply, SeedWorkerTask } from './seed-threads.ts';

/**
 * The seed's worker thread (started by `startSeedWorker`): generates the same district as the thread that started it
 * (the generator is deterministic: same seed, size and reference date, same district) and builds its departments'
 * rows as COPY chunks, handed over to that thread, which holds the departments' transactions and writes them.
 */
const port = parentPort!;
const task = workerData as SeedWorkerTask;
const post = (message: SeedWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/** Per department, the batches sent and not yet taken on (at most one: `CopyChunkWriter` waits for each). */
const waiting = new Map<string, (() => void)[]>();
port.on('message', (reply: SeedWorkerReply) => waiting.get(reply.department)?.shift()?.());

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
try {
  const seeders: DepartmentSeeder[] = [];
  for (const runtime of departmentRuntimes.filter((r) => task.urls[r.name])) {
    const { seeder, close } = await runtime.openSeeder(task.urls[runtime.name]!, task.secret);
    opened.push({ close });
    seeders.push(seeder);
  }
  await seedDepartments(generateDemoWorld(task.demo), seeders, (p) => post({ type: 'progress', residents: p.residentsDone }), { writer: 'copy', writerFor });
  post({ type: 'finished' });
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
} finally {
  await Promise.allSettled(opened.map((o) => o.close()));
  port.close();
}
