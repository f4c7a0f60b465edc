import { isGridCode, residentKey } from '@hub/core';
import { dateField, decimalField, defineEntity, enumField, GRID_HEADERS, gridCodeField, idNumber, integerField, problem, PROBLEMS, textField, type Field, type FieldProblem } from '@hub/import';
import { civilAffairsDatabase } from './db/index.ts';
import { organizationsImport } from './import-organizations.ts';

const { assistanceGrants, careRecords, disabilityRecords, welfareEntitlements } = civilAffairsDatabase.schema;

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

const assistanceFields = {
  id: recordId('JZ', ['救助编号', '救助记录编号', '记录编号', 'grant id', 'id'], '救助编号', 'assistance'),
  idNumber: idNumber(),
  gridCode: gridCodeField('gridCode', { headers: GRID_HEADERS, required: true }),
  kind: enumField('kind', {
    headers: ['救助类型', '救助类别', 'kind', 'assistance kind'],
    required: true,
    values: { TEMPORARY: ['临时救助'], MEDICAL: ['医疗救助'] },
  }),
  reason: enumField('reason', {
    headers: ['救助事由', '救助原因', '事由', 'reason'],
    required: true,
    values: {
      ACCIDENT: ['意外事故', '交通事故', '意外事件'],
      DISASTER: ['火灾', '自然灾害', '火灾或自然灾害'],
      SUDDEN_ILLNESS: ['突发重大疾病', '突发疾病'],
      EDUCATION: ['教育支出', '就学困难'],
      LIVING_HARDSHIP: ['基本生活暂时困难', '生活困难'],
      OTHER: ['其他'],
      INPATIENT: ['住院', '住院救助'],
      OUTPATIENT_CHRONIC: ['门诊慢特病', '门诊慢特病救助', '门诊'],
    },
  }),
  amount: decimalField('amount', { headers: ['救助金额', '金额', 'amount'], required: true, min: 0.01, max: 1_000_000, scale: 2 }),
  grantedOn: dateField('grantedOn', { headers: ['救助日期', '发放日期', '审批日期', 'granted on'], required: true, notInFuture: true }),
  approvingOffice: textField('approvingOffice', { headers: ['审批机关', '审批单位', 'approving office'], required: true, maxLength: 60 }),
  approverName: textField('approverName', { headers: ['审批人', 'approver'], required: true, maxLength: 30, personal: 'name' }),
  hospital: textField('hospital', { headers: ['就诊医疗机构', '医疗机构', '就诊医院', 'hospital'], maxLength: 60 }),
  admittedOn: dateField('admittedOn', { headers: ['入院日期', '就诊日期', 'admitted on'], notInFuture: true }),
  dischargedOn: dateField('dischargedOn', { headers: ['出院日期', 'discharged on'], notInFuture: true }),
  eligibleCost: decimalField('eligibleCost', { headers: ['政策范围内自付费用', '自付费用', 'eligible cost'], min: 0.01, max: 10_000_000, scale: 2 }),
  reimbursedPercent: integerField('reimbursedPercent', { headers: ['救助比例', '救助比例(%)', 'reimbursed percent'], min: 1, max: 100 }),
};

const MEDICAL_REASONS: ReadonlySet<string> = new Set(['INPATIENT', 'OUTPATIENT_CHRONIC']);
const ASSISTANCE_PROBLEMS = {
  reasonOfKind: problem('REASON_NOT_OF_KIND', '救助事由与救助类型不符（医疗救助为住院或门诊慢特病，临时救助为其他事由）', 'reason does not fit the kind (medical: inpatient or outpatient chronic; temporary: the others)'),
  episodeRequired: problem('MEDICAL_EPISODE_REQUIRED', '医疗救助须填写就诊医疗机构、入院日期、自付费用和救助比例', 'medical assistance needs the hospital, admission date, out-of-pocket cost and reimbursed share'),
  episodeNotAllowed: problem('MEDICAL_EPISODE_NOT_ALLOWED', '临时救助不填写就医信息', 'temporary assistance has no medical episode'),
  grantBeforeEpisode: problem('GRANT_BEFORE_EPISODE', '救助日期早于入院日期', 'granted before the episode began'),
  overReimbursed: problem('OVER_REIMBURSED', '救助金额超过自付费用乘以救助比例', 'amount exceeds the out-of-pocket cost times the reimbursed share'),
};

/**
 * Temporary and medical assistance (临时救助、医疗救助), by grant id: a sum granted once. A medical grant names its
 * episode, and pays no more than the reimbursed share of the out-of-pocket cost; a temporary one names none.
 */
export const assistanceImport = defineEntity({
  department: 'civil-affairs',
  entity: 'assistance',
  title: 'temporary and medical assistance 临时救助、医疗救助',
  fields: Object.values(assistanceFields),
  table: assistanceGrants,
  conflictColumns: [assistanceGrants.id],
  keyField: assistanceFields.id,
  build(values, { secret }) {
    const f = assistanceFields;
    const person = values.require(f.idNumber);
    const kind = values.require(f.kind);
    const reason = values.require(f.reason);
    const amount = values.require(f.amount);
    const grantedOn = values.require(f.grantedOn);
    const episode = { hospital: values.get(f.hospital), admittedOn: values.get(f.admittedOn), dischargedOn: values.get(f.dischargedOn), eligibleCost: values.get(f.eligibleCost), reimbursedPercent: values.get(f.reimbursedPercent) };
    const problems: FieldProblem[] = [];
    if ((kind === 'MEDICAL') !== MEDICAL_REASONS.has(reason)) problems.push({ field: f.reason, problem: ASSISTANCE_PROBLEMS.reasonOfKind });
    if (kind === 'MEDICAL') {
      const missing = (['hospital', 'admittedOn', 'eligibleCost', 'reimbursedPercent'] as const).find((k) => episode[k] === null);
      if (missing) problems.push({ field: f[missing], problem: ASSISTANCE_PROBLEMS.episodeRequired });
      else {
        if (episode.dischargedOn !== null && episode.dischargedOn < episode.admittedOn!) problems.push({ field: f.dischargedOn, problem: PROBLEMS.endBeforeStart });
        if (grantedOn < episode.admittedOn!) problems.push({ field: f.grantedOn, problem: ASSISTANCE_PROBLEMS.grantBeforeEpisode });
        // Compared in fen, so a share rounded to the fen passes.
        if (Math.round(amount * 100) > Math.ceil(episode.eligibleCost! * episode.reimbursedPercent!)) problems.push({ field: f.amount, problem: ASSISTANCE_PROBLEMS.overReimbursed });
      }
    } else {
      const given = (['hospital', 'admittedOn', 'dischargedOn', 'eligibleCost', 'reimbursedPercent'] as const).find((k) => episode[k] !== null);
      if (given) problems.push({ field: f[given], problem: ASSISTANCE_PROBLEMS.episodeNotAllowed });
    }
    if (problems.length > 0) return { problems };
    return {
      key: values.require(f.id),
      row: {
        id: values.require(f.id),
        residentId: residentKey(person.idNumber, secret),
        gridCode: values.require(f.gridCode),
        kind,
        reason,
        amount,
        grantedOn,
        approvingOffice: values.require(f.approvingOffice),
        approverName: values.require(f.approverName),
        ...episode,
      },
    };
  },
  checkReferences: (rows, { client }) => unknownGrids(rows, client, assistanceFields.gridCode),
});

/** What civil-affairs imports from files (`npm run import -- civil-affairs <entity> <file>`), in the order the command lists them. */
export const importEntities = [welfareImport, assistanceImport, disabilityImport, careImport, organizationsImport];
