import { isGridCode, residentKey } from '@hub/core';
import {
  dateField,
  decimalField,
  defineEntity,
  enumField,
  GRID_HEADERS,
  gridCodeField,
  organizationIdField,
  personField,
  personFields,
  personOf,
  problem,
  PROBLEMS,
  textField,
  type Field,
  type FieldProblem,
  type FieldValues,
  type Person,
  type PersonFields,
} from '@hub/import';
import { partyDatabase } from './db/index.ts';

const { partyMembers, partyReportIns, volunteers } = partyDatabase.schema;

const overseasMember = problem(
  'OVERSEAS_PARTY_MEMBER',
  '境外人员（持护照、港澳台通行证或外国人永久居留身份证）不能登记为党员；未落户的中国公民填证件类型“无”和派出所登记编号',
  'people from outside the mainland (passport, Hong Kong/Macao/Taiwan permit, foreign permanent residence) cannot be party members; unsettled Chinese citizens give document type 无 and their police registration number',
);

/**
 * The person a membership row names: a citizen by ID number, or an unsettled citizen (未落户) by the number the police
 * station registered them under. Foreigners and compatriots from outside the mainland cannot join the party
 * (党章 art. 1: Chinese workers, peasants, …), so a row naming one is refused, whatever else it says.
 */
function memberOf(person: PersonFields, values: FieldValues): Person | { problems: FieldProblem[] } {
  const who = personOf(person, values);
  if (!('problems' in who) && who.overseas) return { problems: [{ field: personField(person, who), problem: overseasMember }] };
  return who;
}

const memberPerson = personFields();
const fields = {
  ...memberPerson,
  memberNumber: textField('memberNumber', { headers: ['党员编号', '党员证号', 'member number', 'member no'], required: true, maxLength: 20 }),
  organizationId: organizationIdField('organizationId', {
    headers: ['所在党组织编号', '党组织编号', '所在支部编号', '所在党组织', 'party organization id', 'organization id', 'branch id'],
    required: true,
  }),
  status: enumField('status', {
    headers: ['党员类型', '党员状态', '人员类别', 'status', 'member status'],
    required: true,
    values: { EMPLOYED: ['在职', '在职党员'], FLOATING: ['流动', '流动党员'], RETIRED: ['退休', '离退休', '退休党员'] },
  }),
  joinedOn: dateField('joinedOn', { headers: ['入党日期', '入党时间', 'joined on', 'joined'], required: true, notInFuture: true }),
  fullMemberOn: dateField('fullMemberOn', { headers: ['转正日期', '转正时间', 'full member on', 'full membership'], notInFuture: true }),
};

/**
 * Party members (党员), keyed by the hub id of their ID number (the number itself is not kept by the party
 * department). Their branch must be on the party department's own register; the member's grid is the one it serves.
 */
export const partyMembersImport = defineEntity({
  department: 'party',
  entity: 'members',
  title: 'party members 党员',
  fields: Object.values(fields),
  table: partyMembers,
  conflictColumns: [partyMembers.residentId],
  keyField: fields.idNumber,
  uniqueFields: [fields.memberNumber],
  build(values, { secret }) {
    const member = memberOf(memberPerson, values);
    if ('problems' in member) return member;
    const joinedOn = values.require(fields.joinedOn);
    const status = values.require(fields.status);
    const fullMemberOn = values.get(fields.fullMemberOn);
    if (fullMemberOn !== null && fullMemberOn < joinedOn) return { problems: [{ field: fields.fullMemberOn, problem: PROBLEMS.endBeforeStart }] };
    return {
      key: member.key,
      row: {
        residentId: residentKey(member.key, secret),
        memberNumber: values.require(fields.memberNumber),
        organizationId: values.require(fields.organizationId),
        // Filled from the organization when the batch's references are checked.
        gridCode: null,
        status,
        // Every organization on this register is the community's: an in-service or floating member placed in one
        // belongs with an organization the file does not name, so the placement is marked as migration 0004 marks it.
        placementReview: status === 'EMPLOYED' ? ('WORK_UNIT_UNKNOWN' as const) : status === 'FLOATING' ? ('ORIGIN_UNKNOWN' as const) : null,
        joinedOn,
        fullMemberOn: values.cell(fields.fullMemberOn),
      },
    };
  },
  async checkReferences(rows, { client }) {
    const organizations = await client.query<{ id: string; serves_grid_code: string | null }>(
      'SELECT id, serves_grid_code FROM party_organizations WHERE id = ANY($1)',
      [[...new Set(rows.map((r) => r.values.organizationId))]],
    );
    const gridOf = new Map(organizations.rows.map((o) => [o.id, o.serves_grid_code]));
    const numbers = await client.query<{ member_number: string; resident_id: string }>(
      'SELECT member_number, resident_id FROM party_members WHERE member_number = ANY($1)',
      [rows.map((r) => r.values.memberNumber)],
    );
    const holderOf = new Map(numbers.rows.map((n) => [n.member_number, n.resident_id]));
    const refused = new Map<(typeof rows)[number], FieldProblem[]>();
    for (const row of rows) {
      const problems: FieldProblem[] = [];
      const grid = gridOf.get(row.values.organizationId);
      if (grid === undefined) problems.push({ field: fields.organizationId, problem: PROBLEMS.unknownOrganization });
      else row.values.gridCode = grid;
      const holder = holderOf.get(row.values.memberNumber);
      if (holder !== undefined && holder !== row.values.residentId) problems.push({ field: fields.memberNumber, problem: PROBLEMS.keyTaken });
      if (problems.length > 0) refused.set(row, problems);
    }
    return refused;
  },
});

