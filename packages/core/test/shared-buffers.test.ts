import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { autoSharedBuffersMiB, checkEnvironment, databasesBytes, sharedBuffersMiB, startEmbeddedPostgres } from '../src/index.ts';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const root = await mkdtemp(path.join(tmpdir(), 'hub-shared-buffers-'));
// As root the server runs as `postgres`, which must enter the data folder.
await chmod(root, 0o755);
afterAll(() => rm(root, { recursive: true, force: true }));

describe('the embedded server’s shared buffers (HUB_POSTGRES_SHARED_BUFFERS)', () => {
  it('auto: the databases’ size, at least 64 MiB, at most an eighth of the machine', () => {
    expect(autoSharedBuffersMiB(0, 16 * GIB)).toBe(64);
    expect(autoSharedBuffersMiB(20 * MIB, 16 * GIB)).toBe(64);
    expect(autoSharedBuffersMiB(700 * MIB + 1, 16 * GIB)).toBe(701);
    expect(autoSharedBuffersMiB(5 * GIB, 16 * GIB)).toBe(2048);
    // A machine too small for an eighth to reach the floor still gets the floor.
    expect(autoSharedBuffersMiB(5 * GIB, 256 * MIB)).toBe(64);
  });

  it('sums every file under the cluster’s base/ folder, and nothing else', async () => {
    const dir = path.join(root, 'sizes');
    await mkdir(path.join(dir, 'base', '1'), { recursive: true });
    await mkdir(path.join(dir, 'base', '5', 'sub'), { recursive: true });
    await mkdir(path.join(dir, 'pg_wal'), { recursive: true });
    await writeFile(path.join(dir, 'base', '1', '1259'), Buffer.alloc(3000));
    await writeFile(path.join(dir, 'base', '5', '16384'), Buffer.alloc(5000));
    await writeFile(path.join(dir, 'base', '5', 'sub', 'x'), Buffer.alloc(7));
    await writeFile(path.join(dir, 'pg_wal', '000000010000000000000001'), Buffer.alloc(90_000));
    expect(databasesBytes(dir)).toBe(8007);
    expect(databasesBytes(path.join(root, 'no-cluster-yet'))).toBe(0);
  });

  it('a number sets it; a bad value is refused by the launcher’s check and by the server’s start', () => {
    const dir = path.join(root, 'sizes');
    expect(sharedBuffersMiB(dir, { HUB_POSTGRES_SHARED_BUFFERS: '256' })).toBe(256);
    expect(sharedBuffersMiB(dir, { HUB_POSTGRES_SHARED_BUFFERS: 'auto' }, 16 * GIB)).toBe(64);
    expect(sharedBuffersMiB(dir, {}, 16 * GIB)).toBe(64);
    for (const bad of ['8', '1.5', '256MB', '-1', 'lots']) {
      expect(() => sharedBuffersMiB(dir, { HUB_POSTGRES_SHARED_BUFFERS: bad })).toThrow(/HUB_POSTGRES_SHARED_BUFFERS must be auto or a whole number of MiB/);
      const problems = checkEnvironment('launcher', { HUB_POSTGRES_SHARED_BUFFERS: bad });
      expect(problems.map((p) => p.variables)).toContainEqual(['HUB_POSTGRES_SHARED_BUFFERS']);
    }
    expect(checkEnvironment('launcher', { HUB_POSTGRES_SHARED_BUFFERS: '512' })).toEqual([]);
  });

  it('a real server starts with the size set, and on auto grows it with the data it holds', { timeout: 180_000 }, async () => {
    const dataDir = path.join(root, 'cluster');
    const before = process.env.HUB_POSTGRES_SHARED_BUFFERS;
    const showSharedBuffers = async (url: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<{ shared_buffers: string }>('show shared_buffers')).rows[0]!.shared_buffers;
      } finally {
        await client.end();
      }
    };
    try {
      process.env.HUB_POSTGRES_SHARED_BUFFERS = '80';
      let server = await startEmbeddedPostgres({ dataDir });
      try {
        expect(await showSharedBuffers(server.url('postgres'))).toBe('80MB');
        // About 90 MiB of rows (1,000-byte values stay inline, uncompressed: seven rows a page).
        const client = new pg.Client({ connectionString: server.url('postgres') });
        await client.connect();
        await client.query("create table filler as select g, repeat('x', 1000) as v from generate_series(1, 80000) g");
        await client.query('checkpoint');
        await client.end();
      } finally {
        await server.stop();
      }
      delete process.env.HUB_POSTGRES_SHARED_BUFFERS;
      const expected = autoSharedBuffersMiB(databasesBytes(dataDir), (await import('node:os')).totalmem());
      expect(expected).toBeGreaterThan(64);
      server = await startEmbeddedPostgres({ dataDir });
      try {
        expect(await showSharedBuffers(server.url('postgres'))).toBe(`${expected}MB`);
      } finally {
        await server.stop();
      }
    } finally {
      if (before === undefined) delete process.env.HUB_POSTGRES_SHARED_BUFFERS;
      else process.env.HUB_POSTGRES_SHARED_BUFFERS = before;
    }
  });
});
