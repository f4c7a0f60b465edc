import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtEntry } from '@hub/hub/process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clone, csv, rejectLines, workspace, type ClonedDatabase, type Workspace } from './fixtures.ts';
import { RESIDENT_HEADER, syntheticResident } from '@hub/public-security/synthetic';

const templates = inject('importTemplates');
// `npm run import` runs the command's bundle (npm run build).
const CLI = builtEntry(fileURLToPath(new URL('../src/import.ts', import.meta.url)));

let files: Workspace;
let db: ClonedDatabase;
beforeAll(async () => {
  files = await workspace();
  db = await clone(templates.emptyPublicSecurity);
});
afterAll(async () => {
  await db?.drop();
  await files?.remove();
});

function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: path.dirname(CLI),
    env: { ...process.env, PUBLIC_SECURITY_DATABASE_URL: db.url, HUB_IMPORT_USER: 'cli-test', INIT_CWD: files.dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

const count = async () => Number((await db.pool.query('SELECT (SELECT count(*) FROM residents) + (SELECT count(*) FROM import_runs) AS n')).rows[0].n);

describe('npm run import', () => {
  it('refuses bad arguments and a file without required columns (exit 2), writing nothing', async () => {
    await files.write('bad.csv', csv(['姓名', '公民身份号码'], [syntheticResident(0).slice(0, 2)]));
    expect(await cli(['public-security', 'people', 'bad.csv'])).toMatchObject({ code: 2, out: expect.stringContaining('no import for "public-security people"') });
    expect(await cli(['public-security', 'residents', 'bad.csv', '--encoding', 'latin1'])).toMatchObject({ code: 2, out: expect.stringContaining('unknown encoding') });
    expect(await cli(['public-security', 'residents', 'bad.pdf'])).toMatchObject({ code: 2, out: expect.stringContaining('cannot tell the format') });
    const refused = await cli(['public-security', 'residents', 'bad.csv']);
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('refused: required columns missing: populationType (人口类型), gridCode (网格编码)');
    expect(await count()).toBe(0);
  });

  it('imports a GBK file given as such, with a mapping file, and prints no ID number, phone or name', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => syntheticResident(i));
    rows[3]![4] = '1380013800'; // a bad phone
    rows[7]![1] = `${rows[7]![1]!.slice(0, 17)}${rows[7]![1]![17] === '1' ? '2' : '1'}`; // a bad check character
    const header = RESIDENT_HEADER.map((h) => (h === '网格编码' ? '所在片区' : h));
    await files.write('gbk.csv', csv(header, rows), 'gbk');
    await files.write('mapping.json', JSON.stringify({ columns: { 所在片区: 'gridCode' } }));
    const dry = await cli(['public-security', 'residents', 'gbk.csv', '--encoding', 'gbk', '--mapping', 'mapping.json', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('dry run (nothing written)');
    expect(await count()).toBe(0);
    const run = await cli(['public-security', 'residents', 'gbk.csv', '--encoding', 'gbk', '--mapping', 'mapping.json']);
    expect(run.code).toBe(0);
    expect(run.out).toContain('read 30 ');
    expect(run.out).toContain('inserted 28');
    expect(run.out).toContain('rejected 2');
    expect(run.out).toContain('import record #1');
    for (const row of rows) {
      expect(run.out).not.toContain(row[1]);
      expect(run.out).not.toContain(row[0]);
      expect(run.out).not.toContain(row[4]);
    }
    const report = await rejectLines(path.join(files.dir, 'gbk.rejects.csv'));
    expect(report.map((l) => [l.row, l.code])).toEqual([
      [5, 'PHONE'],
      [9, 'ID_NUMBER_CHECK_DIGIT'],
    ]);
    const stored = await db.pool.query('SELECT name FROM residents WHERE id_number = $1', [rows[0]![1]]);
    expect(stored.rows[0].name).toBe(rows[0]![0]);
  });
});
