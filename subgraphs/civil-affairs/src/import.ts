import { isGridCode, residentKey } from '@hub/core';
import { dateField, decimalField, defineEntity, enumField, GRID_HEADERS, gridCodeField, idNumber, integerField, problem, PROBLEMS, textField, type Field, type FieldProblem } from '@hub/import';
import { civilAffairsDatabase } from './db/index.ts';
import { organizationsImport } from './import-organizations.ts';

const { careRecords, disabilityRecords, welfareEntitlements } = civilAffairsDatabase.schema;

/** A record id of civil affairs: a 2-letter prefix, the 15-digit grid code and a 4-digit sequence. */
function recordId(prefix: string, headers: readonly string[], zh: string, en: string): Field<string> {
  const pattern = new RegExp(`^${prefix}(\\d{15})\\d{4}$`);
  const refused = problem(`${en.toUpperCase().replace(/ /g, '_')}_ID`, `${zh}格式应为 ${prefix}+15位网格编码+4位序号`, `${en} id must be ${prefix} + 15-digit grid code + 4-digit sequence`);
  return {
    name: 'id',
    headers,
    required: true,
    parse(raw) {
      const id = raw.toUpperCase();
      const match = pattern.exec(id);
      return match && isGridCode(match[1]!) ? { value: id } : { problem: refused };
    },
  };
}

const entitlementId = recordId('MZ', ['救助编号', '待遇编号', '救助记录编号', '记录编号', 'entitlement id', 'id'], '救助编号', 'entitlement');

/** Rows whose grid is not on civil affairs' own register of grids, refused with UNKNOWN_GRID. */
async function unknownGrids<R extends { values: { gridCode: string } }>(rows: readonly R[], client: { query<T>(text: string, values: unknown[]): Promise<{ rows: T[] }> }, field: Field<string>) {
  const found = await client.query<{ code: string }>('SELECT code FROM grids WHERE code = ANY($1)', [[...new Set(rows.map((r) => r.values.gridCode))]]);
  const grids = new Set(found.rows.map((g) => g.code));
  const refused = new Map<R, FieldProblem[]>();
  for (const row of rows) if (!grids.has(row.values.gridCode)) refused.set(row, [{ field, problem: PROBLEMS.unknownGrid }]);
  return refused;
}

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

/** Welfare entitlements (社会救助与福利), by their id; their grid must be on civil affairs' own register of grids. */
export const welfareImport = defineEntity({
  department: 'civil-affairs',
  entity: 'welfare',
  title: 'welfare entitlements 社会救助与福利',
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
  checkReferences: (rows, { client }) => unknownGrids(rows, client, fields.gridCode),
});

const careFields = {
  id: recordId('GA', ['关爱编号', '关爱对象编号', '记录编号', 'care id', 'id'], '关爱编号', 'care'),
  idNumber: idNumber(),
  gridCode: gridCodeField('gridCode', { headers: GRID_HEADERS, required: true }),
  kind: enumField('kind', {
    headers: ['关爱类别', '对象类别', '人员类别', '类别', 'kind', 'care kind'],
    required: true,
    values: {
      LEFT_BEHIND_ELDERLY: ['留守老人', '农村留守老人', '农村留守老年人'],
      LEFT_BEHIND_WOMAN: ['留守妇女', '农村留守妇女'],
      LEFT_BEHIND_CHILD: ['留守儿童', '农村留守儿童'],
      LIVING_ALONE_ELDERLY: ['独居老人', '独居'],
      EMPTY_NEST_ELDERLY: ['空巢老人', '空巢'],
      ORPHAN: ['孤儿'],
      UNSUPPORTED_CHILD: ['事实无人抚养儿童', '无人抚养儿童'],
    },
  }),
  listedOn: dateField('listedOn', { headers: ['纳入日期', '登记日期', '建档日期', 'listed on'], required: true, notInFuture: true }),
  endedOn: dateField('endedOn', { headers: ['退出日期', '销档日期', 'ended on'], notInFuture: true }),
};

