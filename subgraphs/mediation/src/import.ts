import { createHash } from 'node:crypto';
import {
  communityCodeOfGrid,
  documentKey,
  isIncidentId,
  isOrganizationId,
  parseIdNumber,
  residentKey,
  streetCodeOfCommunity,
} from '@hub/core';
import { dateField, defineEntity, enumField, GRID_HEADERS, gridCodeField, houseCodeField, organizationIdField, problem, PROBLEMS, textField, type Field, type FieldProblem, type Parsed, type PendingRow } from '@hub/import';
import { mediationDatabase } from './db/index.ts';
import { addDays, addMonths, MEDIATION_TIME_LIMIT_MONTHS } from './workflow/deadlines.ts';
import { acceptanceDaysFromEnv } from './workflow/units.ts';

const { cases } = mediationDatabase.schema;

type Role = 'APPLICANT' | 'RESPONDENT';
type PartyText =
  | { role: Role; idNumber: string; documentKey: null; organizationId: null }
  | { role: Role; idNumber: null; documentKey: string; organizationId: null }
  | { role: Role; idNumber: null; documentKey: null; organizationId: string };

/**
 * The documents of people without a citizen ID (境外人员, 未落户人员), as the public-security register names them; the
 * nationality may be left out where it can only be China (Hong Kong, Macao and Taiwan permits, unsettled people).
 */
const DOCUMENT_TYPES: Record<string, { type: string; chinese: boolean }> = {
  PASSPORT: { type: 'PASSPORT', chinese: false },
  护照: { type: 'PASSPORT', chinese: false },
  HK_MACAO_PERMIT: { type: 'HK_MACAO_PERMIT', chinese: true },
  港澳居民来往内地通行证: { type: 'HK_MACAO_PERMIT', chinese: true },
  港澳通行证: { type: 'HK_MACAO_PERMIT', chinese: true },
  回乡证: { type: 'HK_MACAO_PERMIT', chinese: true },
  TAIWAN_PERMIT: { type: 'TAIWAN_PERMIT', chinese: true },
  台湾居民来往大陆通行证: { type: 'TAIWAN_PERMIT', chinese: true },
  台胞证: { type: 'TAIWAN_PERMIT', chinese: true },
  FOREIGN_PERMANENT_RESIDENCE: { type: 'FOREIGN_PERMANENT_RESIDENCE', chinese: false },
  外国人永久居留身份证: { type: 'FOREIGN_PERMANENT_RESIDENCE', chinese: false },
  永久居留证: { type: 'FOREIGN_PERMANENT_RESIDENCE', chinese: false },
  NONE: { type: 'NONE', chinese: true },
  无证件: { type: 'NONE', chinese: true },
  未落户: { type: 'NONE', chinese: true },
};
const DOCUMENT_ENTRY = /^([^:：]+)[:：]\s*(?:([A-Z]{3})\s*[:：]\s*)?([^:：\s][^:：]{0,39})$/;

/** A party named by document (`护照:KOR:M00001234`, `港澳通行证:H12345678`): its document key, or why not. */
function documentParty(identifier: string): { key: string } | { problem: true } | null {
  const match = DOCUMENT_ENTRY.exec(identifier);
  if (!match) return null;
  const document = DOCUMENT_TYPES[match[1]!.trim()];
  const nationality = match[2] ?? (document?.chinese ? 'CHN' : undefined);
  if (!document || nationality === undefined) return { problem: true };
  return { key: documentKey(document.type, nationality, match[3]!.trim()) };
}

