import { documentKey, type ParsedIdNumber } from '@hub/core';
import type { FieldProblem, FieldValues } from './entity.ts';
import { enumField, idNumberField, textField, type Field } from './fields.ts';
import { problem } from './problems.ts';

/** Documents of people from outside the mainland (境外人员): foreigners and compatriots of Hong Kong, Macao and Taiwan. */
export const OVERSEAS_DOCUMENTS: ReadonlySet<string> = new Set(['PASSPORT', 'HK_MACAO_PERMIT', 'TAIWAN_PERMIT', 'FOREIGN_PERMANENT_RESIDENCE']);

export const PERSON_PROBLEMS = {
  idNumberRequired: problem('ID_NUMBER_REQUIRED', '证件类型为居民身份证时须填写公民身份号码', 'an ID card holder needs the citizen ID number'),
  idNumberWithDocument: problem('ID_NUMBER_WITH_DOCUMENT', '持公民身份号码的人员应以居民身份证登记', 'a person with a citizen ID number is registered under it, not another document'),
  documentNumberRequired: problem('DOCUMENT_NUMBER_REQUIRED', '非居民身份证人员须填写证件号码（未落户人员填派出所登记编号）', "people without an ID card need their document number (unsettled people: the police station's registration number)"),
  nationality: problem('NATIONALITY', '国籍应为3位字母代码（GB/T 2659，如 CHN、KOR、USA）', 'nationality must be a 3-letter code (GB/T 2659: CHN, KOR, USA)'),
  unsettledNotChinese: problem('UNSETTLED_NATIONALITY', '未落户人员为中国公民，国籍应为 CHN', 'unsettled people are Chinese citizens: nationality CHN'),
};

/**
 * The columns naming a person: the citizen ID number, or for people without one a document (type, number,
 * nationality) as public security registers them. 证件号码 is the document column, which also takes an ID card's
 * number, as legacy exports write it.
 */
export function personFields() {
  return {
    idNumber: idNumberField('idNumber', { headers: ['公民身份号码', '身份证号', '身份证号码', '身份证', 'id number', 'id no', 'citizen id', 'identity number'] }),
    documentType: enumField('documentType', {
      headers: ['证件类型', '证件种类', 'document type'],
      values: {
        ID_CARD: ['居民身份证', '身份证'],
        PASSPORT: ['护照', '外国护照', 'passport'],
        HK_MACAO_PERMIT: ['港澳居民来往内地通行证', '港澳通行证', '回乡证'],
        TAIWAN_PERMIT: ['台湾居民来往大陆通行证', '台胞证'],
        FOREIGN_PERMANENT_RESIDENCE: ['外国人永久居留身份证', '外国人永久居留证', '永久居留身份证'],
        NONE: ['无', '无证件', '未落户'],
      },
    }),
    documentNumber: textField('documentNumber', { headers: ['证件号码', '证件号', '护照号码', 'document number', 'passport number'], maxLength: 40, personal: 'id-number' }),
    nationality: textField('nationality', { headers: ['国籍', '国籍（地区）', 'nationality', 'country'], maxLength: 3 }),
  };
}

export type PersonFields = ReturnType<typeof personFields>;

/**
 * Who a row names: a citizen by ID number; anyone else by document, with `key` what the hub id derives from
 * (`documentKey`) and `overseas` whether the document is a foreigner's or a compatriot's from outside the mainland.
 * Unsettled people (未落户, document type 无) are Chinese citizens without an ID number yet.
 */
export type Person =
  | { key: string; citizen: ParsedIdNumber; overseas: false }
  | { key: string; document: { type: string; number: string; nationality: string }; overseas: boolean };

export function personOf(fields: PersonFields, values: FieldValues): Person | { problems: FieldProblem[] } {
  const type = values.get(fields.documentType) ?? 'ID_CARD';
  const id = values.get(fields.idNumber);
  const number = values.get(fields.documentNumber);
  if (type === 'ID_CARD') {
    if (id) return { key: id.idNumber, citizen: id, overseas: false };
    if (number === null) return { problems: [{ field: fields.idNumber, problem: PERSON_PROBLEMS.idNumberRequired }] };
    const parsed = fields.idNumber.parse(number);
    return 'problem' in parsed ? { problems: [{ field: fields.documentNumber, problem: parsed.problem }] } : { key: parsed.value.idNumber, citizen: parsed.value, overseas: false };
  }
  const problems: FieldProblem[] = [];
  if (id) problems.push({ field: fields.idNumber, problem: PERSON_PROBLEMS.idNumberWithDocument });
  if (number === null) problems.push({ field: fields.documentNumber, problem: PERSON_PROBLEMS.documentNumberRequired });
  // Compatriots of Hong Kong, Macao and Taiwan and unsettled people are Chinese; a passport names its country.
  const nationality = (values.get(fields.nationality) ?? (type === 'PASSPORT' || type === 'FOREIGN_PERMANENT_RESIDENCE' ? '' : 'CHN')).toUpperCase();
  if (!/^[A-Z]{3}$/.test(nationality)) problems.push({ field: fields.nationality, problem: PERSON_PROBLEMS.nationality });
  else if (type === 'NONE' && nationality !== 'CHN') problems.push({ field: fields.nationality, problem: PERSON_PROBLEMS.unsettledNotChinese });
  if (problems.length > 0) return { problems };
  const document = { type, number: number!.trim().toUpperCase(), nationality };
  return { key: documentKey(document.type, document.nationality, document.number), document, overseas: OVERSEAS_DOCUMENTS.has(type) };
}

/** The field a person's problems are reported against when the person as a whole is refused. */
export const personField = (fields: PersonFields, person: Person): Field<unknown> => ('citizen' in person ? fields.idNumber : fields.documentType);
