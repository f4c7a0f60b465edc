import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIdNumber, maskIdNumber } from '@hub/core';
import type { DemoRegisteredAway, DemoResident } from '@hub/demo';
import { ImportRefused } from '@hub/import';
import { clone, csv, demoGrids, importFile, rejectLines, tableSnapshot, workspace, type ClonedDatabase, type Workspace } from './fixtures.ts';

const templates = inject('importTemplates');

const SEX = { MALE: '男', FEMALE: '女', UNKNOWN: '未知', UNSTATED: '未说明' } as const;
const POPULATION = { REGISTERED: '户籍', FLOATING: '流动', OVERSEAS: '境外', UNSETTLED: '未落户' } as const;
const RELATION = { SELF: '本人', SPOUSE: '配偶', CHILD: '子女', PARENT: '父母', GRANDCHILD: '孙子女', OTHER_RELATIVE: '其他亲属', TENANT: '租户' } as const;
const DOCUMENT = { PASSPORT: '护照', HK_MACAO_PERMIT: '港澳居民来往内地通行证', TAIWAN_PERMIT: '台湾居民来往大陆通行证', FOREIGN_PERMANENT_RESIDENCE: '外国人永久居留身份证', NONE: '无' } as const;
const STATUS = { RESIDENT_AND_REGISTERED: '人户一致', RESIDENT_NOT_REGISTERED: '人在户不在', REGISTERED_NOT_RESIDENT: '户在人不在' } as const;
const TENURE = { OWNED: '自有住房', RENTED: '租住', LODGING: '借住', DORMITORY: '单位宿舍' } as const;

const CHINESE_HEADER = [
  '姓名', '公民身份号码', '证件类型', '证件号码', '国籍', '性别', '出生日期', '联系电话', '人口类型', '户籍地址', '人户状态', '户籍地行政区划代码',
  '户籍派出所', '房屋编码', '网格编码', '户号', '与户主关系', '户籍户号', '居住方式',
];
const ENGLISH_HEADER = [
  'Name', 'ID Number', 'Document Type', 'Document Number', 'Nationality', 'Sex', 'Birth Date', 'Phone', 'Population Type', 'Registered Address',
  'House Code', 'Grid Code', 'Household ID', 'Relation to Head',
];

/** A citizen by ID number; anyone else by document type, number and nationality (the ID number column left empty). */
const identity = (r: DemoResident, words: boolean) =>
  r.document ? ['', words ? DOCUMENT[r.document.type] : r.document.type, r.document.number, r.document.nationality] : [r.idNumber, '', '', ''];
/** A row with one column's cell replaced. */
const at = (row: string[], column: string, value: string) => row.map((cell, i) => (CHINESE_HEADER[i] === column ? value : cell));
const chineseRow = (r: DemoResident) => [
  r.name, ...identity(r, true), SEX[r.sex], r.birthDate.replaceAll('-', '/'), r.phone ?? '', POPULATION[r.populationType], r.registeredAddress,
  r.residenceStatus ? STATUS[r.residenceStatus] : '', r.hukouDivisionCode ?? '', r.hukouPoliceStation ?? '',
  r.houseCode, r.gridCode, r.householdId, RELATION[r.relationToHead], r.hukouHouseholdId ?? '', TENURE[r.tenure],
];
/** A person registered here but living elsewhere (户在人不在): no house, household or tenure here, their hukou household's. */
const awayRow = (r: DemoRegisteredAway) => [
  r.name, r.idNumber, '', '', '', SEX[r.sex], r.birthDate.replaceAll('-', '/'), r.phone ?? '', POPULATION.REGISTERED, r.registeredAddress,
  STATUS.REGISTERED_NOT_RESIDENT, r.hukouDivisionCode, r.hukouPoliceStation, '', r.gridCode, '', RELATION[r.relationToHead], r.hukouHouseholdId, '',
];
const englishRow = (r: DemoResident) => [
  r.name, ...identity(r, false), r.sex, r.birthDate, r.phone ?? '', r.populationType, r.registeredAddress, r.houseCode, r.gridCode, r.householdId, r.relationToHead,
];

