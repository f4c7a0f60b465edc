import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';
import { isRealDate } from './codes/id-number.ts';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDate(value: unknown): string {
  const match = typeof value === 'string' ? DATE.exec(value) : null;
  if (!match || !isRealDate(Number(match[1]), Number(match[2]), Number(match[3]), new Date(8.64e15))) {
    throw new GraphQLError('Date must be a real calendar date written YYYY-MM-DD', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return value as string;
}

/** Calendar dates travel as YYYY-MM-DD strings: no time zone can shift them. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, YYYY-MM-DD (日期).',
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : parseDate(value)),
  parseValue: parseDate,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Date must be a string YYYY-MM-DD', { extensions: { code: 'BAD_USER_INPUT' } });
    return parseDate(ast.value);
  },
});

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): string {
  if (typeof value !== 'string' || !DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError('DateTime must be an ISO 8601 date and time with an offset, e.g. 2026-11-26T09:30:00+08:00', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value;
}

/**
 * Instants travel as ISO 8601 strings with an offset. Values from the database (Date objects or PostgreSQL's own
 * text) are written in China Standard Time (+08:00), the time every department works in.
 */
export const DateTimeScalar = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: 'An instant, ISO 8601 with offset, e.g. 2026-11-26T09:30:00+08:00 (时间).',
  serialize: (value) => {
    const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value.replace(' ', 'T')) : null;
    if (!date || Number.isNaN(date.getTime())) throw new GraphQLError('DateTime value is not a time');
    return toChinaTime(date);
  },
  parseValue: parseDateTime,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string', { extensions: { code: 'BAD_USER_INPUT' } });
    return parseDateTime(ast.value);
  },
});

export function toChinaTime(date: Date): string {
  const shifted = new Date(date.getTime() + 8 * 3600_000);
  return `${shifted.toISOString().slice(0, 19)}+08:00`;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Two digits of 0 to 59. */
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));
/** Days since 1970-01-01 (China time) of 0001-01-01 and 9999-12-31: outside them `toISOString` writes another form. */
const FIRST_DAY = -719_162;
const LAST_DAY = 2_932_896;

/**
 * `toChinaTime` for many instants at once (a column page's): each distinct day's text made once by this writer and
 * the time of day from a table, where `toChinaTime` makes a shifted `Date` and its `toISOString` per instant (five
 * instants a case were ~9 % of mediation's busy samples in a `cases` export). The same text for every instant.
 */
export function chinaTimeWriter(): (date: Date) => string {
  const days = new Map<number, string>();
  return (date) => {
    const shifted = date.getTime() + 8 * HOUR_MS;
    const day = Math.floor(shifted / DAY_MS);
    if (!(day >= FIRST_DAY && day <= LAST_DAY)) return toChinaTime(date);
    let text = days.get(day);
    if (text === undefined) days.set(day, (text = new Date(day * DAY_MS).toISOString().slice(0, 11)));
    const second = Math.floor((shifted - day * DAY_MS) / 1000);
    return `${text}${TWO_DIGITS[Math.floor(second / 3600)]}:${TWO_DIGITS[Math.floor(second / 60) % 60]}:${TWO_DIGITS[second % 60]}+08:00`;
  };
}

/**
 * A column of a column page (`StringColumn`, `IntColumn`, `StringListColumn`): a list with an entry per resident,
 * passed as one scalar value so that neither graphql-js nor the gateway's result shaping visits its entries one by
 * one. The entries are still checked, in one tight loop, wherever the value is written or read.
 */
function columnScalar<TEntry>(name: string, description: string, entry: string, isEntry: (value: unknown) => value is TEntry) {
  const check = (value: unknown): TEntry[] => {
    if (!Array.isArray(value)) throw new GraphQLError(`${name} must be a list`, { extensions: { code: 'BAD_USER_INPUT' } });
    for (let i = 0; i < value.length; i++) {
      if (!isEntry(value[i])) throw new GraphQLError(`${name} entry ${i} is not ${entry}`, { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return value as TEntry[];
  };
  return new GraphQLScalarType<TEntry[], TEntry[]>({ name, description, serialize: check, parseValue: check, parseLiteral: (ast) => check(valueFromASTUntyped(ast)) });
}

const isInt32 = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= -0x80000000 && (value as number) <= 0x7fffffff;

export const StringColumnScalar = columnScalar('StringColumn', 'A column of strings or nulls, an entry per resident of a column page (列).', 'a string or null', (v): v is string | null => v === null || typeof v === 'string');
export const IntColumnScalar = columnScalar('IntColumn', 'A column of 32-bit integers or nulls, an entry per resident of a column page (列).', 'a 32-bit integer or null', (v): v is number | null => v === null || isInt32(v));
export const BooleanColumnScalar = columnScalar('BooleanColumn', 'A column of booleans or nulls, an entry per row of a column page (列).', 'a boolean or null', (v): v is boolean | null => v === null || typeof v === 'boolean');
export const FloatColumnScalar = columnScalar('FloatColumn', 'A column of finite numbers or nulls, an entry per row of a column page (列).', 'a finite number or null', (v): v is number | null => v === null || (typeof v === 'number' && Number.isFinite(v)));
export const StringListColumnScalar = columnScalar(
  'StringListColumn',
  'A column of lists of strings, an entry per resident of a column page (列).',
  'a list of strings',
  (v): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string'),
);
