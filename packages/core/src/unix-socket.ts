import { chmodSync, statSync, unlinkSync } from 'node:fs';
import type { Server } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { MAX_SOCKET_PATH_BYTES } from './postgres/embedded.ts';
import type { RunningService } from './http.ts';

/**
 * HTTP over a Unix socket, for services on one machine: the launcher gives each department a socket path
 * (`<DEPT>_SOCKET`), the department listens there besides its TCP port, and the gateway's subgraph client sends its
 * GraphQL fetches there. The one URL form for such a target, inside the gateway, is
 * `http+unix://<the socket path, percent-encoded>/graphql` (the form requests-unixsocket and others read): WHATWG URL
 * parses it, and the path after the host is the HTTP path.
 */
export const UNIX_HTTP_PROTOCOL = 'http+unix:';

/** `http+unix://%2Frun%2Fhub%2Fparty.sock/graphql` for a socket and an HTTP path. */
export function unixHttpUrl(socketPath: string, httpPath = '/graphql'): string {
  return `http+unix://${encodeURIComponent(socketPath)}${httpPath.startsWith('/') ? httpPath : `/${httpPath}`}`;
}

/** The socket path of an `http+unix:` URL, else undefined. */
export function socketPathOf(url: URL): string | undefined {
  return url.protocol === UNIX_HTTP_PROTOCOL ? decodeURIComponent(url.host) : undefined;
}

/** What is wrong with a socket path for a service to listen on, in words, or undefined. */
export function socketPathProblem(socketPath: string): string | undefined {
  if (!path.isAbsolute(socketPath)) return `must be an absolute path, got "${socketPath}"`;
  const bytes = Buffer.byteLength(socketPath);
  if (bytes > MAX_SOCKET_PATH_BYTES) return `is ${bytes} bytes long, over the ${MAX_SOCKET_PATH_BYTES} a Unix socket path may have: choose a shorter folder`;
  return undefined;
}

/**
 * Serves an HTTP server's requests on a Unix socket too: each connection accepted there is handed to the server as
 * its own, so keep-alive, limits, metrics and the drain on close are the same as over TCP. The socket file is 0600
 * (its folder, which the launcher makes 0700, keeps others out before that). A socket file left by a killed process
 * is removed when nothing answers on it; one a live process still serves is an error, not taken over. Closing stops
 * accepting there and removes the file, then closes the service as before.
 */
export async function alsoListenOnSocket(running: RunningService, socketPath: string, variable = 'the socket path'): Promise<RunningService> {
  const problem = socketPathProblem(socketPath);
  if (problem) throw new Error(`${variable} ${problem}`);
  const listener = await listenUnix(running.server, socketPath, variable);
  return {
    ...running,
    close: async () => {
      await new Promise<void>((resolve) => listener.close(() => resolve()));
      removeSocketFile(socketPath);
      await running.close();
    },
  };
}

async function listenUnix(server: Server, socketPath: string, variable: string): Promise<net.Server> {
  const listener = net.createServer((socket) => server.emit('connection', socket));
  const attempt = () =>
    new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(socketPath, () => {
        listener.off('error', reject);
        resolve();
      });
    });
  try {
    await attempt();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw socketError(error, socketPath, variable);
    if (await answers(socketPath)) throw new Error(`${variable} ${socketPath} is in use by a running process (another hub, or this service started twice)`);
    // Left by a process that was killed before it could remove it.
    removeSocketFile(socketPath);
    try {
      await attempt();
    } catch (retry) {
      throw socketError(retry, socketPath, variable);
    }
  }
  chmodSync(socketPath, 0o600);
  return listener;
}

const socketError = (error: unknown, socketPath: string, variable: string) =>
  new Error(`could not listen on ${variable} ${socketPath}: ${error instanceof Error ? error.message : String(error)}`);

/** Whether a process accepts connections on the socket now. */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect({ path: socketPath });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

function removeSocketFile(socketPath: string): void {
  // Only a socket: a path given by mistake that names a file of data is never deleted.
  if (statSync(socketPath, { throwIfNoEntry: false })?.isSocket()) unlinkSync(socketPath);
}