const CASE_PROBLEMS = {
  parties: problem(
    'PARTIES',
    '当事人应为1至20人，以；分隔，每人为公民身份号码、证件（证件类型:国籍:证件号码，如 护照:KOR:M00001234）或组织编号，可加“申请人：”“被申请人：”前缀，至少一名申请人',
    'parties: 1 to 20, separated by ;, each an ID number, a document (type:nationality:number, e.g. PASSPORT:KOR:M00001234) or an organization id, optionally prefixed 申请人: or 被申请人:, at least one applicant',
  ),
  statusNotImportable: problem(
    'STATUS_NOT_IMPORTABLE',
    '导入只接受 已登记、已受理、已结案 的案件；派单、办理、办结、回访须经办案流程',
    'an import takes cases that are reported, accepted or closed; dispatch, handling, resolution and follow-up go through the case workflow',
  ),
  closedFieldsRequired: problem('CLOSED_CASE_INCOMPLETE', '已结案的案件须填写结案日期和调解结果', 'a closed case needs its closing date and outcome'),
  closedFieldsNotAllowed: problem('NOT_CLOSED', '结案日期和调解结果只用于已结案的案件', 'closing date and outcome are for closed cases only'),
  closedBeforeReceived: problem('CLOSED_BEFORE_RECEIVED', '结案日期早于受理日期', 'closing date is before the date received'),
  incidentRequired: problem('INCIDENT_REQUIRED', '公安移送（警调对接）的案件须填写警情编号，其他来源不填', 'a police referral names its incident (警情编号), and only a police referral does'),
  incidentId: problem('INCIDENT_ID', '警情编号格式应为 JQ+8位日期+15位网格编码+3位序号', 'incident id must be JQ + 8-digit date + 15-digit grid code + 3-digit sequence'),
  alreadyReferred: problem('ALREADY_REFERRED', '该警情已移送调解，已有案件', 'this incident was already referred to mediation as another case'),
  unknownCommittee: problem('UNKNOWN_COMMITTEE', '人民调解委员会不存在', 'no such mediation committee'),
  noCommittee: problem('NO_COMMITTEE', '网格所在社区没有人民调解委员会，请填写调委会编号', "the grid's community has no mediation committee: name one"),
  caseDiffers: problem(
    'CASE_ALREADY_IMPORTED',
    '该案件编号已导入，文件内容与导入时不同；已导入的案件只能通过办案流程变更',
    'a case of this number was imported before with other values; an imported case changes only through the case workflow',
  ),
  sequenceExhausted: problem('CASE_SEQUENCE_EXHAUSTED', '该网格的9999个案件编号已用完', 'the grid has used all 9999 case numbers'),
};

const ROLE_PREFIX = /^(申请人|被申请人|applicant|respondent)\s*[:：]\s*/i;

/**
 * The parties of a case in one cell, as legacy registers list them: `申请人：<ID number>；被申请人：<ID number or
 * organization id>`. Without a prefix the first is the applicant and the rest respondents. The case file keeps ID
 * numbers and organization ids only (a party's name is the register's), so each must be one of them.
 */
const partiesField: Field<PartyText[]> = {
  name: 'parties',
  headers: ['当事人', '当事人信息', '当事人身份证号', '当事人证件号码', 'parties', 'party'],
  required: true,
  // ID numbers, passport and permit numbers: echoed only as the first characters, as free text is.
  personal: 'text',
  parse(raw): Parsed<PartyText[]> {
    const entries = raw
      .split(/[;；\n]+/)
      .map((e) => e.trim())
      .filter((e) => e !== '');
    if (entries.length < 1 || entries.length > 20) return { problem: CASE_PROBLEMS.parties };
    const parties: PartyText[] = [];
    for (const [at, entry] of entries.entries()) {
      const prefix = ROLE_PREFIX.exec(entry);
      const role: Role = prefix ? (/^(申请人|applicant)$/i.test(prefix[1]!) ? 'APPLICANT' : 'RESPONDENT') : at === 0 ? 'APPLICANT' : 'RESPONDENT';
      const identifier = entry.slice(prefix?.[0].length ?? 0).trim().toUpperCase();
      if (isOrganizationId(identifier)) {
        parties.push({ role, idNumber: null, documentKey: null, organizationId: identifier });
        continue;
      }
      // A person without a citizen ID, by the document the register keys them by (its key, as the register derives it).
      const document = documentParty(identifier);
      if (document !== null) {
        if ('problem' in document) return { problem: CASE_PROBLEMS.parties };
        parties.push({ role, idNumber: null, documentKey: document.key, organizationId: null });
        continue;
      }
      const parsed = parseIdNumber(identifier);
      if ('problem' in parsed) {
        switch (parsed.problem) {
          case 'format':
            return { problem: CASE_PROBLEMS.parties };
          case 'address':
            return { problem: PROBLEMS.idNumberAddress };
          case 'birth-date':
            return { problem: PROBLEMS.idNumberBirthDate };
          case 'check-digit':
            return { problem: PROBLEMS.idNumberCheckDigit };
        }
      }
      parties.push({ role, idNumber: parsed.idNumber, documentKey: null, organizationId: null });
    }
    if (!parties.some((p) => p.role === 'APPLICANT')) return { problem: CASE_PROBLEMS.parties };
    return { value: parties };
  },
};

