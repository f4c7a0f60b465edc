import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildCreditCode, DEMO_HUB_SECRET, residentKey } from '@hub/core';
import type { DemoGridContents } from '@hub/demo';
import { clone, csv, demoGrids, importFile, rejectLines, tableSnapshot, workspace, type ClonedDatabase, type Workspace } from './fixtures.ts';
import { writeXlsx, type Cell } from '@hub/import/testing';

const templates = inject('importTemplates');

let files: Workspace;
let grids: DemoGridContents[];
beforeAll(async () => {
  files = await workspace();
  grids = demoGrids();
});
afterAll(() => files.remove());

describe('housing: houses from CSV', () => {
  let db: ClonedDatabase;
  beforeAll(async () => {
    db = await clone(templates.housing);
  });
  afterAll(() => db.drop());

  const HEADER = ['房屋编码', '网格编码', '建筑面积', '房间数', '房屋用途', '房屋地址'];

  it('finds the generated houses unchanged, updates a changed one, and refuses bad rows with their reasons', async () => {
    const houses = grids.flatMap((g) => g.houses);
    const before = await tableSnapshot(db.pool, 'houses', 'code', []);
    const rows = houses.map((h, i) => [h.code, h.gridCode, String(i === 0 ? h.areaM2 + 10 : h.areaM2), String(h.rooms), '住宅', h.address]);
    // A community with two grids, to put a house in the wrong one of them.
    const community = grids.find((g) => grids.some((o) => o !== g && o.grid.code.slice(0, 12) === g.grid.code.slice(0, 12)))!;
    const neighbour = grids.find((o) => o !== community && o.grid.code.slice(0, 12) === community.grid.code.slice(0, 12))!;
    const elsewhere = grids.find((o) => o.grid.code.slice(0, 12) !== community.grid.code.slice(0, 12))!;
    const sample = community.houses[0]!;
    const bad = [
      { row: [`${sample.buildingCode.slice(0, 12)}99999-01-0101`, sample.gridCode, '80', '3', '住宅', '某路1号'], column: '房屋编码', code: 'UNKNOWN_BUILDING' },
      { row: [`${sample.buildingCode}-01-9901`, neighbour.grid.code, '80', '3', '住宅', sample.address], column: '网格编码', code: 'GRID_MISMATCH' },
      { row: [sample.code, elsewhere.grid.code, '80', '3', '住宅', sample.address], column: '网格编码', code: 'GRID_NOT_IN_COMMUNITY' },
      { row: [sample.code.replace(/-(\d{2})-/, '-$1'), sample.gridCode, '80', '3', '住宅', sample.address], column: '房屋编码', code: 'HOUSE_CODE' },
      { row: [sample.code, sample.gridCode, '八十', '3', '住宅', sample.address], column: '建筑面积', code: 'NUMBER' },
      { row: [sample.code, sample.gridCode, '80', '-1', '住宅', sample.address], column: '房间数', code: 'OUT_OF_RANGE' },
      { row: [sample.code, sample.gridCode, '80', '3', '宿舍', sample.address], column: '房屋用途', code: 'NOT_ALLOWED' },
      { row: [sample.code, sample.gridCode, '80', '3', '住宅', ''], column: '房屋地址', code: 'REQUIRED' },
    ];
    const file = await files.write('houses.csv', csv(HEADER, [...rows, ...bad.map((b) => b.row), rows[5]!]), 'utf-8-bom');
    const summary = await importFile(db.pool, 'housing', 'houses', file);
    expect(summary).toMatchObject({ read: houses.length + bad.length + 1, inserted: 0, updated: 1, unchanged: houses.length - 1, rejected: bad.length + 1 });
    const lines = await rejectLines(summary.rejectReport);
    const sorted = [...lines].sort((a, b) => a.row - b.row);
    expect(sorted.map((l) => [l.row, l.column, l.code])).toEqual([
      ...bad.map((b, i) => [houses.length + 2 + i, b.column, b.code]),
      [houses.length + bad.length + 2, '房屋编码', 'DUPLICATE_KEY'],
    ]);
    const after = await tableSnapshot(db.pool, 'houses', 'code', []);
    expect(after.filter((row, i) => row !== before[i])).toHaveLength(1);
  });
});

