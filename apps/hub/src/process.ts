import { fork, type ChildProcess } from 'node:child_process';
import type { ReadyMessage } from '@hub/core';

export interface ServiceProcess {
  child: ChildProcess;
  /** The service's GraphQL URL once it reported ready over IPC. */
  ready: Promise<string>;
  /** Resolves when the process has exited (at once if it already has). */
  exited(): Promise<void>;
  /** Sends the signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts a service module (a subgraph's or the gateway's `index.ts`) as its own Node process. Its `ready` settles
 * on the service's IPC ready message, or fails when the process exits first or stays silent past `readyTimeoutMs`.
 */
export function forkService(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  options: { readyTimeoutMs?: number; stdio?: 'inherit' | 'ignore'; execArgv?: string[] } = {},
): ServiceProcess {
  const childEnv: NodeJS.ProcessEnv = { ...env };
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key];
  const stdio = options.stdio ?? 'inherit';
  const child = fork(entry, [], { env: childEnv, execArgv: ['--import', 'tsx', ...(options.execArgv ?? [])], stdio: ['ignore', stdio, stdio, 'ipc'] });
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<string>((resolve, reject) => {
    const timeoutMs = options.readyTimeoutMs ?? 60_000;
    const timer = setTimeout(() => reject(new Error(`${name} did not become ready within ${timeoutMs / 1000} s`)), timeoutMs);
    child.on('message', (message: ReadyMessage) => {
      if (message?.type === 'ready') {
        clearTimeout(timer);
        resolve(message.url);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? `code ${code}`})`));
    });
  });
  // A caller that only awaits `exited` must not see an unhandled rejection from `ready`.
  ready.catch(() => {});
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    ready,
    exited: () => (hasExited() ? Promise.resolve() : exit),
    stop: async (signal = 'SIGTERM') => {
      if (hasExited()) return;
      child.kill(signal);
      await exit;
    },
  };
}
