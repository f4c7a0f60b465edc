import { DEMO_HUB_SECRET, residentKey } from '@hub/core';
import { cloneDatabase, postGraphQL } from '@hub/core/testing';
import { generateDemoWorld, type DemoGridContents } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { bootTestHub, prepareHubTemplates, type TestHub } from '@hub/hub/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphReferences, runImport, type ImportSummary } from '@hub/import';
import { findEntity } from '../src/import-registry.ts';
import { csv, rejectLines, workspace, type Workspace } from './fixtures.ts';

/**
 * Residents loaded from a file answer through the whole hub exactly as generated ones do, with every department's
 * contributions joined on them; grids and houses of other departments are checked through the graph; the import
 * record is visible to public security and to no other department. Cases loaded from a legacy register answer as
 * cases and move on through the workflow.
 */
const RESIDENTS_OF_GRID = `query ($code: ID!) {
  grid(code: $code) {
    residents(first: 500) {
      totalCount
      edges { node {
        id name idNumber sex birthDate age phone populationType registeredAddress relationToHead
        residence { code } grid { code }
        floating { inflowReason inflowDate originAddress }
        keyPerson { category riskLevel }
        welfare { id kind monthlyAmount status }
        partyMembership { memberNumber status branch { id } }
        homes { role house { code } }
      } }
    }
  }
}`;

const IMPORT_LOG = `{ publicSecurityImports { entity fileName fileSha256 importedBy rowsRead inserted updated unchanged rejected completed foreignReferencesThroughGraph } }`;

let templates: Awaited<ReturnType<typeof prepareHubTemplates>>;
let files: Workspace;
let grid: DemoGridContents;

beforeAll(async () => {
  templates = await prepareHubTemplates();
  files = await workspace();
  // The grid with the most residents that are neither floating nor key persons: those rows alone can be removed
  // and loaded again without touching other tables.
  grid = [...generateDemoWorld(TEST_DEMO).gridContents()].sort((a, b) => b.residents.length - a.residents.length)[0]!;
});
afterAll(async () => {
  await files?.remove();
  await templates?.teardown();
});

const asPolice = async (hub: TestHub) => ({ authorization: `Bearer ${await hub.tokenFor('police-officer')}` });
// Every department's fields, ID numbers and phones in clear: the comparison is of everything the graph holds.
const asAdministrator = (hub: TestHub) => ({ ...hub.headers, 'x-hub-purpose': 'public-safety' });

