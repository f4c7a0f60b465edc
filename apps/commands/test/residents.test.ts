import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIdNumber, maskIdNumber } from '@hub/core';
import type { DemoResident } from '@hub/demo';
import { ImportRefused } from '@hub/import';
import { clone, csv, demoGrids, importFile, rejectLines, tableSnapshot, workspace, type ClonedDatabase, type Workspace } from './fixtures.ts';

const templates = inject('importTemplates');

const SEX = { MALE: '男', FEMALE: '女', UNKNOWN: '未知', UNSTATED: '未说明' } as const;
const POPULATION = { REGISTERED: '户籍', FLOATING: '流动', OVERSEAS: '境外', UNSETTLED: '未落户' } as const;
const RELATION = { SELF: '本人', SPOUSE: '配偶', CHILD: '子女', PARENT: '父母', GRANDCHILD: '孙子女', OTHER_RELATIVE: '其他亲属', TENANT: '租户' } as const;

const CHINESE_HEADER = ['姓名', '公民身份号码', '性别', '出生日期', '联系电话', '人口类型', '户籍地址', '房屋编码', '网格编码', '户号', '与户主关系'];
const ENGLISH_HEADER = ['Name', 'ID Number', 'Sex', 'Birth Date', 'Phone', 'Population Type', 'Registered Address', 'House Code', 'Grid Code', 'Household ID', 'Relation to Head'];

const chineseRow = (r: DemoResident) => [
  r.name, r.idNumber, SEX[r.sex], r.birthDate.replaceAll('-', '/'), r.phone ?? '', POPULATION[r.populationType], r.registeredAddress,
  r.houseCode, r.gridCode, r.householdId, RELATION[r.relationToHead],
];
const englishRow = (r: DemoResident) => [
  r.name, r.idNumber, r.sex, r.birthDate, r.phone ?? '', r.populationType, r.registeredAddress, r.houseCode, r.gridCode, r.householdId, r.relationToHead,
];

let files: Workspace;
let residents: DemoResident[];

beforeAll(async () => {
  files = await workspace();
  residents = demoGrids().flatMap((g) => g.residents);
});
afterAll(() => files.remove());

describe('loading the register from files', () => {
  let empty: ClonedDatabase;
  beforeAll(async () => {
    empty = await clone(templates.emptyPublicSecurity);
  });
  afterAll(() => empty.drop());

  it('loads the demo district from a UTF-8 CSV with BOM, CRLF and Chinese headers exactly as the seed wrote it, and a re-run changes nothing', async () => {
    const file = await files.write('register.csv', csv(CHINESE_HEADER, residents.map(chineseRow)), 'utf-8-bom');
    const first = await importFile(empty.pool, 'public-security', 'residents', file);
    expect(first).toMatchObject({ read: residents.length, inserted: residents.length, updated: 0, unchanged: 0, rejected: 0, encoding: 'utf-8' });
    const seeded = await clone(templates['public-security']);
    try {
      expect(await tableSnapshot(empty.pool, 'residents', 'id')).toEqual(await tableSnapshot(seeded.pool, 'residents', 'id'));
    } finally {
      await seeded.drop();
    }
    const before = await tableSnapshot(empty.pool, 'residents', 'id', []);
    const again = await importFile(empty.pool, 'public-security', 'residents', file);
    expect(again).toMatchObject({ read: residents.length, inserted: 0, updated: 0, unchanged: residents.length, rejected: 0 });
    expect(await tableSnapshot(empty.pool, 'residents', 'id', [])).toEqual(before);
    const records = await empty.pool.query('SELECT entity, file_sha256, imported_by, rows_read, inserted, unchanged, completed FROM import_runs ORDER BY id');
    expect(records.rows).toEqual([
      { entity: 'residents', file_sha256: first.fileSha256, imported_by: 'test-clerk', rows_read: residents.length, inserted: residents.length, unchanged: 0, completed: true },
      { entity: 'residents', file_sha256: first.fileSha256, imported_by: 'test-clerk', rows_read: residents.length, inserted: 0, unchanged: residents.length, completed: true },
    ]);
  });

  it('detects GBK, reads English headers and LF line ends, and updates only the rows that changed', async () => {
    const changed = residents.slice(0, 50).map((r, i) => (i < 5 ? { ...r, registeredAddress: `${r.registeredAddress}（已迁）` } : r));
    const file = await files.write('register-gbk.csv', csv(ENGLISH_HEADER, changed.map(englishRow), '\n'), 'gbk');
    const summary = await importFile(empty.pool, 'public-security', 'residents', file);
    expect(summary).toMatchObject({ encoding: 'gb18030', read: 50, inserted: 0, updated: 5, unchanged: 45, rejected: 0 });
    const stored = await empty.pool.query('SELECT name, registered_address FROM residents WHERE id_number = $1', [changed[0]!.idNumber]);
    expect(stored.rows[0]).toEqual({ name: changed[0]!.name, registered_address: changed[0]!.registeredAddress });
  });
});