describe('party: members from an Excel workbook', () => {
  let db: ClonedDatabase;
  beforeAll(async () => {
    db = await clone(templates.party);
  });
  afterAll(() => db.drop());

  it('reads .xlsx with date cells, finds the generated members unchanged, and refuses unknown branches and taken numbers', async () => {
    const members = grids.flatMap((g) => g.party.members);
    // Text cells as shared strings, dates as date-styled serial numbers, as Excel writes them.
    const rows: Cell[][] = [['姓名', '公民身份号码', '党员编号', '所在党组织编号', '党员类型', '入党日期', '转正日期']];
    const STATUS = { EMPLOYED: '在职', FLOATING: '流动', RETIRED: '退休' } as const;
    const day = (iso: string | null) => (iso === null ? null : new Date(`${iso}T00:00:00Z`));
    for (const m of members) rows.push(['某某', m.idNumber, m.memberNumber, m.organizationId, STATUS[m.status], day(m.joinedOn), day(m.fullMemberOn)]);
    const [a, b, c] = members;
    const orphan = `${a!.organizationId.slice(0, 14)}999`;
    rows.push(['某某', grids[0]!.residents.find((r) => !members.some((m) => m.idNumber === r.idNumber))!.idNumber, 'DY2099000001', orphan, '在职', day('2010-05-01'), null]);
    rows.push(['某某', grids[0]!.residents.find((r, i) => i > 3 && !members.some((m) => m.idNumber === r.idNumber))!.idNumber, b!.memberNumber, b!.organizationId, '在职', day('2010-05-01'), null]);
    rows.push(['某某', c!.idNumber, c!.memberNumber, c!.organizationId, '在职', day('2010-05-01'), day('2009-05-01')]);
    rows.push(['某某', c!.idNumber, c!.memberNumber, c!.organizationId, '在职', '2999-01-01', null]);
    const file = await writeXlsx(path.join(files.dir, 'members.xlsx'), { sheets: [{ name: '党员', rows }] });

    const before = await tableSnapshot(db.pool, 'party_members', 'resident_id', []);
    const summary = await importFile(db.pool, 'party', 'members', file);
    const lines = await rejectLines(summary.rejectReport);
    const n = members.length;
    expect([...lines].sort((x, y) => x.row - y.row).map((l) => [l.row, l.column, l.code])).toEqual([
      [n + 2, '所在党组织编号', 'UNKNOWN_ORGANIZATION'],
      [n + 3, '党员编号', 'DUPLICATE_KEY'],
      [n + 4, '转正日期', 'END_BEFORE_START'],
      [n + 5, '入党日期', 'DATE_IN_FUTURE'],
    ]);
    expect(summary).toMatchObject({ format: 'xlsx', read: n + 4, inserted: 0, updated: 0, unchanged: n, rejected: 4, unknownColumns: ['姓名'] });
    expect(await tableSnapshot(db.pool, 'party_members', 'resident_id', [])).toEqual(before);
  });

  it('refuses a member number the register holds for someone else', async () => {
    const members = grids.flatMap((g) => g.party.members);
    const stranger = grids[1]!.residents.find((r) => !members.some((m) => m.idNumber === r.idNumber))!;
    const file = await files.write(
      'taken.csv',
      csv(['公民身份号码', '党员编号', '所在党组织编号', '党员类型', '入党日期'], [[stranger.idNumber, members[0]!.memberNumber, members[0]!.organizationId, '在职', '2015-07-01']]),
    );
    const summary = await importFile(db.pool, 'party', 'members', file);
    expect(summary).toMatchObject({ inserted: 0, rejected: 1 });
    expect((await rejectLines(summary.rejectReport)).map((l) => l.code)).toEqual(['KEY_TAKEN']);
  });
});

describe('civil affairs: welfare entitlements from NDJSON', () => {
  let db: ClonedDatabase;
  beforeAll(async () => {
    db = await clone(templates['civil-affairs']);
  });
  afterAll(() => db.drop());

  it('finds the generated entitlements unchanged and refuses unknown grids, bad certificates, bad lines', async () => {
    const welfare = grids.flatMap((g) => g.civilAffairs.welfare);
    const disability = welfare.find((w) => w.disabilityCertificateNumber !== null)!;
    const plain = welfare.find((w) => w.disabilityCertificateNumber === null)!;
    const line = (w: (typeof welfare)[number], extra: Record<string, unknown> = {}) =>
      JSON.stringify({ id: w.id, idNumber: w.idNumber, gridCode: w.gridCode, kind: w.kind, monthlyAmount: w.monthlyAmount, startsOn: w.startsOn, endsOn: w.endsOn, status: w.status, disabilityCertificate: w.disabilityCertificateNumber, note: 'x', ...extra });
    const unknownGrid = `${plain.gridCode.slice(0, 12)}999`;
    const lines = [
      ...welfare.map((w) => line(w)),
      line({ ...plain, id: `MZ${unknownGrid}0001`, gridCode: unknownGrid }),
      line({ ...disability, id: `${disability.id.slice(0, 17)}9999`, disabilityCertificateNumber: null }),
      line({ ...disability, id: `${disability.id.slice(0, 17)}9998`, disabilityCertificateNumber: `${plain.idNumber}11` }),
      line({ ...plain, id: `${plain.id.slice(0, 17)}9997`, endsOn: '2000-01-01', startsOn: '2001-01-01' }),
      line(plain, { id: `${plain.id.slice(0, 17)}9996`, monthlyAmount: 'lots' }),
      '{"id": "MZ1", "oops"',
      line({ ...plain, id: 'MZ123' }),
    ];
    const file = await files.write('welfare.ndjson', `${lines.join('\n')}\n`);
    const summary = await importFile(db.pool, 'civil-affairs', 'welfare', file);
    const n = welfare.length;
    const report = await rejectLines(summary.rejectReport);
    expect([...report].sort((x, y) => x.row - y.row).map((l) => [l.row, l.column, l.code])).toEqual([
      [n + 1, 'gridCode', 'UNKNOWN_GRID'],
      [n + 2, 'disabilityCertificate', 'DISABILITY_CERTIFICATE_REQUIRED'],
      [n + 3, 'disabilityCertificate', 'DISABILITY_CERTIFICATE'],
      [n + 4, 'endsOn', 'END_BEFORE_START'],
      [n + 5, 'monthlyAmount', 'NUMBER'],
      [n + 6, '', 'NOT_JSON'],
      [n + 7, 'id', 'ENTITLEMENT_ID'],
    ]);
    expect(summary).toMatchObject({ format: 'ndjson', read: n + 7, inserted: 0, updated: 0, unchanged: n, rejected: 7, unknownColumns: ['note'] });
    // The certificate holds an ID number: masked in the report.
    expect(report.find((l) => l.code === 'DISABILITY_CERTIFICATE')!.value).not.toContain(plain.idNumber);
  });
});

