import { address, buildingCodeField, decimalField, defineEntity, enumField, GRID_HEADERS, gridCodeField, houseCodeField, integerField, problem, PROBLEMS, type FieldProblem } from '@hub/import';
import { housingDatabase } from './db/index.ts';

const { buildings, houses } = housingDatabase.schema;

/** A building or house code names its community in its first 12 digits; its grid must lie in that community. */
const gridInCommunity = (code: string, gridCode: string) => gridCode.slice(0, 12) === code.slice(0, 12);

const houseFields = {
  code: houseCodeField('code', { headers: ['房屋编码', '房屋代码', '房屋编号', 'house code', 'code'], required: true }),
  gridCode: gridCodeField('gridCode', { headers: GRID_HEADERS, required: true }),
  areaM2: decimalField('areaM2', {
    headers: ['建筑面积', '面积', '建筑面积平方米', '面积平方米', 'area', 'area m2', 'area (m2)'],
    required: true,
    min: 1,
    max: 100_000,
    scale: 2,
  }),
  rooms: integerField('rooms', { headers: ['房间数', '居室数', '间数', 'rooms'], required: true, min: 0, max: 100 }),
  use: enumField('use', {
    headers: ['房屋用途', '用途', 'use', 'house use'],
    values: { RESIDENTIAL: ['住宅', '居住'], COMMERCIAL: ['商业', '商铺', '商服'], OFFICE: ['办公'], OTHER: ['其他'] },
  }),
  address: address(true, ['房屋地址', '坐落', '房屋坐落']),
  usableAreaM2: decimalField('usableAreaM2', {
    headers: ['使用面积', '套内使用面积', '使用面积平方米', 'usable area', 'usable area m2'],
    min: 1,
    max: 100_000,
    scale: 2,
  }),
  propertyNature: enumField('propertyNature', {
    headers: ['房屋性质', '产权性质', '房屋产权性质', 'property nature'],
    values: {
      COMMODITY: ['商品房'],
      PUBLIC_RENTAL: ['公租房', '公共租赁住房', '廉租房'],
      REFORM: ['房改房', '已购公房'],
      RESETTLEMENT: ['安置房', '拆迁安置房'],
      AFFORDABLE: ['经济适用房', '经适房'],
      SELF_BUILT: ['自建房', '宅基地房', '私房'],
      COLLECTIVE: ['集体', '集体产权', '集体产权房'],
      OTHER: ['其他'],
    },
  }),
};

const usableOverFloor = problem('USABLE_AREA', '使用面积不能大于建筑面积', 'usable area cannot exceed the floor area');

/** Houses (房屋): a house's building must already be on the housing register, and the house lies in its grid. */
export const housesImport = defineEntity({
  department: 'housing',
  entity: 'houses',
  title: 'houses 房屋',
  fields: Object.values(houseFields),
  table: houses,
  conflictColumns: [houses.code],
  keyField: houseFields.code,
  build(values) {
    const code = values.require(houseFields.code);
    const gridCode = values.require(houseFields.gridCode);
    if (!gridInCommunity(code, gridCode)) return { problems: [{ field: houseFields.gridCode, problem: PROBLEMS.gridNotOfCommunity }] };
    const use = values.cell(houseFields.use);
    const usable = values.get(houseFields.usableAreaM2);
    if (usable !== null && usable > values.require(houseFields.areaM2)) return { problems: [{ field: houseFields.usableAreaM2, problem: usableOverFloor }] };
    return {
      key: code,
      row: {
        code,
        buildingCode: code.slice(0, 17),
        gridCode,
        unit: Number(code.slice(18, 20)),
        room: code.slice(21, 25),
        areaM2: values.require(houseFields.areaM2),
        rooms: values.require(houseFields.rooms),
        use: use === null ? 'RESIDENTIAL' : use,
        address: values.require(houseFields.address),
        usableAreaM2: values.cell(houseFields.usableAreaM2),
        propertyNature: values.cell(houseFields.propertyNature),
      },
    };
  },
  async checkReferences(rows, { client }) {
    const codes = [...new Set(rows.map((r) => r.values.buildingCode))];
    const found = await client.query<{ code: string; grid_code: string }>('SELECT code, grid_code FROM buildings WHERE code = ANY($1)', [codes]);
    const gridOf = new Map(found.rows.map((b) => [b.code, b.grid_code]));
    const refused = new Map<(typeof rows)[number], FieldProblem[]>();
    for (const row of rows) {
      const grid = gridOf.get(row.values.buildingCode);
      if (grid === undefined) refused.set(row, [{ field: houseFields.code, problem: PROBLEMS.unknownBuilding }]);
      else if (grid !== row.values.gridCode) refused.set(row, [{ field: houseFields.gridCode, problem: PROBLEMS.gridMismatch }]);
    }
    return refused;
  },
});

