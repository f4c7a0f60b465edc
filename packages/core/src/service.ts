import { databaseUrlFromEnv } from './config.ts';
import type { Department } from './departments.ts';
import type { RunningService } from './http.ts';
import type { Logger } from './log.ts';
import { settleHeap } from './settle-heap.ts';
import { startTracing } from './tracing.ts';

/** What a service process tells the hub launcher over IPC once it listens. */
export interface ReadyMessage {
  type: 'ready';
  service: string;
  url: string;
}

/**
 * Runs one department's service as a process: takes its database URL from the environment, starts it, reports
 * readiness to the launcher (when there is one) and closes cleanly on SIGINT/SIGTERM.
 */
export async function runService(
  dept: Department,
  logger: Logger,
  start: (databaseUrl: string) => Promise<RunningService>,
): Promise<void> {
  // Before anything serves: spans of every request go to the collector named by OTEL_EXPORTER_OTLP_ENDPOINT, if any.
  const tracing = startTracing(dept.name);
  const databaseUrl = databaseUrlFromEnv(dept);
  if (!databaseUrl) {
    logger.error(`${dept.envPrefix}_DATABASE_URL is not set; start the whole hub with \`npm start\`, or set it`);
    process.exit(2);
  }
  let service: RunningService;
  try {
    service = await start(databaseUrl);
  } catch (error) {
    logger.error('could not start', { error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
  announceReady(dept.name, service, logger);
  onShutdown(logger, async () => {
    await service.close();
    await tracing?.shutdown();
  });
}

export function announceReady(name: string, service: RunningService, logger: Logger): void {
  // Started: what start-up left goes back to the system before the service says it is ready (with --expose-gc).
  settleHeap();
  logger.info('ready', { url: service.url });
  const message: ReadyMessage = { type: 'ready', service: name, url: service.url };
  process.send?.(message);
}

export function onShutdown(logger: Logger, close: () => Promise<void>): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info('stopping', { signal });
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  if (process.send) {
    // Under the hub launcher a terminal's Ctrl-C reaches every process of the group; the launcher alone decides
    // the order of shutdown and sends SIGTERM.
    process.on('SIGINT', () => {});
  } else {
    process.on('SIGINT', () => stop('SIGINT'));
  }
  process.on('SIGTERM', () => stop('SIGTERM'));
  // The launcher's IPC channel closing means the launcher is gone: do not outlive it.
  process.on('disconnect', () => stop('disconnect'));
}
