import { isDivisionCode, isGridCode, parseIdNumber, residentKey } from '@hub/core';
import {
  dateField,
  defineEntity,
  enumField,
  GRID_HEADERS,
  gridCodeField,
  houseCodeField,
  idNumber,
  OVERSEAS_DOCUMENTS,
  personFields,
  personOf,
  phoneField,
  problem,
  PROBLEMS,
  textField,
  type Field,
  type FieldProblem,
  type FieldValues,
  type Person,
} from '@hub/import';
import { publicSecurityDatabase } from './db/index.ts';
import { contactsImport, householdsImport, officersImport, overseasImport, specialGroupsImport } from './import-people.ts';

const { floatingDetails, keyPersons, residents } = publicSecurityDatabase.schema;

const PEOPLE_PROBLEMS = {
  documentPopulation: problem('DOCUMENT_POPULATION_MISMATCH', '证件类型与人口类型不符：护照、港澳台通行证和永久居留身份证为境外人员，无证件为未落户人员', 'document and population type disagree: passports, permits and permanent residence cards are overseas people, no document is unsettled'),
  divisionCode: problem('DIVISION_CODE', '户籍地行政区划代码应为6位县级代码（GB/T 2260）', 'hukou division code must be a 6-digit county-level code (GB/T 2260)'),
  noHukou: problem('NO_HUKOU', '境外人员和未落户人员没有户籍，不填人户状态', 'overseas and unsettled people have no hukou, so no residence status'),
  livesElsewhere: problem('LIVES_ELSEWHERE', '户在人不在人员不在本地居住，不填居住房屋', 'a person registered here but living elsewhere has no house here'),
};

const person = personFields();

const fields = {
  ...person,
  name: textField('name', { headers: ['姓名', '名字', '人员姓名', 'name', 'full name'], required: true, maxLength: 50, personal: 'name' }),
  sex: enumField('sex', {
    headers: ['性别', 'sex', 'gender'],
    // GB/T 2261.1 codes beside the words.
    values: { MALE: ['男', '1', 'm', 'male'], FEMALE: ['女', '2', 'f', 'female'], UNKNOWN: ['未知', '0'], UNSTATED: ['未说明', '9'] },
  }),
  birthDate: dateField('birthDate', { headers: ['出生日期', '出生年月日', 'birth date', 'date of birth', 'dob'], notInFuture: true }),
  phone: phoneField('phone', { headers: ['联系电话', '手机号码', '手机号', '手机', '电话', 'phone', 'mobile', 'phone number'] }),
  populationType: enumField('populationType', {
    headers: ['人口类型', '人员类型', '人口类别', 'population type'],
    required: true,
    values: {
      REGISTERED: ['户籍', '户籍人口', '常住户籍'],
      FLOATING: ['流动', '流动人口'],
      OVERSEAS: ['境外', '境外人员', '境外人口'],
      UNSETTLED: ['未落户', '未落户人员'],
    },
  }),
  registeredAddress: textField('registeredAddress', {
    headers: ['户籍地址', '户籍地详址', '户籍所在地', 'registered address'],
    maxLength: 200,
    personal: 'address',
  }),
  residenceStatus: enumField('residenceStatus', {
    headers: ['人户状态', '人户分离状态', '人户一致标识', 'residence status'],
    values: {
      RESIDENT_AND_REGISTERED: ['人户一致'],
      RESIDENT_NOT_REGISTERED: ['人在户不在'],
      REGISTERED_NOT_RESIDENT: ['户在人不在'],
    },
  }),
  hukouDivisionCode: textField('hukouDivisionCode', { headers: ['户籍地行政区划代码', '户籍地区划代码', '户籍地区划', 'hukou division code'], maxLength: 6 }),
  hukouPoliceStation: textField('hukouPoliceStation', { headers: ['户籍派出所', '户籍地派出所', '户口登记机关', 'hukou police station'], maxLength: 100 }),
  hukouHouseholdId: textField('hukouHouseholdId', { headers: ['户籍户号', '户口簿户号', 'hukou household id'], maxLength: 40 }),
  tenure: enumField('tenure', {
    headers: ['居住方式', '住房性质', '居住类型', 'tenure'],
    values: { OWNED: ['自有住房', '自有', '自住'], RENTED: ['租住', '租赁', '出租'], LODGING: ['借住', '寄住'], DORMITORY: ['单位宿舍', '宿舍', '集体宿舍'], OTHER: ['其他'] },
  }),
  houseCode: houseCodeField('houseCode', { headers: ['房屋编码', '居住房屋编码', '现住房屋编码', 'house code', 'house'] }),
  gridCode: gridCodeField('gridCode', { headers: GRID_HEADERS, required: true }),
  householdId: textField('householdId', { headers: ['户号', '户编号', '居住户号', 'household id', 'household'], maxLength: 40 }),
  relationToHead: enumField('relationToHead', {
    headers: ['与户主关系', '家庭关系', 'relation to head', 'relationship'],
    values: {
      SELF: ['本人', '户主'],
      SPOUSE: ['配偶', '妻', '夫', '妻子', '丈夫'],
      CHILD: ['子女', '子', '女', '儿子', '女儿'],
      PARENT: ['父母', '父亲', '母亲'],
      GRANDCHILD: ['孙子女', '孙子', '孙女', '外孙子女'],
      OTHER_RELATIVE: ['其他亲属', '亲属'],
      GRANDPARENT: ['祖父母', '外祖父母', '祖父', '祖母', '外祖父', '外祖母'],
      SIBLING: ['兄弟姐妹', '兄', '弟', '姐', '妹'],
      // GB/T 4761 has no tenant: a tenant is a non-relative (99) who rents, and is written so.
      NON_RELATIVE: ['非亲属', '租户', '租客', '承租人', '其他', 'tenant'],
    },
  }),
};

