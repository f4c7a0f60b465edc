import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIdNumber } from '@hub/core';
import type { DemoGridContents } from '@hub/demo';
import { clone, csv, demoGrids, importFile, rejectLines, tableSnapshot, workspace, type ClonedDatabase, type Workspace } from './fixtures.ts';

const templates = inject('importTemplates');

const REASON = { WORK: '务工', BUSINESS: '经商', STUDY: '求学', FAMILY: '投亲靠友', MEDICAL: '就医', OTHER: '其他' } as const;
const CATEGORY = { COMMUNITY_CORRECTION: '社区矫正', RELEASED_PRISONER: '刑满释放', SEVERE_MENTAL_DISORDER: '严重精神障碍', DRUG_USER: '吸毒人员', KEY_YOUTH: '重点青少年', AIDS_RISK: '艾滋病危险人员' } as const;
const RISK = { LOW: '低', MEDIUM: '中', HIGH: '高' } as const;

let files: Workspace;
let grids: DemoGridContents[];
let db: ClonedDatabase;
beforeAll(async () => {
  files = await workspace();
  grids = demoGrids();
  db = await clone(templates['public-security']);
});
afterAll(async () => {
  await db?.drop();
  await files?.remove();
});

describe('public security: floating-population details and key persons', () => {
  it('finds the generated floating details unchanged, updates a changed one, and refuses people not floating on the register', async () => {
    const residents = grids.flatMap((g) => g.residents);
    const floating = residents.filter((r) => r.floating !== null);
    const registered = residents.find((r) => r.populationType === 'REGISTERED')!;
    const stranger = buildIdNumber('320311', '1931-02-03', 997);
    expect(residents.some((r) => r.idNumber === stranger)).toBe(false);
    const header = ['公民身份号码', '流入原因', '流入日期', '来源地址', '居住证号码', '居住证有效期至'];
    const row = (r: (typeof floating)[number], over: Partial<NonNullable<(typeof floating)[number]['floating']>> = {}) => {
      const f = { ...r.floating!, ...over };
      return [r.idNumber, REASON[f.inflowReason], f.inflowDate, f.originAddress, f.residencePermitNumber ?? '', f.residencePermitExpiresOn ?? ''];
    };
    const withPermit = floating.find((r) => r.floating!.residencePermitNumber !== null)!;
    const rows = floating.map((r) => (r === withPermit ? row(r, { residencePermitExpiresOn: '2030-12-31' }) : row(r)));
    const sample = floating[0]!;
    const bad = [
      { row: [registered.idNumber, '务工', '2020-01-01', '安徽省宿州市', '', ''], column: '公民身份号码', code: 'NOT_FLOATING' },
      { row: [stranger, '务工', '2020-01-01', '安徽省宿州市', '', ''], column: '公民身份号码', code: 'NOT_ON_REGISTER' },
      { row: row(sample, { inflowReason: 'WORK' }).map((c, i) => (i === 1 ? '旅游' : c)), column: '流入原因', code: 'NOT_ALLOWED' },
      { row: [sample.idNumber, '务工', '2020-01-01', '安徽省宿州市', '', '2021-01-01'], column: '居住证号码', code: 'PERMIT_NUMBER_REQUIRED' },
      { row: [sample.idNumber, '务工', '2020-01-01', '安徽省宿州市', '32031120190000001', '2019-01-01'], column: '居住证有效期至', code: 'PERMIT_BEFORE_INFLOW' },
      { row: [sample.idNumber, '务工', '2999-01-01', '安徽省宿州市', '', ''], column: '流入日期', code: 'DATE_IN_FUTURE' },
      { row: [sample.idNumber, '务工', '2020-01-01', '', '', ''], column: '来源地址', code: 'REQUIRED' },
    ];
    const file = await files.write('floating.csv', csv(header, [...rows, ...bad.map((b) => b.row)]), 'gbk');
    const before = await tableSnapshot(db.pool, 'floating_details', 'resident_id', []);
    const summary = await importFile(db.pool, 'public-security', 'floating', file);
    expect(summary).toMatchObject({ encoding: 'gb18030', read: rows.length + bad.length, inserted: 0, updated: 1, unchanged: floating.length - 1, rejected: bad.length });
    expect((await rejectLines(summary.rejectReport)).sort((a, b) => a.row - b.row).map((l) => [l.row, l.column, l.code])).toEqual(
      bad.map((b, i) => [rows.length + 2 + i, b.column, b.code]),
    );
    const after = await tableSnapshot(db.pool, 'floating_details', 'resident_id', []);
    expect(after.filter((r, i) => r !== before[i])).toHaveLength(1);
  });

  it('finds the generated key persons unchanged and refuses a second record of a person, strangers and malformed rows', async () => {
    const residents = grids.flatMap((g) => g.residents);
    const keyPersons = grids.flatMap((g) => g.publicSecurity.keyPersons);
    const header = ['重点人员编号', '公民身份号码', '人员类别', '风险等级', '责任民警', '警号', '帮扶管控措施', '列管日期', '监护人公民身份号码'];
    const row = (k: (typeof keyPersons)[number]) => [k.id, k.idNumber, CATEGORY[k.category], RISK[k.riskLevel], k.responsibleOfficerName, k.responsibleOfficerBadge, k.plan, k.since, k.guardianIdNumber ?? ''];
    const [a, b] = keyPersons;
    const other = residents.find((r) => !keyPersons.some((k) => k.idNumber === r.idNumber) && r.gridCode === a!.id.slice(2, 17))!;
    const newId = `${a!.id.slice(0, 17)}999`;
    const stranger = buildIdNumber('320311', '1931-02-03', 997);
    const bad = [
      { row: [newId, stranger, '社区矫正', '高', '王警官', '012345', '每周走访', '2024-01-01', ''], column: '公民身份号码', code: 'NOT_ON_REGISTER' },
      { row: ['ZD123', other.idNumber, '社区矫正', '高', '王警官', '012345', '每周走访', '2024-01-01', ''], column: '重点人员编号', code: 'KEY_PERSON_ID' },
      { row: [newId, other.idNumber, '社区矫正', '高', '王警官', '12345', '每周走访', '2024-01-01', ''], column: '警号', code: 'BADGE' },
      { row: [newId, other.idNumber, '上访', '高', '王警官', '012345', '每周走访', '2024-01-01', ''], column: '人员类别', code: 'NOT_ALLOWED' },
      { row: [newId, other.idNumber, '严重精神障碍', '高', '王警官', '012345', '每周走访', '2024-01-01', `${other.idNumber.slice(0, 17)}${other.idNumber[17] === '1' ? '2' : '1'}`], column: '监护人公民身份号码', code: 'ID_NUMBER_CHECK_DIGIT' },
      { row: [`${newId.slice(0, 19)}8`, a!.idNumber, '社区矫正', '高', '王警官', '012345', '每周走访', '2024-01-01', ''], column: '公民身份号码', code: 'DUPLICATE_KEY' },
    ];
    const file = await files.write('key-persons.csv', csv(header, [...keyPersons.map(row), ...bad.map((x) => x.row)]));
    const before = await tableSnapshot(db.pool, 'key_persons', 'id', []);
    const summary = await importFile(db.pool, 'public-security', 'key-persons', file);
    expect(summary).toMatchObject({ read: keyPersons.length + bad.length, inserted: 0, updated: 0, unchanged: keyPersons.length, rejected: bad.length });
    const lines = await rejectLines(summary.rejectReport);
    expect(lines.sort((x, y) => x.row - y.row).map((l) => [l.row, l.column, l.code])).toEqual(bad.map((x, i) => [keyPersons.length + 2 + i, x.column, x.code]));
    // The plan and the officer are shown masked; no ID number leaves whole.
    const report = await files.read('key-persons.csv.rejects.csv');
    for (const k of keyPersons) expect(report).not.toContain(k.idNumber);
    expect(await tableSnapshot(db.pool, 'key_persons', 'id', [])).toEqual(before);

    // A new record of a person on the register, with the grid its id names; a second record of a listed person is refused.
    const fresh = await files.write(
      'key-person-new.csv',
      csv(header, [
        [newId, other.idNumber, '重点青少年', '低', '王警官', '012345', '每月走访', '2024-01-01', ''],
        [`${newId.slice(0, 19)}8`, b!.idNumber, '社区矫正', '高', '王警官', '012345', '每周走访', '2024-01-01', ''],
      ]),
    );
    const added = await importFile(db.pool, 'public-security', 'key-persons', fresh);
    expect(added).toMatchObject({ inserted: 1, rejected: 1 });
    expect((await rejectLines(added.rejectReport)).map((l) => [l.row, l.column, l.code])).toEqual([[3, '公民身份号码', 'ALREADY_KEY_PERSON']]);
    const stored = await db.pool.query('SELECT grid_code, category, risk_level FROM key_persons WHERE id = $1', [newId]);
    expect(stored.rows).toEqual([{ grid_code: newId.slice(2, 17), category: 'KEY_YOUTH', risk_level: 'LOW' }]);
  });
});
