/**
 * Public security's import entities beyond the register itself: overseas people's stay, households, the special
 * groups of key persons and their visit log. Each refers to people or records already on the register, checked in the
 * batch's transaction.
 */
import { documentKey, residentKey } from '@hub/core';
import { dateField, defineEntity, enumField, GRID_HEADERS, gridCodeField, houseCodeField, idNumberField, phoneField, problem, PROBLEMS, textField, type Field, type FieldProblem, type FieldValues } from '@hub/import';
import type pg from 'pg';
import { publicSecurityDatabase } from './db/index.ts';
import { HOUSEHOLD_ID, KEY_PERSON_ID } from './keys.ts';

const { households, keyPersonCategories, keyPersonContacts, keyPersonOfficers, overseasDetails } = publicSecurityDatabase.schema;

const P = {
  notOnRegister: problem('NOT_ON_REGISTER', '该人员不在实有人口登记中，请先导入实有人口', 'not on the population register: import the residents first'),
  notOverseas: problem('NOT_OVERSEAS', '该人员在实有人口登记中不是境外人员', 'the register does not list this person as overseas'),
  document: problem('DOCUMENT', '证件类型应为护照、港澳台通行证或外国人永久居留身份证，并填写证件号码和3位国籍代码', 'document must be a passport, a travel permit or a permanent residence card, with its number and a 3-letter nationality'),
  permitNumberRequired: problem('PERMIT_NUMBER_REQUIRED', '签证或居留许可须填写号码和有效期', 'a visa or residence permit needs its number and expiry'),
  permitBeforeEntry: problem('PERMIT_BEFORE_ENTRY', '停居留有效期早于入境日期', 'the permit expires before the entry date'),
  householdId: problem('HOUSEHOLD_ID', '户号应为1-40个字符且不含空格', 'household number must be 1 to 40 characters without spaces'),
  headOutsideGrid: problem('HEAD_OUTSIDE_GRID', '户主不在该户所属网格登记', 'the head is registered in another grid'),
  keyPersonId: problem('KEY_PERSON_ID', '重点人员编号格式应为 ZD+15位网格编码+3位序号', 'key-person id must be ZD + 15-digit grid code + 3-digit sequence'),
  unknownKeyPerson: problem('UNKNOWN_KEY_PERSON', '重点人员档案不存在，请先导入重点人员', 'no such key-person record: import the key persons first'),
  badge: problem('BADGE', '警号应为6位数字，且只有派出所人员填写', 'a badge is 6 digits, and only police officers have one'),
  position: problem('POSITION', '序号应为1-99（0为责任民警，由重点人员导入）', 'position must be 1-99 (0 is the responsible officer, from the key-person import)'),
  contactBeforeListing: problem('CONTACT_BEFORE_LISTING', '走访日期早于列管日期', 'the contact predates the listing'),
};

/**
 * The columns that name a person: citizens by ID number, others by document (as the register keys them). `role`
 * prefixes the headers when the person is one of the row's (户主公民身份号码, head id number).
 */
function personColumns(role?: { zh: string; en: string }) {
  const headers = (zh: readonly string[], en: readonly string[]) => [...zh.map((h) => `${role?.zh ?? ''}${h}`), ...en.map((h) => (role ? `${role.en} ${h}` : h))];
  return {
    idNumber: idNumberField('idNumber', { headers: headers(['公民身份号码', '身份证号', '身份证号码'], ['id number']) }),
    documentType: enumField('documentType', {
      headers: headers(['证件类型', '证件种类'], ['document type']),
      values: {
        PASSPORT: ['护照', 'passport'],
        HK_MACAO_PERMIT: ['港澳居民来往内地通行证', '港澳通行证', '回乡证'],
        TAIWAN_PERMIT: ['台湾居民来往大陆通行证', '台胞证'],
        FOREIGN_PERMANENT_RESIDENCE: ['外国人永久居留身份证', '外国人永久居留证', '永久居留身份证'],
        NONE: ['无', '无证件'],
      },
    }),
    documentNumber: textField('documentNumber', { headers: headers(['证件号码', '证件号', '护照号码'], ['document number', 'passport number']), maxLength: 40, personal: 'id-number' }),
    nationality: textField('nationality', { headers: headers(['国籍'], ['nationality']), maxLength: 3 }),
  };
}
type PersonColumns = ReturnType<typeof personColumns>;

