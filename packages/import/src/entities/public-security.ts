import { residentKey } from '@hub/core';
import { publicSecurityDatabase } from '@hub/public-security/db';
import { dateField, enumField, gridCodeField, houseCodeField, phoneField, textField } from '../fields.ts';
import { defineEntity, type FieldProblem } from '../entity.ts';
import { PROBLEMS } from '../problems.ts';
import { idNumber, GRID_HEADERS } from './common.ts';

const { residents } = publicSecurityDatabase.schema;

const fields = {
  idNumber: idNumber(),
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
  houseCode: houseCodeField('houseCode', { headers: ['房屋编码', '居住房屋编码', '现住房屋编码', 'house code', 'house'] }),
  gridCode: gridCodeField('gridCode', { headers: GRID_HEADERS, required: true }),
  householdId: textField('householdId', { headers: ['户号', '户编号', 'household id', 'household'], maxLength: 40 }),
  relationToHead: enumField('relationToHead', {
    headers: ['与户主关系', '家庭关系', 'relation to head', 'relationship'],
    values: {
      SELF: ['本人', '户主'],
      SPOUSE: ['配偶', '妻', '夫', '妻子', '丈夫'],
      CHILD: ['子女', '子', '女', '儿子', '女儿'],
      PARENT: ['父母', '父亲', '母亲'],
      GRANDCHILD: ['孙子女', '孙子', '孙女', '外孙子女'],
      OTHER_RELATIVE: ['其他亲属', '亲属'],
      TENANT: ['租户', '租客', '承租人'],
    },
  }),
};

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
    const id = values.require(fields.idNumber);
    const problems: FieldProblem[] = [];
    const sex = values.get(fields.sex);
    // The ID number says the sex and birth date; a column that says otherwise is a data error, not a correction.
    if ((sex === 'MALE' || sex === 'FEMALE') && sex !== id.sex) problems.push({ field: fields.sex, problem: PROBLEMS.sexMismatch });
    const birthDate = values.get(fields.birthDate);
    if (birthDate !== null && birthDate !== id.birthDate) problems.push({ field: fields.birthDate, problem: PROBLEMS.birthDateMismatch });
    if (problems.length > 0) return { problems };
    const relation = values.cell(fields.relationToHead);
    return {
      key: id.idNumber,
      row: {
        id: residentKey(id.idNumber, secret),
        idNumber: id.idNumber,
        name: values.require(fields.name),
        sex: sex ?? id.sex,
        birthDate: id.birthDate,
        phone: values.cell(fields.phone),
        populationType: values.require(fields.populationType),
        registeredAddress: values.cell(fields.registeredAddress),
        houseCode: values.cell(fields.houseCode),
        gridCode: values.require(fields.gridCode),
        householdId: values.cell(fields.householdId),
        relationToHead: relation === null ? 'SELF' : relation,
      },
    };
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
