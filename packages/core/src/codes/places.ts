/**
 * Place codes. Division codes (GB/T 2260) have 6 digits. Statistical codes extend them to 12 digits: a street
 * (街道/镇/乡) is written with 000 as its last three, a community (社区/村) fills them. A grid code in this hub is a
 * community's 12 digits and a 3-digit sequence 001-999. None carry a check digit, so the checks are structural.
 */
export const DIVISION_CODE = /^[1-9]\d{5}$/;
export const STREET_CODE = /^[1-9]\d{8}000$/;
export const COMMUNITY_CODE = /^[1-9]\d{11}$/;
export const GRID_CODE = /^[1-9]\d{11}\d{3}$/;

export type TownshipKind = 'STREET' | 'TOWN' | 'TOWNSHIP' | 'ZONE';

/**
 * Township-level number (统计用区划代码 positions 7-9, 国家统计局《统计用区划代码编制规则》): 001-099 a street (街道),
 * 100-199 a town (镇), 200-399 a township (乡), 400-599 a body treated like a township (类似乡级单位: development
 * zones, industrial parks, farms — 开发区、工业园区、农场).
 */
export function townshipKind(streetCode: string): TownshipKind | null {
  const n = Number(streetCode.slice(6, 9));
  if (n >= 1 && n <= 99) return 'STREET';
  if (n >= 100 && n <= 199) return 'TOWN';
  if (n >= 200 && n <= 399) return 'TOWNSHIP';
  if (n >= 400 && n <= 599) return 'ZONE';
  return null;
}

/** Province-level codes of GB/T 2260 (31 provinces, Taiwan, Hong Kong and Macao). */
const PROVINCES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41', '42', '43', '44', '45',
  '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65', '71', '81', '82',
]);
export const isProvinceCode = (code: string) => PROVINCES.has(code);

/**
 * Prefecture-level cities without counties (不设区的地级市): their towns and streets hang directly under the city,
 * whose code ends 00 (东莞 441900, 中山 442000, 儋州 460400, 嘉峪关 620200).
 */
export const CITIES_WITHOUT_COUNTIES: ReadonlySet<string> = new Set(['441900', '442000', '460400', '620200']);

/**
 * A county-level division code, or the code of a city without counties. The county digits 71-80 that development
 * zones carry in statistical codes (e.g. 320371 徐州经济技术开发区) pass like any other county.
 */
export function isDivisionCode(code: string): boolean {
  if (!DIVISION_CODE.test(code) || !isProvinceCode(code.slice(0, 2))) return false;
  if (CITIES_WITHOUT_COUNTIES.has(code)) return true;
  return code.slice(2, 4) !== '00' && code.slice(4, 6) !== '00';
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

/**
 * A fixed-line number with its area code (固定电话, written 区号-号码): Beijing 010 and the 02x areas (Shanghai 021,
 * Tianjin 022, Chongqing 023, ... Xi'an 029) have 3-digit area codes and 8-digit numbers; the others 4-digit area codes
 * (Xuzhou 0516) and 7- or 8-digit numbers. Local numbers never begin with 0 or 1.
 */
const LANDLINE = /^(?:(0(?:10|2\d))([2-9]\d{7})|(0[3-9]\d{2})([2-9]\d{6,7}))$/;

/** A landline as written in the register, 0516-83801234; null when the digits are not one. */
export function normalizeLandline(digits: string): string | null {
  const match = LANDLINE.exec(digits);
  if (!match) return null;
  return match[1] ? `${match[1]}-${match[2]}` : `${match[3]}-${match[4]}`;
}

/**
 * A phone as the register keeps it: an 11-digit mobile (+86, spaces and hyphens dropped) or a landline with its area
 * code (0516-83801234; brackets, spaces and hyphens between the parts dropped); null when it is neither.
 */
export function normalizePhone(raw: string): string | null {
  const digits = raw.replace(/[\s\-()（）]/g, '').replace(/^(?:\+?86)(?=1\d{10}$)/, '').replace(/^(?:\+86|0086)(?=[1-9]\d{8,10}$)/, '0');
  if (isMobilePhone(digits)) return digits;
  return normalizeLandline(digits);
}

export const isPhone = (phone: string) => normalizePhone(phone) === phone;