const incidentField: Field<string> = {
  name: 'incidentId',
  headers: ['警情编号', '来源警情', '警情号', 'incident id', 'incident'],
  required: false,
  parse: (raw) => (isIncidentId(raw.toUpperCase()) ? { value: raw.toUpperCase() } : { problem: CASE_PROBLEMS.incidentId }),
};

const fields = {
  caseNumber: textField('caseNumber', {
    headers: ['案件编号', '原案件编号', '案号', '旧系统案件编号', 'case number', 'legacy case number', 'case no'],
    required: true,
    maxLength: 50,
  }),
  receivedOn: dateField('receivedOn', {
    headers: ['受理日期', '登记日期', '收案日期', '受案日期', 'received on', 'date received', 'received'],
    required: true,
    notInFuture: true,
  }),
  category: enumField('category', {
    headers: ['纠纷类别', '纠纷类型', '案件类别', 'category', 'dispute category'],
    required: true,
    values: {
      MARRIAGE_FAMILY: ['婚姻家庭纠纷', '婚姻家庭'],
      NEIGHBOURS: ['邻里纠纷', '邻里'],
      HOUSES_HOMESTEADS: ['房屋宅基地纠纷', '房屋宅基地'],
      CONTRACTS: ['合同纠纷', '合同'],
      PRODUCTION_BUSINESS: ['生产经营纠纷', '生产经营'],
      DAMAGES: ['损害赔偿纠纷', '损害赔偿'],
      FORESTS_LAND: ['山林土地纠纷', '山林土地'],
      LAND_ACQUISITION_DEMOLITION: ['征地拆迁纠纷', '征地拆迁'],
      ENVIRONMENT: ['环境污染纠纷', '环境污染'],
      LABOUR: ['劳动争议纠纷', '劳动争议'],
      CONSUMER: ['消费纠纷', '消费'],
      MEDICAL: ['医疗纠纷', '医疗'],
      ROAD_TRAFFIC: ['道路交通事故纠纷', '道路交通事故'],
      PROPERTY_MANAGEMENT: ['物业管理纠纷', '物业管理', '物业纠纷'],
      OTHER: ['其他纠纷', '其他'],
    },
  }),
  source: enumField('source', {
    headers: ['来源', '案件来源', '纠纷来源', 'source', 'case source'],
    required: true,
    values: {
      PARTY_APPLICATION: ['当事人申请', '申请'],
      COMMITTEE_INITIATIVE: ['主动调解', '主动排查'],
      POLICE_REFERRAL: ['公安移送', '警调对接'],
      COURT_REFERRAL: ['法院委托', '诉调对接'],
      PETITION_REFERRAL: ['信访移送', '访调对接'],
      GOVERNMENT_ASSIGNED: ['政府交办'],
      GRID_WORKER_REPORT: ['网格员上报', '网格上报'],
      DEPARTMENT_REFERRAL: ['部门移送'],
    },
  }),
  gridCode: gridCodeField('gridCode', { headers: GRID_HEADERS, required: true }),
  status: enumField('status', {
    headers: ['案件状态', '办理状态', '状态', 'status', 'case status'],
    values: {
      REPORTED: ['已登记', '待受理', '登记'],
      ACCEPTED: ['已受理', '受理'],
      REJECTED: ['不予受理'],
      DISPATCHED: ['已派单', '派单'],
      IN_PROGRESS: ['调解中', '办理中'],
      RESOLVED: ['已办结', '办结'],
      CLOSED: ['已结案', '结案'],
      ESCALATED: ['已提级督办', '提级督办'],
    },
  }),
  summary: textField('summary', {
    headers: ['简要情况', '纠纷简要情况', '案情摘要', '案情简介', '摘要', 'summary'],
    required: true,
    maxLength: 2000,
    personal: 'text',
  }),
  parties: partiesField,
  closedOn: dateField('closedOn', { headers: ['结案日期', '结案时间', 'closed on', 'date closed'], notInFuture: true }),
  outcome: enumField('outcome', {
    headers: ['调解结果', '处理结果', 'outcome'],
    values: {
      AGREEMENT_REACHED: ['调解成功', '达成协议'],
      MEDIATION_FAILED: ['调解不成', '调解失败', '调解不成功'],
      HANDLED_BY_DEPARTMENT: ['部门处置'],
    },
  }),
  committeeId: organizationIdField('committeeId', { headers: ['调委会编号', '调解委员会编号', '承办调委会编号', 'committee id', 'committee'] }),
  incidentId: incidentField,
  houseCode: houseCodeField('houseCode', { headers: ['房屋编码', '涉及房屋编码', 'house code', 'house'] }),
};