describe('what a file may hold', () => {
  let db: ClonedDatabase;
  beforeAll(async () => {
    db = await clone(templates.emptyPublicSecurity);
  });
  afterAll(() => db.drop());

  it('keeps quoted fields with commas, quotes and line breaks, ignores unknown columns and says which', async () => {
    const [a, b] = residents;
    const address = '江苏省徐州市泉山区"和平路"12号,\r\n3单元\n502室';
    const header = ['备注', ...CHINESE_HEADER, 'Legacy Flag'];
    const rows = [a!, b!].map((r) => ['自"由",文本\n第二行', ...chineseRow({ ...r, registeredAddress: address }), 'Y']);
    const file = await files.write('quoted.csv', csv(header, rows));
    const summary = await importFile(db.pool, 'public-security', 'residents', file);
    expect(summary).toMatchObject({ read: 2, inserted: 2, rejected: 0, unknownColumns: ['备注', 'Legacy Flag'] });
    const stored = await db.pool.query('SELECT registered_address FROM residents WHERE id_number = ANY($1)', [[a!.idNumber, b!.idNumber]]);
    expect(stored.rows.map((r: { registered_address: string }) => r.registered_address)).toEqual([address, address]);
  });

  it('refuses a file that lacks a required column before reading any row, and writes nothing', async () => {
    const header = CHINESE_HEADER.filter((h) => h !== '网格编码' && h !== '姓名');
    // The body would not even parse as rows of this header: it is never read.
    const file = await files.write('no-grid.csv', `${header.join(',')}\r\n"unterminated,\r\n`);
    const count = async () => Number((await db.pool.query('SELECT (SELECT count(*) FROM residents) + (SELECT count(*) FROM import_runs) AS n')).rows[0].n);
    const before = await count();
    const refusal = importFile(db.pool, 'public-security', 'residents', file);
    await expect(refusal).rejects.toBeInstanceOf(ImportRefused);
    await expect(refusal).rejects.toThrow(/required columns missing: name \(姓名\), gridCode \(网格编码\).*No row was read/);
    expect(await count()).toBe(before);
  });

  it('uses a mapping file for headers it does not know', async () => {
    const header = ['人员名称', '证件', '人员属性', '所在网格'];
    const r = residents[10]!;
    const file = await files.write('mapped.csv', csv(header, [[r.name, r.idNumber, POPULATION[r.populationType], r.gridCode]]));
    const summary = await importFile(db.pool, 'public-security', 'residents', file, {
      mapping: { columns: { 人员名称: 'name', 证件: 'idNumber', 人员属性: 'populationType', 所在网格: 'gridCode' } },
    });
    expect(summary).toMatchObject({ read: 1, inserted: 1, rejected: 0 });
  });
});

