import {
  isBuildingCode,
  isGridCode,
  isHouseCode,
  normalizePhone,
  isOrganizationId,
  isRealDate,
  parseIdNumber,
  type ParsedIdNumber,
} from '@hub/core';
import { PROBLEMS, type Problem } from './problems.ts';

export type Parsed<T> = { value: T } | { problem: Problem };

/**
 * How a value is masked wherever it is echoed (reject report, errors): personal data never leaves whole. `text` is
 * free text that may name people (a case summary): shown as little as an address.
 */
export type Personal = 'id-number' | 'phone' | 'name' | 'address' | 'text';

/**
 * One field of an entity as a file may carry it: the names its column may go by (matched ignoring case, spaces,
 * underscores and hyphens), whether a row needs it, and how its text becomes a value.
 */
export interface Field<T> {
  name: string;
  headers: readonly string[];
  required: boolean;
  personal?: Personal;
  parse(raw: string): Parsed<T>;
}

interface FieldOptions {
  headers: readonly string[];
  required?: boolean;
  personal?: Personal;
}

const ok = <T>(value: T): Parsed<T> => ({ value });
const bad = <T>(p: Problem): Parsed<T> => ({ problem: p });

function field<T>(name: string, options: FieldOptions, parse: (raw: string) => Parsed<T>): Field<T> {
  return { name, headers: options.headers, required: options.required ?? false, personal: options.personal, parse };
}

export function textField(name: string, options: FieldOptions & { maxLength: number }): Field<string> {
  return field(name, options, (raw) => ([...raw].length > options.maxLength ? bad(PROBLEMS.tooLong(options.maxLength)) : ok(raw)));
}

export function idNumberField(name: string, options: FieldOptions): Field<ParsedIdNumber> {
  return field(name, { ...options, personal: 'id-number' }, (raw) => {
    const parsed = parseIdNumber(raw);
    if (!('problem' in parsed)) return ok(parsed);
    switch (parsed.problem) {
      case 'format':
        return bad(PROBLEMS.idNumberFormat);
      case 'address':
        return bad(PROBLEMS.idNumberAddress);
      case 'birth-date':
        return bad(PROBLEMS.idNumberBirthDate);
      case 'check-digit':
        return bad(PROBLEMS.idNumberCheckDigit);
    }
  });
}

function codeField(name: string, options: FieldOptions, check: (code: string) => boolean, p: Problem, upper = false): Field<string> {
  return field(name, options, (raw) => {
    const code = upper ? raw.toUpperCase() : raw;
    return check(code) ? ok(code) : bad(p);
  });
}

export const gridCodeField = (name: string, o: FieldOptions) => codeField(name, o, isGridCode, PROBLEMS.gridCode);
export const houseCodeField = (name: string, o: FieldOptions) => codeField(name, o, isHouseCode, PROBLEMS.houseCode);
export const buildingCodeField = (name: string, o: FieldOptions) => codeField(name, o, isBuildingCode, PROBLEMS.buildingCode);
export const organizationIdField = (name: string, o: FieldOptions) =>
  codeField(name, o, isOrganizationId, PROBLEMS.organizationId, true);

export function phoneField(name: string, options: FieldOptions): Field<string> {
  return field(name, { ...options, personal: 'phone' }, (raw) => {
    // Legacy exports write mobiles as +86 138 0013 8000 or 138-0013-8000; many elderly people give a landline.
    const phone = normalizePhone(raw);
    return phone === null ? bad(PROBLEMS.phone) : ok(phone);
  });
}

/** Dates as legacy systems and Excel write them: 2024-03-05, 2024/3/5, 2024.3.5, 20240305, 2024年3月5日. */
export function parseDateText(raw: string): string | null {
  const match = /^(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))(?:[ T]00:00(?::00(?:\.0+)?)?Z?)?$/.exec(raw);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2] ?? match[4]);
  const day = Number(match[3] ?? match[5]);
  if (!isRealDate(year, month, day, new Date(8.64e15))) return null;
  return `${match[1]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function dateField(name: string, options: FieldOptions & { notInFuture?: boolean }): Field<string> {
  return field(name, options, (raw) => {
    const date = parseDateText(raw);
    if (date === null) return bad(PROBLEMS.date);
    if (options.notInFuture && date > new Date().toISOString().slice(0, 10)) return bad(PROBLEMS.futureDate);
    return ok(date);
  });
}

export function integerField(name: string, options: FieldOptions & { min: number; max: number }): Field<number> {
  return field(name, options, (raw) => {
    if (!/^[+-]?\d+(?:\.0+)?$/.test(raw)) return bad(PROBLEMS.integer);
    const n = Number(raw);
    return n < options.min || n > options.max ? bad(PROBLEMS.outOfRange(options.min, options.max)) : ok(n);
  });
}

export function decimalField(name: string, options: FieldOptions & { min: number; max: number; scale: number }): Field<number> {
  return field(name, options, (raw) => {
    const text = raw.replace(/^[¥￥]/, '').replaceAll(',', '');
    if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(text)) return bad(PROBLEMS.number);
    const n = Number(text);
    if (n < options.min || n > options.max) return bad(PROBLEMS.outOfRange(options.min, options.max));
    const factor = 10 ** options.scale;
    return ok(Math.round(n * factor) / factor);
  });
}

/**
 * An enumeration: each value accepts its own name and the words legacy systems use for it (Chinese terms, national
 * code digits such as GB/T 2261.1's 1/2 for sex), matched ignoring case.
 */
export function enumField<T extends string>(name: string, options: FieldOptions & { values: Record<T, readonly string[]> }): Field<T> {
  const lookup = new Map<string, T>();
  for (const [value, words] of Object.entries(options.values) as [T, readonly string[]][]) {
    lookup.set(value.toLowerCase(), value);
    for (const word of words) lookup.set(word.toLowerCase(), value);
  }
  const allowed = Object.entries(options.values).map(([value, words]) => `${value}/${(words as readonly string[])[0] ?? value}`);
  return field(name, options, (raw) => {
    const value = lookup.get(raw.toLowerCase());
    return value === undefined ? bad(PROBLEMS.enumValue(allowed)) : ok(value);
  });
}
