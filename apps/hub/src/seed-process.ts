import { seedDemo, type SeedMessage, type SeedTask } from './databases.ts';

/**
 * The launcher's child for a first start: seeds the demo district into the departments' databases it is sent, reports
 * progress, and exits, so the generated district's memory leaves with it rather than staying in the launcher.
 */
const send = (message: SeedMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

process.once('message', (task: SeedTask) => {
  let last = 0;
  seedDemo(task, (residents) => {
    // A progress message per thousand residents is plenty for a bar.
    if (residents - last >= 1000 || (residents === task.demo.residents && last !== residents)) {
      last = residents;
      process.send!({ type: 'progress', residents } satisfies SeedMessage);
    }
  })
    .then(() => send({ type: 'done' }))
    .catch((error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }))
    .finally(() => process.disconnect());
});