/**
 * Who the row is: a citizen by ID number (from 公民身份号码, or 证件号码 when the document is an ID card), anyone else by
 * document type, nationality and number (`personOf`); the register also holds the document to the population type and
 * needs the sex and birth date an ID number would have given.
 */
function identityOf(values: FieldValues): Person | { problems: FieldProblem[] } {
  const identity = personOf(person, values);
  const type = values.get(fields.documentType) ?? 'ID_CARD';
  if (type === 'ID_CARD') return identity;
  const problems: FieldProblem[] = 'problems' in identity ? [...identity.problems] : [];
  const population = values.get(fields.populationType);
  if ((population !== null && (population === 'OVERSEAS') !== OVERSEAS_DOCUMENTS.has(type)) || (type === 'NONE' && population !== 'UNSETTLED')) {
    problems.push({ field: fields.documentType, problem: PEOPLE_PROBLEMS.documentPopulation });
  }
  for (const field of [fields.sex, fields.birthDate] as const) if (values.get(field) === null) problems.push({ field, problem: PROBLEMS.required });
  return problems.length > 0 ? { problems } : identity;
}

/** The actual-population register (实有人口). Keyed by the hub id of the ID number, as the demo seed keys it. */
export const residentsImport = defineEntity({
  department: 'public-security',
  entity: 'residents',
  title: 'actual-population register 实有人口',
  fields: Object.values(fields),
  table: residents,
  conflictColumns: [residents.id],
  touchColumn: residents.updatedAt,
  keyField: fields.idNumber,
  build(values, { secret }) {
    const identity = identityOf(values);
    if ('problems' in identity) return identity;
    const problems: FieldProblem[] = [];
    const sex = values.get(fields.sex);
    const birthDate = values.get(fields.birthDate);
    if ('citizen' in identity) {
      // The ID number says the sex and birth date; a column that says otherwise is a data error, not a correction.
      const id = identity.citizen;
      if ((sex === 'MALE' || sex === 'FEMALE') && sex !== id.sex) problems.push({ field: fields.sex, problem: PROBLEMS.sexMismatch });
      if (birthDate !== null && birthDate !== id.birthDate) problems.push({ field: fields.birthDate, problem: PROBLEMS.birthDateMismatch });
    }
    const population = values.require(fields.populationType);
    const status = values.get(fields.residenceStatus);
    if (status !== null && (population === 'OVERSEAS' || population === 'UNSETTLED')) problems.push({ field: fields.residenceStatus, problem: PEOPLE_PROBLEMS.noHukou });
    if (status === 'REGISTERED_NOT_RESIDENT' && values.get(fields.houseCode) !== null) problems.push({ field: fields.houseCode, problem: PEOPLE_PROBLEMS.livesElsewhere });
    const division = values.get(fields.hukouDivisionCode);
    if (division !== null && !isDivisionCode(division)) problems.push({ field: fields.hukouDivisionCode, problem: PEOPLE_PROBLEMS.divisionCode });
    if (problems.length > 0) return { problems };
    const key = identity.key;
    const documentColumns =
      'citizen' in identity
        ? { idNumber: identity.citizen.idNumber, documentType: 'ID_CARD' as const, documentNumber: null, nationality: 'CHN' }
        : { idNumber: null, documentType: identity.document.type as 'PASSPORT', documentNumber: identity.document.number, nationality: identity.document.nationality };
    const relation = values.cell(fields.relationToHead);
    return {
      key,
      row: {
        id: residentKey(key, secret),
        ...documentColumns,
        name: values.require(fields.name),
        sex: 'citizen' in identity ? (sex ?? identity.citizen.sex) : sex!,
        birthDate: 'citizen' in identity ? identity.citizen.birthDate : birthDate!,
        phone: values.cell(fields.phone),
        populationType: population,
        registeredAddress: values.cell(fields.registeredAddress),
        residenceStatus: values.cell(fields.residenceStatus),
        hukouDivisionCode: values.cell(fields.hukouDivisionCode),
        hukouPoliceStation: values.cell(fields.hukouPoliceStation),
        houseCode: values.cell(fields.houseCode),
        gridCode: values.require(fields.gridCode),
        householdId: values.cell(fields.householdId),
        relationToHead: relation === null ? 'SELF' : relation,
        hukouHouseholdId: values.cell(fields.hukouHouseholdId),
        tenure: values.cell(fields.tenure),
      },
    };
  },
  // A household number the register does not hold yet becomes a household record, as the seed and the migration make
  // them: headed by its SELF member (else its first by hub id), collective when unrelated people share it; a hukou
  // household with its police station. Records already there (from the households import) are left as they are.
  async afterWrite(written, { client }) {
    if (written.length === 0) return;
    const ids = written.map((r) => r.values.id);
    await client.query(
      `INSERT INTO households (id, kind, basis, head_resident_id, grid_code, house_code)
       SELECT DISTINCT ON (m.household_id) m.household_id,
         CASE WHEN bool_or(m.relation_to_head IN ('TENANT', 'NON_RELATIVE')) OVER (PARTITION BY m.household_id) THEN 'COLLECTIVE' ELSE 'FAMILY' END::household_kind,
         'RESIDENCE', CASE WHEN m.relation_to_head = 'SELF' THEN m.id END, m.grid_code, m.house_code
       FROM residents m
       WHERE m.household_id IN (SELECT household_id FROM residents WHERE id = ANY($1))
       ORDER BY m.household_id, (m.relation_to_head <> 'SELF'), m.id
       ON CONFLICT (id) DO NOTHING`,
      [ids],
    );
    await client.query(
      `INSERT INTO households (id, kind, basis, head_resident_id, grid_code, house_code, police_station)
       SELECT DISTINCT ON (m.hukou_household_id) m.hukou_household_id, 'FAMILY', 'HUKOU', m.id, m.grid_code, m.house_code, m.hukou_police_station
       FROM residents m
       WHERE m.hukou_household_id IN (SELECT hukou_household_id FROM residents WHERE id = ANY($1))
       ORDER BY m.hukou_household_id, (m.relation_to_head <> 'SELF'), m.id
       ON CONFLICT (id) DO NOTHING`,
      [ids],
    );
  },
  // Grids are civil affairs' and houses housing's: asked of them (through the graph), never of their databases.
  async checkReferences(rows, { foreign }) {
    const grids = await foreign.existingGrids([...new Set(rows.map((r) => r.values.gridCode))]);
    const houseCodes = [...new Set(rows.flatMap((r) => (r.values.houseCode ? [r.values.houseCode] : [])))];
    const houses = await foreign.existingHouses(houseCodes);
    const refused = new Map<(typeof rows)[number], FieldProblem[]>();
    for (const row of rows) {
      const problems: FieldProblem[] = [];
      if (!grids.has(row.values.gridCode)) problems.push({ field: fields.gridCode, problem: PROBLEMS.unknownGrid });
      if (row.values.houseCode && !houses.has(row.values.houseCode)) problems.push({ field: fields.houseCode, problem: PROBLEMS.unknownHouse });
      if (problems.length > 0) refused.set(row, problems);
    }
    return refused;
  },
});