describe('residents loaded from a file, through the graph', () => {
  it('answer exactly as the generated ones, and the import log is public security\'s alone', async () => {
    const SEX = { MALE: '男', FEMALE: '女', UNKNOWN: '未知', UNSTATED: '未说明' } as const;
    let expected: unknown;
    let summary: ImportSummary;
    const register = await cloneDatabase(templates.templates['public-security']!);
    try {
      const before = await bootTestHub(templates.templates);
      try {
        const answer = await postGraphQL(before.gatewayUrl, RESIDENTS_OF_GRID, { code: grid.grid.code }, asAdministrator(before));
        expect(answer.errors).toBeUndefined();
        expected = answer.data;

        const pool = new pg.Pool({ connectionString: register.url, max: 2 });
        try {
          const removed = await pool.query(
            // The grid's 户在人不在 people stay: the file below holds the people living in the grid.
            `DELETE FROM residents r WHERE grid_code = $1
               AND residence_status IS DISTINCT FROM 'REGISTERED_NOT_RESIDENT'
               AND NOT EXISTS (SELECT 1 FROM floating_details f WHERE f.resident_id = r.id)
               AND NOT EXISTS (SELECT 1 FROM key_persons k WHERE k.resident_id = r.id)`,
            [grid.grid.code],
          );
          expect(removed.rowCount).toBeGreaterThan(10);
          const header = ['公民身份号码', '证件类型', '证件号码', '国籍', '姓名', '性别', '出生日期', '联系电话', '人口类型', '户籍地址', '房屋编码', '网格编码', '户号', '与户主关系'];
          const row = (r: DemoGridContents['residents'][number], over: Partial<DemoGridContents['residents'][number]> = {}) => {
            const x = { ...r, ...over };
            // People without a citizen ID by their document.
            const identity = x.document ? ['', x.document.type, x.document.number, x.document.nationality] : [x.idNumber, '', '', ''];
            return [...identity, x.name, SEX[x.sex], x.birthDate, x.phone ?? '', x.populationType, x.registeredAddress, x.houseCode, x.gridCode, x.householdId, x.relationToHead];
          };
          const other = generateDemoWorld({ residents: 200, seed: 7 });
          const strangers = [...other.gridContents()][0]!.residents;
          const unknownGrid = `${grid.grid.code.slice(0, 12)}999`;
          const unknownHouse = `${grid.houses[0]!.buildingCode}-01-9999`;
          const file = await files.write(
            'grid.csv',
            csv(header, [...grid.residents.map((r) => row(r)), row(strangers[0]!, { gridCode: unknownGrid, houseCode: grid.houses[0]!.code }), row(strangers[1]!, { gridCode: grid.grid.code, houseCode: unknownHouse })]),
          );
          summary = await runImport({
            entity: findEntity('public-security', 'residents'),
            file,
            pool,
            secret: DEMO_HUB_SECRET,
            foreign: graphReferences({ url: before.gatewayUrl, token: before.headers.authorization!.replace(/^Bearer /, '') }),
            importedBy: 'police-officer-7',
            rejectReport: `${file}.rejects.csv`,
            batchSize: 50,
          });
          expect(summary).toMatchObject({
            read: grid.residents.length + 2,
            inserted: removed.rowCount,
            updated: 0,
            unchanged: grid.residents.length - removed.rowCount!,
            rejected: 2,
            foreignReferences: 'graph',
          });
          expect((await rejectLines(summary.rejectReport)).map((l) => [l.column, l.code])).toEqual([
            ['网格编码', 'UNKNOWN_GRID'],
            ['房屋编码', 'UNKNOWN_HOUSE'],
          ]);
        } finally {
          await pool.end();
        }
      } finally {
        await before.close();
      }

      const after = await bootTestHub({ ...templates.templates, 'public-security': register.url });
      try {
        const answer = await postGraphQL(after.gatewayUrl, RESIDENTS_OF_GRID, { code: grid.grid.code }, asAdministrator(after));
        expect(answer.errors).toBeUndefined();
        expect(answer.data).toEqual(expected);

        const log = await postGraphQL<{ publicSecurityImports: unknown[] }>(after.gatewayUrl, IMPORT_LOG, {}, await asPolice(after));
        expect(log.errors).toBeUndefined();
        expect(log.data!.publicSecurityImports).toEqual([
          {
            entity: 'residents',
            fileName: 'grid.csv',
            fileSha256: summary!.fileSha256,
            importedBy: 'police-officer-7',
            rowsRead: summary!.read,
            inserted: summary!.inserted,
            updated: 0,
            unchanged: summary!.unchanged,
            rejected: 2,
            completed: true,
            foreignReferencesThroughGraph: true,
          },
        ]);
        const tooMany = await postGraphQL(after.gatewayUrl, '{ publicSecurityImports(first: 101) { id } }', {}, await asPolice(after));
        expect(tooMany.errors?.map((e) => e.extensions?.code)).toEqual(['INVALID_PAGE_SIZE']);
        const none = await postGraphQL<{ publicSecurityImports: unknown[] }>(after.gatewayUrl, '{ publicSecurityImports(first: 0) { id } }', {}, await asPolice(after));
        expect(none.data!.publicSecurityImports).toEqual([]);
        const housing = { authorization: `Bearer ${await after.tokenFor('housing-officer')}` };
        const refused = await postGraphQL(after.gatewayUrl, IMPORT_LOG, {}, housing);
        expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
        const own = await postGraphQL<{ housingImports: unknown[] }>(after.gatewayUrl, '{ housingImports { id } }', {}, housing);
        expect(own.errors).toBeUndefined();
        expect(own.data!.housingImports).toEqual([]);
      } finally {
        await after.close();
      }
    } finally {
      await register.drop();
    }
  }, 300_000);
});

const CASE_OF_IMPORT = `query ($id: ID!) {
  case(id: $id) {
    id status version category source grid { code } receivedAt acceptBy dueOn
    parties { role resident { id name } organization { id } }
    timeline { caseVersion action fromStatus toStatus note actor { userId role department } }
  }
}`;