describe('civil affairs: the disability register and the care lists from CSV with Chinese headers', () => {
  let db: ClonedDatabase;
  beforeAll(async () => {
    db = await clone(templates['civil-affairs']);
  });
  afterAll(() => db.drop());

  const KIND_ZH: Record<string, string> = {
    LEFT_BEHIND_ELDERLY: '留守老人', LEFT_BEHIND_WOMAN: '留守妇女', LEFT_BEHIND_CHILD: '留守儿童', LIVING_ALONE_ELDERLY: '独居老人',
    EMPTY_NEST_ELDERLY: '空巢老人', ORPHAN: '孤儿', UNSUPPORTED_CHILD: '事实无人抚养儿童',
  };

  it('finds the generated certificates unchanged, adds one without an allowance, and refuses bad rows', async () => {
    const register = grids.flatMap((g) => g.civilAffairs.disabilities);
    const holder = register[0]!;
    const other = register[1]!;
    const grid = grids.find((g) => g.grid.code === holder.gridCode)!;
    const newcomer = grid.residents.find((r) => !register.some((d) => d.idNumber === r.idNumber))!;
    const row = (d: (typeof register)[number]) => [d.id, d.idNumber, d.gridCode, d.certificateNumber, String(d.category), String(d.grade), d.issuedOn];
    const fresh = `${holder.id.slice(0, 17)}9999`;
    const file = await files.write('残疾人登记.csv', csv(['残疾人登记编号', '公民身份号码', '网格编码', '残疾证号', '残疾类别', '残疾等级', '发证日期'], [
      ...register.map(row),
      [fresh, newcomer.idNumber, holder.gridCode, `${newcomer.idNumber}43`, '4', '3', '2020-05-06'],
      [`${holder.id.slice(0, 17)}9998`, newcomer.idNumber, holder.gridCode, `${other.idNumber}43`, '', '', '2020-05-06'],
      [`${holder.id.slice(0, 17)}9997`, newcomer.idNumber, holder.gridCode, `${newcomer.idNumber}43`, '5', '', '2020-05-06'],
      [`${holder.id.slice(0, 17)}9996`, other.idNumber, other.gridCode, other.certificateNumber, '', '', other.issuedOn],
      [`${holder.id.slice(0, 17)}9995`, newcomer.idNumber, holder.gridCode, `${newcomer.idNumber}85`, '', '', '2020-05-06'],
      [`${holder.id.slice(0, 17)}9994`, newcomer.idNumber, holder.gridCode, `${newcomer.idNumber}43`, '', '', '2999-01-01'],
    ]));
    const summary = await importFile(db.pool, 'civil-affairs', 'disability', file);
    const n = register.length; // the header is line 1
    const report = await rejectLines(summary.rejectReport);
    expect([...report].sort((x, y) => x.row - y.row).map((l) => [l.row, l.column, l.code])).toEqual([
      [n + 3, '残疾证号', 'DISABILITY_CERTIFICATE'],
      [n + 4, '残疾类别', 'CERTIFICATE_DISAGREES'],
      [n + 5, '残疾证号', 'DUPLICATE_KEY'],
      [n + 6, '残疾证号', 'DISABILITY_CERTIFICATE'],
      [n + 7, '发证日期', 'DATE_IN_FUTURE'],
    ]);
    expect(summary).toMatchObject({ read: n + 6, inserted: 1, updated: 0, unchanged: n, rejected: 5 });
    // Certificates hold ID numbers: masked in the report.
    for (const line of report) expect(line.value).not.toContain(other.idNumber);
    const { rows } = await db.pool.query('SELECT category, grade, certificate_number FROM disability_records WHERE id = $1', [fresh]);
    expect(rows).toEqual([{ category: 4, grade: 3, certificate_number: `${newcomer.idNumber}43` }]);
    // A certificate the register holds under another entry is refused, not moved.
    const moved = await files.write('残疾人登记-2.csv', csv(['残疾人登记编号', '公民身份号码', '网格编码', '残疾证号', '发证日期'], [
      [`${holder.id.slice(0, 17)}9993`, other.idNumber, other.gridCode, other.certificateNumber, other.issuedOn],
    ]));
    const again = await importFile(db.pool, 'civil-affairs', 'disability', moved);
    expect(again).toMatchObject({ inserted: 0, rejected: 1 });
    expect((await rejectLines(again.rejectReport)).map((l) => [l.column, l.code])).toEqual([['残疾证号', 'KEY_TAKEN']]);
  });

  it('finds the generated care lists unchanged, ends an entry, and refuses bad rows', async () => {
    const care = grids.flatMap((g) => g.civilAffairs.care);
    const first = care[0]!;
    const file = await files.write('关爱对象.csv', csv(['关爱编号', '公民身份号码', '网格编码', '关爱类别', '纳入日期', '退出日期'], [
      ...care.map((c, i) => [c.id, c.idNumber, c.gridCode, KIND_ZH[c.kind]!, c.listedOn, i === 0 ? c.listedOn : '']),
      [`${first.id.slice(0, 17)}9999`, first.idNumber, first.gridCode, '困难群众', first.listedOn, ''],
      [`${first.id.slice(0, 17)}9998`, first.idNumber, first.gridCode, '独居老人', '2020-01-01', '2019-01-01'],
      [`${first.id.slice(0, 17)}9997`, first.idNumber, `${first.gridCode.slice(0, 12)}999`, '独居老人', '2020-01-01', ''],
      [`XX${first.id.slice(2)}`, first.idNumber, first.gridCode, '独居老人', '2020-01-01', ''],
    ]));
    const summary = await importFile(db.pool, 'civil-affairs', 'care', file);
    const n = care.length; // the header is line 1
    const report = await rejectLines(summary.rejectReport);
    expect([...report].sort((x, y) => x.row - y.row).map((l) => [l.row, l.column, l.code])).toEqual([
      [n + 2, '关爱类别', 'NOT_ALLOWED'],
      [n + 3, '退出日期', 'END_BEFORE_START'],
      [n + 4, '网格编码', 'UNKNOWN_GRID'],
      [n + 5, '关爱编号', 'CARE_ID'],
    ]);
    expect(summary).toMatchObject({ read: n + 4, inserted: 0, updated: 1, unchanged: n - 1, rejected: 4 });
    const { rows } = await db.pool.query<{ ended_on: string }>("SELECT to_char(ended_on, 'YYYY-MM-DD') ended_on FROM care_records WHERE id = $1", [first.id]);
    expect(rows).toEqual([{ ended_on: first.listedOn }]);
  });
});