const reportInIdProblem = problem('REPORT_IN_ID', '报到编号格式应为 BD+15位网格编码+4位序号', 'report-in id must be BD + 15-digit grid code + 4-digit sequence');
const notCommunityOrganization = problem('NOT_COMMUNITY_ORGANIZATION', '报到党组织应为网格所在社区的社区党委或党总支', "must be the committee or general branch of the grid's community");
const workUnitRule = problem('WORK_UNIT', '在职党员须填写工作单位，流动党员不填', 'in-service members need their work unit; floating members have none');

const reportInId: Field<string> = {
  name: 'id',
  headers: ['报到编号', '报到登记编号', 'report-in id', 'id'],
  required: true,
  parse(raw) {
    const id = raw.toUpperCase();
    return /^BD\d{19}$/.test(id) && isGridCode(id.slice(2, 17)) ? { value: id } : { problem: reportInIdProblem };
  },
};

const reportInPerson = personFields();
const reportInFields = {
  id: reportInId,
  ...reportInPerson,
  kind: enumField('kind', {
    headers: ['报到类型', '党员类型', 'kind', 'report-in kind'],
    required: true,
    values: { IN_SERVICE: ['在职党员', '在职', '双报到'], FLOATING: ['流动党员', '流动'] },
  }),
  organizationId: organizationIdField('organizationId', { headers: ['报到党组织编号', '社区党组织编号', 'organization id'], required: true }),
  gridCode: gridCodeField('gridCode', { headers: ['居住网格', ...GRID_HEADERS], required: true }),
  membershipOrganization: textField('membershipOrganization', {
    headers: ['组织关系所在党组织', '所在党组织', '组织关系所在单位', 'membership organization'],
    required: true,
    maxLength: 100,
  }),
  workUnit: textField('workUnit', { headers: ['工作单位', '单位名称', 'work unit'], maxLength: 100 }),
  joinedOn: dateField('joinedOn', { headers: ['入党日期', '入党时间', 'joined on'], required: true, notInFuture: true }),
  reportedOn: dateField('reportedOn', { headers: ['报到日期', '报到时间', 'reported on'], required: true, notInFuture: true }),
};

/**
 * Report-ins to the community a member lives in (双报到, 流动党员报到), one per person, keyed by the hub id of the ID
 * number; the report-in id is unique too. The organization reported to must be the community-level organization
 * (社区党委 or 党总支) of the grid's community, on the party department's own register.
 */
export const reportInsImport = defineEntity({
  department: 'party',
  entity: 'report-ins',
  title: 'report-ins 党员双报到',
  fields: Object.values(reportInFields),
  table: partyReportIns,
  conflictColumns: [partyReportIns.residentId],
  keyField: reportInFields.idNumber,
  uniqueFields: [reportInFields.id],
  build(values, { secret }) {
    const member = memberOf(reportInPerson, values);
    if ('problems' in member) return member;
    const kind = values.require(reportInFields.kind);
    const joinedOn = values.require(reportInFields.joinedOn);
    const reportedOn = values.require(reportInFields.reportedOn);
    const workUnit = values.get(reportInFields.workUnit);
    const problems: FieldProblem[] = [];
    if (reportedOn < joinedOn) problems.push({ field: reportInFields.reportedOn, problem: PROBLEMS.endBeforeStart });
    if ((kind === 'IN_SERVICE') !== (workUnit !== null)) problems.push({ field: reportInFields.workUnit, problem: workUnitRule });
    if (problems.length > 0) return { problems };
    return {
      key: member.key,
      row: {
        id: values.require(reportInFields.id),
        residentId: residentKey(member.key, secret),
        kind,
        organizationId: values.require(reportInFields.organizationId),
        gridCode: values.require(reportInFields.gridCode),
        membershipOrganization: values.require(reportInFields.membershipOrganization),
        workUnit,
        joinedOn,
        reportedOn,
      },
    };
  },
  async checkReferences(rows, { client }) {
    const organizations = await client.query<{ id: string; level: string; serves_community_code: string }>(
      'SELECT id, level, serves_community_code FROM party_organizations WHERE id = ANY($1)',
      [[...new Set(rows.map((r) => r.values.organizationId))]],
    );
    const byId = new Map(organizations.rows.map((o) => [o.id, o]));
    const held = await client.query<{ id: string; resident_id: string }>('SELECT id, resident_id FROM party_report_ins WHERE id = ANY($1)', [rows.map((r) => r.values.id)]);
    const holderOf = new Map(held.rows.map((h) => [h.id, h.resident_id]));
    const refused = new Map<(typeof rows)[number], FieldProblem[]>();
    for (const row of rows) {
      const problems: FieldProblem[] = [];
      const o = byId.get(row.values.organizationId);
      if (o === undefined) problems.push({ field: reportInFields.organizationId, problem: PROBLEMS.unknownOrganization });
      // The community's own organization: not a branch, not the street's committee (PC), and of the grid's community.
      else if (o.level === 'BRANCH' || o.id.startsWith('PC') || !row.values.gridCode.startsWith(o.serves_community_code)) {
        problems.push({ field: reportInFields.organizationId, problem: notCommunityOrganization });
      }
      const holder = holderOf.get(row.values.id);
      if (holder !== undefined && holder !== row.values.residentId) problems.push({ field: reportInFields.id, problem: PROBLEMS.keyTaken });
      if (problems.length > 0) refused.set(row, problems);
    }
    return refused;
  },
});

