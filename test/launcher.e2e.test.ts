import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseUrlFromEnv, departments, dropDatabase, freePort, withDatabase } from '@hub/core';
import { postGraphQL, uniqueDatabaseName } from '@hub/core/testing';
import { generateDemoWorld } from '@hub/demo';
import { builtEntry } from '@hub/hub/process';
import { afterAll, describe, expect, it } from 'vitest';

// What `npm start` and `npm run token` run once `npm run build` has built them.
const START = builtEntry(fileURLToPath(new URL('../apps/hub/src/start.ts', import.meta.url)));
const TOKEN = builtEntry(fileURLToPath(new URL('../apps/commands/src/token.ts', import.meta.url)));
const RESIDENTS = 1500;

interface Launch {
  child: ChildProcess;
  lines: string[];
  /** What the services logged (JSON lines), for the failure message. */
  errors: string[];
  exited: Promise<number | null>;
}

/** Runs `npm start`'s script as a user would, on free ports and a data folder of its own. */
function launch(env: NodeJS.ProcessEnv): Launch {
  const child = spawn(process.execPath, [START, '--residents', String(RESIDENTS)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
  const errors: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => errors.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, errors, exited };
}

async function waitFor(launch: Launch, pattern: RegExp, ms = 90_000): Promise<string> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const line = launch.lines.find((l) => pattern.test(l));
    if (line) return line;
    if (launch.child.exitCode !== null) throw new Error(`the hub exited early:\n${launch.lines.join('\n')}\n${launch.errors.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no line matching ${pattern} within ${ms} ms:\n${launch.lines.join('\n')}`);
}

/** `npm run token`'s script, as a user would run it: the token alone on stdout. */
function mintToken(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [TOKEN, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

/** A socket file as a killed process leaves it: bound by a child that is then killed before it can remove it. */
async function leaveStaleSocket(socketPath: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(socketPath)})`], { stdio: 'ignore' });
  for (let i = 0; statSync(socketPath, { throwIfNoEntry: false })?.isSocket() !== true; i++) {
    if (i > 400) throw new Error(`no socket at ${socketPath}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('npm start', () => {
  it('starts every service, answers through the gateway, stops cleanly on Ctrl-C, and starts again without reseeding', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'hub-launch-'));
    await chmod(dataDir, 0o755); // the server runs as `postgres` when tests run as root
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env: NodeJS.ProcessEnv = {
      HUB_DATA_DIR: path.join(dataDir, 'postgres'),
      HUB_DEMO_ISSUER_DIR: path.join(dataDir, 'demo-issuer'),
      HUB_POSTGRES_PORT: '0',
      GATEWAY_PORT: String(await freePort()),
      // The hub's today, pinned: the demo is generated as on it, the same district the test generates below.
      HUB_TODAY: '2026-11-01',
    };
    for (const dept of departments) {
      env[`${dept.envPrefix}_PORT`] = String(await freePort());
      // On CI's second run the departments' server is given by URL: give this hub databases of its own there.
      const external = databaseUrlFromEnv(dept);
      if (external) {
        const url = withDatabase(external, uniqueDatabaseName(`launch_${dept.database}`));
        env[`${dept.envPrefix}_DATABASE_URL`] = url;
        cleanups.push(() => dropDatabase(url));
      }
    }
    const gatewayUrl = `http://127.0.0.1:${env.GATEWAY_PORT}/graphql`;
    const world = generateDemoWorld({ residents: RESIDENTS });
    const grid = [...world.gridContents()][0]!;

    const first = launch(env);
    cleanups.push(async () => {
      first.child.kill('SIGKILL');
    });
    await waitFor(first, /hub ready in/);
    for (const name of [...departments.map((d) => d.name), 'gateway']) {
      expect(first.lines.some((l) => l.startsWith(`✔ ${name}`))).toBe(true);
    }
    expect(first.lines.some((l) => /seeded .*public-security.*civil-affairs|seeded .*civil-affairs.*public-security/.test(l))).toBe(true);
    expect(first.lines.some((l) => l.includes('generating the demo district as on 2026-11-01'))).toBe(true);
    // One machine's hub talks over Unix sockets: PostgreSQL's in its data folder, each department's in `run` (0700),
    // each socket file closed to others; the ports stay for outside callers.
    const runDir = path.join(dataDir, 'run');
    if (departments.every((dept) => !databaseUrlFromEnv(dept))) {
      expect(first.lines.some((l) => /embedded PostgreSQL ready in .*over its Unix socket/.test(l))).toBe(true);
      expect(statSync(path.join(dataDir, 'postgres', 'socket')).mode & 0o777).toBe(0o700);
    }
    expect(statSync(runDir).mode & 0o777).toBe(0o700);
    for (const dept of departments) {
      const socket = path.join(runDir, `${dept.name}.sock`);
      expect(first.lines.some((l) => l.startsWith(`✔ ${dept.name}`) && l.endsWith(`(gateway fetches over ${socket})`))).toBe(true);
      expect(statSync(socket).isSocket()).toBe(true);
      expect(statSync(socket).mode & 0o077).toBe(0);
    }
    const query = `{ grid(code: "${grid.grid.code}") { name residents(first: 1) { totalCount } } }`;
    const anonymous = await fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ errors: [{ extensions: { code: 'TOKEN_MISSING' } }] });
    const token = await mintToken(env, '--role', 'grid-worker', '--grid', grid.grid.code, '--purpose', 'grid-service', '--ttl', '10m');
    const headers = { authorization: `Bearer ${token}`, 'x-hub-purpose': 'grid-service' };
    const response = await postGraphQL<{ grid: { name: string; residents: { totalCount: number } } }>(gatewayUrl, query, undefined, headers);
    expect(response.data).toEqual({ grid: { name: grid.grid.name, residents: { totalCount: grid.residents.length } } });

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.lines.at(-1)).toBe('stopped');
    await expect(fetch(gatewayUrl)).rejects.toThrow();
    // Stopped cleanly, every service removed its socket; a killed one leaves its file, which the next start takes over.
    for (const dept of departments) expect(statSync(path.join(runDir, `${dept.name}.sock`), { throwIfNoEntry: false })).toBeUndefined();
    await leaveStaleSocket(path.join(runDir, 'party.sock'));

    const second = launch(env);
    cleanups.push(async () => {
      second.child.kill('SIGKILL');
    });
    await waitFor(second, /hub ready in/);
    expect(second.lines.some((l) => l.includes('seeded'))).toBe(false);
    // The demo issuer's key outlives a run: a token minted before the restart still works.
    const again = await postGraphQL<{ grid: { residents: { totalCount: number } } }>(
      gatewayUrl,
      `{ grid(code: "${grid.grid.code}") { residents(first: 1) { totalCount } } }`,
      undefined,
      headers,
    );
    expect(again.data?.grid.residents.totalCount).toBe(grid.residents.length);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 240_000);
});