export const residentFields = fields;

const REGISTER_PROBLEMS = {
  notOnRegister: problem('NOT_ON_REGISTER', '该人员不在实有人口登记中，请先导入实有人口', 'not on the population register: import the residents first'),
  notFloating: problem('NOT_FLOATING', '该人员在实有人口登记中不是流动人口', 'the register does not list this person as floating population'),
  permitExpiryWithoutNumber: problem('PERMIT_NUMBER_REQUIRED', '填写居住证有效期须同时填写居住证号码', 'a permit expiry date needs the permit number'),
  permitBeforeInflow: problem('PERMIT_BEFORE_INFLOW', '居住证有效期早于流入日期', 'the residence permit expires before the inflow date'),
  keyPersonId: problem('KEY_PERSON_ID', '重点人员编号格式应为 ZD+15位网格编码+3位序号', 'key-person id must be ZD + 15-digit grid code + 3-digit sequence'),
  badge: problem('BADGE', '警号应为6位数字', 'badge number must be 6 digits'),
  alreadyKeyPerson: problem('ALREADY_KEY_PERSON', '该人员已有另一编号的重点人员档案（一人一档）', 'this person already has a key-person record under another id (one record per person)'),
};

const floatingFields = {
  idNumber: idNumber(),
  inflowReason: enumField('inflowReason', {
    headers: ['流入原因', '来本地原因', '来本地事由', 'inflow reason', 'reason'],
    required: true,
    values: {
      WORK: ['务工', '务工经商', '打工'],
      BUSINESS: ['经商', '经商办企业'],
      STUDY: ['求学', '学习', '上学', '就学'],
      FAMILY: ['投亲靠友', '随迁', '投亲', '家属随迁'],
      MEDICAL: ['就医', '治病'],
      OTHER: ['其他'],
    },
  }),
  inflowDate: dateField('inflowDate', { headers: ['流入日期', '来本地日期', '流入时间', '来本地时间', 'inflow date'], required: true, notInFuture: true }),
  originAddress: textField('originAddress', {
    headers: ['来源地址', '户籍地详址', '原籍地址', '流出地', '流出地址', 'origin address', 'origin'],
    required: true,
    maxLength: 200,
    personal: 'address',
  }),
  residencePermitNumber: textField('residencePermitNumber', {
    headers: ['居住证号码', '居住证号', '居住证编号', 'residence permit number', 'permit number'],
    maxLength: 30,
    personal: 'id-number',
  }),
  residencePermitExpiresOn: dateField('residencePermitExpiresOn', {
    headers: ['居住证有效期至', '居住证有效期', '居住证到期日期', 'residence permit expires on', 'permit expires on'],
  }),
};

