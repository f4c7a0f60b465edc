import { readFileSync, statSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ensureDatabase,
  MAX_SOCKET_PATH_BYTES,
  postgresSocketDir,
  postgresSocketPath,
  SOCKET_FOLDER,
  startEmbeddedPostgres,
  withDatabase,
  type PostgresServer,
} from '../src/index.ts';

const root = await mkdtemp(path.join(tmpdir(), 'hub-pgsock-'));
// The server may run as `postgres` (tests as root): it must reach its data folder.
await chmod(root, 0o755);
const started: PostgresServer[] = [];
afterAll(async () => {
  for (const server of started) await server.stop();
  await rm(root, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Whether a process is still there (signal 0 only checks). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i > 600) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Each test starts a real server (one starts two): 3 min is a bound for a loaded 2-core machine, where a start took
// over 15 s, not a timing.
describe('the embedded server over a Unix socket', { timeout: 180_000 }, () => {
  it('hands out socket URLs that node-postgres follows (no TCP peer), and TCP ones beside them', async () => {
    const server = await startEmbeddedPostgres({ dataDir: path.join(root, 'data'), ephemeral: true });
    started.push(server);
    const dataDir = path.join(root, 'data');
    expect(server.socketDir).toBe(path.join(dataDir, SOCKET_FOLDER));
    const url = server.url('postgres');
    expect(new URL(url).searchParams.get('host')).toBe(server.socketDir);
    // Over a Unix socket the server has no address of its own for the session; over TCP it has 127.0.0.1.
    expect(await query<{ addr: string | null }>(url, 'select inet_server_addr()::text as addr')).toEqual([{ addr: null }]);
    expect(await query<{ addr: string | null }>(server.tcpUrl('postgres'), 'select inet_server_addr()::text as addr')).toEqual([{ addr: '127.0.0.1/32' }]);

    // The hub's URL helpers (a database per department, made from the server's URL) keep the socket.
    const db = withDatabase(url, 'socket_copy');
    expect(await ensureDatabase(db)).toBe(true);
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      await client.query('create table t (id int primary key, name text)');
      // COPY, as the seed and the bulk writer use it.
      await pipeline(Readable.from(['1\ta\n', '2\tb\n', '3\tc\n']), client.query(copyFrom('copy t from stdin')));
      expect((await client.query('select count(*)::int as n from t')).rows).toEqual([{ n: 3 }]);
    } finally {
      await client.end();
    }
  });

  it('keeps the socket private to the server: a 0700 folder, a socket file no one else may write', async () => {
    const server = started[0]!;
    const folder = statSync(server.socketDir!);
    expect(folder.mode & 0o777).toBe(0o700);
    expect(folder.uid).toBe(statSync(path.join(root, 'data')).uid);
    const socketFile = (await readdir(server.socketDir!)).find((name) => /^\.s\.PGSQL\.\d+$/.test(name));
    expect(socketFile).toBeDefined();
    const socket = statSync(path.join(server.socketDir!, socketFile!));
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o077).toBe(0);
    // The data folder itself is PostgreSQL's: 0700 (or 0750 with group access), never open to others.
    expect(statSync(path.join(root, 'data')).mode & 0o007).toBe(0);
  });

  it('starts again over the socket and lock file a killed server left behind', async () => {
    const dataDir = path.join(root, 'killed');
    const first = await startEmbeddedPostgres({ dataDir });
    const port = Number(new URL(first.url('postgres')).port);
    const postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const backends = (await query<{ pid: number }>(first.tcpUrl('postgres'), "select pid from pg_stat_activity where backend_type <> 'client backend'")).map((r) => r.pid);
    process.kill(postmaster, 'SIGKILL');
    await until(() => !alive(postmaster) && backends.every((pid) => !alive(pid)), 'the killed server and its processes gone');
    const socketFile = postgresSocketPath(first.socketDir!, port);
    expect(statSync(socketFile, { throwIfNoEntry: false })?.isSocket()).toBe(true);

    const second = await startEmbeddedPostgres({ dataDir, port });
    started.push(second);
    expect(await query<{ one: number }>(second.url('postgres'), 'select 1 as one')).toEqual([{ one: 1 }]);
  });

  it('says why, and uses TCP, when the data folder is too deep for a socket path', async () => {
    const deep = path.join(root, 'd'.repeat(60), 'e'.repeat(40));
    const where = postgresSocketDir(deep, 54329);
    expect(where).toEqual({ reason: expect.stringContaining(`over the ${MAX_SOCKET_PATH_BYTES} a Unix socket may have`) });
    expect(postgresSocketDir(path.join(root, 'short'), 54329)).toEqual({ dir: path.join(root, 'short', SOCKET_FOLDER) });

    const lines: string[] = [];
    const server = await startEmbeddedPostgres({ dataDir: path.join(deep, 'data'), ephemeral: true, onLog: (line) => lines.push(line) });
    started.push(server);
    expect(server.socketDir).toBeNull();
    expect(server.tcpReason).toMatch(/bytes, over the/);
    expect(lines.some((line) => line.startsWith('PostgreSQL over TCP: the socket path'))).toBe(true);
    expect(new URL(server.url('postgres')).hostname).toBe('127.0.0.1');
    expect(await query<{ one: number }>(server.url('postgres'), 'select 1 as one')).toEqual([{ one: 1 }]);
  });
});