/** What a case row carries beside its table row: its number in the legacy system, the parties, the row's hash. */
export interface CaseExtra {
  legacyNumber: string;
  /** The committee named in the file (null: the community committee of the grid, found with the batch). */
  committeeNamed: string | null;
  parties: { role: Role; residentId: string | null; idNumber: string | null; documentKey: string | null; organizationId: string | null }[];
  rowSha256: string;
}

type CaseInsert = typeof cases.$inferInsert;
type CaseRow = PendingRow<CaseInsert, CaseExtra>;

const IMPORTABLE: ReadonlySet<string> = new Set(['REPORTED', 'ACCEPTED', 'CLOSED']);
/** Midnight in China Standard Time: legacy registers give dates, the case keeps instants. */
const chinaMidnight = (date: string) => new Date(`${date}T00:00:00+08:00`);

/**
 * Dispute cases (矛盾纠纷案件) from a committee's legacy register. Insert-only by the legacy case number: the case gets
 * an id of its grid's sequence (TJ + grid + 4 digits, from `case_sequences` as a report would), its parties and its
 * first event (the report into the hub, by the importing user, in the feed's order), all in the batch's transaction.
 * A number imported before is left as it is: unchanged when the file says the same, refused when it says otherwise,
 * since a loaded case moves on only through the workflow (subgraphs/mediation/src/workflow).
 */