/**
 * Floating-population details (流动人口信息) of people already on the register as floating population, keyed by the
 * hub id of their ID number (one record per person, as the seed keeps them).
 */
export const floatingImport = defineEntity({
  department: 'public-security',
  entity: 'floating',
  title: 'floating-population details 流动人口',
  fields: Object.values(floatingFields),
  table: floatingDetails,
  conflictColumns: [floatingDetails.residentId],
  keyField: floatingFields.idNumber,
  build(values, { secret }) {
    const id = values.require(floatingFields.idNumber);
    const inflowDate = values.require(floatingFields.inflowDate);
    const permit = values.get(floatingFields.residencePermitNumber);
    const expires = values.get(floatingFields.residencePermitExpiresOn);
    if (expires !== null && permit === null) return { problems: [{ field: floatingFields.residencePermitNumber, problem: REGISTER_PROBLEMS.permitExpiryWithoutNumber }] };
    if (expires !== null && expires < inflowDate) return { problems: [{ field: floatingFields.residencePermitExpiresOn, problem: REGISTER_PROBLEMS.permitBeforeInflow }] };
    return {
      key: id.idNumber,
      row: {
        residentId: residentKey(id.idNumber, secret),
        inflowReason: values.require(floatingFields.inflowReason),
        inflowDate,
        originAddress: values.require(floatingFields.originAddress),
        residencePermitNumber: values.cell(floatingFields.residencePermitNumber),
        residencePermitExpiresOn: values.cell(floatingFields.residencePermitExpiresOn),
      },
    };
  },
  // The person is public security's own: on its register, and listed there as floating population.
  async checkReferences(rows, { client }) {
    const found = await client.query<{ id: string; population_type: string }>('SELECT id, population_type FROM residents WHERE id = ANY($1)', [
      rows.map((r) => r.values.residentId),
    ]);
    const typeOf = new Map(found.rows.map((r) => [r.id, r.population_type]));
    const refused = new Map<(typeof rows)[number], FieldProblem[]>();
    for (const row of rows) {
      const type = typeOf.get(row.values.residentId);
      if (type === undefined) refused.set(row, [{ field: floatingFields.idNumber, problem: REGISTER_PROBLEMS.notOnRegister }]);
      else if (type !== 'FLOATING') refused.set(row, [{ field: floatingFields.idNumber, problem: REGISTER_PROBLEMS.notFloating }]);
    }
    return refused;
  },
});

