import { residentKey } from '@hub/core';
import { dateField, defineEntity, enumField, idNumber, organizationIdField, PROBLEMS, textField, type FieldProblem } from '@hub/import';
import { partyDatabase } from './db/index.ts';

const { partyMembers } = partyDatabase.schema;

const fields = {
  idNumber: idNumber(),
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
    const id = values.require(fields.idNumber);
    const joinedOn = values.require(fields.joinedOn);
    const fullMemberOn = values.get(fields.fullMemberOn);
    if (fullMemberOn !== null && fullMemberOn < joinedOn) return { problems: [{ field: fields.fullMemberOn, problem: PROBLEMS.endBeforeStart }] };
    return {
      key: id.idNumber,
      row: {
        residentId: residentKey(id.idNumber, secret),
        memberNumber: values.require(fields.memberNumber),
        organizationId: values.require(fields.organizationId),
        // Filled from the organization when the batch's references are checked.
        gridCode: null,
        status: values.require(fields.status),
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

/** What party imports from files (`npm run import -- party <entity> <file>`), in the order the command lists them. */
export const importEntities = [partyMembersImport];