export const casesImport = defineEntity<typeof cases, CaseExtra>({
  department: 'mediation',
  entity: 'cases',
  title: 'dispute cases 矛盾纠纷案件',
  fields: Object.values(fields),
  table: cases,
  conflictColumns: [cases.id],
  insertOnly: true,
  keyField: fields.caseNumber,
  uniqueFields: [fields.incidentId],
  build(values, { secret }) {
    const status = values.get(fields.status) ?? 'REPORTED';
    const receivedOn = values.require(fields.receivedOn);
    const closedOn = values.get(fields.closedOn);
    const outcome = values.get(fields.outcome);
    const source = values.require(fields.source);
    const incidentId = values.get(fields.incidentId);
    const problems: FieldProblem[] = [];
    if (!IMPORTABLE.has(status)) problems.push({ field: fields.status, problem: CASE_PROBLEMS.statusNotImportable });
    else if (status === 'CLOSED' && (closedOn === null || outcome === null)) {
      problems.push({ field: closedOn === null ? fields.closedOn : fields.outcome, problem: CASE_PROBLEMS.closedFieldsRequired });
    } else if (status !== 'CLOSED' && (closedOn !== null || outcome !== null)) {
      problems.push({ field: closedOn !== null ? fields.closedOn : fields.outcome, problem: CASE_PROBLEMS.closedFieldsNotAllowed });
    }
    if (closedOn !== null && closedOn < receivedOn) problems.push({ field: fields.closedOn, problem: CASE_PROBLEMS.closedBeforeReceived });
    // The workflow's rule for a report: a police referral names its incident, and nothing else does.
    if ((source === 'POLICE_REFERRAL') !== (incidentId !== null)) problems.push({ field: fields.incidentId, problem: CASE_PROBLEMS.incidentRequired });
    if (problems.length > 0) return { problems };

    const legacyNumber = values.require(fields.caseNumber);
    const gridCode = values.require(fields.gridCode);
    const communityCode = communityCodeOfGrid(gridCode);
    const parties = values.require(fields.parties).map((p) => ({
      role: p.role,
      residentId: p.idNumber !== null ? residentKey(p.idNumber, secret) : p.documentKey !== null ? residentKey(p.documentKey, secret) : null,
      idNumber: p.idNumber,
      documentKey: p.documentKey,
      organizationId: p.organizationId,
    }));
    const summary = values.require(fields.summary);
    const category = values.require(fields.category);
    const committeeNamed = values.get(fields.committeeId);
    const houseCode = values.get(fields.houseCode);
    // What the row says, parties by hub id: a later file is compared with it, never with the case as it now stands.
    const rowSha256 = createHash('sha256')
      .update(
        JSON.stringify([legacyNumber, category, source, gridCode, committeeNamed, status, receivedOn, closedOn, outcome, summary, incidentId, houseCode,
          parties.map((p) => [p.role, p.residentId ?? p.organizationId])]),
      )
      .digest('hex');
    const receivedAt = chinaMidnight(receivedOn);
    const closedAt = closedOn === null ? null : chinaMidnight(closedOn);
    // Time limits as a report through the graph sets them on the day received (intake.ts, acceptCase): the acceptance
    // limit (受理时限) from MEDIATION_ACCEPTANCE_DAYS, the time limit while still reported; one month once accepted.
    const acceptBy = addDays(receivedOn, acceptanceDaysFromEnv(process.env));
    return {
      key: legacyNumber,
      extra: { legacyNumber, committeeNamed, parties, rowSha256 },
      row: {
        // Both completed when the batch is checked: the id from the grid's sequence, the committee from the register.
        id: '',
        committeeId: committeeNamed ?? '',
        category,
        source,
        gridCode,
        communityCode,
        streetCode: streetCodeOfCommunity(communityCode),
        status,
        outcome,
        summary,
        receivedAt,
        acceptedAt: status === 'REPORTED' ? null : receivedAt,
        resolvedAt: closedAt,
        closedAt,
        acceptBy,
        dueOn: status === 'REPORTED' ? acceptBy : addMonths(receivedOn, MEDIATION_TIME_LIMIT_MONTHS),
        incidentId,
        houseCode,
        version: 1,
      },
    };
  },
  async checkReferences(rows, { client, foreign }) {
    const refused = new Map<CaseRow, FieldProblem[]>();
    const refuse = (row: CaseRow, field: Field<unknown>, p: FieldProblem['problem']) => {
      const list = refused.get(row) ?? [];
      list.push({ field, problem: p });
      refused.set(row, list);
    };
    // Grids are civil affairs' and houses housing's: asked of them, as every entity does.
    const grids = await foreign.existingGrids([...new Set(rows.map((r) => r.values.gridCode))]);
    const houses = await foreign.existingHouses([...new Set(rows.flatMap((r) => (r.values.houseCode ? [r.values.houseCode] : [])))]);
    for (const row of rows) {
      if (!grids.has(row.values.gridCode)) refuse(row, fields.gridCode, PROBLEMS.unknownGrid);
      if (row.values.houseCode && !houses.has(row.values.houseCode)) refuse(row, fields.houseCode, PROBLEMS.unknownHouse);
    }

    // Committees are mediation's own: the one named, or the community committee of the grid's community.
    const named = await client.query<{ organization_id: string }>('SELECT organization_id FROM mediation_committees WHERE organization_id = ANY($1)', [
      [...new Set(rows.flatMap((r) => (r.extra.committeeNamed ? [r.extra.committeeNamed] : [])))],
    ]);
    const committees = new Set(named.rows.map((c) => c.organization_id));
    const community = await client.query<{ community_code: string; organization_id: string }>(
      `SELECT DISTINCT ON (community_code) community_code, organization_id FROM mediation_committees
        WHERE type = 'COMMUNITY' AND community_code = ANY($1) ORDER BY community_code, organization_id`,
      [[...new Set(rows.map((r) => r.values.communityCode))]],
    );
    const committeeOf = new Map(community.rows.map((c) => [c.community_code, c.organization_id]));
    for (const row of rows) {
      if (row.extra.committeeNamed !== null) {
        if (!committees.has(row.extra.committeeNamed)) refuse(row, fields.committeeId, CASE_PROBLEMS.unknownCommittee);
      } else {
        const committee = committeeOf.get(row.values.communityCode);
        if (committee === undefined) refuse(row, fields.gridCode, CASE_PROBLEMS.noCommittee);
        else row.values.committeeId = committee;
      }
    }

    // Numbers imported before: the same row is left as it is (its case's id, so the insert does nothing), another is refused.
    const imported = await client.query<{ legacy_number: string; case_id: string; row_sha256: string }>(
      'SELECT legacy_number, case_id, row_sha256 FROM imported_cases WHERE legacy_number = ANY($1)',
      [rows.map((r) => r.extra.legacyNumber)],
    );
    const before = new Map(imported.rows.map((i) => [i.legacy_number, i]));
    const fresh: CaseRow[] = [];
    for (const row of rows) {
      const earlier = before.get(row.extra.legacyNumber);
      if (earlier === undefined) fresh.push(row);
      else if (earlier.row_sha256 !== row.extra.rowSha256) refuse(row, fields.caseNumber, CASE_PROBLEMS.caseDiffers);
      else row.values.id = earlier.case_id;
    }

    // One case per referred incident, as for a referral through the graph.
    const incidents = fresh.flatMap((r) => (r.values.incidentId ? [r.values.incidentId] : []));
    if (incidents.length > 0) {
      const referred = await client.query<{ incident_id: string }>('SELECT incident_id FROM cases WHERE incident_id = ANY($1)', [incidents]);
      const taken = new Set(referred.rows.map((r) => r.incident_id));
      for (const row of fresh) if (row.values.incidentId && taken.has(row.values.incidentId)) refuse(row, fields.incidentId, CASE_PROBLEMS.alreadyReferred);
    }

    // Ids from each grid's sequence, as a report takes them: the grid's counter row is locked until the batch commits,
    // so reports through the graph in the same grid queue behind it and never share a number.
    const needing = fresh.filter((r) => !refused.has(r));
    const perGrid = new Map<string, CaseRow[]>();
    for (const row of needing) {
      const list = perGrid.get(row.values.gridCode);
      if (list) list.push(row);
      else perGrid.set(row.values.gridCode, [row]);
    }
    if (perGrid.size > 0) {
      // In code order: two imports locking several grids' rows always queue, never wait on each other crosswise.
      const gridCodes = [...perGrid.keys()].sort();
      const current = await client.query<{ grid_code: string; last_sequence: number }>(
        `INSERT INTO case_sequences (grid_code, last_sequence)
           SELECT g, (SELECT coalesce(max(substring(c.id from 18 for 4)::int), 0) FROM cases c WHERE c.grid_code = g) FROM unnest($1::varchar[]) AS g
         ON CONFLICT (grid_code) DO UPDATE SET last_sequence = case_sequences.last_sequence
         RETURNING grid_code, last_sequence`,
        [gridCodes],
      );
      const lastOf = new Map(current.rows.map((r) => [r.grid_code, r.last_sequence]));
      const advanced: { grid: string; last: number }[] = [];
      for (const [grid, gridRows] of perGrid) {
        let last = lastOf.get(grid)!;
        for (const row of gridRows) {
          if (last >= 9999) {
            refuse(row, fields.gridCode, CASE_PROBLEMS.sequenceExhausted);
            continue;
          }
          last++;
          row.values.id = `TJ${grid}${String(last).padStart(4, '0')}`;
        }
        advanced.push({ grid, last });
      }
      await client.query(
        'UPDATE case_sequences s SET last_sequence = a.last FROM unnest($1::varchar[], $2::int[]) AS a(grid, last) WHERE s.grid_code = a.grid',
        [advanced.map((a) => a.grid), advanced.map((a) => a.last)],
      );
    }
    return refused;
  },
  async afterWrite(written, { client, importedBy }) {
    if (written.length === 0) return;
    const ids = written.map((r) => r.values.id!);
    await client.query(
      'INSERT INTO imported_cases (legacy_number, case_id, row_sha256) SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[])',
      [written.map((r) => r.extra.legacyNumber), ids, written.map((r) => r.extra.rowSha256)],
    );
    const parties = written.flatMap((r) => r.extra.parties.map((p, at) => ({ caseId: r.values.id!, position: at + 1, ...p })));
    await client.query(
      `INSERT INTO case_parties (case_id, position, role, resident_id, id_number, document_key, organization_id)
       SELECT * FROM unnest($1::varchar[], $2::smallint[], $3::case_party_role[], $4::varchar[], $5::varchar[], $6::varchar[], $7::varchar[])`,
      [
        parties.map((p) => p.caseId),
        parties.map((p) => p.position),
        parties.map((p) => p.role),
        parties.map((p) => p.residentId),
        parties.map((p) => p.idNumber),
        parties.map((p) => p.documentKey),
        parties.map((p) => p.organizationId),
      ],
    );
    // The first event of each case, version 1, appended under the workflow's own lock (commands.ts), taken last and
    // held to the batch's commit, so the feed's sequence order stays commit order.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('case_events'))`);
    await client.query(
      `INSERT INTO case_events (case_id, case_version, action, from_status, to_status, at, actor_user_id, actor_role, actor_department, grid_code, department, details)
       SELECT c, 1, 'REPORT', NULL, s, now(), $3, 'import', 'mediation', g, NULL, jsonb_build_object('note', n)
         FROM unnest($1::varchar[], $2::case_status[], $4::varchar[], $5::text[]) WITH ORDINALITY AS e(c, s, g, n, o) ORDER BY o`,
      [ids, written.map((r) => r.values.status), importedBy, written.map((r) => r.values.gridCode), written.map((r) => `从旧系统导入，原案件编号 ${r.extra.legacyNumber}`)],
    );
  },
});

/** What mediation imports from files (`npm run import -- mediation <entity> <file>`), in the order the command lists them. */
export const importEntities = [casesImport];