/** The key the register derives the person's hub id from, or null when the row names no one properly. */
function personKey(values: FieldValues, columns: PersonColumns): string | null {
  const id = values.get(columns.idNumber);
  if (id) return id.idNumber;
  const type = values.get(columns.documentType);
  const number = values.get(columns.documentNumber);
  const nationality = (values.get(columns.nationality) ?? (type === 'PASSPORT' || type === 'FOREIGN_PERMANENT_RESIDENCE' ? '' : 'CHN')).toUpperCase();
  if (type === null || number === null || !/^[A-Z]{3}$/.test(nationality)) return null;
  return documentKey(type, nationality, number.trim().toUpperCase());
}
async function populationTypes(client: pg.PoolClient, ids: readonly string[]): Promise<Map<string, { type: string; grid: string }>> {
  const found = await client.query<{ id: string; population_type: string; grid_code: string }>('SELECT id, population_type, grid_code FROM residents WHERE id = ANY($1)', [ids]);
  return new Map(found.rows.map((r) => [r.id, { type: r.population_type, grid: r.grid_code }]));
}

const overseasPerson = personColumns();
const overseasFields = {
  ...overseasPerson,
  entryDate: dateField('entryDate', { headers: ['入境日期', '入境时间', 'entry date'], notInFuture: true }),
  permitKind: enumField('permitKind', {
    headers: ['停居留证件类别', '签证种类', '居留证件类别', 'permit kind'],
    required: true,
    values: { VISA: ['签证', '停留证件'], RESIDENCE_PERMIT: ['居留许可', '居留证件', '工作类居留许可', '学习类居留许可'], PERMANENT_RESIDENCE: ['永久居留'], NONE: ['无'] },
  }),
  permitNumber: textField('permitNumber', { headers: ['签证号码', '居留许可号码', '停居留证件号码', 'permit number'], maxLength: 40, personal: 'id-number' }),
  permitExpiresOn: dateField('permitExpiresOn', { headers: ['停居留有效期至', '有效期至', '签证有效期', 'permit expires on'] }),
  employerOrSchool: textField('employerOrSchool', { headers: ['工作单位', '就读学校', '工作单位/学校', 'employer or school'], maxLength: 200 }),
};

/** Overseas people's stay (境外人员停居留信息), of people on the register as overseas, keyed as the register keys them. */
export const overseasImport = defineEntity({
  department: 'public-security',
  entity: 'overseas',
  title: 'overseas people 境外人员',
  fields: Object.values(overseasFields),
  table: overseasDetails,
  conflictColumns: [overseasDetails.residentId],
  keyField: overseasFields.documentNumber,
  build(values, { secret }) {
    const key = personKey(values, overseasPerson);
    if (key === null || values.get(overseasPerson.idNumber) !== null) return { problems: [{ field: overseasFields.documentType, problem: P.document }] };
    const kind = values.require(overseasFields.permitKind);
    const number = values.get(overseasFields.permitNumber);
    const expires = values.get(overseasFields.permitExpiresOn);
    const entry = values.get(overseasFields.entryDate);
    if ((kind === 'VISA' || kind === 'RESIDENCE_PERMIT') && (number === null || expires === null)) return { problems: [{ field: overseasFields.permitNumber, problem: P.permitNumberRequired }] };
    if (entry !== null && expires !== null && expires < entry) return { problems: [{ field: overseasFields.permitExpiresOn, problem: P.permitBeforeEntry }] };
    return {
      key,
      row: {
        residentId: residentKey(key, secret),
        entryDate: values.cell(overseasFields.entryDate),
        permitKind: kind,
        permitNumber: values.cell(overseasFields.permitNumber),
        permitExpiresOn: values.cell(overseasFields.permitExpiresOn),
        employerOrSchool: values.cell(overseasFields.employerOrSchool),
      },
    };
  },
  async checkReferences(rows, { client }) {
    const types = await populationTypes(client, rows.map((r) => r.values.residentId));
    const refused = new Map<(typeof rows)[number], FieldProblem[]>();
    for (const row of rows) {
      const type = types.get(row.values.residentId)?.type;
      if (type === undefined) refused.set(row, [{ field: overseasFields.documentNumber, problem: P.notOnRegister }]);
      else if (type !== 'OVERSEAS') refused.set(row, [{ field: overseasFields.documentNumber, problem: P.notOverseas }]);
    }
    return refused;
  },
});

