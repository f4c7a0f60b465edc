/**
 * Unified social credit codes (统一社会信用代码, GB 32100-2015): 18 characters from a 31-character alphabet.
 * Position 1 is the registration authority (登记管理部门代码), position 2 the kind of body that authority registers
 * (机构类别代码), positions 3-8 the division code of the registering office (登记管理机关行政区划码), 9-17 the body's
 * identification code (主体标识码, the old organization code) and 18 a check character over the first 17.
 */
import { isProvinceCode } from './places.ts';

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * Kinds each registration authority may register (GB 32100-2015 table 1, and the later assignments of A and N):
 * 1 机构编制 (1 机关, 2 事业单位, 3 群众团体, 9 其他); 2 外交; 3 司法行政 (1 律师执业机构 … 5 仲裁委员会); 4 文化;
 * 5 民政 (1 社会团体, 2 民办非企业单位/社会服务机构, 3 基金会, and since 民政部's 2018 assignment of codes to
 * 基层群众性自治组织 4 村民委员会, 5 居民委员会); 6 旅游; 7 宗教; 8 工会; 9 工商/市场监管 (1 企业, 2 个体工商户,
 * 3 农民专业合作社); A 中央军委改革和编制办公室; J 住房城乡建设 (1 业主大会); N 农业 (1-3 组、村、乡镇级集体经济组织);
 * Y 其他.
 */
const KINDS: Readonly<Record<string, string>> = {
  '1': '1239',
  '2': '19',
  '3': '123459',
  '4': '19',
  '5': '123459',
  '6': '129',
  '7': '129',
  '8': '19',
  '9': '123',
  A: '19',
  J: '1',
  N: '1239',
  Y: '1',
};

export type CreditCodeProblem = 'format' | 'authority' | 'division' | 'check-char';

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = ALPHABET.indexOf(first17[i]!);
    if (value < 0) throw new RangeError(`not a credit-code character: ${first17[i]}`);
    sum += value * WEIGHTS[i]!;
  }
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

/**
 * The registering office's division code (positions 3-8): a national office writes 100000, a province's xx0000, a
 * city's xxxx00, a county's its own code; the first two digits name a real province in every case.
 */
function isRegistrationDivision(code: string): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  return code === '100000' || isProvinceCode(code.slice(0, 2));
}

/** What is wrong with a credit code, or null when it holds. */
export function creditCodeProblem(input: string): CreditCodeProblem | null {
  const code = input.trim().toUpperCase();
  if (!/^[0-9ABCDEFGHJKLMNPQRTUWXY]{18}$/.test(code)) return 'format';
  if (!KINDS[code[0]!]?.includes(code[1]!)) return 'authority';
  if (!isRegistrationDivision(code.slice(2, 8))) return 'division';
  return creditCodeCheckChar(code.slice(0, 17)) === code[17] ? null : 'check-char';
}

export function isValidCreditCode(input: string): boolean {
  return creditCodeProblem(input) === null;
}

export function buildCreditCode(first17: string): string {
  return first17 + creditCodeCheckChar(first17);
}
