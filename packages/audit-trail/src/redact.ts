import { maskIdNumber, maskName, maskPhone, redactText } from '@hub/core';
import type { JsonValue } from './db/schema.ts';

/** Written in place of a value that is dropped: the key stays, so an auditor sees that it was given. */
export const REDACTED = '[redacted]';

const MAX_DEPTH = 16;
const MAX_STRING = 1000;
const MAX_ITEMS = 1000;

/**
 * How the value under a key is kept, judged from the key's letters alone (case, `_` and `-` ignored). Keys are
 * GraphQL argument and input-field names, so a department naming a new personal argument after these words is
 * covered without a change here.
 */
type Rule = (value: string) => string;
const KEY_RULES: [RegExp, Rule][] = [
  [/idnumber|idcard|idno|identity|certificate|passport|sfz/, maskIdNumber],
  [/phone|mobile|tel|contact/, maskPhone],
  [/name/, maskName],
  [/address|email|password|token|secret|birth|note|remark|summary|description|content|comment/, () => REDACTED],
];

/**
 * Correlation ids join a record to the log lines of the same request, which carry them verbatim, so random ids of
 * the shapes the hub makes are kept as they are: trace and span ids (the W3C trace context's 32 and 16 hex digits)
 * and a caller token's id (22 characters of base64url). Masked, a random id whose digits happen to read as a phone
 * would join nothing. A request id is not among them: one that reads as a number is replaced at the door
 * (`requestIdOf`), so redaction leaves the ones that reach here unchanged anyway.
 */
const CORRELATION_KEYS = new Set(['requestid', 'traceid', 'spanid', 'parentspanid', 'jti']);
const CORRELATION_ID = /^(?:[0-9a-f]{16}|[0-9a-f]{32}|[A-Za-z0-9_-]{22})$/;
const keepId: Rule = (value) => (CORRELATION_ID.test(value) ? value : redactText(value));

function judge(key: string): Rule | null {
  const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (CORRELATION_KEYS.has(normalized)) return keepId;
  return KEY_RULES.find(([pattern]) => pattern.test(normalized))?.[1] ?? null;
}

/**
 * The rule of each key as judged once: a district's clients send the same few argument names with every request
 * (`id`, `code`, `first`), and judging one costs a lower-casing, a replace and up to five tests. Bounded, since keys
 * come from callers: past the bound a key is judged anew each time.
 */
const RULES = new Map<string, Rule | null>();
const MAX_RULES = 1_000;
function ruleFor(key: string): Rule | null {
  let rule = RULES.get(key);
  if (rule === undefined) {
    rule = judge(key);
    if (RULES.size < MAX_RULES) RULES.set(key, rule);
  }
  return rule;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text the database stores exactly as given: no NUL (PostgreSQL refuses it), no lone surrogate (UTF-8 cannot hold it). */
export function storableText(text: string, maxLength = MAX_STRING): string {
  const cut = text.length > maxLength ? `${text.slice(0, maxLength)}…(${text.length} characters)` : text;
  return cut.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * An operation's variables as the audit trail keeps them: values under personal keys masked the way the hub shows
 * them (ID number `110105********0123`, phone `138****8000`, name `张*`) or replaced by `[redacted]` (addresses,
 * free text, secrets); ID numbers and phone numbers anywhere else masked by `redactText`; long strings cut; the
 * result plain JSON that JSONB stores and returns unchanged, so the record's hash still holds when read back.
 */
export function redactVariables(variables: unknown): JsonValue {
  return redact(variables, null, 0);
}

function redact(value: unknown, rule: Rule | null, depth: number): JsonValue {
  if (value === null || value === undefined) return null;
  if (depth > MAX_DEPTH) return REDACTED;
  if (typeof value === 'string') return storableText(rule ? rule(value) : redactText(value));
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    return rule ? storableText(rule(String(value))) : value;
  }
  if (typeof value === 'bigint') return storableText(rule ? rule(String(value)) : redactText(String(value)));
  if (typeof value === 'boolean') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => redact(item, rule, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`…(${value.length} items)`);
    return items;
  }
  if (typeof value === 'object') {
    // An object under a personal key (a name in parts, an address in fields) is dropped whole.
    if (rule) return REDACTED;
    const result: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      result[storableText(key, 200)] = redact(item, ruleFor(key), depth + 1);
    }
    return result;
  }
  return null;
}