let files: Workspace;
let residents: DemoResident[];
/** The whole register as the seed writes it: the people living here and those registered here but living elsewhere. */
let register: string[][];

beforeAll(async () => {
  files = await workspace();
  residents = demoGrids().flatMap((g) => g.residents);
  register = demoGrids().flatMap((g) => [...g.residents.map(chineseRow), ...g.registeredAway.map(awayRow)]);
});
afterAll(() => files.remove());

describe('loading the register from files', () => {
  let empty: ClonedDatabase;
  beforeAll(async () => {
    empty = await clone(templates.emptyPublicSecurity);
  });
  afterAll(() => empty.drop());

  it('loads the demo district from a UTF-8 CSV with BOM, CRLF and Chinese headers exactly as the seed wrote it, and a re-run changes nothing', async () => {
    const file = await files.write('register.csv', csv(CHINESE_HEADER, register), 'utf-8-bom');
    expect(register.length).toBeGreaterThan(residents.length);
    const first = await importFile(empty.pool, 'public-security', 'residents', file);
    expect(first).toMatchObject({ read: register.length, inserted: register.length, updated: 0, unchanged: 0, rejected: 0, encoding: 'utf-8' });
    const seeded = await clone(templates['public-security']);
    try {
      expect(await tableSnapshot(empty.pool, 'residents', 'id')).toEqual(await tableSnapshot(seeded.pool, 'residents', 'id'));
      // The households the register's 户号 columns name are made as the seed made them.
      expect(await tableSnapshot(empty.pool, 'households', 'id')).toEqual(await tableSnapshot(seeded.pool, 'households', 'id'));
    } finally {
      await seeded.drop();
    }
    const before = await tableSnapshot(empty.pool, 'residents', 'id', []);
    const again = await importFile(empty.pool, 'public-security', 'residents', file);
    expect(again).toMatchObject({ read: register.length, inserted: 0, updated: 0, unchanged: register.length, rejected: 0 });
    expect(await tableSnapshot(empty.pool, 'residents', 'id', [])).toEqual(before);
    const records = await empty.pool.query('SELECT entity, file_sha256, imported_by, rows_read, inserted, unchanged, completed FROM import_runs ORDER BY id');
    expect(records.rows).toEqual([
      { entity: 'residents', file_sha256: first.fileSha256, imported_by: 'test-clerk', rows_read: register.length, inserted: register.length, unchanged: 0, completed: true },
      { entity: 'residents', file_sha256: first.fileSha256, imported_by: 'test-clerk', rows_read: register.length, inserted: 0, unchanged: register.length, completed: true },
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
    const valid = residents.slice(0, 400);
    const base = valid[0]!;
    const other = (sex: 'MALE' | 'FEMALE') => (sex === 'MALE' ? '女' : '男');
    const badCheck = base.idNumber.slice(0, 17) + (base.idNumber[17] === '0' ? '1' : '0');
    const overseas = residents.find((r) => r.populationType === 'OVERSEAS')!;
    const overseasRow = chineseRow(overseas);
    // Each: the row, the column its problem is reported under, and the code.
    const cases: { row: string[]; column: string; code: string }[] = [
      { row: chineseRow({ ...base, idNumber: '32031119900101123' }), column: '公民身份号码', code: 'ID_NUMBER_FORMAT' },
      { row: chineseRow({ ...base, idNumber: badCheck }), column: '公民身份号码', code: 'ID_NUMBER_CHECK_DIGIT' },
      { row: chineseRow({ ...base, idNumber: buildIdNumber('320311', '2099-01-01', 11) }), column: '公民身份号码', code: 'ID_NUMBER_BIRTH_DATE' },
      { row: chineseRow({ ...base, idNumber: buildIdNumber('020311', '1990-01-01', 11) }), column: '公民身份号码', code: 'ID_NUMBER_ADDRESS' },
      { row: chineseRow({ ...base, name: '' }), column: '姓名', code: 'REQUIRED' },
      { row: chineseRow({ ...base, name: '长'.repeat(51) }), column: '姓名', code: 'TOO_LONG' },
      { row: at(chineseRow(base), '性别', '男女'), column: '性别', code: 'NOT_ALLOWED' },
      { row: at(chineseRow(base), '性别', other(base.sex)), column: '性别', code: 'SEX_MISMATCH' },
      { row: chineseRow({ ...base, birthDate: '1900-01-01' }), column: '出生日期', code: 'BIRTH_DATE_MISMATCH' },
      { row: chineseRow({ ...base, birthDate: '2001-02-30' }), column: '出生日期', code: 'DATE' },
      { row: chineseRow({ ...base, phone: '1381234567' }), column: '联系电话', code: 'PHONE' },
      { row: at(chineseRow(base), '人口类型', '常驻'), column: '人口类型', code: 'NOT_ALLOWED' },
      { row: chineseRow({ ...base, gridCode: '32031100100100' }), column: '网格编码', code: 'GRID_CODE' },
      { row: chineseRow({ ...base, gridCode: '320311001001000' }), column: '网格编码', code: 'GRID_CODE' },
      { row: chineseRow({ ...base, houseCode: '32031100100100012-2-0301' }), column: '房屋编码', code: 'HOUSE_CODE' },
      { row: chineseRow({ ...base, householdId: 'H'.repeat(41) }), column: '户号', code: 'TOO_LONG' },
      { row: at(chineseRow(base), '与户主关系', '邻居'), column: '与户主关系', code: 'NOT_ALLOWED' },
      // People without a citizen ID: a document and its number, agreeing with the population type; no hukou status.
      { row: at(overseasRow, '证件号码', ''), column: '证件号码', code: 'DOCUMENT_NUMBER_REQUIRED' },
      { row: at(overseasRow, '公民身份号码', base.idNumber), column: '公民身份号码', code: 'ID_NUMBER_WITH_DOCUMENT' },
      { row: at(overseasRow, '人口类型', '户籍'), column: '证件类型', code: 'DOCUMENT_POPULATION_MISMATCH' },
      { row: at(at(at(overseasRow, '国籍', 'KOREA'), '人户状态', ''), '户籍地行政区划代码', ''), column: '国籍', code: 'TOO_LONG' },
      { row: at(overseasRow, '人户状态', '人户一致'), column: '人户状态', code: 'NO_HUKOU' },
      { row: at(chineseRow(base), '户籍地行政区划代码', '320300'), column: '户籍地行政区划代码', code: 'DIVISION_CODE' },
      { row: at(chineseRow(base), '人户状态', '户在人不在'), column: '房屋编码', code: 'LIVES_ELSEWHERE' },
      { row: at(chineseRow(base), '联系电话', '0516-0380123'), column: '联系电话', code: 'PHONE' },
    ];
    // Every kind of bad row twice, spread through the file: one row in ten is bad.
    const rows: string[][] = [];
    const expected = new Map<number, { column: string; code: string }>();
    const rowOfValid: number[] = [];
    let bad = 0;
    valid.forEach((r, i) => {
      rowOfValid.push(rows.length + 2);
      // Elderly people often give a landline: it is kept with its area code, never refused.
      rows.push(chineseRow(i === 5 ? { ...r, phone: '(0516) 8380 1234' } : r));
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
    const landline = await db.pool.query('SELECT phone FROM residents WHERE name = $1 AND birth_date = $2', [valid[5]!.name, valid[5]!.birthDate]);
    expect(landline.rows).toEqual([{ phone: '0516-83801234' }]);
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