const KEY_PERSON_ID = /^ZD(\d{15})\d{3}$/;

const keyPersonId: Field<string> = {
  name: 'id',
  headers: ['重点人员编号', '列管编号', '重点人员档案编号', 'key person id', 'id'],
  required: true,
  parse(raw) {
    const id = raw.toUpperCase();
    const match = KEY_PERSON_ID.exec(id);
    return match && isGridCode(match[1]!) ? { value: id } : { problem: REGISTER_PROBLEMS.keyPersonId };
  },
};

const guardian: Field<string> = {
  name: 'guardianIdNumber',
  headers: ['监护人公民身份号码', '监护人身份证号', '监护人身份证号码', 'guardian id number', 'guardian'],
  required: false,
  personal: 'id-number',
  parse(raw) {
    const parsed = parseIdNumber(raw);
    if (!('problem' in parsed)) return { value: parsed.idNumber };
    const byKind = { format: PROBLEMS.idNumberFormat, address: PROBLEMS.idNumberAddress, 'birth-date': PROBLEMS.idNumberBirthDate, 'check-digit': PROBLEMS.idNumberCheckDigit } as const;
    return { problem: byKind[parsed.problem] };
  },
};

const keyPersonFields = {
  id: keyPersonId,
  idNumber: idNumber(),
  category: enumField('category', {
    headers: ['人员类别', '重点人员类别', '列管类别', 'category', 'key person category'],
    required: true,
    values: {
      COMMUNITY_CORRECTION: ['社区矫正', '社区矫正对象', '社区矫正人员'],
      RELEASED_PRISONER: ['刑满释放', '刑满释放人员', '安置帮教'],
      SEVERE_MENTAL_DISORDER: ['严重精神障碍', '严重精神障碍患者'],
      DRUG_USER: ['吸毒', '吸毒人员', '社区戒毒'],
      KEY_YOUTH: ['重点青少年'],
      AIDS_RISK: ['艾滋病危险人员', '艾滋病危险'],
    },
  }),
  riskLevel: enumField('riskLevel', {
    headers: ['风险等级', '管控等级', 'risk level', 'risk'],
    required: true,
    values: { LOW: ['低', '低风险'], MEDIUM: ['中', '中风险'], HIGH: ['高', '高风险'] },
  }),
  officerName: textField('officerName', { headers: ['责任民警', '责任民警姓名', '负责民警', 'officer', 'officer name'], required: true, maxLength: 50, personal: 'name' }),
  officerBadge: textField('officerBadge', { headers: ['警号', '责任民警警号', 'badge', 'officer badge'], required: true, maxLength: 6 }),
  plan: textField('plan', { headers: ['帮扶管控措施', '一人一策', '管控措施', 'plan'], required: true, maxLength: 2000, personal: 'text' }),
  since: dateField('since', { headers: ['列管日期', '列管时间', '纳入日期', 'since', 'listed since'], required: true, notInFuture: true }),
  guardianIdNumber: guardian,
};

/**
 * Key persons (重点人员, one person one plan), by their record id (ZD + grid code + 3 digits); the person must be on
 * public security's own register and has at most one record. The record's grid is the one its id names.
 */