const householdId: Field<string> = {
  name: 'id',
  headers: ['户号', '户编号', 'household id', 'household'],
  required: true,
  parse: (raw) => (HOUSEHOLD_ID.test(raw) ? { value: raw } : { problem: P.householdId }),
};

const householdHead = personColumns({ zh: '户主', en: 'head' });
const householdFields = {
  id: householdId,
  kind: enumField('kind', { headers: ['户别', '户类别', 'household kind'], required: true, values: { FAMILY: ['家庭户', '家庭'], COLLECTIVE: ['集体户', '集体'] } }),
  basis: enumField('basis', {
    headers: ['户类型', '户籍户/居住户', 'household basis'],
    required: true,
    values: { HUKOU: ['户籍户', '户口', '户籍'], RESIDENCE: ['居住户', '实有户', '共同居住'] },
  }),
  // The head by ID number or by document, as the register keys people.
  ...householdHead,
  gridCode: gridCodeField('gridCode', { headers: GRID_HEADERS, required: true }),
  houseCode: houseCodeField('houseCode', { headers: ['房屋编码', '住址房屋编码', 'house code'] }),
  policeStation: textField('policeStation', { headers: ['户籍派出所', '户口登记机关', 'police station'], maxLength: 100 }),
};

/**
 * Households (户): a hukou household (户籍户) or a household living together (居住户), by 户号; the head must be on the
 * register in the household's grid. Members are joined to it by the residents' 户号 and 户籍户号 columns.
 */
export const householdsImport = defineEntity({
  department: 'public-security',
  entity: 'households',
  title: 'households 户',
  fields: Object.values(householdFields),
  table: households,
  conflictColumns: [households.id],
  touchColumn: households.updatedAt,
  keyField: householdFields.id,
  build(values, { secret }) {
    const id = values.require(householdFields.id);
    const headKey = personKey(values, householdHead);
    return {
      key: id,
      row: {
        id,
        kind: values.require(householdFields.kind),
        basis: values.require(householdFields.basis),
        headResidentId: headKey === null ? null : residentKey(headKey, secret),
        gridCode: values.require(householdFields.gridCode),
        houseCode: values.cell(householdFields.houseCode),
        policeStation: values.cell(householdFields.policeStation),
      },
    };
  },
  async checkReferences(rows, { client, foreign }) {
    const heads = await populationTypes(client, rows.flatMap((r) => (r.values.headResidentId ? [r.values.headResidentId] : [])));
    const grids = await foreign.existingGrids([...new Set(rows.map((r) => r.values.gridCode))]);
    const houses = await foreign.existingHouses([...new Set(rows.flatMap((r) => (r.values.houseCode ? [r.values.houseCode] : [])))]);
    const refused = new Map<(typeof rows)[number], FieldProblem[]>();
    for (const row of rows) {
      const problems: FieldProblem[] = [];
      const head = row.values.headResidentId ? heads.get(row.values.headResidentId) : null;
      if (head === undefined) problems.push({ field: householdFields.idNumber, problem: P.notOnRegister });
      else if (head && head.grid !== row.values.gridCode) problems.push({ field: householdFields.idNumber, problem: P.headOutsideGrid });
      if (!grids.has(row.values.gridCode)) problems.push({ field: householdFields.gridCode, problem: PROBLEMS.unknownGrid });
      if (row.values.houseCode && !houses.has(row.values.houseCode)) problems.push({ field: householdFields.houseCode, problem: PROBLEMS.unknownHouse });
      if (problems.length > 0) refused.set(row, problems);
    }
    return refused;
  },
});

const keyPersonId: Field<string> = {
  name: 'keyPersonId',
  headers: ['重点人员编号', '列管编号', '重点人员档案编号', 'key person id'],
  required: true,
  parse(raw) {
    const id = raw.toUpperCase();
    return KEY_PERSON_ID.test(id) ? { value: id } : { problem: P.keyPersonId };
  },
};

