import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtEntry } from '@hub/hub/process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clone, tableSnapshot, workspace, type ClonedDatabase, type Workspace } from './fixtures.ts';
import { csvLine, RESIDENT_HEADER, syntheticResident } from '@hub/public-security/synthetic';

const templates = inject('importTemplates');
// `npm run import` runs the command's bundle (npm run build).
const CLI = builtEntry(fileURLToPath(new URL('../src/import.ts', import.meta.url)));
const ROWS = 100_000;

let files: Workspace;
let file: string;
let clean: ClonedDatabase;
let killed: ClonedDatabase;

beforeAll(async () => {
  files = await workspace();
  file = path.join(files.dir, 'register-100k.csv');
  const out = createWriteStream(file);
  out.write(`\uFEFF${csvLine(RESIDENT_HEADER)}`);
  for (let i = 0; i < ROWS; i++) {
    const row = syntheticResident(i);
    // One row in ten is bad (a phone too short), one in a thousand repeats an earlier person.
    if (i % 10 === 3) row[4] = '1380013800';
    if (i % 1000 === 999) row[1] = syntheticResident(i - 500)[1]!;
    if (!out.write(csvLine(row))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  clean = await clone(templates.emptyPublicSecurity);
  killed = await clone(templates.emptyPublicSecurity);
});
afterAll(async () => {
  await clean?.drop();
  await killed?.drop();
  await files?.remove();
});

/** Runs the import command as its own process; `killWhen` may kill it (SIGKILL: no chance to clean up). */
function runCli(databaseUrl: string, killWhen?: (kill: () => void) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'public-security', 'residents', file, '--no-progress', '--batch-size', '2000'], {
    cwd: path.dirname(CLI),
    env: { ...process.env, PUBLIC_SECURITY_DATABASE_URL: databaseUrl, HUB_IMPORT_USER: 'kill-test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  killWhen?.(() => child.kill('SIGKILL'));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

const residentCount = async (db: ClonedDatabase) => Number((await db.pool.query('SELECT count(*) AS n FROM residents')).rows[0].n);

describe('an import killed midway', () => {
  it('ends, once run again, with exactly the data of one uninterrupted run', async () => {
    const uninterrupted = await runCli(clean.url);
    expect(uninterrupted.stderr).not.toMatch(/failed|refused/);
    expect(uninterrupted.code).toBe(0);
    const loaded = await residentCount(clean);
    // 10% bad phones, and the repeats of earlier people.
    expect(loaded).toBe(ROWS - ROWS / 10 - ROWS / 1000);
    expect(uninterrupted.stdout).toContain(`rejected ${(ROWS / 10 + 100).toLocaleString('en')}`);

    // Kill at random points: once as soon as some batches are in, then at random counts of committed rows.
    const targets = [1, ...Array.from({ length: 3 }, () => Math.floor(Math.random() * loaded * 0.9))].sort((a, b) => a - b);
    const seenAtKill: number[] = [];
    for (const target of targets) {
      const run = await runCli(killed.url, (kill) => {
        const poll = setInterval(async () => {
          const count = await residentCount(killed).catch(() => 0);
          if (count >= target) {
            clearInterval(poll);
            kill();
          }
        }, 15);
      });
      seenAtKill.push(await residentCount(killed));
      // A run that finished before the poll caught up is no kill; the point is that most are.
      if (run.signal !== 'SIGKILL') expect(run.code).toBe(0);
    }
    expect(seenAtKill.some((n) => n > 0 && n < loaded)).toBe(true);

    const rerun = await runCli(killed.url);
    expect(rerun.code).toBe(0);
    expect(await tableSnapshot(killed.pool, 'residents', 'id')).toEqual(await tableSnapshot(clean.pool, 'residents', 'id'));
    // Runs that completed left a record; killed ones could not.
    const records = await killed.pool.query<{ rows_read: number; completed: boolean }>('SELECT rows_read, completed FROM import_runs');
    expect(records.rows.every((r) => r.completed && r.rows_read === ROWS)).toBe(true);
  }, 600_000);
});