/** Care lists (关爱对象名册), by entry id; a person on two lists is two rows. */
export const careImport = defineEntity({
  department: 'civil-affairs',
  entity: 'care',
  title: 'care lists 关爱对象（留守、独居、空巢、孤儿、事实无人抚养儿童）',
  fields: Object.values(careFields),
  table: careRecords,
  conflictColumns: [careRecords.id],
  keyField: careFields.id,
  build(values, { secret }) {
    const person = values.require(careFields.idNumber);
    const listedOn = values.require(careFields.listedOn);
    const endedOn = values.get(careFields.endedOn);
    if (endedOn !== null && endedOn < listedOn) return { problems: [{ field: careFields.endedOn, problem: PROBLEMS.endBeforeStart }] };
    return {
      key: values.require(careFields.id),
      row: {
        id: values.require(careFields.id),
        residentId: residentKey(person.idNumber, secret),
        gridCode: values.require(careFields.gridCode),
        kind: values.require(careFields.kind),
        listedOn,
        endedOn: values.cell(careFields.endedOn),
      },
    };
  },
  checkReferences: (rows, { client }) => unknownGrids(rows, client, careFields.gridCode),
});

const disabilityFields = {
  id: recordId('CJ', ['残疾人登记编号', '登记编号', '记录编号', 'disability id', 'id'], '残疾人登记编号', 'disability'),
  idNumber: idNumber(),
  gridCode: gridCodeField('gridCode', { headers: GRID_HEADERS, required: true }),
  certificateNumber: textField('certificateNumber', {
    headers: ['残疾证号', '残疾人证号', 'disability certificate', 'certificate number'],
    required: true,
    maxLength: 20,
    personal: 'id-number',
  }),
  category: integerField('category', { headers: ['残疾类别', '类别代码', 'category'], min: 1, max: 7 }),
  grade: integerField('grade', { headers: ['残疾等级', '等级', 'grade'], min: 1, max: 4 }),
  issuedOn: dateField('issuedOn', { headers: ['发证日期', '办证日期', 'issued on'], required: true, notInFuture: true }),
};

const certificateDisagrees = problem('CERTIFICATE_DISAGREES', '残疾类别或等级与残疾证号末两位不符', 'category or grade differs from the last two digits of the certificate number');

/**
 * The disability register (残疾人登记), by register id: every certificate holder, with an allowance or not. Category
 * and grade are read from the certificate; columns that give them too must agree.
 */
export const disabilityImport = defineEntity({
  department: 'civil-affairs',
  entity: 'disability',
  title: 'disability register 残疾人登记',
  fields: Object.values(disabilityFields),
  table: disabilityRecords,
  conflictColumns: [disabilityRecords.id],
  keyField: disabilityFields.id,
  uniqueFields: [disabilityFields.certificateNumber],
  build(values, { secret }) {
    const person = values.require(disabilityFields.idNumber);
    const certificate = values.require(disabilityFields.certificateNumber).toUpperCase();
    if (!(certificate.startsWith(person.idNumber) && /^[1-7][1-4]$/.test(certificate.slice(18)))) {
      return { problems: [{ field: disabilityFields.certificateNumber, problem: PROBLEMS.certificate }] };
    }
    const category = Number(certificate[18]);
    const grade = Number(certificate[19]);
    const problems: FieldProblem[] = [];
    const givenCategory = values.get(disabilityFields.category);
    const givenGrade = values.get(disabilityFields.grade);
    if (givenCategory !== null && givenCategory !== category) problems.push({ field: disabilityFields.category, problem: certificateDisagrees });
    if (givenGrade !== null && givenGrade !== grade) problems.push({ field: disabilityFields.grade, problem: certificateDisagrees });
    if (problems.length > 0) return { problems };
    return {
      key: values.require(disabilityFields.id),
      row: {
        id: values.require(disabilityFields.id),
        residentId: residentKey(person.idNumber, secret),
        gridCode: values.require(disabilityFields.gridCode),
        certificateNumber: certificate,
        category,
        grade,
        issuedOn: values.require(disabilityFields.issuedOn),
      },
    };
  },
  async checkReferences(rows, { client }) {
    const refused = await unknownGrids(rows, client, disabilityFields.gridCode);
    // A certificate is one person's: one the register holds under another entry is refused, not moved.
    const held = await client.query<{ certificate_number: string; id: string }>(
      'SELECT certificate_number, id FROM disability_records WHERE certificate_number = ANY($1)',
      [rows.map((r) => r.values.certificateNumber)],
    );
    const entryOf = new Map(held.rows.map((h) => [h.certificate_number, h.id]));
    for (const row of rows) {
      const entry = entryOf.get(row.values.certificateNumber);
      if (entry !== undefined && entry !== row.values.id) refused.set(row, [...(refused.get(row) ?? []), { field: disabilityFields.certificateNumber, problem: PROBLEMS.keyTaken }]);
    }
    return refused;
  },
});

/** What civil-affairs imports from files (`npm run import -- civil-affairs <entity> <file>`), in the order the command lists them. */
export const importEntities = [welfareImport, disabilityImport, careImport, organizationsImport];
