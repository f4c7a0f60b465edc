/**
 * Citizen ID numbers (公民身份号码, GB 11643-1999): 6-digit address code, birth date YYYYMMDD,
 * 3-digit sequence (odd = male, even = female) and an ISO 7064 MOD 11-2 check character.
 */
import { hubTodayUtc } from '../clock.ts';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

export type IdNumberProblem = 'format' | 'address' | 'birth-date' | 'check-digit';

export interface ParsedIdNumber {
  idNumber: string;
  addressCode: string;
  birthDate: string; // YYYY-MM-DD
  sequence: number;
  sex: 'MALE' | 'FEMALE';
}

export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** A real calendar date, not in the future, not before 1890. */
export function isRealDate(year: number, month: number, day: number, today = new Date()): boolean {
  if (year < 1890 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  return date.getTime() <= today.getTime();
}

/** Checks an 18-character ID number; returns the problem found, or the parsed number. */
export function parseIdNumber(input: string, today = new Date()): ParsedIdNumber | { problem: IdNumberProblem } {
  const idNumber = input.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(idNumber)) return { problem: 'format' };
  if (!/^[1-9]\d{5}$/.test(idNumber.slice(0, 6))) return { problem: 'address' };
  const year = Number(idNumber.slice(6, 10));
  const month = Number(idNumber.slice(10, 12));
  const day = Number(idNumber.slice(12, 14));
  if (!isRealDate(year, month, day, today)) return { problem: 'birth-date' };
  if (idNumberCheckChar(idNumber.slice(0, 17)) !== idNumber[17]) return { problem: 'check-digit' };
  const sequence = Number(idNumber.slice(14, 17));
  return {
    idNumber,
    addressCode: idNumber.slice(0, 6),
    birthDate: `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`,
    sequence,
    sex: sequence % 2 === 1 ? 'MALE' : 'FEMALE',
  };
}

export function isValidIdNumber(input: string): boolean {
  return !('problem' in parseIdNumber(input));
}

/** Builds a valid ID number from its parts (the demo generator's use). */
export function buildIdNumber(addressCode: string, birthDate: string, sequence: number): string {
  const first17 = `${addressCode}${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
}

/** Whole years between a YYYY-MM-DD birth date and today (the hub's, in China), or a date given at 00:00 UTC. */
export function ageOn(birthDate: string, today = hubTodayUtc()): number {
  // Read by position rather than split: a column page computes thousands of ages, and the arrays split made showed in its profile.
  const y = Number(birthDate.slice(0, 4));
  const m = Number(birthDate.slice(5, 7));
  const d = Number(birthDate.slice(8, 10));
  const month = today.getUTCMonth() + 1;
  let age = today.getUTCFullYear() - y;
  if (month < m || (month === m && today.getUTCDate() < d)) age--;
  return age;
}
