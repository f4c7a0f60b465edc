/**
 * Why a row (or a file) was refused, in Chinese and in English: the reject report carries both, so the clerk who
 * fixes the source system and the engineer who reads the log see the same reason.
 */
export interface Problem {
  /** Stable code, for filtering a reject report. */
  code: string;
  zh: string;
  en: string;
}

export const problem = (code: string, zh: string, en: string): Problem => ({ code, zh, en });

export const PROBLEMS = {
  required: problem('REQUIRED', '必填项为空', 'required value is empty'),
  tooLong: (max: number) => problem('TOO_LONG', `超过${max}个字符`, `longer than ${max} characters`),
  idNumberFormat: problem('ID_NUMBER_FORMAT', '公民身份号码应为18位（末位可为X）', 'ID number must be 18 characters (last may be X)'),
  idNumberAddress: problem('ID_NUMBER_ADDRESS', '公民身份号码地址码无效', 'ID number has an invalid address code'),
  idNumberBirthDate: problem('ID_NUMBER_BIRTH_DATE', '公民身份号码中的出生日期无效', 'ID number holds an impossible birth date'),
  idNumberCheckDigit: problem('ID_NUMBER_CHECK_DIGIT', '公民身份号码校验码错误', 'ID number check character is wrong'),
  gridCode: problem('GRID_CODE', '网格编码应为15位（社区12位+序号3位）', 'grid code must be 15 digits (12-digit community + 3-digit sequence)'),
  houseCode: problem('HOUSE_CODE', '房屋编码格式应为 楼栋17位-单元2位-房号4位', 'house code must be <17-digit building>-<2-digit unit>-<4-digit room>'),
  buildingCode: problem('BUILDING_CODE', '楼栋编码应为17位（社区12位+楼栋号5位）', 'building code must be 17 digits (12-digit community + 5-digit number)'),
  organizationId: problem('ORGANIZATION_ID', '组织编号格式无效', 'not an organization id'),
  date: problem('DATE', '日期无效（应为 YYYY-MM-DD、YYYY/M/D 或 YYYYMMDD 的真实日期）', 'not a real date (YYYY-MM-DD, YYYY/M/D or YYYYMMDD)'),
  futureDate: problem('DATE_IN_FUTURE', '日期晚于今天', 'date is in the future'),
  phone: problem('PHONE', '联系电话应为11位手机号码或带区号的固定电话', 'phone must be an 11-digit mobile number or a landline with its area code'),
  integer: problem('INTEGER', '应为整数', 'must be a whole number'),
  number: problem('NUMBER', '应为数字', 'must be a number'),
  outOfRange: (min: number, max: number) => problem('OUT_OF_RANGE', `应在 ${min} 到 ${max} 之间`, `must be between ${min} and ${max}`),
  enumValue: (allowed: readonly string[]) =>
    problem('NOT_ALLOWED', `不是允许的取值：${allowed.join('、')}`, `not one of the allowed values: ${allowed.join(', ')}`),
  sexMismatch: problem('SEX_MISMATCH', '性别与公民身份号码不符', 'sex does not match the ID number'),
  birthDateMismatch: problem('BIRTH_DATE_MISMATCH', '出生日期与公民身份号码不符', 'birth date does not match the ID number'),
  duplicateKey: (firstRow: number) =>
    problem('DUPLICATE_KEY', `与第${firstRow}行的主键重复`, `duplicate key: same as row ${firstRow}`),
  unknownHouse: problem('UNKNOWN_HOUSE', '房屋编码不存在', 'no such house'),
  unknownBuilding: problem('UNKNOWN_BUILDING', '楼栋编码不存在', 'no such building'),
  unknownGrid: problem('UNKNOWN_GRID', '网格编码不存在', 'no such grid'),
  unknownOrganization: problem('UNKNOWN_ORGANIZATION', '党组织不存在', 'no such party organization'),
  gridNotOfCommunity: problem('GRID_NOT_IN_COMMUNITY', '网格不属于该编码所在社区', 'grid is not in the community the code names'),
  gridMismatch: problem('GRID_MISMATCH', '网格与所属楼栋的网格不符', "grid differs from the building's grid"),
  endBeforeStart: problem('END_BEFORE_START', '结束日期早于开始日期', 'end date is before the start date'),
  keyTaken: problem('KEY_TAKEN', '该编号已属于另一条记录', 'this number already belongs to another record'),
  certificate: problem('DISABILITY_CERTIFICATE', '残疾证号应为本人公民身份号码加类别、等级两位（类别1-7，等级1-4）', 'disability certificate must be the holder\'s ID number + category (1-7) + grade (1-4)'),
  certificateRequired: problem('DISABILITY_CERTIFICATE_REQUIRED', '残疾类补贴须填写残疾证号', 'disability allowances need the disability certificate number'),
  notJson: problem('NOT_JSON', '该行不是 JSON 对象', 'line is not a JSON object'),
  malformedRow: problem('MALFORMED_ROW', '该行列数与表头不符', 'row has more cells than the header'),
} as const;