describe('civil affairs: temporary and medical assistance (临时救助、医疗救助) from CSV with Chinese headers', () => {
  let db: ClonedDatabase;
  beforeAll(async () => {
    db = await clone(templates['civil-affairs']);
  });
  afterAll(() => db.drop());

  const HEADER = ['救助编号', '公民身份号码', '网格编码', '救助类型', '救助事由', '救助金额', '救助日期', '审批机关', '审批人', '就诊医疗机构', '入院日期', '出院日期', '政策范围内自付费用', '救助比例'];
  const KIND_ZH = { TEMPORARY: '临时救助', MEDICAL: '医疗救助' } as const;
  const REASON_ZH = {
    ACCIDENT: '意外事故', DISASTER: '火灾', SUDDEN_ILLNESS: '突发重大疾病', EDUCATION: '教育支出', LIVING_HARDSHIP: '基本生活暂时困难',
    OTHER: '其他', INPATIENT: '住院', OUTPATIENT_CHRONIC: '门诊慢特病',
  } as const;

  it('finds the generated grants unchanged, adds one, and refuses rows whose kind, reason, episode or amount disagree', async () => {
    const grants = grids.flatMap((g) => g.civilAffairs.assistance);
    const medical = grants.find((g) => g.kind === 'MEDICAL' && g.episode!.dischargedOn)!;
    const temporary = grants.find((g) => g.kind === 'TEMPORARY')!;
    const row = (g: (typeof grants)[number]) => [
      g.id, g.idNumber, g.gridCode, KIND_ZH[g.kind], REASON_ZH[g.reason], String(g.amount), g.grantedOn, g.approvingOffice, g.approverName,
      g.episode?.hospital ?? '', g.episode?.admittedOn ?? '', g.episode?.dischargedOn ?? '', g.episode ? String(g.episode.eligibleCost) : '', g.episode ? String(g.episode.reimbursedPercent) : '',
    ];
    const id = (n: number) => `${temporary.id.slice(0, 17)}${9990 + n}`;
    const episode = ['徐州市中心医院', '2024-03-01', '2024-03-10', '10000', '70'];
    const start = [temporary.idNumber, temporary.gridCode];
    const file = await files.write('临时救助医疗救助.csv', csv(HEADER, [
      ...grants.map(row),
      [id(9), ...start, '医疗救助', '住院', '7000', '2024-04-01', '泉山区民政局', '张三', ...episode],
      [id(8), ...start, '临时救助', '住院', '1000', '2024-04-01', '湖滨街道办事处', '李四', '', '', '', '', ''],
      [id(7), ...start, '医疗救助', '住院', '1000', '2024-04-01', '泉山区民政局', '张三', '', '2024-03-01', '', '10000', '70'],
      [id(6), ...start, '临时救助', '火灾', '1000', '2024-04-01', '湖滨街道办事处', '李四', '徐州市中心医院', '', '', '', ''],
      [id(5), ...start, '医疗救助', '住院', '7000.01', '2024-04-01', '泉山区民政局', '张三', ...episode],
      [id(4), ...start, '医疗救助', '住院', '7000', '2024-02-01', '泉山区民政局', '张三', ...episode],
      [id(3), ...start, '临时救助', '火灾', '0', '2024-04-01', '湖滨街道办事处', '李四', '', '', '', '', ''],
      [id(2), ...start, '临时救助', '火灾', '1000', '2999-04-01', '湖滨街道办事处', '李四', '', '', '', '', ''],
    ]));
    const summary = await importFile(db.pool, 'civil-affairs', 'assistance', file);
    const n = grants.length; // the header is line 1
    const report = await rejectLines(summary.rejectReport);
    expect([...report].sort((x, y) => x.row - y.row).map((l) => [l.row, l.column, l.code])).toEqual([
      [n + 3, '救助事由', 'REASON_NOT_OF_KIND'],
      [n + 4, '就诊医疗机构', 'MEDICAL_EPISODE_REQUIRED'],
      [n + 5, '就诊医疗机构', 'MEDICAL_EPISODE_NOT_ALLOWED'],
      [n + 6, '救助金额', 'OVER_REIMBURSED'],
      [n + 7, '救助日期', 'GRANT_BEFORE_EPISODE'],
      [n + 8, '救助金额', 'OUT_OF_RANGE'],
      [n + 9, '救助日期', 'DATE_IN_FUTURE'],
    ]);
    expect(summary).toMatchObject({ read: n + 8, inserted: 1, updated: 0, unchanged: n, rejected: 7 });
    // The approver is a name: masked in the report.
    for (const line of report) expect(line.value).not.toContain('李四');
    const { rows } = await db.pool.query(
      "SELECT kind, reason, amount::text, hospital, to_char(admitted_on, 'YYYY-MM-DD') admitted_on, eligible_cost::text, reimbursed_percent FROM assistance_grants WHERE id = $1",
      [id(9)],
    );
    expect(rows).toEqual([{ kind: 'MEDICAL', reason: 'INPATIENT', amount: '7000.00', hospital: '徐州市中心医院', admitted_on: '2024-03-01', eligible_cost: '10000.00', reimbursed_percent: 70 }]);
    expect(medical.episode).not.toBeNull();
  });
});

