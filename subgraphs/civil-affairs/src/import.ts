import { isGridCode, residentKey } from '@hub/core';
import { dateField, decimalField, defineEntity, enumField, GRID_HEADERS, gridCodeField, idNumber, problem, PROBLEMS, textField, type Field, type FieldProblem } from '@hub/import';
import { civilAffairsDatabase } from './db/index.ts';

const { welfareEntitlements } = civilAffairsDatabase.schema;

const ENTITLEMENT_ID = /^MZ(\d{15})\d{4}$/;
const entitlementIdProblem = problem('ENTITLEMENT_ID', '救助编号格式应为 MZ+15位网格编码+4位序号', 'entitlement id must be MZ + 15-digit grid code + 4-digit sequence');

const entitlementId: Field<string> = {
  name: 'id',
  headers: ['救助编号', '待遇编号', '救助记录编号', '记录编号', 'entitlement id', 'id'],
  required: true,
  parse(raw) {
    const id = raw.toUpperCase();
    const match = ENTITLEMENT_ID.exec(id);
    return match && isGridCode(match[1]!) ? { value: id } : { problem: entitlementIdProblem };
  },
};

const fields = {
  id: entitlementId,
  idNumber: idNumber(),
  gridCode: gridCodeField('gridCode', { headers: GRID_HEADERS, required: true }),
  kind: enumField('kind', {
    headers: ['救助类型', '待遇类型', '救助类别', '补贴类型', 'kind', 'welfare kind'],
    required: true,
    values: {
      MINIMUM_LIVING: ['低保', '最低生活保障'],
      EXTREME_POVERTY: ['特困', '特困供养', '特困人员供养'],
      DISABILITY_LIVING: ['困难残疾人生活补贴', '残疾人生活补贴'],
      DISABILITY_CARE: ['重度残疾人护理补贴', '残疾人护理补贴'],
      OLD_AGE: ['高龄津贴', '高龄补贴'],
    },
  }),
  monthlyAmount: decimalField('monthlyAmount', {
    headers: ['月发放金额', '月金额', '发放金额', '金额', 'monthly amount', 'amount'],
    required: true,
    min: 0,
    max: 100_000,
    scale: 2,
  }),
  startsOn: dateField('startsOn', { headers: ['开始日期', '起始日期', '享受开始日期', 'starts on', 'start date'], required: true }),
  endsOn: dateField('endsOn', { headers: ['结束日期', '终止日期', '享受结束日期', 'ends on', 'end date'] }),
  status: enumField('status', {
    headers: ['状态', '享受状态', '救助状态', 'status'],
    required: true,
    values: { ACTIVE: ['在保', '正常', '享受中'], SUSPENDED: ['暂停', '停发'], ENDED: ['终止', '停保', '已终止'] },
  }),
  disabilityCertificateNumber: textField('disabilityCertificateNumber', {
    headers: ['残疾证号', '残疾人证号', 'disability certificate', 'disability certificate number'],
    maxLength: 20,
    personal: 'id-number',
  }),
};

const DISABILITY_KINDS: ReadonlySet<string> = new Set(['DISABILITY_LIVING', 'DISABILITY_CARE']);

/** Welfare entitlements (社会救助), by their id; their grid must be on civil affairs' own register of grids. */
export const welfareImport = defineEntity({
  department: 'civil-affairs',
  entity: 'welfare',
  title: 'welfare entitlements 社会救助',
  fields: Object.values(fields),
  table: welfareEntitlements,
  conflictColumns: [welfareEntitlements.id],
  keyField: fields.id,
  build(values, { secret }) {
    const person = values.require(fields.idNumber);
    const kind = values.require(fields.kind);
    const startsOn = values.require(fields.startsOn);
    const endsOn = values.get(fields.endsOn);
    const certificate = values.get(fields.disabilityCertificateNumber)?.toUpperCase() ?? null;
    const problems: FieldProblem[] = [];
    if (endsOn !== null && endsOn < startsOn) problems.push({ field: fields.endsOn, problem: PROBLEMS.endBeforeStart });
    // A disability certificate number is the holder's ID number, a category digit 1-7 and a grade digit 1-4.
    if (certificate !== null && !(certificate.startsWith(person.idNumber) && /^[1-7][1-4]$/.test(certificate.slice(18)))) {
      problems.push({ field: fields.disabilityCertificateNumber, problem: PROBLEMS.certificate });
    } else if (certificate === null && DISABILITY_KINDS.has(kind)) {
      problems.push({ field: fields.disabilityCertificateNumber, problem: PROBLEMS.certificateRequired });
    }
    if (problems.length > 0) return { problems };
    return {
      key: values.require(fields.id),
      row: {
        id: values.require(fields.id),
        residentId: residentKey(person.idNumber, secret),
        gridCode: values.require(fields.gridCode),
        kind,
        monthlyAmount: values.require(fields.monthlyAmount),
        startsOn,
        endsOn: values.cell(fields.endsOn),
        status: values.require(fields.status),
        disabilityCertificateNumber: values.cell(fields.disabilityCertificateNumber) === undefined ? undefined : certificate,
      },
    };
  },
  async checkReferences(rows, { client }) {
    const found = await client.query<{ code: string }>('SELECT code FROM grids WHERE code = ANY($1)', [[...new Set(rows.map((r) => r.values.gridCode))]]);
    const grids = new Set(found.rows.map((g) => g.code));
    const refused = new Map<(typeof rows)[number], FieldProblem[]>();
    for (const row of rows) if (!grids.has(row.values.gridCode)) refused.set(row, [{ field: fields.gridCode, problem: PROBLEMS.unknownGrid }]);
    return refused;
  },
});

/** What civil-affairs imports from files (`npm run import -- civil-affairs <entity> <file>`), in the order the command lists them. */
export const importEntities = [welfareImport];
