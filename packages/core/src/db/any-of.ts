import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/** True when every value is hexadecimal digits only: written into an array literal as they are, no quoting needed. */
function allHex(values: readonly string[]): boolean {
  for (const value of values) {
    if (value.length === 0) return false;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
    }
  }
  return true;
}

/**
 * `column = any($1)` with the values as one array parameter. drizzle's `inArray` makes a parameter of each value,
 * which costs more to build than the query costs to run once there are thousands (a column page's ids). Keys of hex
 * digits (hub ids, codes) go as the array's text, `{k1,k2,…}`, which PostgreSQL reads as it would the array: the
 * driver's quoting of each element showed in the departments' profiles.
 */
export function anyOf(column: AnyPgColumn, values: readonly string[]): SQL {
  return sql`${column} = any(${sql.param(textArray(values))})`;
}

/**
 * Lists already checked to hold hex keys only (a column page's hub ids, `markHexKeys`): their 5,000 ids were checked
 * once as they arrived, and checking them again here was a second walk over every character of the page's ids.
 */
const hexKeyLists = new WeakSet<readonly string[]>();

/** Marks a list whose every entry was checked to be non-empty hex digits, so `textArray` need not check it again. */
export function markHexKeys<T extends readonly string[]>(values: T): T {
  hexKeyLists.add(values);
  return values;
}

/** Values for one `text[]` parameter: hex keys as the array's own text (no quoting per element), others as a list. */
export function textArray(values: readonly string[]): string | string[] {
  return hexKeyLists.has(values) || allHex(values) ? `{${values.join(',')}}` : [...values];
}