const CATEGORY_VALUES = {
  COMMUNITY_CORRECTION: ['社区矫正', '社区矫正对象', '社区矫正人员'],
  RELEASED_PRISONER: ['刑满释放', '刑满释放人员', '安置帮教'],
  SEVERE_MENTAL_DISORDER: ['严重精神障碍', '严重精神障碍患者'],
  DRUG_USER: ['吸毒', '吸毒人员', '社区戒毒'],
  KEY_YOUTH: ['重点青少年'],
  AIDS_RISK: ['艾滋病危险人员', '艾滋病危险'],
};
const UNIT_VALUES = {
  JUSTICE_OFFICE: ['司法所'],
  HEALTH: ['卫健', '卫生健康', '精防', '疾控', '社区卫生服务中心'],
  NARCOTICS_CONTROL: ['禁毒办', '禁毒'],
  POLICE_STATION: ['派出所', '公安'],
  GOVERNANCE_CENTRE: ['综治中心', '综治', '团委'],
};
/** Who owns each group in practice, when the file does not say. */
const OWNER = {
  COMMUNITY_CORRECTION: 'JUSTICE_OFFICE',
  RELEASED_PRISONER: 'JUSTICE_OFFICE',
  SEVERE_MENTAL_DISORDER: 'HEALTH',
  DRUG_USER: 'NARCOTICS_CONTROL',
  KEY_YOUTH: 'GOVERNANCE_CENTRE',
  AIDS_RISK: 'HEALTH',
} as const;

async function keyPersonsListed(client: pg.PoolClient, ids: readonly string[]): Promise<Map<string, string>> {
  const found = await client.query<{ id: string; since: string }>("SELECT id, to_char(since, 'YYYY-MM-DD') AS since FROM key_persons WHERE id = ANY($1)", [ids]);
  return new Map(found.rows.map((r) => [r.id, r.since]));
}

const groupFields = {
  keyPersonId,
  category: enumField('category', { headers: ['人员类别', '特殊人群类别', '列管类别', 'category'], required: true, values: CATEGORY_VALUES }),
  owningUnit: enumField('owningUnit', { headers: ['主管单位', '责任单位', 'owning unit'], values: UNIT_VALUES }),
  since: dateField('since', { headers: ['列管日期', '纳入日期', 'since'], required: true, notInFuture: true }),
};

/** The special groups of key persons (特殊人群类别), several per record, keyed by record and category. */
export const specialGroupsImport = defineEntity({
  department: 'public-security',
  entity: 'special-groups',
  title: 'special groups of key persons 特殊人群类别',
  fields: Object.values(groupFields),
  table: keyPersonCategories,
  conflictColumns: [keyPersonCategories.keyPersonId, keyPersonCategories.category],
  keyField: groupFields.keyPersonId,
  build(values) {
    const id = values.require(groupFields.keyPersonId);
    const category = values.require(groupFields.category);
    return {
      key: `${id}|${category}`,
      row: { keyPersonId: id, category, owningUnit: values.get(groupFields.owningUnit) ?? OWNER[category], since: values.require(groupFields.since) },
    };
  },
  async checkReferences(rows, { client }) {
    const listed = await keyPersonsListed(client, [...new Set(rows.map((r) => r.values.keyPersonId))]);
    const refused = new Map<(typeof rows)[number], FieldProblem[]>();
    for (const row of rows) if (!listed.has(row.values.keyPersonId)) refused.set(row, [{ field: groupFields.keyPersonId, problem: P.unknownKeyPerson }]);
    return refused;
  },
});

const contactFields = {
  keyPersonId,
  contactedOn: dateField('contactedOn', { headers: ['走访日期', '走访时间', '联系日期', 'contacted on'], required: true, notInFuture: true }),
  byName: textField('byName', { headers: ['走访人', '走访人员', '联系人', 'by'], required: true, maxLength: 50, personal: 'name' }),
  byUnit: enumField('byUnit', { headers: ['走访人单位', '所属单位', 'unit'], required: true, values: UNIT_VALUES }),
  method: enumField('method', {
    headers: ['走访方式', '联系方式', 'method'],
    required: true,
    values: { HOME_VISIT: ['上门走访', '入户走访', '走访'], PHONE: ['电话', '电话联系'], VIDEO: ['视频', '视频联系'], INTERVIEW: ['约谈', '谈话'], REPORT_IN: ['报到', '来所报到'] },
  }),
  finding: textField('finding', { headers: ['走访情况', '情况记录', '工作情况', 'finding'], required: true, maxLength: 2000, personal: 'text' }),
};

