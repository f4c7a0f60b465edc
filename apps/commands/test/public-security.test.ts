import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIdNumber, DEMO_HUB_SECRET, residentKey } from '@hub/core';
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
    // Its category is its first special group, owned by the governance centre, and the officer its first responsible person.
    expect((await db.pool.query("SELECT category, owning_unit, since::text FROM key_person_categories WHERE key_person_id = $1", [newId])).rows).toEqual([
      { category: 'KEY_YOUTH', owning_unit: 'GOVERNANCE_CENTRE', since: '2024-01-01' },
    ]);
    expect((await db.pool.query('SELECT position, name, unit, badge FROM key_person_officers WHERE key_person_id = $1', [newId])).rows).toEqual([
      { position: 0, name: '王警官', unit: 'POLICE_STATION', badge: '012345' },
    ]);
  });
});

describe('public security: overseas people, households, special groups and visits', () => {
  const UNIT = { JUSTICE_OFFICE: '司法所', HEALTH: '卫健', NARCOTICS_CONTROL: '禁毒办', POLICE_STATION: '派出所', GOVERNANCE_CENTRE: '综治中心' } as const;
  const DOCUMENT = { PASSPORT: '护照', HK_MACAO_PERMIT: '港澳居民来往内地通行证', TAIWAN_PERMIT: '台湾居民来往大陆通行证', FOREIGN_PERMANENT_RESIDENCE: '外国人永久居留身份证', NONE: '无' } as const;
  const PERMIT = { VISA: '签证', RESIDENCE_PERMIT: '居留许可', PERMANENT_RESIDENCE: '永久居留' } as const;
  const METHOD = { HOME_VISIT: '上门走访', PHONE: '电话', VIDEO: '视频', INTERVIEW: '约谈', REPORT_IN: '报到' } as const;
  const person = (r: DemoGridContents['residents'][number]) => (r.document ? ['', DOCUMENT[r.document.type], r.document.number, r.document.nationality] : [r.idNumber, '', '', '']);

  /** Runs a file of the generated records and bad rows: the records are found unchanged, each bad row refused as listed. */
  async function expectUnchangedAndRefused(entity: string, table: string, orderBy: string, header: string[], rows: string[][], bad: { row: string[]; column: string; code: string }[]) {
    const file = await files.write(`${entity}.csv`, csv(header, [...rows, ...bad.map((x) => x.row)]));
    const before = await tableSnapshot(db.pool, table, orderBy, []);
    const summary = await importFile(db.pool, 'public-security', entity, file);
    expect(summary).toMatchObject({ read: rows.length + bad.length, inserted: 0, updated: 0, unchanged: rows.length, rejected: bad.length });
    const lines = await rejectLines(summary.rejectReport);
    expect(lines.sort((x, y) => x.row - y.row).map((l) => [l.row, l.column, l.code])).toEqual(bad.map((x, i) => [rows.length + 2 + i, x.column, x.code]));
    expect(await tableSnapshot(db.pool, table, orderBy, [])).toEqual(before);
    return files.read(`${entity}.csv.rejects.csv`);
  }

  it("finds overseas people's stay unchanged, refuses people not overseas or unknown, visas without number, stays ending before entry", async () => {
    const overseas = grids.flatMap((g) => g.residents).filter((r) => r.overseas !== null);
    const unsettled = grids.flatMap((g) => g.residents).find((r) => r.document?.type === 'NONE')!;
    const header = ['证件类型', '证件号码', '国籍', '入境日期', '停居留证件类别', '签证号码', '有效期至', '工作单位'];
    const row = (r: (typeof overseas)[number]) => {
      const o = r.overseas!;
      return [...person(r).slice(1), o.entryDate, PERMIT[o.permitKind], o.permitNumber ?? '', o.permitExpiresOn ?? '', o.employerOrSchool ?? ''];
    };
    const sample = overseas.find((r) => r.document!.type === 'PASSPORT')!;
    const bad = [
      { row: ['护照', 'X00000001', 'KOR', '2024-01-01', '居留许可', 'R1', '2026-01-01', ''], column: '证件号码', code: 'NOT_ON_REGISTER' },
      { row: ['无', unsettled.document!.number, 'CHN', '2024-01-01', '签证', 'V1', '2026-01-01', ''], column: '证件号码', code: 'NOT_OVERSEAS' },
      { row: [...row(sample).slice(0, 4), '签证', '', '', ''], column: '签证号码', code: 'PERMIT_NUMBER_REQUIRED' },
      { row: [...row(sample).slice(0, 3), '2025-06-01', '居留许可', 'R2', '2025-01-01', ''], column: '有效期至', code: 'PERMIT_BEFORE_ENTRY' },
      { row: ['护照', sample.document!.number, 'KO', '2024-01-01', '居留许可', 'R1', '2026-01-01', ''], column: '证件类型', code: 'DOCUMENT' },
    ];
    const report = await expectUnchangedAndRefused('overseas', 'overseas_details', 'resident_id', header, overseas.map(row), bad);
    expect(report).not.toContain(unsettled.document!.number);
  });

  it('finds the households unchanged, refuses heads not on the register or of another grid and malformed numbers', async () => {
    const residents = grids.flatMap((g) => g.residents);
    // The households the seed keeps: each household living together and each hukou household, as seed.ts derives them.
    const households = new Map<string, string[]>();
    const rowOf = (id: string, kind: string, basis: string, head: (typeof residents)[number], r: (typeof residents)[number], station: string) => [id, kind, basis, ...person(head), r.gridCode, r.houseCode, station];
    for (const r of residents) {
      const members = residents.filter((m) => m.householdId === r.householdId);
      if (!households.has(r.householdId)) {
        const head = members.find((m) => m.relationToHead === 'SELF')!;
        households.set(r.householdId, rowOf(r.householdId, members.some((m) => m.relationToHead === 'TENANT') ? '集体户' : '家庭户', '居住户', head, r, ''));
      }
      if (r.hukouHouseholdId && !households.has(r.hukouHouseholdId)) {
        const hukou = residents.filter((m) => m.hukouHouseholdId === r.hukouHouseholdId);
        const hubId = (m: (typeof residents)[number]) => residentKey(m.idNumber, DEMO_HUB_SECRET);
        const head = hukou.find((m) => m.relationToHead === 'SELF') ?? hukou.reduce((a, m) => (hubId(m) < hubId(a) ? m : a));
        households.set(r.hukouHouseholdId, rowOf(r.hukouHouseholdId, '家庭户', '户籍户', head, r, r.hukouPoliceStation ?? ''));
      }
    }
    const header = ['户号', '户别', '户类型', '户主公民身份号码', '户主证件类型', '户主证件号码', '户主国籍', '网格编码', '房屋编码', '户籍派出所'];
    const sample = [...households.values()][0]!;
    const elsewhere = residents.find((r) => r.gridCode !== sample[7] && !r.document)!;
    const bad = [
      { row: ['NEW-1', ...sample.slice(1, 3), buildIdNumber('320311', '1931-02-03', 997), '', '', '', ...sample.slice(7)], column: '户主公民身份号码', code: 'NOT_ON_REGISTER' },
      { row: ['NEW-2', ...sample.slice(1, 3), elsewhere.idNumber, '', '', '', ...sample.slice(7)], column: '户主公民身份号码', code: 'HEAD_OUTSIDE_GRID' },
      { row: ['NEW-3', '大户', ...sample.slice(2)], column: '户别', code: 'NOT_ALLOWED' },
      { row: ['NEW 4', ...sample.slice(1)], column: '户号', code: 'HOUSEHOLD_ID' },
    ];
    await expectUnchangedAndRefused('households', 'households', 'id', header, [...households.values()], bad);
  });

  it('finds the special groups and the visit log unchanged, refuses unknown records, unknown groups and visits before listing', async () => {
    const keyPersons = grids.flatMap((g) => g.publicSecurity.keyPersons);
    const k = keyPersons[0]!;
    const groups = keyPersons.flatMap((x) => x.specialGroups.map((s) => [x.id, CATEGORY[s.category], UNIT[s.owningUnit], s.since]));
    await expectUnchangedAndRefused('special-groups', 'key_person_categories', 'key_person_id, category', ['重点人员编号', '人员类别', '主管单位', '列管日期'], groups, [
      { row: ['ZD320311001001001999', '吸毒人员', '禁毒办', '2024-01-01'], column: '重点人员编号', code: 'UNKNOWN_KEY_PERSON' },
      { row: [k.id, '上访', '派出所', '2024-01-01'], column: '人员类别', code: 'NOT_ALLOWED' },
    ]);
    const visits = keyPersons.flatMap((x) => x.contacts.map((c) => [x.id, c.contactedOn, c.byName, UNIT[c.byUnit], METHOD[c.method], c.finding]));
    expect(visits.length).toBeGreaterThan(keyPersons.length);
    const report = await expectUnchangedAndRefused('key-person-contacts', 'key_person_contacts', 'key_person_id, contacted_on, by_name, method', ['重点人员编号', '走访日期', '走访人', '走访人单位', '走访方式', '走访情况'], visits, [
      { row: ['ZD320311001001001999', '2025-01-01', '陈警官', '派出所', '上门走访', '情况稳定'], column: '重点人员编号', code: 'UNKNOWN_KEY_PERSON' },
      { row: [k.id, '2001-01-01', '陈警官', '派出所', '上门走访', '情况稳定'], column: '走访日期', code: 'CONTACT_BEFORE_LISTING' },
      { row: [k.id, '2025-01-01', '陈警官', '派出所', '飞鸽传书', '情况稳定'], column: '走访方式', code: 'NOT_ALLOWED' },
    ]);
    // Findings are health and conduct details: the report withholds them.
    expect(report).not.toContain('情况稳定');
  });

  it("finds the key persons' responsible people unchanged, refuses badges of non-police, the officer's own position and unknown records", async () => {
    const keyPersons = grids.flatMap((g) => g.publicSecurity.keyPersons);
    const k = keyPersons[0]!;
    const rows = keyPersons.flatMap((x) => x.officers.map((o, i) => [x.id, String(i + 1), o.name, UNIT[o.unit], '', '']));
    expect(rows.length).toBeGreaterThanOrEqual(keyPersons.length);
    await expectUnchangedAndRefused('key-person-officers', 'key_person_officers', 'key_person_id, position', ['重点人员编号', '序号', '责任人', '责任人单位', '警号', '联系电话'], rows, [
      { row: ['ZD320311001001001999', '1', '刘社工', '司法所', '', ''], column: '重点人员编号', code: 'UNKNOWN_KEY_PERSON' },
      { row: [k.id, '0', '刘社工', '司法所', '', ''], column: '序号', code: 'POSITION' },
      { row: [k.id, '9', '刘社工', '司法所', '012345', ''], column: '警号', code: 'BADGE' },
      { row: [k.id, '9', '刘社工', '司法所', '', '12345'], column: '联系电话', code: 'PHONE' },
    ]);
    // A new worker with a landline is added beside the others.
    const file = await files.write('officers-new.csv', csv(['重点人员编号', '序号', '责任人', '责任人单位', '联系电话'], [[k.id, '9', '刘社工', '司法所', '0516-83801234']]));
    expect(await importFile(db.pool, 'public-security', 'key-person-officers', file)).toMatchObject({ inserted: 1, rejected: 0 });
    const stored = await db.pool.query('SELECT name, unit, phone FROM key_person_officers WHERE key_person_id = $1 AND position = 9', [k.id]);
    expect(stored.rows).toEqual([{ name: '刘社工', unit: 'JUSTICE_OFFICE', phone: '0516-83801234' }]);
  });

  it('records a person registered here who lives elsewhere (户在人不在), without a house, in the grid of the hukou address', async () => {
    const residents = grids.flatMap((g) => g.residents);
    const grid = residents[0]!.gridCode;
    const idNumber = buildIdNumber('320311', '1988-05-06', 995);
    const header = ['姓名', '公民身份号码', '人口类型', '人户状态', '户籍地行政区划代码', '户籍派出所', '户籍户号', '网格编码', '房屋编码'];
    const file = await files.write('away.csv', csv(header, [['孙外出', idNumber, '户籍', '户在人不在', '320311', '徐州市公安局泉山分局湖滨派出所', 'HK0001', grid, '']]));
    expect(await importFile(db.pool, 'public-security', 'residents', file)).toMatchObject({ inserted: 1, rejected: 0 });
    const stored = await db.pool.query('SELECT residence_status, house_code, grid_code, hukou_division_code, hukou_household_id FROM residents WHERE id_number = $1', [idNumber]);
    expect(stored.rows).toEqual([{ residence_status: 'REGISTERED_NOT_RESIDENT', house_code: null, grid_code: grid, hukou_division_code: '320311', hukou_household_id: 'HK0001' }]);
  });
});
