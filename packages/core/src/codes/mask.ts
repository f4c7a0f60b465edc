import { redactNumbers } from './redact.ts';

/** Display masks in common use in China: the ID number keeps its first 6 and last 4, a phone its first 3 and last 4. */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length < 10) return '*'.repeat(idNumber.length);
  return idNumber.slice(0, 6) + '*'.repeat(idNumber.length - 10) + idNumber.slice(-4);
}

export function maskPhone(phone: string): string {
  if (phone.length < 7) return '*'.repeat(phone.length);
  return phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}

/**
 * A registry document number (不动产权证号 `苏(2019)徐州市不动产权第0012345号`, 租赁备案号 `泉房租备(2026)第001234号`)
 * masked as an ID number is: the issuing part kept (like an ID number's region), the serial starred but its last 2
 * digits: `苏(2019)徐州市不动产权第*****45号`. A number of another shape is masked as an ID number.
 */
export function maskDocumentNumber(value: string): string {
  const serial = /^(.*第)(\d+)(号.*)$/u.exec(value);
  if (!serial) return maskIdNumber(value);
  const [, issuer, digits, rest] = serial as unknown as [string, string, string, string];
  return issuer + '*'.repeat(Math.max(digits.length - 2, 1)) + digits.slice(Math.max(digits.length - 2, 1)) + rest;
}

/** A name keeps its surname: 张三 -> 张*, 欧阳娜娜 -> 欧***. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}

/** Masks ID numbers, phone numbers and bank cards wherever they appear in free text (log lines, error messages, reports). */
export function redactText(text: string): string {
  return redactNumbers(text);
}
