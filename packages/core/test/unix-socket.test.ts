import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alsoListenOnSocket, checkEnvironment, listen, MAX_SOCKET_PATH_BYTES, socketPathOf, socketPathProblem, unixHttpUrl, type RunningService } from '../src/index.ts';

const root = await mkdtemp(path.join(tmpdir(), 'hub-sock-'));
const open: RunningService[] = [];
afterAll(async () => {
  for (const service of open) await service.close();
  await rm(root, { recursive: true, force: true });
});

/** A node:http service on 127.0.0.1:0 answering every request with the way it came in. */
async function service(): Promise<RunningService> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`${req.method} ${req.url} via ${req.socket.remoteAddress ?? 'unix'}`);
  });
  return listen(server, 0);
}

function get(options: { socketPath: string } | { port: number }, pathname = '/graphql'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ ...options, path: pathname, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i > 400) throw new Error('gave up waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a service on a Unix socket besides its port', () => {
  it('answers on both, with the socket file 0600, and removes the file when it closes', async () => {
    const socketPath = path.join(root, 'both.sock');
    const running = await alsoListenOnSocket(await service(), socketPath);
    expect(await get({ socketPath })).toBe('GET /graphql via unix');
    expect(await get({ port: running.port })).toBe('GET /graphql via 127.0.0.1');
    const file = statSync(socketPath);
    expect(file.isSocket()).toBe(true);
    expect(file.mode & 0o777).toBe(0o600);
    await running.close();
    expect(statSync(socketPath, { throwIfNoEntry: false })).toBeUndefined();
    await expect(get({ socketPath })).rejects.toThrow();
  });

  it('takes over a socket file left by a killed process', async () => {
    const socketPath = path.join(root, 'stale.sock');
    // A process that listens there and is killed, so it never removes its socket file.
    const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(socketPath)})`], { stdio: 'ignore' });
    await until(() => statSync(socketPath, { throwIfNoEntry: false })?.isSocket() === true);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(statSync(socketPath).isSocket()).toBe(true);
    const running = await alsoListenOnSocket(await service(), socketPath);
    open.push(running);
    expect(await get({ socketPath })).toBe('GET /graphql via unix');
  });

  it('refuses a socket a live process serves, and leaves it to that process', async () => {
    const socketPath = path.join(root, 'live.sock');
    const first = await alsoListenOnSocket(await service(), socketPath, 'PARTY_SOCKET');
    open.push(first);
    const second = await service();
    await expect(alsoListenOnSocket(second, socketPath, 'PARTY_SOCKET')).rejects.toThrow(`PARTY_SOCKET ${socketPath} is in use by a running process`);
    await second.close();
    expect(await get({ socketPath })).toBe('GET /graphql via unix');
  });

  it('never deletes a file that is not a socket', async () => {
    const socketPath = path.join(root, 'data.txt');
    await writeFile(socketPath, 'keep me');
    const running = await service();
    await expect(alsoListenOnSocket(running, socketPath, 'PARTY_SOCKET')).rejects.toThrow(/could not listen on PARTY_SOCKET .*EADDRINUSE/);
    await running.close();
    expect(statSync(socketPath).isFile()).toBe(true);
  });

  it('says clearly when a socket path is too long or relative, before listening', async () => {
    const long = path.join(root, 'x'.repeat(MAX_SOCKET_PATH_BYTES), 'party.sock');
    expect(socketPathProblem(long)).toMatch(new RegExp(`^is ${Buffer.byteLength(long)} bytes long, over the ${MAX_SOCKET_PATH_BYTES} a Unix socket path may have`));
    expect(socketPathProblem('run/party.sock')).toBe('must be an absolute path, got "run/party.sock"');
    const running = await service();
    await expect(alsoListenOnSocket(running, long, 'PARTY_SOCKET')).rejects.toThrow(/^PARTY_SOCKET is \d+ bytes long/);
    await running.close();
    // The service's configuration check names the variable before anything starts.
    const problems = checkEnvironment('party', { PARTY_SOCKET: long, PARTY_DATABASE_URL: 'postgres://localhost/party' });
    expect(problems.map((p) => p.message)).toContainEqual(expect.stringMatching(/^PARTY_SOCKET is \d+ bytes long/));
  });

  it('names a socket target in one URL form the gateway reads back', () => {
    const url = unixHttpUrl('/run/hub/party.sock', '/graphql');
    expect(url).toBe('http+unix://%2Frun%2Fhub%2Fparty.sock/graphql');
    expect(socketPathOf(new URL(url))).toBe('/run/hub/party.sock');
    expect(new URL(url).pathname).toBe('/graphql');
    expect(socketPathOf(new URL('http://127.0.0.1:4102/graphql'))).toBeUndefined();
  });
});