const volunteerIdProblem = problem('VOLUNTEER_ID', '志愿者编号格式应为 ZY+15位网格编码+4位序号', 'volunteer id must be ZY + 15-digit grid code + 4-digit sequence');
const volunteerId: Field<string> = {
  name: 'id',
  headers: ['志愿者编号', '登记编号', 'volunteer id', 'id'],
  required: true,
  parse(raw) {
    const id = raw.toUpperCase();
    return /^ZY\d{19}$/.test(id) && isGridCode(id.slice(2, 17)) ? { value: id } : { problem: volunteerIdProblem };
  },
};

const volunteerPerson = personFields();
const volunteerFields = {
  id: volunteerId,
  ...volunteerPerson,
  gridCode: gridCodeField('gridCode', { headers: ['居住网格', ...GRID_HEADERS], required: true }),
  team: textField('team', { headers: ['志愿服务队', '所属队伍', '服务队', 'team'], required: true, maxLength: 100 }),
  role: enumField('role', { headers: ['志愿者类别', '类别', 'role'], required: true, values: { VOLUNTEER: ['志愿者'], MONITOR: ['民情监督员', '监督员'] } }),
  partyMember: enumField('partyMember', { headers: ['是否党员', '政治面貌', 'party member'], required: true, values: { YES: ['是', '党员', '中共党员'], NO: ['否', '群众', '非党员'] } }),
  serviceHours: decimalField('serviceHours', { headers: ['服务时长', '近一年服务时长', '服务小时数', 'service hours'], required: true, min: 0, max: 8784, scale: 1 }),
  registeredOn: dateField('registeredOn', { headers: ['登记日期', '注册日期', 'registered on'], required: true, notInFuture: true }),
};

/**
 * The volunteer register (志愿者登记), one entry a person, keyed by the hub id of the ID number (or of the document of
 * people without one: anyone may volunteer); the id is unique too. A volunteer said to be a party member is held to
 * the members' rule: no one from outside the mainland.
 */
export const volunteersImport = defineEntity({
  department: 'party',
  entity: 'volunteers',
  title: 'volunteers 志愿者（含民情监督员）',
  fields: Object.values(volunteerFields),
  table: volunteers,
  conflictColumns: [volunteers.residentId],
  keyField: volunteerFields.idNumber,
  uniqueFields: [volunteerFields.id],
  build(values, { secret }) {
    const partyMember = values.require(volunteerFields.partyMember) === 'YES';
    const person = partyMember ? memberOf(volunteerPerson, values) : personOf(volunteerPerson, values);
    if ('problems' in person) return person;
    return {
      key: person.key,
      row: {
        id: values.require(volunteerFields.id),
        residentId: residentKey(person.key, secret),
        gridCode: values.require(volunteerFields.gridCode),
        team: values.require(volunteerFields.team),
        role: values.require(volunteerFields.role),
        partyMember,
        serviceHours: values.require(volunteerFields.serviceHours),
        registeredOn: values.require(volunteerFields.registeredOn),
      },
    };
  },
  async checkReferences(rows, { client }) {
    const held = await client.query<{ id: string; resident_id: string }>('SELECT id, resident_id FROM volunteers WHERE id = ANY($1)', [rows.map((r) => r.values.id)]);
    const holderOf = new Map(held.rows.map((h) => [h.id, h.resident_id]));
    const refused = new Map<(typeof rows)[number], FieldProblem[]>();
    for (const row of rows) {
      const holder = holderOf.get(row.values.id);
      if (holder !== undefined && holder !== row.values.residentId) refused.set(row, [{ field: volunteerFields.id, problem: PROBLEMS.keyTaken }]);
    }
    return refused;
  },
});

/** What party imports from files (`npm run import -- party <entity> <file>`), in the order the command lists them. */
export const importEntities = [partyMembersImport, reportInsImport, volunteersImport];
