/**
 * How fast `npm run import` loads the actual-population register, beside the floor: PostgreSQL's own COPY of the
 * same rows, already in table form, with no validation. Also the re-run of the same file (every row unchanged),
 * and the import process's memory over its run (sampled), which should stay flat however long the file.
 *
 *   npm run bench:import -- [--rows N]      (default 1,000,000)
 *
 * Both loads run against one embedded PostgreSQL server with the settings `npm start` uses (fsync on), into the
 * public-security schema as migrated, one after the other on an emptied table.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { from as copyFrom } from 'pg-copy-streams';
import { DEMO_HUB_SECRET, ensureDatabase, residentKey, startEmbeddedPostgres } from '@hub/core';
import { csvLine, RESIDENT_HEADER, syntheticResident } from '@hub/public-security/synthetic';
import { publicSecurityDatabase } from '@hub/public-security/db';
import { machineLine } from './machine.ts';

const CLI = fileURLToPath(new URL('../apps/commands/src/import.ts', import.meta.url));
const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
const rows = Number(values.rows);
if (!Number.isInteger(rows) || rows < 1000 || rows > 10_000_000) throw new Error('--rows must be a whole number from 1,000 to 10,000,000');

const SEX: Record<string, string> = { 男: 'MALE', 女: 'FEMALE' };
const POPULATION: Record<string, string> = { 户籍: 'REGISTERED', 流动: 'FLOATING', 境外: 'OVERSEAS', 未落户: 'UNSETTLED' };
const RELATION: Record<string, string> = { 本人: 'SELF', 配偶: 'SPOUSE', 子女: 'CHILD' };
const COPY_COLUMNS = 'id, id_number, name, sex, birth_date, phone, population_type, registered_address, house_code, grid_code, household_id, relation_to_head';

const say = (line: string) => process.stdout.write(`${line}\n`);
const n = (v: number) => Math.round(v).toLocaleString('en');

async function writeLines(file: string, lines: (i: number) => string, header: string | null): Promise<void> {
  const out = createWriteStream(file);
  if (header !== null) out.write(header);
  for (let i = 0; i < rows; i++) if (!out.write(lines(i))) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/** Runs the import command as a user would, sampling its resident memory (VmRSS) every 100 ms. */
async function runImport(databaseUrl: string, file: string): Promise<{ seconds: number; rssMiB: number[]; output: string }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'public-security', 'residents', file, '--no-progress'], {
    env: { ...process.env, PUBLIC_SECURITY_DATABASE_URL: databaseUrl, HUB_IMPORT_USER: 'bench' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const rssMiB: number[] = [];
  const sampler = setInterval(() => {
    readFile(`/proc/${child.pid}/status`, 'utf8')
      .then((status) => rssMiB.push(Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 1024))
      .catch(() => {});
  }, 100);
  const [code] = (await once(child, 'close')) as [number | null];
  clearInterval(sampler);
  if (code !== 0) throw new Error(`import exited with ${code}:\n${output}`);
  return { seconds: (Date.now() - started) / 1000, rssMiB: rssMiB.filter((v) => v > 0), output };
}

const dir = await mkdtemp(path.join(tmpdir(), 'hub-bench-import-'));
await chmod(dir, 0o755);
const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data') });
try {
  const url = server.url('bench_import');
  await ensureDatabase(url);
  const database = publicSecurityDatabase.open(url);
  await publicSecurityDatabase.migrate(database);

  say(`machine: ${machineLine()}`);
  // Other work on the machine slows both loads, but not alike: the load average says how quiet the run was.
  const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
  say(`load average at start: ${load()}`);
  const importFile = path.join(dir, 'register.csv');
  const copyFile = path.join(dir, 'register.copy.csv');
  await writeLines(importFile, (i) => csvLine(syntheticResident(i)), `\uFEFF${csvLine(RESIDENT_HEADER)}`);
  // The floor's input: the same rows as the table holds them (hub id computed, words as enum values).
  await writeLines(
    copyFile,
    (i) => {
      const [name, idNumber, sex, birthDate, phone, population, address, house, grid, household, relation] = syntheticResident(i) as [
        string, string, string, string, string, string, string, string, string, string, string,
      ];
      return csvLine([residentKey(idNumber, DEMO_HUB_SECRET), idNumber, name, SEX[sex]!, birthDate, phone, POPULATION[population]!, address, house, grid, household, RELATION[relation]!]);
    },
    null,
  );
  say(`${n(rows)} residents: import file ${((await stat(importFile)).size / 2 ** 20).toFixed(0)} MiB`);

  const client = await database.pool.connect();
  let copySeconds: number;
  try {
    await client.query('TRUNCATE residents CASCADE');
    await client.query('CHECKPOINT');
    const started = Date.now();
    await pipeline(createReadStream(copyFile), client.query(copyFrom(`COPY residents (${COPY_COLUMNS}) FROM STDIN (FORMAT csv)`)));
    copySeconds = (Date.now() - started) / 1000;
    const copied = await client.query<{ n: string }>('SELECT count(*) AS n FROM residents');
    if (Number(copied.rows[0]!.n) !== rows) throw new Error(`COPY loaded ${copied.rows[0]!.n} rows, not ${rows}`);
    await client.query('TRUNCATE residents CASCADE');
    await client.query('VACUUM residents');
    await client.query('CHECKPOINT');
  } finally {
    client.release();
  }
  await database.close();

  const first = await runImport(url, importFile);
  const again = await runImport(url, importFile);
  if (!first.output.includes(`inserted ${n(rows)}`)) throw new Error(`the first import did not insert every row:\n${first.output}`);
  if (!again.output.includes(`unchanged ${n(rows)}`)) throw new Error(`the re-run changed rows:\n${again.output}`);

  const at = (samples: number[], fraction: number) => samples[Math.min(samples.length - 1, Math.floor(samples.length * fraction))] ?? 0;
  const profile = (samples: number[]) =>
    [0.1, 0.25, 0.5, 0.75, 0.95].map((f) => `${Math.round(f * 100)}%: ${at(samples, f).toFixed(0)}`).join(', ');
  say(`COPY (floor, no validation)  ${copySeconds.toFixed(1)} s  ${n(rows / copySeconds)} rows/s`);
  say(`import (validated, upserted) ${first.seconds.toFixed(1)} s  ${n(rows / first.seconds)} rows/s  = ${(first.seconds / copySeconds).toFixed(2)}x the floor's time`);
  say(`re-run (all unchanged)       ${again.seconds.toFixed(1)} s  ${n(rows / again.seconds)} rows/s`);
  say(`import process RSS, MiB, through its run: ${profile(first.rssMiB)}; peak ${Math.max(...first.rssMiB).toFixed(0)}`);
  say(`re-run process RSS, MiB, through its run: ${profile(again.rssMiB)}; peak ${Math.max(...again.rssMiB).toFixed(0)}`);
  say(`load average at end: ${load()}`);
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