describe('party: report-ins (双报到) from CSV with Chinese headers', () => {
  let db: ClonedDatabase;
  beforeAll(async () => {
    db = await clone(templates.party);
  });
  afterAll(() => db.drop());

  it('finds the generated report-ins unchanged and refuses the wrong organization, a missing work unit and bad dates', async () => {
    const reportIns = grids.flatMap((g) => g.party.reportIns);
    const inService = reportIns.find((b) => b.kind === 'IN_SERVICE')!;
    const floating = reportIns.find((b) => b.kind === 'FLOATING')!;
    const elsewhere = grids.find((g) => g.grid.communityCode !== inService.gridCode.slice(0, 12))!;
    // Citizens only: a report-in names a member by citizen ID number.
    const citizens = elsewhere.residents.filter((r) => r.document === null);
    const stranger = citizens.find((r) => !reportIns.some((b) => b.idNumber === r.idNumber))!;
    // The demo's unsettled members (未落户) are named by document type 无 and their registration number.
    expect(reportIns.some((b) => b.idNumber.startsWith('NONE:'))).toBe(true);
    const row = (b: (typeof reportIns)[number]) => [b.id, ...identityCells(b.idNumber), b.kind === 'IN_SERVICE' ? '在职党员' : '流动党员', b.organizationId, b.gridCode, b.membershipOrganization, b.workUnit ?? '', b.joinedOn, b.reportedOn];
    const fresh = `${inService.id.slice(0, 17)}9999`;
    const file = await files.write('双报到.csv', csv(['报到编号', ...IDENTITY_HEADERS, '报到类型', '报到党组织编号', '居住网格', '组织关系所在党组织', '工作单位', '入党日期', '报到日期'], [
      ...reportIns.map(row),
      [fresh, ...identityCells(stranger.idNumber), '在职党员', `PG${elsewhere.grid.communityCode}001`, elsewhere.grid.code, '中共徐州市某局机关支部委员会', '徐州市某局', '2010-07-01', '2020-03-02'],
      [`${fresh.slice(0, 17)}9998`, ...identityCells(citizens[1]!.idNumber), '在职党员', inService.organizationId, elsewhere.grid.code, '中共某单位支部委员会', '某单位', '2010-07-01', '2020-03-02'],
      [`${fresh.slice(0, 17)}9997`, ...identityCells(citizens[2]!.idNumber), '在职党员', `PG${elsewhere.grid.communityCode}001`, elsewhere.grid.code, '中共某单位支部委员会', '', '2010-07-01', '2020-03-02'],
      [`${fresh.slice(0, 17)}9996`, ...identityCells(citizens[3]!.idNumber), '流动党员', `PG${elsewhere.grid.communityCode}001`, elsewhere.grid.code, '中共某村支部委员会', '', '2010-07-01', '2009-03-02'],
      [floating.id, ...identityCells(citizens[4]!.idNumber), '流动党员', `PG${elsewhere.grid.communityCode}001`, elsewhere.grid.code, '中共某村支部委员会', '', '2010-07-01', '2020-03-02'],
    ]));
    const summary = await importFile(db.pool, 'party', 'report-ins', file);
    const n = reportIns.length; // the header is line 1
    const report = await rejectLines(summary.rejectReport);
    expect([...report].sort((x, y) => x.row - y.row).map((l) => [l.row, l.column, l.code])).toEqual([
      [n + 3, '报到党组织编号', 'NOT_COMMUNITY_ORGANIZATION'],
      [n + 4, '工作单位', 'WORK_UNIT'],
      [n + 5, '报到日期', 'END_BEFORE_START'],
      [n + 6, '报到编号', 'DUPLICATE_KEY'],
    ]);
    expect(summary).toMatchObject({ read: n + 5, inserted: 1, updated: 0, unchanged: n, rejected: 4 });
  });
});

/** 公民身份号码, 证件类型, 证件号码, 国籍 of a demo person: a citizen by ID number, anyone else by document. */
const IDENTITY_HEADERS = ['公民身份号码', '证件类型', '证件号码', '国籍'];
const DOCUMENT_TYPES: Record<string, string> = { NONE: '无', PASSPORT: '护照', HK_MACAO_PERMIT: '港澳居民来往内地通行证', TAIWAN_PERMIT: '台湾居民来往大陆通行证', FOREIGN_PERMANENT_RESIDENCE: '外国人永久居留身份证' };
function identityCells(idNumber: string): string[] {
  // The demo names people without an ID number by their document key: type, nationality and number.
  const [type, nationality, number] = idNumber.split(':');
  return number === undefined ? [idNumber, '居民身份证', '', ''] : ['', DOCUMENT_TYPES[type!]!, number, nationality!];
}

