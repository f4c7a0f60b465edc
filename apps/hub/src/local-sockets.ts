import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { department, MAX_SOCKET_PATH_BYTES } from '@hub/core';

/**
 * The Unix sockets of a hub run on one machine: the embedded PostgreSQL server's (in its own data folder) and one per
 * department, in a `run` folder beside the data folder, which the gateway's subgraph fetches take instead of the
 * loopback TCP (bench/local-transport.ts: 15-30 % less CPU per exchange on both sides). `HUB_LOCAL_SOCKETS=0` keeps
 * everything on TCP (the benchmark's A/B switch). The TCP ports stay open either way, for health checks, metrics and
 * any caller from outside.
 */
export interface LocalSockets {
  /** Whether services talk over Unix sockets in this run. */
  enabled: boolean;
  /** The folder of the departments' sockets (0700), when enabled. */
  runDir?: string;
  /** `<DEPT>_SOCKET` for every department: given to that department (listen) and to the gateway (fetch). */
  env: Record<string, string>;
  /** What to say about where the sockets went (a folder picked because the usual one's paths were too long). */
  note?: string;
}

export function localSocketsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.HUB_LOCAL_SOCKETS !== '0';
}

/**
 * The departments' socket paths under `<data folder's parent>/run`, made 0700 so only this user connects (the
 * services also make each socket 0600). When those paths would be too long for a Unix socket, a fresh private folder
 * under the system's temporary folder instead, and a note saying so.
 */
export function prepareLocalSockets(dataDir: string, names: readonly string[], env: NodeJS.ProcessEnv = process.env): LocalSockets {
  if (!localSocketsEnabled(env)) return { enabled: false, env: {} };
  let runDir = path.join(path.dirname(path.resolve(dataDir)), 'run');
  let note: string | undefined;
  const longest = Math.max(...names.map((name) => Buffer.byteLength(socketFile(runDir, name))));
  if (longest > MAX_SOCKET_PATH_BYTES) {
    const usual = runDir;
    runDir = mkdtempSync(path.join(tmpdir(), 'hub-run-'));
    note = `service sockets in ${runDir}: those under ${usual} would be over the ${MAX_SOCKET_PATH_BYTES} bytes a Unix socket path may have`;
  } else {
    mkdirSync(runDir, { recursive: true, mode: 0o700 });
  }
  chmodSync(runDir, 0o700);
  return {
    enabled: true,
    runDir,
    env: Object.fromEntries(names.map((name) => [`${department(name).envPrefix}_SOCKET`, socketFile(runDir, name)])),
    ...(note ? { note } : {}),
  };
}

const socketFile = (runDir: string, name: string) => path.join(runDir, `${name}.sock`);
