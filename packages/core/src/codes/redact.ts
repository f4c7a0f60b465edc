import { maskIdNumber, maskName, maskPhone } from './mask.ts';

/**
 * Free text as the hub serves it (incident summaries, case records, agreement terms, notes): whatever a clerk typed,
 * an ID number, a phone or a bank card in it is masked for every caller, since no field of the graph that carries
 * such a number in clear is free text. Numbers are found on a copy whose full-width digits, letters X and separators
 * are made ASCII (one UTF-16 unit each, so positions match the original) and bounded by digits only, so a number
 * glued to letters or Chinese (`身份证号320311199001011234住`) is found too. Near-misses stay: dates, amounts, record
 * ids (`TJ3203110010010010001`, `JQ20261115320311001001001001`), grid and building codes, 不动产权证 sequence numbers.
 * Not looked for: 15-digit ID numbers of the first generation (invalid since 2013), which grid codes would be read as.
 */
const PATTERN = new RegExp(
  [
    // An 18-character citizen ID number (区划 6, birth date 8, sequence 3, check digit or X), optionally grouped 6-8-4.
    // Not after two capitals other than `ID`: the hub's record ids (TJ…, JQ…, ZD…, PB…) are letters then digits.
    String.raw`(?<id>(?<!\d|(?!ID)[A-Z]{2})[1-9]\d{5}[ -]?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[ -]?\d{3}[\dXx](?!\d))`,
    // A bank card: 16, 18 or 19 digits, whole or in groups of four, passing the Luhn check (checked below). Not 17:
    // building codes are 17 digits; nor after a record id's two capitals.
    String.raw`(?<card>(?<!\d|(?!ID)[A-Z]{2})(?:\d{16}|\d{18,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{2,3})?)(?![\d-]))`,
    // A mobile number, with or without +86 / 0086, its 3-4-4 groups separated or not.
    String.raw`(?<mobile>(?<![\d+])(?:(?:\+|00)86[ -]?)?1[3-9]\d(?:[ .-]?\d{4}){2}(?!\d))`,
    // A landline with its area code (010, 02x, 0xxx), in brackets or not, and an extension.
    String.raw`(?<landline>(?<!\d)(?:\(0[1-9]\d{1,2}\)[ -]?|0[1-9]\d{1,2}[ -]?)[2-9]\d{2,3}[ -]?\d{4}(?:(?:-|\u8F6C|ext\.?)\d{1,6})?(?!\d))`,
    // A local number without area code only where the text says it is one (电话 83881234): after 电话, 座机, 手机,
    // 联系方式 or 联系电话 and a colon (the landline's extension: 转).
    String.raw`(?<=(?:\u7535\u8BDD|\u5EA7\u673A|\u624B\u673A|\u8054\u7CFB\u65B9\u5F0F|\u8054\u7CFB\u7535\u8BDD|tel|Tel|TEL|phone|Phone)[:\uFF1A ]{0,2})(?<local>[2-9]\d{3}[ -]?\d{3,4})(?!\d)`,
    // (Characters beyond Latin-1 written as \u escapes, which the expression reads as the characters: a bundle
    // holding one such character as written is kept by V8 as a two-byte string, twice its size.)
  ].join('|'),
  'g',
);

/** Full-width digits, X/x, brackets, hyphen, plus and the ideographic space, each to its ASCII twin. */
const FULL_WIDTH = /[\uFF10-\uFF19\uFF38\uFF58\uFF08\uFF09\uFF0D\uFF0B\u3000]/g;
const toAscii = (ch: string) => (ch === '\u3000' ? ' ' : String.fromCharCode(ch.charCodeAt(0) - 0xfee0));

const digitsOf = (s: string) => s.replace(/[^\dXx]/g, '');

/** The Luhn check digit every payment card carries (ISO/IEC 7812). */
function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

function maskMatch(match: string, groups: Record<string, string | undefined>): string | null {
  if (groups.id !== undefined) return maskIdNumber(digitsOf(match).toUpperCase());
  if (groups.card !== undefined) {
    const digits = digitsOf(match);
    return luhn(digits) ? maskIdNumber(digits) : null;
  }
  if (groups.mobile !== undefined) {
    const prefix = /^(?:\+|00)86[ -]?/.exec(match)?.[0] ?? '';
    return prefix + maskPhone(digitsOf(match.slice(prefix.length)));
  }
  if (groups.landline !== undefined) {
    // The area code and an extension say only where; the subscriber number keeps its last 4.
    const [, area, subscriber, extension] = /^(\(?0\d{2,3}\)?[ -]?)([\d -]+?)((?:-|转|ext\.?)\d{1,6})?$/.exec(match)!;
    const local = digitsOf(subscriber!);
    return area! + '*'.repeat(local.length - 4) + local.slice(-4) + (extension ?? '');
  }
  const local = digitsOf(match);
  return '*'.repeat(Math.max(local.length - 4, 0)) + local.slice(-4);
}

/** ID numbers, bank cards and phone numbers (mobile and landline) masked wherever they stand in the text. */
export function redactNumbers(text: string): string {
  const ascii = text.replace(FULL_WIDTH, toAscii);
  let out = '';
  let from = 0;
  for (const m of ascii.matchAll(PATTERN)) {
    const masked = maskMatch(m[0], m.groups!);
    if (masked === null) continue;
    out += text.slice(from, m.index) + masked;
    from = m.index + m[0].length;
  }
  return out + text.slice(from);
}

/**
 * Free text for a caller: numbers masked always (`redactNumbers`), and the names given masked as names are
 * (`张三` → `张*`): the people the record is about, as the department knows them. Longest name first, so
 * `欧阳娜娜` is not read as `欧阳娜` plus a character; names shorter than two characters are not looked for.
 */
export function redactPersonalText(text: string, names: readonly string[] = []): string {
  let out = redactNumbers(text);
  const wanted = [...new Set(names.filter((n) => [...n].length >= 2))].sort((a, b) => b.length - a.length);
  for (const name of wanted) out = out.split(name).join(maskName(name));
  return out;
}