describe('party: who may be a member (foreigners and compatriots from outside the mainland refused; unsettled citizens taken)', () => {
  let db: ClonedDatabase;
  beforeAll(async () => {
    db = await clone(templates.party);
  });
  afterAll(() => db.drop());

  const residents = () => grids.flatMap((g) => g.residents);
  const memberRow = (idNumber: string, number: string, organizationId: string) => [...identityCells(idNumber), number, organizationId, '退休', '1990-07-01', '1991-07-01'];

  it('refuses overseas people in every party import, writing nothing, and names an unsettled citizen by the key public security derives', async () => {
    const members = grids.flatMap((g) => g.party.members);
    const branch = members[0]!.organizationId;
    const foreigner = residents().find((r) => r.document?.type === 'PASSPORT')!;
    const compatriot = residents().find((r) => r.document?.type === 'HK_MACAO_PERMIT' || r.document?.type === 'TAIWAN_PERMIT')!;
    const held = new Set([...members.map((m) => m.idNumber), ...grids.flatMap((g) => g.party.reportIns.map((b) => b.idNumber))]);
    const unsettled = residents().find((r) => r.document?.type === 'NONE' && r.birthDate < '1990-01-01' && !held.has(r.idNumber))!;
    expect([foreigner, compatriot, unsettled].every(Boolean)).toBe(true);
    const file = await files.write('党员-证件.csv', csv([...IDENTITY_HEADERS, '党员编号', '所在党组织编号', '党员类型', '入党日期', '转正日期'], [
      memberRow(foreigner.idNumber, 'DY2099000101', branch),
      memberRow(compatriot.idNumber, 'DY2099000102', branch),
      // A passport with its country left blank, and one of an unsettled person said to be foreign.
      ['', '护照', 'E12345678', '', 'DY2099000103', branch, '退休', '1990-07-01', '1991-07-01'],
      ['', '无', 'WLH0001', 'KOR', 'DY2099000104', branch, '退休', '1990-07-01', '1991-07-01'],
      // In service, so placed in a residential branch it is marked for review (its work unit's organization unknown).
      [...identityCells(unsettled.idNumber), 'DY2099000105', branch, '在职', '2015-07-01', '2016-07-01'],
    ]));
    const before = await tableSnapshot(db.pool, 'party_members', 'resident_id', []);
    const summary = await importFile(db.pool, 'party', 'members', file);
    expect((await rejectLines(summary.rejectReport)).map((l) => [l.row, l.column, l.code])).toEqual([
      [2, '证件类型', 'OVERSEAS_PARTY_MEMBER'],
      [3, '证件类型', 'OVERSEAS_PARTY_MEMBER'],
      [4, '国籍', 'NATIONALITY'],
      [5, '国籍', 'UNSETTLED_NATIONALITY'],
    ]);
    expect(summary).toMatchObject({ read: 5, inserted: 1, rejected: 4 });
    const after = await tableSnapshot(db.pool, 'party_members', 'resident_id', []);
    expect(after.filter((row) => !before.includes(row)).map((row) => JSON.parse(row))).toMatchObject([
      { resident_id: residentKey(unsettled.idNumber, DEMO_HUB_SECRET), status: 'EMPLOYED', placement_review: 'WORK_UNIT_UNKNOWN' },
    ]);

    const reportIn = grids.flatMap((g) => g.party.reportIns)[0]!;
    const reportInFile = await files.write('双报到-证件.csv', csv(['报到编号', ...IDENTITY_HEADERS, '报到类型', '报到党组织编号', '居住网格', '组织关系所在党组织', '工作单位', '入党日期', '报到日期'], [
      [`${reportIn.id.slice(0, 17)}9990`, ...identityCells(foreigner.idNumber), '在职党员', reportIn.organizationId, reportIn.gridCode, '中共某单位支部委员会', '某单位', '2010-07-01', '2020-03-02'],
    ]));
    const refused = await importFile(db.pool, 'party', 'report-ins', reportInFile);
    expect((await rejectLines(refused.rejectReport)).map((l) => l.code)).toEqual(['OVERSEAS_PARTY_MEMBER']);
    expect(refused).toMatchObject({ inserted: 0, rejected: 1 });

    // Anyone may volunteer; a volunteer said to be a party member is held to the members' rule.
    const volunteer = grids.flatMap((g) => g.party.volunteers)[0]!;
    const volunteerFile = await files.write('志愿者-证件.csv', csv(['志愿者编号', ...IDENTITY_HEADERS, '网格编码', '志愿服务队', '志愿者类别', '是否党员', '服务时长', '登记日期'], [
      [`${volunteer.id.slice(0, 17)}9990`, ...identityCells(foreigner.idNumber), volunteer.gridCode, '国际志愿服务队', '志愿者', '否', '6', '2024-04-01'],
      [`${volunteer.id.slice(0, 17)}9991`, ...identityCells(compatriot.idNumber), volunteer.gridCode, '国际志愿服务队', '志愿者', '是', '6', '2024-04-01'],
    ]));
    const volunteers = await importFile(db.pool, 'party', 'volunteers', volunteerFile);
    expect((await rejectLines(volunteers.rejectReport)).map((l) => [l.row, l.code])).toEqual([[3, 'OVERSEAS_PARTY_MEMBER']]);
    expect(volunteers).toMatchObject({ inserted: 1, rejected: 1 });
  });
});

