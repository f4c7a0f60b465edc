import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_HUB_SECRET, residentKey } from '@hub/core';
import type { DemoGridContents } from '@hub/demo';
import type { ForeignReferences } from '@hub/import';
import { clone, csv, demoGrids, importFile, rejectLines, tableSnapshot, workspace, type ClonedDatabase, type Workspace } from './fixtures.ts';

const templates = inject('importTemplates');

/**
 * Grids and houses answered by civil affairs' and housing's own (seeded) databases, as the graph would answer them:
 * the import asks through the same interface either way.
 */
function departmentReferences(civilAffairs: pg.Pool, housing: pg.Pool): ForeignReferences {
  return {
    mode: 'graph',
    existingGrids: async (codes) => new Set((await civilAffairs.query<{ code: string }>('SELECT code FROM grids WHERE code = ANY($1)', [codes])).rows.map((r) => r.code)),
    existingHouses: async (codes) => new Set((await housing.query<{ code: string }>('SELECT code FROM houses WHERE code = ANY($1)', [codes])).rows.map((r) => r.code)),
  };
}

const HEADER = ['案件编号', '受理日期', '纠纷类别', '来源', '网格编码', '案件状态', '简要情况', '当事人', '结案日期', '调解结果', '警情编号', '房屋编码', '备注'];
const ENGLISH = ['Case Number', 'Received On', 'Category', 'Source', 'Grid Code', 'Status', 'Summary', 'Parties', 'Closed On', 'Outcome', 'Incident ID', 'House Code', 'Note'];

/** Cases whose row and events disagree, as the mediation workflow's tests check after every change. */
async function inconsistentCases(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ problem: string }>(`
    select 'case ' || c.id || ': version ' || c.version || ', ' || coalesce(e.n, 0) || ' events' as problem
      from cases c left join lateral (select count(*) n, max(case_version) v from case_events e where e.case_id = c.id) e on true
     where e.n <> c.version or e.v <> c.version
    union all
    select 'case ' || c.id || ': status ' || c.status || ', last event to ' || last.to_status
      from cases c join lateral (select to_status from case_events e where e.case_id = c.id order by case_version desc limit 1) last on true
     where last.to_status <> c.status
    union all
    select 'case ' || c.id || ': no parties' from cases c where not exists (select 1 from case_parties p where p.case_id = c.id)`);
  return rows.map((r) => r.problem);
}

let files: Workspace;
let grids: DemoGridContents[];
let db: ClonedDatabase;
let civilAffairs: ClonedDatabase;
let housing: ClonedDatabase;
let foreign: ForeignReferences;

beforeAll(async () => {
  files = await workspace();
  grids = demoGrids();
  [db, civilAffairs, housing] = await Promise.all([clone(templates.mediation), clone(templates['civil-affairs']), clone(templates.housing)]);
  foreign = departmentReferences(civilAffairs.pool, housing.pool);
});
afterAll(async () => {
  await Promise.all([db?.drop(), civilAffairs?.drop(), housing?.drop()]);
  await files?.remove();
});

const snapshot = async () => ({
  cases: await tableSnapshot(db.pool, 'cases', 'id', []),
  events: await tableSnapshot(db.pool, 'case_events', 'sequence', []),
  parties: await tableSnapshot(db.pool, 'case_parties', 'case_id, position', []),
  sequences: await tableSnapshot(db.pool, 'case_sequences', 'grid_code', []),
  imported: await tableSnapshot(db.pool, 'imported_cases', 'legacy_number', []),
});

