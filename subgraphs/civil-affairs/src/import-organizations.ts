import { creditCodeProblem } from '@hub/core';
import { dateField, defineEntity, enumField, GRID_HEADERS, gridCodeField, problem, PROBLEMS, textField, type Field, type FieldProblem } from '@hub/import';
import { civilAffairsDatabase } from './db/index.ts';

const { organizations } = civilAffairsDatabase.schema;

/**
 * The directory-only kinds (两新组织, schools, clinics): registered outside the hub (market regulation, education,
 * health), so the directory entry civil affairs keeps is all the hub holds of them. Each with its id prefix, the
 * department that registers it, and the GB 32100 categories (positions 1-2) its credit code may carry.
 */
const KINDS = {
  // 91 企业, 93 农民专业合作社 (registered by market regulation as enterprises are).
  ENTERPRISE: { prefix: 'EN', registeredBy: 'MARKET_REGULATION', categories: ['91', '93'] },
  INDIVIDUAL_BUSINESS: { prefix: 'IB', registeredBy: 'MARKET_REGULATION', categories: ['92'] },
  // Public schools are public institutions (12); private ones are private non-enterprise units (52).
  SCHOOL: { prefix: 'SC', registeredBy: 'EDUCATION', categories: ['12', '52'] },
  // Community health stations and village clinics are public (12) or private (52); private clinics may be companies (91) or individual businesses (92).
  CLINIC: { prefix: 'CL', registeredBy: 'HEALTH', categories: ['12', '52', '91', '92'] },
} as const;
type Kind = keyof typeof KINDS;

const ORGANIZATION_PROBLEMS = {
  id: problem('DIRECTORY_ORGANIZATION_ID', '组织编号格式应为 类别前缀（EN 企业、IB 个体工商户、SC 学校、CL 医疗机构）+12位社区代码+3位序号', 'organization id must be a kind prefix (EN, IB, SC, CL) + 12-digit community code + 3-digit sequence'),
  kindPrefix: problem('KIND_MISMATCH', '组织类别与组织编号前缀不符', "kind disagrees with the organization id's prefix"),
  creditFormat: problem('CREDIT_CODE_FORMAT', '统一社会信用代码应为18位（不含 I、O、Z、S、V）', 'credit code must be 18 characters of the GB 32100 alphabet (no I, O, Z, S, V)'),
  creditAuthority: problem('CREDIT_CODE_AUTHORITY', '统一社会信用代码第1-2位不是有效的登记管理部门和机构类别', 'credit code positions 1-2 are not a registration authority and a kind it registers'),
  creditDivision: problem('CREDIT_CODE_DIVISION', '统一社会信用代码第3-8位不是有效的登记管理机关行政区划码', 'credit code positions 3-8 are not the division code of a registering office'),
  creditCheck: problem('CREDIT_CODE_CHECK', '统一社会信用代码校验码错误', 'credit code check character is wrong'),
  creditCategory: problem('CREDIT_CODE_CATEGORY', '统一社会信用代码的机构类别（第1-2位）与组织类别不符：企业91/93，个体工商户92，学校12/52，医疗机构12/52/91/92', 'credit code category (positions 1-2) does not fit the kind: enterprise 91/93, individual business 92, school 12/52, clinic 12/52/91/92'),
  gridNotInCommunity: problem('GRID_NOT_IN_COMMUNITY', '网格不属于组织编号所在社区', "grid is not in the community the organization id names"),
};

const CREDIT_PROBLEM = { format: ORGANIZATION_PROBLEMS.creditFormat, authority: ORGANIZATION_PROBLEMS.creditAuthority, division: ORGANIZATION_PROBLEMS.creditDivision, 'check-char': ORGANIZATION_PROBLEMS.creditCheck } as const;

const PREFIXES = Object.values(KINDS).map((k) => k.prefix).join('|');
const DIRECTORY_ID = new RegExp(`^(?:${PREFIXES})\\d{15}$`);

const organizationId: Field<string> = {
  name: 'id',
  headers: ['组织编号', '单位编号', '机构编号', 'organization id', 'id'],
  required: true,
  parse(raw) {
    const id = raw.toUpperCase();
    return DIRECTORY_ID.test(id) ? { value: id } : { problem: ORGANIZATION_PROBLEMS.id };
  },
};

