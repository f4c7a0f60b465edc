import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX_SOCKET_PATH_BYTES } from '@hub/core';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareLocalSockets } from '../src/local-sockets.ts';

const root = await mkdtemp(path.join(tmpdir(), 'hub-local-'));
const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
});

describe("the launcher's service sockets", () => {
  it('go in a 0700 run folder beside the data folder, one per department, for the department and the gateway alike', () => {
    const sockets = prepareLocalSockets(path.join(root, 'postgres'), ['party', 'public-security'], {});
    expect(sockets).toEqual({
      enabled: true,
      runDir: path.join(root, 'run'),
      env: { PARTY_SOCKET: path.join(root, 'run', 'party.sock'), PUBLIC_SECURITY_SOCKET: path.join(root, 'run', 'public-security.sock') },
    });
    expect(statSync(path.join(root, 'run')).mode & 0o777).toBe(0o700);
  });

  it('go in a private folder under the temporary folder, and say so, when those paths would be too long', () => {
    const deep = path.join(root, 'd'.repeat(MAX_SOCKET_PATH_BYTES), 'postgres');
    const sockets = prepareLocalSockets(deep, ['public-security'], {});
    made.push(sockets.runDir!);
    expect(sockets.runDir!.startsWith(path.join(tmpdir(), 'hub-run-'))).toBe(true);
    expect(statSync(sockets.runDir!).mode & 0o777).toBe(0o700);
    expect(sockets.note).toMatch(/^service sockets in .*: those under .* would be over the \d+ bytes a Unix socket path may have$/);
    expect(Buffer.byteLength(sockets.env.PUBLIC_SECURITY_SOCKET!)).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
  });

  it('are none with HUB_LOCAL_SOCKETS=0: everything on TCP', () => {
    expect(prepareLocalSockets(path.join(root, 'other', 'postgres'), ['party'], { HUB_LOCAL_SOCKETS: '0' })).toEqual({ enabled: false, env: {} });
    expect(statSync(path.join(root, 'other'), { throwIfNoEntry: false })).toBeUndefined();
  });
});