describe('invalid rows', () => {
  let db: ClonedDatabase;
  beforeAll(async () => {
    db = await clone(templates.emptyPublicSecurity);
  });
  afterAll(() => db.drop());

  it('rejects every kind of invalid row with its reason, masks what is personal, and loads all valid rows', async () => {
    const valid = residents.slice(0, 300);
    const base = valid[0]!;
    const other = (sex: 'MALE' | 'FEMALE') => (sex === 'MALE' ? '女' : '男');
    const badCheck = base.idNumber.slice(0, 17) + (base.idNumber[17] === '0' ? '1' : '0');
    // Each: the row, the column its problem is reported under, and the code.
    const cases: { row: string[]; column: string; code: string }[] = [
      { row: chineseRow({ ...base, idNumber: '32031119900101123' }), column: '公民身份号码', code: 'ID_NUMBER_FORMAT' },
      { row: chineseRow({ ...base, idNumber: badCheck }), column: '公民身份号码', code: 'ID_NUMBER_CHECK_DIGIT' },
      { row: chineseRow({ ...base, idNumber: buildIdNumber('320311', '2099-01-01', 11) }), column: '公民身份号码', code: 'ID_NUMBER_BIRTH_DATE' },
      { row: chineseRow({ ...base, idNumber: buildIdNumber('020311', '1990-01-01', 11) }), column: '公民身份号码', code: 'ID_NUMBER_ADDRESS' },
      { row: chineseRow({ ...base, name: '' }), column: '姓名', code: 'REQUIRED' },
      { row: chineseRow({ ...base, name: '长'.repeat(51) }), column: '姓名', code: 'TOO_LONG' },
      { row: [...chineseRow(base).slice(0, 2), '男女', ...chineseRow(base).slice(3)], column: '性别', code: 'NOT_ALLOWED' },
      { row: [...chineseRow(base).slice(0, 2), other(base.sex), ...chineseRow(base).slice(3)], column: '性别', code: 'SEX_MISMATCH' },
      { row: chineseRow({ ...base, birthDate: '1900-01-01' }), column: '出生日期', code: 'BIRTH_DATE_MISMATCH' },
      { row: chineseRow({ ...base, birthDate: '2001-02-30' }), column: '出生日期', code: 'DATE' },
      { row: chineseRow({ ...base, phone: '1381234567' }), column: '联系电话', code: 'PHONE' },
      { row: [...chineseRow(base).slice(0, 5), '常驻', ...chineseRow(base).slice(6)], column: '人口类型', code: 'NOT_ALLOWED' },
      { row: chineseRow({ ...base, gridCode: '32031100100100' }), column: '网格编码', code: 'GRID_CODE' },
      { row: chineseRow({ ...base, gridCode: '320311001001000' }), column: '网格编码', code: 'GRID_CODE' },
      { row: chineseRow({ ...base, houseCode: '32031100100100012-2-0301' }), column: '房屋编码', code: 'HOUSE_CODE' },
      { row: chineseRow({ ...base, householdId: 'H'.repeat(41) }), column: '户号', code: 'TOO_LONG' },
      { row: [...chineseRow(base).slice(0, 10), '邻居'], column: '与户主关系', code: 'NOT_ALLOWED' },
    ];
    // Every kind of bad row twice, spread through the file: one row in ten is bad.
    const rows: string[][] = [];
    const expected = new Map<number, { column: string; code: string }>();
    const rowOfValid: number[] = [];
    let bad = 0;
    valid.forEach((r, i) => {
      rowOfValid.push(rows.length + 2);
      rows.push(chineseRow(r));
      if (i % 8 === 4 && bad < 2 * cases.length) {
        expected.set(rows.length + 2, cases[bad % cases.length]!);
        rows.push(cases[bad++ % cases.length]!.row);
      }
    });
    const duplicateRow = rows.length + 2;
    rows.push(chineseRow({ ...valid[7]!, name: '重复' }));
    const file = await files.write('invalid.csv', csv(CHINESE_HEADER, rows));
    const summary = await importFile(db.pool, 'public-security', 'residents', file);
    expect(bad).toBe(2 * cases.length);
    expect(bad / rows.length).toBeGreaterThan(0.1);
    expect(summary).toMatchObject({ read: rows.length, inserted: valid.length, rejected: bad + 1 });

    const lines = await rejectLines(summary.rejectReport);
    expect(lines.map((l) => ({ row: l.row, column: l.column, code: l.code }))).toEqual([
      ...[...expected].map(([row, c]) => ({ row, column: c.column, code: c.code })),
      { row: duplicateRow, column: '公民身份号码', code: 'DUPLICATE_KEY' },
    ]);
    expect(lines.at(-1)!.en).toBe(`duplicate key: same as row ${rowOfValid[7]}`);
    for (const line of lines) expect(line.zh).toMatch(/[\u4e00-\u9fff]/);
    // Values are masked where personal: no ID number or name of the file appears whole in the report.
    const report = await files.read('invalid.csv.rejects.csv');
    for (const r of valid) expect(report).not.toContain(r.idNumber);
    expect(report).not.toContain('长'.repeat(51));
    expect(lines.find((l) => l.code === 'ID_NUMBER_CHECK_DIGIT')!.value).toBe(maskIdNumber(badCheck));
    expect(lines.find((l) => l.code === 'PHONE')!.value).toBe('138***4567');

    const stored = await db.pool.query('SELECT count(*)::int AS n FROM residents');
    expect(stored.rows[0].n).toBe(valid.length);
  });

  it('dry run: validates and counts like a real run, writes nothing', async () => {
    const dryDb = await clone(templates.emptyPublicSecurity);
    try {
      const file = await files.write('dry.csv', csv(CHINESE_HEADER, [...residents.slice(0, 20).map(chineseRow), chineseRow({ ...residents[0]!, phone: '123' })]));
      const summary = await importFile(dryDb.pool, 'public-security', 'residents', file, { dryRun: true });
      expect(summary).toMatchObject({ dryRun: true, read: 21, inserted: 20, rejected: 1, recordId: null });
      const left = await dryDb.pool.query('SELECT (SELECT count(*) FROM residents)::int AS residents, (SELECT count(*) FROM import_runs)::int AS runs');
      expect(left.rows[0]).toEqual({ residents: 0, runs: 0 });
    } finally {
      await dryDb.drop();
    }
  });
});