/** The visit and contact log of key persons (走访记录): one row per visit, keyed by record, day, visitor and method. */
export const contactsImport = defineEntity({
  department: 'public-security',
  entity: 'key-person-contacts',
  title: 'key-person visits 重点人员走访记录',
  fields: Object.values(contactFields),
  table: keyPersonContacts,
  conflictColumns: [keyPersonContacts.keyPersonId, keyPersonContacts.contactedOn, keyPersonContacts.byName, keyPersonContacts.method],
  keyField: contactFields.keyPersonId,
  build(values) {
    const row = {
      keyPersonId: values.require(contactFields.keyPersonId),
      contactedOn: values.require(contactFields.contactedOn),
      byName: values.require(contactFields.byName),
      byUnit: values.require(contactFields.byUnit),
      method: values.require(contactFields.method),
      finding: values.require(contactFields.finding),
    };
    return { key: `${row.keyPersonId}|${row.contactedOn}|${row.byName}|${row.method}`, row };
  },
  async checkReferences(rows, { client }) {
    const listed = await keyPersonsListed(client, [...new Set(rows.map((r) => r.values.keyPersonId))]);
    const refused = new Map<(typeof rows)[number], FieldProblem[]>();
    for (const row of rows) {
      const since = listed.get(row.values.keyPersonId);
      if (since === undefined) refused.set(row, [{ field: contactFields.keyPersonId, problem: P.unknownKeyPerson }]);
      else if (row.values.contactedOn < since) refused.set(row, [{ field: contactFields.contactedOn, problem: P.contactBeforeListing }]);
    }
    return refused;
  },
});

const officerPosition: Field<number> = {
  name: 'position',
  headers: ['序号', '责任人序号', 'position'],
  required: true,
  parse: (raw) => (/^[1-9]\d?$/.test(raw) ? { value: Number(raw) } : { problem: P.position }),
};

const officerFields = {
  keyPersonId,
  position: officerPosition,
  name: textField('name', { headers: ['责任人', '责任人姓名', '姓名', 'name'], required: true, maxLength: 50, personal: 'name' }),
  unit: enumField('unit', { headers: ['责任人单位', '所属单位', 'unit'], required: true, values: UNIT_VALUES }),
  badge: textField('badge', { headers: ['警号', 'badge'], maxLength: 6 }),
  phone: phoneField('phone', { headers: ['联系电话', '电话', 'phone'] }),
};

/**
 * The responsible people of a key person besides the police officer (the key-person import keeps that one, position
 * 0): the justice office's, health's, the narcotics office's or the centre's worker, by record and position.
 */
export const officersImport = defineEntity({
  department: 'public-security',
  entity: 'key-person-officers',
  title: 'key-person responsible people 重点人员责任人',
  fields: Object.values(officerFields),
  table: keyPersonOfficers,
  conflictColumns: [keyPersonOfficers.keyPersonId, keyPersonOfficers.position],
  keyField: officerFields.keyPersonId,
  build(values) {
    const unit = values.require(officerFields.unit);
    const badge = values.get(officerFields.badge);
    if (badge !== null && (unit !== 'POLICE_STATION' || !/^\d{6}$/.test(badge))) return { problems: [{ field: officerFields.badge, problem: P.badge }] };
    const row = {
      keyPersonId: values.require(officerFields.keyPersonId),
      position: values.require(officerFields.position),
      name: values.require(officerFields.name),
      unit,
      badge: values.cell(officerFields.badge),
      phone: values.cell(officerFields.phone),
    };
    return { key: `${row.keyPersonId}|${row.position}`, row };
  },
  async checkReferences(rows, { client }) {
    const listed = await keyPersonsListed(client, [...new Set(rows.map((r) => r.values.keyPersonId))]);
    const refused = new Map<(typeof rows)[number], FieldProblem[]>();
    for (const row of rows) if (!listed.has(row.values.keyPersonId)) refused.set(row, [{ field: officerFields.keyPersonId, problem: P.unknownKeyPerson }]);
    return refused;
  },
});