const buildingFields = {
  code: buildingCodeField('code', { headers: ['楼栋编码', '楼栋代码', '楼栋编号', 'building code', 'code'], required: true }),
  gridCode: gridCodeField('gridCode', { headers: GRID_HEADERS, required: true }),
  address: address(true, ['楼栋地址', '坐落']),
  floors: integerField('floors', { headers: ['层数', '总层数', '地上层数', 'floors'], required: true, min: 1, max: 200 }),
  units: integerField('units', { headers: ['单元数', 'units'], required: true, min: 1, max: 99 }),
  use: enumField('use', {
    headers: ['楼栋用途', '用途', 'use', 'building use'],
    required: true,
    values: { RESIDENTIAL: ['住宅', '居住'], MIXED: ['商住', '混合', '商住混合'], COMMERCIAL: ['商业', '商服'] },
  }),
  builtYear: integerField('builtYear', {
    headers: ['建成年份', '建成年代', '竣工年份', 'built year', 'year built'],
    required: true,
    min: 1800,
    max: new Date().getUTCFullYear(),
  }),
  structure: enumField('structure', {
    headers: ['建筑结构', '结构', '房屋结构', 'structure'],
    values: {
      STEEL: ['钢结构'],
      REINFORCED_CONCRETE: ['钢筋混凝土', '钢筋混凝土结构', '钢混', '框架'],
      BRICK_CONCRETE: ['砖混', '砖混结构', '混合结构'],
      BRICK_WOOD: ['砖木', '砖木结构'],
      OTHER: ['其他', '其他结构'],
    },
  }),
};

/** Buildings (楼栋). Their grid is civil affairs': asked of it through the graph. */
export const buildingsImport = defineEntity({
  department: 'housing',
  entity: 'buildings',
  title: 'buildings 楼栋',
  fields: Object.values(buildingFields),
  table: buildings,
  conflictColumns: [buildings.code],
  keyField: buildingFields.code,
  build(values) {
    const code = values.require(buildingFields.code);
    const gridCode = values.require(buildingFields.gridCode);
    if (!gridInCommunity(code, gridCode)) return { problems: [{ field: buildingFields.gridCode, problem: PROBLEMS.gridNotOfCommunity }] };
    return {
      key: code,
      row: {
        code,
        gridCode,
        number: Number(code.slice(12)),
        address: values.require(buildingFields.address),
        floors: values.require(buildingFields.floors),
        units: values.require(buildingFields.units),
        use: values.require(buildingFields.use),
        builtYear: values.require(buildingFields.builtYear),
        structure: values.cell(buildingFields.structure),
      },
    };
  },
  async checkReferences(rows, { foreign }) {
    const grids = await foreign.existingGrids([...new Set(rows.map((r) => r.values.gridCode))]);
    const refused = new Map<(typeof rows)[number], FieldProblem[]>();
    for (const row of rows) {
      if (!grids.has(row.values.gridCode)) refused.set(row, [{ field: buildingFields.gridCode, problem: PROBLEMS.unknownGrid }]);
    }
    return refused;
  },
});

/** What housing imports from files (`npm run import -- housing <entity> <file>`), in the order the command lists them. */
export const importEntities = [buildingsImport, housesImport];