const creditCode: Field<string> = {
  name: 'creditCode',
  headers: ['统一社会信用代码', '信用代码', '社会信用代码', 'credit code', 'unified social credit code'],
  required: true,
  parse(raw) {
    const code = raw.trim().toUpperCase();
    const found = creditCodeProblem(code);
    return found === null ? { value: code } : { problem: CREDIT_PROBLEM[found] };
  },
};

const fields = {
  id: organizationId,
  kind: enumField<Kind>('kind', {
    headers: ['组织类别', '单位类别', '机构类别', '单位类型', 'kind', 'organization kind'],
    required: true,
    values: {
      ENTERPRISE: ['企业', '公司', '农民专业合作社'],
      INDIVIDUAL_BUSINESS: ['个体工商户', '个体户', '个体'],
      SCHOOL: ['学校', '幼儿园', '小学', '中学', '中小学'],
      CLINIC: ['医疗机构', '社区卫生服务站', '社区卫生服务中心', '村卫生室', '卫生室', '诊所', '门诊部'],
    },
  }),
  name: textField('name', { headers: ['组织名称', '单位名称', '机构名称', '名称', '字号名称', 'name'], required: true, maxLength: 100 }),
  creditCode,
  gridCode: gridCodeField('gridCode', { headers: ['所在网格', ...GRID_HEADERS], required: true }),
  registeredOn: dateField('registeredOn', { headers: ['登记日期', '成立日期', '注册日期', '设立日期', 'registered on'], required: true, notInFuture: true }),
};

/**
 * Enterprises, individual businesses, schools and clinics of the organization directory (组织机构目录), by
 * organization id; the credit code is unique too. Civil affairs keeps the directory (the department map); the kind
 * says which department registered the organization. The grid must be on civil affairs' own register and lie in the
 * community the id names.
 */
export const organizationsImport = defineEntity({
  department: 'civil-affairs',
  entity: 'organizations',
  title: 'enterprises, individual businesses, schools and clinics 企业、个体工商户、学校、医疗机构',
  fields: Object.values(fields),
  table: organizations,
  conflictColumns: [organizations.id],
  keyField: fields.id,
  uniqueFields: [fields.creditCode],
  build(values) {
    const id = values.require(fields.id);
    const kind = values.require(fields.kind);
    const code = values.require(fields.creditCode);
    const { prefix, registeredBy, categories } = KINDS[kind];
    const problems: FieldProblem[] = [];
    if (!id.startsWith(prefix)) problems.push({ field: fields.kind, problem: ORGANIZATION_PROBLEMS.kindPrefix });
    if (!(categories as readonly string[]).includes(code.slice(0, 2))) problems.push({ field: fields.creditCode, problem: ORGANIZATION_PROBLEMS.creditCategory });
    const gridCode = values.require(fields.gridCode);
    if (!gridCode.startsWith(id.slice(2, 14))) problems.push({ field: fields.gridCode, problem: ORGANIZATION_PROBLEMS.gridNotInCommunity });
    if (problems.length > 0) return { problems };
    return {
      key: id,
      row: { id, kind, name: values.require(fields.name), creditCode: code, gridCode, communityCode: id.slice(2, 14), registeredOn: values.require(fields.registeredOn), registeredBy },
    };
  },
  async checkReferences(rows, { client }) {
    const found = await client.query<{ code: string }>('SELECT code FROM grids WHERE code = ANY($1)', [[...new Set(rows.map((r) => r.values.gridCode))]]);
    const grids = new Set(found.rows.map((g) => g.code));
    // A credit code is one organization's: one the directory holds under another id is refused, not moved.
    const held = await client.query<{ id: string; credit_code: string }>('SELECT id, credit_code FROM organizations WHERE credit_code = ANY($1)', [rows.map((r) => r.values.creditCode)]);
    const holderOf = new Map(held.rows.map((o) => [o.credit_code, o.id]));
    const refused = new Map<(typeof rows)[number], FieldProblem[]>();
    for (const row of rows) {
      const problems: FieldProblem[] = [];
      if (!grids.has(row.values.gridCode)) problems.push({ field: fields.gridCode, problem: PROBLEMS.unknownGrid });
      const holder = holderOf.get(row.values.creditCode!);
      if (holder !== undefined && holder !== row.values.id) problems.push({ field: fields.creditCode, problem: PROBLEMS.keyTaken });
      if (problems.length > 0) refused.set(row, problems);
    }
    return refused;
  },
});