export const keyPersonsImport = defineEntity({
  department: 'public-security',
  entity: 'key-persons',
  title: 'key persons 重点人员',
  fields: Object.values(keyPersonFields),
  table: keyPersons,
  conflictColumns: [keyPersons.id],
  keyField: keyPersonFields.id,
  uniqueFields: [keyPersonFields.idNumber],
  build(values, { secret }) {
    const id = values.require(keyPersonFields.id);
    const person = values.require(keyPersonFields.idNumber);
    const badge = values.require(keyPersonFields.officerBadge);
    if (!/^\d{6}$/.test(badge)) return { problems: [{ field: keyPersonFields.officerBadge, problem: REGISTER_PROBLEMS.badge }] };
    const guardianNumber = values.cell(keyPersonFields.guardianIdNumber);
    return {
      key: id,
      row: {
        id,
        residentId: residentKey(person.idNumber, secret),
        gridCode: id.slice(2, 17),
        category: values.require(keyPersonFields.category),
        riskLevel: values.require(keyPersonFields.riskLevel),
        officerName: values.require(keyPersonFields.officerName),
        officerBadge: badge,
        plan: values.require(keyPersonFields.plan),
        since: values.require(keyPersonFields.since),
        guardianId: guardianNumber === undefined ? undefined : guardianNumber === null ? null : residentKey(guardianNumber, secret),
      },
    };
  },
  async checkReferences(rows, { client, foreign }) {
    const people = [...new Set(rows.flatMap((r) => [r.values.residentId, ...(r.values.guardianId ? [r.values.guardianId] : [])]))];
    const onRegister = new Set((await client.query<{ id: string }>('SELECT id FROM residents WHERE id = ANY($1)', [people])).rows.map((r) => r.id));
    const records = await client.query<{ id: string; resident_id: string }>('SELECT id, resident_id FROM key_persons WHERE resident_id = ANY($1)', [
      rows.map((r) => r.values.residentId),
    ]);
    const recordOf = new Map(records.rows.map((r) => [r.resident_id, r.id]));
    const grids = await foreign.existingGrids([...new Set(rows.map((r) => r.values.gridCode))]);
    const refused = new Map<(typeof rows)[number], FieldProblem[]>();
    for (const row of rows) {
      const problems: FieldProblem[] = [];
      if (!onRegister.has(row.values.residentId)) problems.push({ field: keyPersonFields.idNumber, problem: REGISTER_PROBLEMS.notOnRegister });
      else if ((recordOf.get(row.values.residentId) ?? row.values.id) !== row.values.id) problems.push({ field: keyPersonFields.idNumber, problem: REGISTER_PROBLEMS.alreadyKeyPerson });
      if (row.values.guardianId && !onRegister.has(row.values.guardianId)) problems.push({ field: keyPersonFields.guardianIdNumber, problem: REGISTER_PROBLEMS.notOnRegister });
      if (!grids.has(row.values.gridCode)) problems.push({ field: keyPersonFields.id, problem: PROBLEMS.unknownGrid });
      if (problems.length > 0) refused.set(row, problems);
    }
    return refused;
  },
  // The record's own category is its first special group, and its police officer its first responsible person, as
  // the migration made them of older records: a category filter and the officer list find a record loaded from a file.
  async afterWrite(written, { client }) {
    if (written.length === 0) return;
    const ids = written.map((r) => r.values.id);
    await client.query(
      `INSERT INTO key_person_categories (key_person_id, category, owning_unit, since)
       SELECT k.id, k.category, CASE k.category
         WHEN 'COMMUNITY_CORRECTION' THEN 'JUSTICE_OFFICE' WHEN 'RELEASED_PRISONER' THEN 'JUSTICE_OFFICE'
         WHEN 'SEVERE_MENTAL_DISORDER' THEN 'HEALTH' WHEN 'AIDS_RISK' THEN 'HEALTH' WHEN 'DRUG_USER' THEN 'NARCOTICS_CONTROL'
         ELSE 'GOVERNANCE_CENTRE' END::owning_unit, k.since
       FROM key_persons k WHERE k.id = ANY($1)
       ON CONFLICT (key_person_id, category) DO NOTHING`,
      [ids],
    );
    await client.query(
      `INSERT INTO key_person_officers (key_person_id, position, name, unit, badge)
       SELECT id, 0, officer_name, 'POLICE_STATION', officer_badge FROM key_persons WHERE id = ANY($1)
       ON CONFLICT (key_person_id, position) DO UPDATE SET name = excluded.name, badge = excluded.badge`,
      [ids],
    );
  },
});

/** What public-security imports from files (`npm run import -- public-security <entity> <file>`), in the order the command lists them. */
export const importEntities = [residentsImport, floatingImport, overseasImport, householdsImport, keyPersonsImport, specialGroupsImport, officersImport, contactsImport];
