/**
 * Place codes. Division codes (GB/T 2260) have 6 digits. Statistical codes extend them to 12 digits: a street
 * (街道/镇/乡) is written with 000 as its last three, a community (社区/村) fills them. A grid code in this hub is a
 * community's 12 digits and a 3-digit sequence 001-999. None carry a check digit, so the checks are structural.
 */
export const DIVISION_CODE = /^[1-9]\d{5}$/;
export const STREET_CODE = /^[1-9]\d{8}000$/;
export const COMMUNITY_CODE = /^[1-9]\d{11}$/;
export const GRID_CODE = /^[1-9]\d{11}\d{3}$/;

export type TownshipKind = 'STREET' | 'TOWN' | 'TOWNSHIP';

/** Township-level number 001-099 is a street (街道), 100-199 a town (镇), 200-399 a township (乡). */
export function townshipKind(streetCode: string): TownshipKind | null {
  const n = Number(streetCode.slice(6, 9));
  if (n >= 1 && n <= 99) return 'STREET';
  if (n >= 100 && n <= 199) return 'TOWN';
  if (n >= 200 && n <= 399) return 'TOWNSHIP';
  return null;
}

export function isDivisionCode(code: string): boolean {
  return DIVISION_CODE.test(code) && code.slice(2, 4) !== '00' && code.slice(4, 6) !== '00';
}

export function isStreetCode(code: string): boolean {
  return STREET_CODE.test(code) && isDivisionCode(code.slice(0, 6)) && townshipKind(code) !== null;
}

export function isCommunityCode(code: string): boolean {
  return COMMUNITY_CODE.test(code) && isStreetCode(streetCodeOfCommunity(code)) && code.slice(9, 12) !== '000';
}

export function isGridCode(code: string): boolean {
  return GRID_CODE.test(code) && isCommunityCode(code.slice(0, 12)) && code.slice(12, 15) !== '000';
}

/** The community a grid belongs to is the first 12 digits of its code. */
export const communityCodeOfGrid = (gridCode: string) => gridCode.slice(0, 12);
export const streetCodeOfCommunity = (communityCode: string) => `${communityCode.slice(0, 9)}000`;

export const PHONE = /^1[3-9]\d{9}$/;
export const isMobilePhone = (phone: string) => PHONE.test(phone);
