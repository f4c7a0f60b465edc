import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtEntry } from '@hub/hub/process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clone, csv, rejectLines, workspace, type ClonedDatabase, type Workspace } from './fixtures.ts';
import { writeXlsx } from '@hub/import/testing';
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

describe('npm run import, files that cannot be read whole', () => {
  const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => syntheticResident(from + i));

  it('refuses a quote left open (at the end or in the middle) naming the line where its field began: exit 2, nothing written, no report', async () => {
    const before = await count();
    const lines = csv(RESIDENT_HEADER, rows(100, 8)).split('\r\n');
    // Line 4 (the third resident): a stray quote opens the address and nothing closes it.
    lines[3] = lines[3]!.replace('江苏省', '"江苏省');
    await files.write('open-quote.csv', lines.join('\r\n'));
    const middle = await cli(['public-security', 'residents', 'open-quote.csv']);
    expect(middle.code, middle.out).toBe(2);
    expect(middle.out).toContain('refused: line 4: a quoted field begins here and its closing quote never comes');
    expect(middle.out).toContain('(UNTERMINATED_QUOTE)');
    expect(middle.out).toContain('nothing was written');
    await files.write('open-at-end.csv', `${csv(RESIDENT_HEADER, rows(110, 5))}"${syntheticResident(115).join(',')}\r\n`);
    const end = await cli(['public-security', 'residents', 'open-at-end.csv', '--dry-run']);
    expect([end.code, end.out]).toEqual([2, expect.stringContaining('refused: line 7: a quoted field begins here')]);
    // In the header itself: refused as it is read.
    await files.write('open-header.csv', `"${RESIDENT_HEADER.join(',')}\r\n${syntheticResident(120).join(',')}\r\n`);
    const header = await cli(['public-security', 'residents', 'open-header.csv']);
    expect([header.code, header.out]).toEqual([2, expect.stringContaining('refused: line 1: a quoted field begins here')]);
    expect(await count()).toBe(before);
    expect(existsSync(path.join(files.dir, 'open-quote.rejects.csv'))).toBe(false);
  });

  it('refuses a field or a record past its limit, naming its line; quoted commas and line breaks are still fine', async () => {
    const before = await count();
    const long = rows(200, 4).map((r) => [...r, '']);
    long[2]![11] = 'x'.repeat(70_000);
    await files.write('long-field.csv', csv([...RESIDENT_HEADER, '备注'], long));
    const field = await cli(['public-security', 'residents', 'long-field.csv']);
    expect([field.code, field.out]).toEqual([2, expect.stringContaining('refused: line 4: a field begins here that is longer than 65,536 characters (FIELD_TOO_LONG)')]);
    const wide = rows(210, 3).map((r) => [...r, ...Array.from({ length: 20 }, () => 'y'.repeat(60_000))]);
    await files.write('long-record.csv', csv([...RESIDENT_HEADER, ...Array.from({ length: 20 }, (_, i) => `备注${i}`)], wide));
    const record = await cli(['public-security', 'residents', 'long-record.csv']);
    expect([record.code, record.out]).toEqual([2, expect.stringContaining('refused: line 2: a record begins here that is longer than 1,048,576 characters (RECORD_TOO_LONG)')]);
    expect(await count()).toBe(before);

    // A note over two lines with a comma, in a column the import ignores: every row still goes in, CRLF or LF.
    const noted = rows(220, 3).map((r, i) => [...r, i === 1 ? '第一行,\r\n第二行 "引号"' : '']);
    await files.write('noted.csv', csv([...RESIDENT_HEADER, '备注'], noted, '\n'));
    const ok = await cli(['public-security', 'residents', 'noted.csv']);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain('inserted 3');
  });

  it('writes hostile values into the reject report defanged', async () => {
    const bad = rows(300, 3);
    bad[0]![5] = "=cmd|' /C calc'!A0";
    bad[1]![8] = '@SUM(1+1)';
    bad[2]![5] = '－1+1';
    await files.write('hostile.csv', csv(RESIDENT_HEADER, bad));
    const run = await cli(['public-security', 'residents', 'hostile.csv']);
    expect(run.code, run.out).toBe(0);
    const report = await readFile(path.join(files.dir, 'hostile.rejects.csv'), 'utf8');
    expect(report).toContain(`,'=cmd|' /C calc'!A0,`);
    expect(report).toContain(`,'@SUM(1+1),`);
    expect(report).toContain(`,'－1+1,`);
    expect(report).not.toMatch(/,[=@＝＋－＠+-]/);
  });

  it('reads the sheet chosen with --sheet, by name or number, and says which', async () => {
    const header = [...RESIDENT_HEADER];
    await writeXlsx(path.join(files.dir, 'book.xlsx'), {
      sheets: [
        { name: '说明', rows: [['本表为户籍登记']] },
        { name: '居民', rows: [header, ...rows(400, 3)] },
        { name: 'Notes', rows: [['n/a']] },
      ],
    });
    const byName = await cli(['public-security', 'residents', 'book.xlsx', '--sheet', '居民', '--dry-run']);
    expect(byName.code, byName.out).toBe(0);
    expect(byName.out).toContain('read sheet 居民 (2 of 3)');
    expect(byName.out).toContain('read 3 ');
    const byNumber = await cli(['public-security', 'residents', 'book.xlsx', '--sheet', '2', '--dry-run']);
    expect(byNumber.out).toContain('read sheet 居民 (2 of 3)');
    const first = await cli(['public-security', 'residents', 'book.xlsx', '--dry-run']);
    expect([first.code, first.out]).toEqual([2, expect.stringContaining('required columns missing')]);
    const missing = await cli(['public-security', 'residents', 'book.xlsx', '--sheet', '9']);
    expect([missing.code, missing.out]).toEqual([2, expect.stringContaining('refused: the workbook has no sheet 9: it has 3 sheets ("说明", "居民", "Notes")')]);
    const notXlsx = await cli(['public-security', 'residents', 'noted.csv', '--sheet', '1']);
    expect([notXlsx.code, notXlsx.out]).toEqual([2, expect.stringContaining('--sheet chooses a sheet of an .xlsx workbook')]);
  });
});