describe('mediation: dispute cases from a legacy register', () => {
  it('inserts each case with its parties and first event, in its grid\'s sequence; refuses bad rows; a re-run changes nothing', async () => {
    const grid = grids.find((g) => g.mediation.cases.length > 0 && g.residents.length > 10)!;
    const code = grid.grid.code;
    const [a, b, c, d] = grid.residents;
    const house = grid.houses[0]!.code;
    const organization = grid.mediation.committees[0]!.organizationId;
    const maxBefore = Math.max(0, ...grid.mediation.cases.map((x) => Number(x.id.slice(17))));
    const badCheck = a!.idNumber.slice(0, 17) + (a!.idNumber[17] === '0' ? '1' : '0');
    const row = (over: Partial<Record<(typeof HEADER)[number], string>>) => {
      const base: Record<string, string> = {
        案件编号: '', 受理日期: '2024/3/5', 纠纷类别: '邻里纠纷', 来源: '当事人申请', 网格编码: code, 案件状态: '已登记', 简要情况: '楼上漏水，影响楼下住户',
        当事人: `申请人：${a!.idNumber}；被申请人：${b!.idNumber}`, 结案日期: '', 调解结果: '', 警情编号: '', 房屋编码: '', 备注: 'x',
      };
      return HEADER.map((h) => ({ ...base, ...over })[h] ?? '');
    };
    const valid = [
      row({ 案件编号: '（2024）泉调字第001号' }),
      row({ 案件编号: '（2024）泉调字第002号', 案件状态: '已受理', 纠纷类别: '物业管理纠纷', 房屋编码: house, 当事人: `${c!.idNumber}；${organization}` }),
      row({ 案件编号: '（2024）泉调字第003号', 案件状态: '已结案', 结案日期: '2024年4月1日', 调解结果: '调解成功', 当事人: `${a!.idNumber}；${c!.idNumber}；${d!.idNumber}` }),
      row({ 案件编号: '（2024）泉调字第004号', 来源: '警调对接', 警情编号: `JQ20240305${code}001`, 纠纷类别: 'DAMAGES' }),
      row({ 案件编号: '（2024）泉调字第005号', 受理日期: '20240310', 来源: 'GRID_WORKER_REPORT', 纠纷类别: '婚姻家庭' }),
    ];
    const bad: { row: string[]; column: string; code: string }[] = [
      { row: row({ 案件编号: 'B01', 纠纷类别: '吵架' }), column: '纠纷类别', code: 'NOT_ALLOWED' },
      { row: row({ 案件编号: 'B02', 来源: '路人' }), column: '来源', code: 'NOT_ALLOWED' },
      { row: row({ 案件编号: 'B03', 案件状态: '已派单' }), column: '案件状态', code: 'STATUS_NOT_IMPORTABLE' },
      { row: row({ 案件编号: 'B04', 案件状态: '已结案', 结案日期: '2024-03-01', 调解结果: '调解不成' }), column: '结案日期', code: 'CLOSED_BEFORE_RECEIVED' },
      { row: row({ 案件编号: 'B05', 案件状态: '已结案', 结案日期: '2024-04-01' }), column: '调解结果', code: 'CLOSED_CASE_INCOMPLETE' },
      { row: row({ 案件编号: 'B06', 调解结果: '调解成功' }), column: '调解结果', code: 'NOT_CLOSED' },
      { row: row({ 案件编号: 'B07', 当事人: `申请人：${badCheck}` }), column: '当事人', code: 'ID_NUMBER_CHECK_DIGIT' },
      { row: row({ 案件编号: 'B08', 当事人: `被申请人：${b!.idNumber}` }), column: '当事人', code: 'PARTIES' },
      { row: row({ 案件编号: 'B09', 来源: '公安移送' }), column: '警情编号', code: 'INCIDENT_REQUIRED' },
      { row: row({ 案件编号: 'B10', 受理日期: '2999-01-01' }), column: '受理日期', code: 'DATE_IN_FUTURE' },
      { row: row({ 案件编号: 'B11', 受理日期: '2024-02-30' }), column: '受理日期', code: 'DATE' },
      { row: row({ 案件编号: 'B12', 网格编码: `${code.slice(0, 12)}999` }), column: '网格编码', code: 'UNKNOWN_GRID' },
      { row: row({ 案件编号: 'B13', 网格编码: '32031100100100' }), column: '网格编码', code: 'GRID_CODE' },
      { row: row({ 案件编号: 'B14', 房屋编码: `${grid.houses[0]!.buildingCode}-01-9999` }), column: '房屋编码', code: 'UNKNOWN_HOUSE' },
      { row: row({ 案件编号: 'B15', 简要情况: '' }), column: '简要情况', code: 'REQUIRED' },
      { row: row({ 案件编号: '（2024）泉调字第001号', 简要情况: '重复' }), column: '案件编号', code: 'DUPLICATE_KEY' },
    ];
    const file = await files.write('cases.csv', csv(HEADER, [...valid, ...bad.map((x) => x.row)]), 'utf-8-bom');
    const casesBefore = Number((await db.pool.query('SELECT count(*) FROM cases')).rows[0].count);
    const lastEventBefore = Number((await db.pool.query('SELECT max(sequence) FROM case_events')).rows[0].max);

    const summary = await importFile(db.pool, 'mediation', 'cases', file, { foreign, importedBy: 'mediator-0007' });
    expect(summary).toMatchObject({ read: valid.length + bad.length, inserted: valid.length, updated: 0, unchanged: 0, rejected: bad.length, unknownColumns: ['备注'] });
    const lines = await rejectLines(summary.rejectReport);
    expect([...lines].sort((x, y) => x.row - y.row).map((l) => [l.row, l.column, l.code])).toEqual(bad.map((x, i) => [valid.length + 2 + i, x.column, x.code]));
    const report = await files.read('cases.csv.rejects.csv');
    for (const r of [a, b, c, d]) expect(report).not.toContain(r!.idNumber);
    expect(report).not.toContain(badCheck);

    // Ids continue the grid's sequence in file order; the sequence row says where the next report starts.
    const loaded = await db.pool.query(
      `SELECT i.legacy_number, c.id, c.status, c.version, c.category, c.source, c.committee_id, c.accepted_at, c.closed_at, c.outcome, c.due_on::text AS due_on, c.accept_by::text AS accept_by, c.incident_id, c.house_code
         FROM imported_cases i JOIN cases c ON c.id = i.case_id ORDER BY i.legacy_number`,
    );
    expect(loaded.rows.map((r) => r.id)).toEqual(valid.map((_, i) => `TJ${code}${String(maxBefore + 1 + i).padStart(4, '0')}`));
    expect(loaded.rows.map((r) => [r.status, r.version])).toEqual([['REPORTED', 1], ['ACCEPTED', 1], ['CLOSED', 1], ['REPORTED', 1], ['REPORTED', 1]]);
    // Time limits as a report through the graph sets them: a reported case must be accepted within the acceptance limit
    // (3 days by default), which is its time limit until then; an accepted one has a month.
    expect(loaded.rows[0]).toMatchObject({ category: 'NEIGHBOURS', source: 'PARTY_APPLICATION', accept_by: '2024-03-08', due_on: '2024-03-08', accepted_at: null, closed_at: null });
    expect(loaded.rows.map((r) => [r.status, r.accept_by, r.due_on])).toEqual([
      ['REPORTED', '2024-03-08', '2024-03-08'],
      ['ACCEPTED', '2024-03-08', '2024-04-05'],
      ['CLOSED', '2024-03-08', '2024-04-05'],
      ['REPORTED', '2024-03-08', '2024-03-08'],
      ['REPORTED', '2024-03-13', '2024-03-13'],
    ]);
    expect(loaded.rows[1]).toMatchObject({ category: 'PROPERTY_MANAGEMENT', house_code: house });
    expect(loaded.rows[2]).toMatchObject({ outcome: 'AGREEMENT_REACHED', closed_at: new Date('2024-04-01T00:00:00+08:00') });
    expect(loaded.rows[3]).toMatchObject({ source: 'POLICE_REFERRAL', incident_id: `JQ20240305${code}001` });
    const committee = grid.mediation.committees.find((m) => m.type === 'COMMUNITY')!.organizationId;
    expect(new Set(loaded.rows.map((r) => r.committee_id))).toEqual(new Set([committee]));
    const sequence = await db.pool.query('SELECT last_sequence FROM case_sequences WHERE grid_code = $1', [code]);
    expect(sequence.rows[0].last_sequence).toBe(maxBefore + valid.length);

    // Parties by hub id (ID number kept in the case file), organizations by id; the first as applicant.
    const parties = await db.pool.query('SELECT case_id, position, role, resident_id, id_number, organization_id FROM case_parties WHERE case_id = $1 ORDER BY position', [loaded.rows[1].id]);
    expect(parties.rows).toEqual([
      { case_id: loaded.rows[1].id, position: 1, role: 'APPLICANT', resident_id: residentKey(c!.idNumber, DEMO_HUB_SECRET), id_number: c!.idNumber, organization_id: null },
      { case_id: loaded.rows[1].id, position: 2, role: 'RESPONDENT', resident_id: null, id_number: null, organization_id: organization },
    ]);
    expect(Number((await db.pool.query('SELECT count(*) FROM case_parties WHERE case_id = ANY($1)', [loaded.rows.map((r) => r.id)])).rows[0].count)).toBe(2 + 2 + 3 + 2 + 2);

    // One event per case, version 1, after every event before the import, in file order, by the importing user.
    const events = await db.pool.query(
      'SELECT sequence, case_id, case_version, action, from_status, to_status, actor_user_id, actor_role, grid_code, details FROM case_events WHERE sequence > $1 ORDER BY sequence',
      [lastEventBefore],
    );
    expect(events.rows.map((e) => [e.case_id, e.case_version, e.action, e.from_status, e.to_status, e.actor_user_id, e.actor_role, e.grid_code])).toEqual(
      loaded.rows.map((r) => [r.id, 1, 'REPORT', null, r.status, 'mediator-0007', 'import', code]),
    );
    expect(events.rows[0].details).toEqual({ note: '从旧系统导入，原案件编号 （2024）泉调字第001号' });
    expect(await inconsistentCases(db.pool)).toEqual([]);
    expect(Number((await db.pool.query('SELECT count(*) FROM cases')).rows[0].count)).toBe(casesBefore + valid.length);

    // The same file again: every case unchanged, nothing written, the same rows refused.
    const before = await snapshot();
    const again = await importFile(db.pool, 'mediation', 'cases', file, { foreign, importedBy: 'mediator-0007' });
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: valid.length, rejected: bad.length });
    expect(await snapshot()).toEqual(before);

    // The same cases under English headers and values read alike: still unchanged.
    const english = valid.map((r) => r.map((cell) => (cell === '已登记' ? 'REPORTED' : cell === '当事人申请' ? 'party_application' : cell)));
    const englishFile = await files.write('cases-en.csv', csv(ENGLISH, english, '\n'));
    expect(await importFile(db.pool, 'mediation', 'cases', englishFile, { foreign })).toMatchObject({ inserted: 0, unchanged: valid.length, rejected: 0 });

    // A later file that says otherwise about a loaded case is refused: the case moves on only through its workflow.
    const changed = await files.write(
      'cases-changed.csv',
      csv(HEADER, [row({ 案件编号: '（2024）泉调字第001号', 案件状态: '已结案', 结案日期: '2024-05-01', 调解结果: '调解成功' }), valid[1]!]),
    );
    const refused = await importFile(db.pool, 'mediation', 'cases', changed, { foreign });
    expect(refused).toMatchObject({ inserted: 0, unchanged: 1, rejected: 1 });
    expect((await rejectLines(refused.rejectReport)).map((l) => [l.row, l.column, l.code])).toEqual([[2, '案件编号', 'CASE_ALREADY_IMPORTED']]);
    expect(await snapshot()).toEqual(before);

    // An incident referred once cannot be referred again under another number.
    const twice = await files.write('incident.csv', csv(HEADER, [row({ 案件编号: 'C01', 来源: '警调对接', 警情编号: `JQ20240305${code}001` })]));
    const referred = await importFile(db.pool, 'mediation', 'cases', twice, { foreign });
    expect((await rejectLines(referred.rejectReport)).map((l) => l.code)).toEqual(['ALREADY_REFERRED']);
    expect(await snapshot()).toEqual(before);

    const records = await db.pool.query('SELECT entity, inserted, unchanged, rejected, foreign_references FROM import_runs ORDER BY id');
    expect(records.rows[0]).toEqual({ entity: 'cases', inserted: valid.length, unchanged: 0, rejected: bad.length, foreign_references: 'graph' });
  });

  it('gives a reported case the acceptance limit the deployment configures (MEDIATION_ACCEPTANCE_DAYS), as the workflow does', async () => {
    const grid = grids.find((g) => g.mediation.cases.length > 0)!;
    const file = await files.write(
      'acceptance.csv',
      csv(['案件编号', '受理日期', '纠纷类别', '来源', '网格编码', '案件状态', '简要情况', '当事人'], [
        ['A01', '2025-01-30', '合同纠纷', '主动调解', grid.grid.code, '已登记', '合同款未付', grid.residents[0]!.idNumber],
        ['A02', '2025-01-30', '合同纠纷', '主动调解', grid.grid.code, '已受理', '合同款未付', grid.residents[0]!.idNumber],
      ]),
    );
    const before = process.env.MEDIATION_ACCEPTANCE_DAYS;
    process.env.MEDIATION_ACCEPTANCE_DAYS = '5';
    try {
      expect(await importFile(db.pool, 'mediation', 'cases', file, { foreign })).toMatchObject({ inserted: 2, rejected: 0 });
    } finally {
      if (before === undefined) delete process.env.MEDIATION_ACCEPTANCE_DAYS;
      else process.env.MEDIATION_ACCEPTANCE_DAYS = before;
    }
    const loaded = await db.pool.query(
      `SELECT i.legacy_number, c.status, c.accept_by::text AS accept_by, c.due_on::text AS due_on FROM imported_cases i JOIN cases c ON c.id = i.case_id
        WHERE i.legacy_number = ANY($1) ORDER BY i.legacy_number`,
      [['A01', 'A02']],
    );
    // Five days from 30 January; the accepted case has the calendar month (to the last day of February).
    expect(loaded.rows.map((r) => [r.legacy_number, r.status, r.accept_by, r.due_on])).toEqual([
      ['A01', 'REPORTED', '2025-02-04', '2025-02-04'],
      ['A02', 'ACCEPTED', '2025-02-04', '2025-02-28'],
    ]);
    process.env.MEDIATION_ACCEPTANCE_DAYS = '0';
    try {
      await expect(importFile(db.pool, 'mediation', 'cases', file, { foreign })).rejects.toThrow(/MEDIATION_ACCEPTANCE_DAYS/);
    } finally {
      if (before === undefined) delete process.env.MEDIATION_ACCEPTANCE_DAYS;
      else process.env.MEDIATION_ACCEPTANCE_DAYS = before;
    }
  });

  it('names a party without a citizen ID by the document the register keys them by, and refuses a document it cannot key', async () => {
    const grid = grids.find((g) => g.mediation.cases.length > 0 && g.residents.some((r) => r.document !== null && r.document.type === 'PASSPORT'))!;
    const citizen = grid.residents.find((r) => r.document === null)!;
    const overseas = grid.residents.find((r) => r.document?.type === 'PASSPORT')!;
    const { type, nationality, number } = overseas.document!;
    const file = await files.write(
      'documents.csv',
      csv(['案件编号', '受理日期', '纠纷类别', '来源', '网格编码', '简要情况', '当事人'], [
        ['P01', '2025-03-03', '合同纠纷', '当事人申请', grid.grid.code, '租金未付', `申请人：${citizen.idNumber}；被申请人：护照：${nationality.toLowerCase()}：${number.toLowerCase()}`],
        ['P02', '2025-03-03', '合同纠纷', '当事人申请', grid.grid.code, '租金未付', `申请人：${citizen.idNumber}；被申请人：护照:${number}`],
        ['P03', '2025-03-03', '合同纠纷', '当事人申请', grid.grid.code, '租金未付', `申请人：${citizen.idNumber}；被申请人：驾驶证:CHN:${number}`],
      ]),
    );
    const summary = await importFile(db.pool, 'mediation', 'cases', file, { foreign });
    expect(summary).toMatchObject({ inserted: 1, rejected: 2 });
    // A passport needs its nationality; a driving licence is no document the register keys people by.
    expect((await rejectLines(summary.rejectReport)).map((l) => [l.row, l.column, l.code])).toEqual([[3, '当事人', 'PARTIES'], [4, '当事人', 'PARTIES']]);
    const report = await files.read('documents.csv.rejects.csv');
    expect(report).not.toContain(number);
    const parties = await db.pool.query(
      `SELECT p.position, p.role, p.resident_id, p.id_number, p.document_key FROM case_parties p JOIN imported_cases i ON i.case_id = p.case_id
        WHERE i.legacy_number = 'P01' ORDER BY p.position`,
    );
    // The register's key of the person (residentKey of the document key), so the graph resolves the party to them.
    expect(parties.rows).toEqual([
      { position: 1, role: 'APPLICANT', resident_id: residentKey(citizen.idNumber, DEMO_HUB_SECRET), id_number: citizen.idNumber, document_key: null },
      { position: 2, role: 'RESPONDENT', resident_id: residentKey(overseas.idNumber, DEMO_HUB_SECRET), id_number: null, document_key: `${type}:${nationality}:${number}` },
    ]);
    expect(overseas.idNumber).toBe(`${type}:${nationality}:${number}`);
  });

  it('dry run: counts what would be loaded and takes no case number', async () => {
    const grid = grids.find((g) => g.mediation.cases.length > 0)!;
    const idNumber = grid.residents[0]!.idNumber;
    const before = await snapshot();
    const file = await files.write(
      'dry.csv',
      csv(['案件编号', '受理日期', '纠纷类别', '来源', '网格编码', '简要情况', '当事人'], [['D01', '2025-01-02', '合同纠纷', '主动调解', grid.grid.code, '合同款未付', idNumber]]),
    );
    const summary = await importFile(db.pool, 'mediation', 'cases', file, { foreign, dryRun: true });
    expect(summary).toMatchObject({ dryRun: true, inserted: 1, rejected: 0, recordId: null });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a file without the case number or parties before reading any row', async () => {
    const file = await files.write('no-parties.csv', csv(['受理日期', '纠纷类别', '来源', '网格编码', '简要情况'], [['2024-01-01', '邻里纠纷', '当事人申请', '320311001001001', 'x']]));
    await expect(importFile(db.pool, 'mediation', 'cases', file, { foreign })).rejects.toThrow(/required columns missing: caseNumber \(案件编号\), parties \(当事人\)/);
  });
});