describe('civil affairs: enterprises, individual businesses, schools and clinics of the directory from CSV with Chinese headers', () => {
  let db: ClonedDatabase;
  beforeAll(async () => {
    db = await clone(templates['civil-affairs']);
  });
  afterAll(() => db.drop());

  const KIND = { ENTERPRISE: '企业', INDIVIDUAL_BUSINESS: '个体工商户', SCHOOL: '学校', CLINIC: '社区卫生服务站' } as const;
  const HEADER = ['组织编号', '组织类别', '单位名称', '统一社会信用代码', '网格编码', '成立日期'];

  it('finds the generated ones unchanged, adds and updates others as their registering department, and refuses bad codes and places', async () => {
    const directory = grids.flatMap((g) => g.organizations).filter((o): o is typeof o & { kind: keyof typeof KIND } => o.kind in KIND);
    expect(new Set(directory.map((o) => o.kind))).toEqual(new Set(Object.keys(KIND)));
    const row = (o: (typeof directory)[number]) => [o.id, KIND[o.kind], o.name, o.creditCode!, o.gridCode, o.registeredOn];
    const enterprise = directory.find((o) => o.kind === 'ENTERPRISE')!;
    const shop = directory.find((o) => o.kind === 'INDIVIDUAL_BUSINESS')!;
    const community = enterprise.communityCode;
    const fresh = (prefix: string, n: number) => `${prefix}${community}${900 + n}`;
    const DEMO_DISTRICT = community.slice(0, 6);
    // An enterprise-category code the directory holds for an organization of another kind (a property company).
    const propertyCompany = grids.flatMap((g) => g.organizations).find((o) => o.kind === 'PROPERTY_COMPANY')!;
    // Valid GB 32100 codes built for the test: an individual business (92) and a private school (52, 民办).
    const shopCode = buildCreditCode(`92${DEMO_DISTRICT}MA1X2Y3W4`);
    const schoolCode = buildCreditCode(`52${DEMO_DISTRICT}MJ5K6L7M8`);
    const file = await files.write('两新组织.csv', csv(HEADER, [
      // The shop renamed (更名), every other one as generated.
      ...directory.map((o) => (o.id === shop.id ? [shop.id, '个体工商户', `${shop.name}（更名）`, shop.creditCode!, shop.gridCode, shop.registeredOn] : row(o))),
      [fresh('IB', 1), '个体户', '泉山区老王修车铺', shopCode, enterprise.gridCode, '2019-04-08'],
      [fresh('SC', 2), '幼儿园', '泉山区小太阳幼儿园', schoolCode, enterprise.gridCode, '2016-09-01'],
      // An enterprise under a shop's prefix; a shop with an enterprise's code (91); a check character off by one.
      [fresh('IB', 3), '企业', '徐州某某科技有限公司', buildCreditCode(`91${DEMO_DISTRICT}MA7A8B9C0`), enterprise.gridCode, '2020-01-01'],
      [fresh('IB', 4), '个体工商户', '某某小吃店', buildCreditCode(`91${DEMO_DISTRICT}MA2B3C4D5`), enterprise.gridCode, '2020-01-01'],
      [fresh('EN', 5), '企业', '某某贸易有限公司', offByOne(buildCreditCode(`91${DEMO_DISTRICT}MA3C4D5E6`)), enterprise.gridCode, '2020-01-01'],
      // Positions 1-2 no authority registers (95), and a registering office in no province (99xxxx).
      [fresh('EN', 6), '企业', '某某物流有限公司', buildCreditCode(`95${DEMO_DISTRICT}MA4D5E6F7`), enterprise.gridCode, '2020-01-01'],
      [fresh('EN', 7), '企业', '某某餐饮有限公司', buildCreditCode(`91990000MA5E6F7G8`), enterprise.gridCode, '2020-01-01'],
      // Another organization's credit code; a grid of another community; a grid not on the register; not a directory kind.
      [fresh('EN', 8), '企业', '某某建材有限公司', propertyCompany.creditCode!, enterprise.gridCode, '2020-01-01'],
      [fresh('EN', 9), '企业', '某某建材有限公司', buildCreditCode(`91${DEMO_DISTRICT}MA6F7G8H9`), grids.find((g) => g.grid.communityCode !== community)!.grid.code, '2020-01-01'],
      [fresh('EN', 10), '企业', '某某装饰有限公司', buildCreditCode(`91${DEMO_DISTRICT}MA7G8H9J0`), `${community}999`, '2020-01-01'],
      [`SO${community}911`, '社会组织', '某某协会', buildCreditCode(`51${DEMO_DISTRICT}MJ8H9J0K1`), enterprise.gridCode, '2020-01-01'],
    ]));
    const summary = await importFile(db.pool, 'civil-affairs', 'organizations', file);
    const n = directory.length; // the header is line 1
    expect((await rejectLines(summary.rejectReport)).sort((x, y) => x.row - y.row).map((l) => [l.row - n, l.column, l.code])).toEqual([
      [4, '组织类别', 'KIND_MISMATCH'],
      [5, '统一社会信用代码', 'CREDIT_CODE_CATEGORY'],
      [6, '统一社会信用代码', 'CREDIT_CODE_CHECK'],
      [7, '统一社会信用代码', 'CREDIT_CODE_AUTHORITY'],
      [8, '统一社会信用代码', 'CREDIT_CODE_DIVISION'],
      [9, '统一社会信用代码', 'KEY_TAKEN'],
      [10, '网格编码', 'GRID_NOT_IN_COMMUNITY'],
      [11, '网格编码', 'UNKNOWN_GRID'],
      [12, '组织编号', 'DIRECTORY_ORGANIZATION_ID'],
      [12, '组织类别', 'NOT_ALLOWED'],
    ]);
    expect(summary).toMatchObject({ read: n + 11, inserted: 2, updated: 1, unchanged: n - 1, rejected: 9 });
    const { rows } = await db.pool.query(
      `SELECT id, kind, name, credit_code, community_code, to_char(registered_on, 'YYYY-MM-DD') registered_on, registered_by FROM organizations WHERE id = ANY($1) ORDER BY id`,
      [[fresh('IB', 1), fresh('SC', 2), shop.id]],
    );
    expect(rows).toEqual([
      { id: fresh('IB', 1), kind: 'INDIVIDUAL_BUSINESS', name: '泉山区老王修车铺', credit_code: shopCode, community_code: community, registered_on: '2019-04-08', registered_by: 'MARKET_REGULATION' },
      { id: shop.id, kind: 'INDIVIDUAL_BUSINESS', name: `${shop.name}（更名）`, credit_code: shop.creditCode, community_code: shop.communityCode, registered_on: shop.registeredOn, registered_by: 'MARKET_REGULATION' },
      { id: fresh('SC', 2), kind: 'SCHOOL', name: '泉山区小太阳幼儿园', credit_code: schoolCode, community_code: community, registered_on: '2016-09-01', registered_by: 'EDUCATION' },
    ].sort((a, b) => a.id.localeCompare(b.id)));
  });
});