describe('cases loaded from a legacy register, through the graph', () => {
  it('answer as cases, move on through the workflow from version 1, and the import log is mediation\'s alone', async () => {
    const hub = await bootTestHub(templates.templates);
    const pool = new pg.Pool({ connectionString: hub.databaseUrls.mediation, max: 2 });
    try {
      const [applicant, respondent] = grid.residents;
      // A person without a citizen ID, named by passport: the graph resolves the party to them as the register keys them.
      const overseas = [...generateDemoWorld(TEST_DEMO).gridContents()].flatMap((g) => g.residents).find((r) => r.document?.type === 'PASSPORT')!;
      const passport = `护照:${overseas.document!.nationality}:${overseas.document!.number}`;
      const unknownGrid = `${grid.grid.code.slice(0, 12)}999`;
      const file = await files.write(
        'cases.csv',
        csv(
          ['案件编号', '受理日期', '纠纷类别', '来源', '网格编码', '简要情况', '当事人'],
          [
            ['（2025）调字第17号', '2025-06-01', '邻里纠纷', '当事人申请', grid.grid.code, '噪音扰民', `申请人：${applicant!.idNumber}；被申请人：${respondent!.idNumber}；被申请人：${passport}`],
            ['（2025）调字第18号', '2025-06-02', '邻里纠纷', '当事人申请', unknownGrid, '噪音扰民', applicant!.idNumber],
          ],
        ),
      );
      const summary = await runImport({
        entity: findEntity('mediation', 'cases'),
        file,
        pool,
        secret: DEMO_HUB_SECRET,
        foreign: graphReferences({ url: hub.gatewayUrl, token: hub.headers.authorization!.replace(/^Bearer /, '') }),
        importedBy: 'mediator-17',
        rejectReport: `${file}.rejects.csv`,
      });
      expect(summary).toMatchObject({ inserted: 1, rejected: 1, foreignReferences: 'graph' });
      expect((await rejectLines(summary.rejectReport)).map((l) => [l.column, l.code])).toEqual([['网格编码', 'UNKNOWN_GRID']]);
      const id = (await pool.query<{ case_id: string }>('SELECT case_id FROM imported_cases')).rows[0]!.case_id;

      const mediator = { authorization: `Bearer ${await hub.tokenFor('mediator')}`, 'x-hub-purpose': 'case-handling' };
      const read = async () => {
        const answer = await postGraphQL<{ case: { version: number; status: string; timeline: unknown[] } & Record<string, unknown> }>(hub.gatewayUrl, CASE_OF_IMPORT, { id }, mediator);
        expect(answer.errors).toBeUndefined();
        return answer.data!.case;
      };
      expect(await read()).toEqual({
        id,
        status: 'REPORTED',
        version: 1,
        category: 'NEIGHBOURS',
        source: 'PARTY_APPLICATION',
        grid: { code: grid.grid.code },
        receivedAt: '2025-06-01T00:00:00+08:00',
        acceptBy: '2025-06-04',
        dueOn: '2025-06-04',
        parties: [
          { role: 'APPLICANT', resident: { id: residentKey(applicant!.idNumber, DEMO_HUB_SECRET), name: applicant!.name }, organization: null },
          { role: 'RESPONDENT', resident: { id: residentKey(respondent!.idNumber, DEMO_HUB_SECRET), name: respondent!.name }, organization: null },
          { role: 'RESPONDENT', resident: { id: residentKey(overseas.idNumber, DEMO_HUB_SECRET), name: overseas.name }, organization: null },
        ],
        timeline: [
          {
            caseVersion: 1,
            action: 'REPORT',
            fromStatus: null,
            toStatus: 'REPORTED',
            note: '从旧系统导入，原案件编号 （2025）调字第17号',
            actor: { userId: 'mediator-17', role: 'import', department: 'mediation' },
          },
        ],
      });

      // The workflow takes the loaded case from where the import left it.
      const accepted = await postGraphQL<{ acceptCase: { case: { status: string; version: number } } }>(
        hub.gatewayUrl,
        'mutation ($input: AcceptCaseInput!) { acceptCase(input: $input) { case { status version } } }',
        { input: { idempotencyKey: 'import-e2e-accept-1', caseId: id, expectedVersion: 1 } },
        mediator,
      );
      expect(accepted.errors).toBeUndefined();
      expect(accepted.data!.acceptCase.case).toEqual({ status: 'ACCEPTED', version: 2 });
      expect((await read()).timeline).toHaveLength(2);

      const log = await postGraphQL<{ mediationImports: unknown[] }>(
        hub.gatewayUrl,
        '{ mediationImports { entity fileName importedBy rowsRead inserted updated unchanged rejected completed foreignReferencesThroughGraph } }',
        {},
        mediator,
      );
      expect(log.errors).toBeUndefined();
      expect(log.data!.mediationImports).toEqual([
        { entity: 'cases', fileName: 'cases.csv', importedBy: 'mediator-17', rowsRead: 2, inserted: 1, updated: 0, unchanged: 0, rejected: 1, completed: true, foreignReferencesThroughGraph: true },
      ]);
      const housing = { authorization: `Bearer ${await hub.tokenFor('housing-officer')}` };
      const refused = await postGraphQL(hub.gatewayUrl, '{ mediationImports { id } }', {}, housing);
      expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    } finally {
      await pool.end();
      await hub.close();
    }
  }, 300_000);
});
