import { isRealDate } from './id-number.ts';
import { isCommunityCode, isGridCode } from './places.ts';

/**
 * The key formats of the entities departments share. Every subgraph that takes one of these keys as an argument
 * checks it with the same rule, so a key refused by one department is refused by all.
 */

/** Directory organization id: kind prefix, the 12-digit community code, a 3-digit sequence (PB320311001001003). */
export const ORGANIZATION_ID = /^(?:PC|PG|PB|SO|RC|VC|PM|OC|MC|GV|CO|EN|IB|SC|CL)(\d{12})\d{3}$/;
/** Building: the community's 12-digit code and a building number 00001-99999. */
export const BUILDING_CODE = /^\d{17}$/;
/** House: building code, 2-digit unit, 4-digit room (32031100100100012-02-0301). */
export const HOUSE_CODE = /^\d{17}-\d{2}-\d{4}$/;
/** Dispute case: TJ, the 15-digit grid code, a 4-digit sequence. */
export const CASE_ID = /^TJ(\d{15})\d{4}$/;
/** Police incident: JQ, the date YYYYMMDD, the 15-digit grid code, a 3-digit sequence. */
export const INCIDENT_ID = /^JQ(\d{4})(\d{2})(\d{2})(\d{15})\d{3}$/;

export function isOrganizationId(id: string): boolean {
  const match = ORGANIZATION_ID.exec(id);
  return match !== null && isCommunityCode(match[1]!);
}

export function isBuildingCode(code: string): boolean {
  return BUILDING_CODE.test(code) && isCommunityCode(code.slice(0, 12)) && code.slice(12) !== '00000';
}

export function isHouseCode(code: string): boolean {
  return HOUSE_CODE.test(code) && isBuildingCode(code.slice(0, 17));
}

export function isCaseId(id: string): boolean {
  const match = CASE_ID.exec(id);
  return match !== null && isGridCode(match[1]!);
}

export function isIncidentId(id: string): boolean {
  const match = INCIDENT_ID.exec(id);
  // A far-future "today": this checks the id's shape; whether the incident happened is public security's to say.
  return (
    match !== null &&
    isRealDate(Number(match[1]), Number(match[2]), Number(match[3]), new Date(8.64e15)) &&
    isGridCode(match[4]!)
  );
}