/** A credit code with its check character replaced by the next character of the alphabet. */
function offByOne(code: string): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  return code.slice(0, 17) + alphabet[(alphabet.indexOf(code[17]!) + 1) % alphabet.length];
}

describe('housing: usable area, property nature and structure from CSV', () => {
  let db: ClonedDatabase;
  beforeAll(async () => {
    db = await clone(templates.housing);
  });
  afterAll(() => db.drop());

  it('records them, refuses a usable area above the floor area and an unknown nature, and leaves absent columns alone', async () => {
    const [a, b, c] = grids.flatMap((g) => g.houses);
    const building = grids.flatMap((g) => g.buildings).find((x) => x.code === a!.buildingCode)!;
    const houses = await files.write('房屋.csv', csv(['房屋编码', '网格编码', '建筑面积', '房间数', '房屋用途', '房屋地址', '使用面积', '房屋性质'], [
      [a!.code, a!.gridCode, String(a!.areaM2), String(a!.rooms), '住宅', a!.address, String(Math.floor(a!.areaM2 * 0.75)), '房改房'],
      [b!.code, b!.gridCode, String(b!.areaM2), String(b!.rooms), '住宅', b!.address, String(b!.areaM2 + 1), '商品房'],
      [c!.code, c!.gridCode, String(c!.areaM2), String(c!.rooms), '住宅', c!.address, '', '小产权房'],
    ]));
    const summary = await importFile(db.pool, 'housing', 'houses', houses);
    expect((await rejectLines(summary.rejectReport)).map((l) => [l.row, l.column, l.code])).toEqual([
      [3, '使用面积', 'USABLE_AREA'],
      [4, '房屋性质', 'NOT_ALLOWED'],
    ]);
    expect(summary).toMatchObject({ updated: 1, rejected: 2 });
    const { rows } = await db.pool.query('SELECT usable_area_m2, property_nature FROM houses WHERE code = $1', [a!.code]);
    expect(rows).toEqual([{ usable_area_m2: Math.floor(a!.areaM2 * 0.75), property_nature: 'REFORM' }]);
    const buildings = await files.write('楼栋.csv', csv(['楼栋编码', '网格编码', '楼栋地址', '层数', '单元数', '楼栋用途', '建成年份', '建筑结构'], [
      [building.code, building.gridCode, building.address, String(building.floors), String(building.units), building.use === 'RESIDENTIAL' ? '住宅' : building.use === 'MIXED' ? '商住' : '商业', String(building.builtYear), '砖木结构'],
    ]));
    expect(await importFile(db.pool, 'housing', 'buildings', buildings)).toMatchObject({ updated: 1, rejected: 0 });
    const structure = await db.pool.query('SELECT structure FROM buildings WHERE code = $1', [building.code]);
    expect(structure.rows).toEqual([{ structure: 'BRICK_WOOD' }]);
  });
});

describe('party: the volunteer register from CSV with Chinese headers', () => {
  let db: ClonedDatabase;
  beforeAll(async () => {
    db = await clone(templates.party);
  });
  afterAll(() => db.drop());

  it('finds the generated volunteers unchanged, adds a 民情监督员, and refuses a taken id and bad values', async () => {
    const volunteers = grids.flatMap((g) => g.party.volunteers);
    const first = volunteers[0]!;
    const grid = grids.find((g) => g.grid.code === first.gridCode)!;
    // Citizens: the party's imports take a citizen ID number (people without one are never volunteers in the demo).
    const [newcomer, other] = grid.residents.filter((r) => r.document === null && !volunteers.some((v) => v.idNumber === r.idNumber) && r.birthDate < '2000-01-01');
    const row = (v: (typeof volunteers)[number]) => [v.id, v.idNumber, v.gridCode, v.team, v.role === 'MONITOR' ? '民情监督员' : '志愿者', v.partyMember ? '是' : '否', String(v.serviceHours), v.registeredOn];
    const file = await files.write('志愿者.csv', csv(['志愿者编号', '公民身份号码', '网格编码', '志愿服务队', '志愿者类别', '是否党员', '服务时长', '登记日期'], [
      ...volunteers.map(row),
      [`${first.id.slice(0, 17)}9999`, newcomer!.idNumber, first.gridCode, '某街道民情监督员队伍', '民情监督员', '否', '12.5', '2024-04-01'],
      [first.id, other!.idNumber, first.gridCode, '某志愿服务队', '志愿者', '否', '3', '2024-04-01'],
      [`${first.id.slice(0, 17)}9998`, other!.idNumber, first.gridCode, '某志愿服务队', '志愿者', '也许', '3', '2024-04-01'],
      [`${first.id.slice(0, 17)}9997`, other!.idNumber, first.gridCode, '某志愿服务队', '志愿者', '否', '-3', '2024-04-01'],
    ]));
    const summary = await importFile(db.pool, 'party', 'volunteers', file);
    const n = volunteers.length; // the header is line 1
    const report = await rejectLines(summary.rejectReport);
    expect([...report].sort((x, y) => x.row - y.row).map((l) => [l.row, l.column, l.code])).toEqual([
      [n + 3, '志愿者编号', 'DUPLICATE_KEY'],
      [n + 4, '是否党员', 'NOT_ALLOWED'],
      [n + 5, '服务时长', 'OUT_OF_RANGE'],
    ]);
    expect(summary).toMatchObject({ read: n + 4, inserted: 1, unchanged: n, rejected: 3 });
  });
});
