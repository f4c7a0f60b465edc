import { maskIdNumber, maskName, maskPhone } from './codes/mask.ts';

/** Written in place of a value that is dropped whole: the key stays, so a reader sees that something was there. */
export const REDACTED = '[redacted]';

/** Bounds on what one log line may cost to redact and to write. */
export const LOG_LIMITS = { depth: 8, stringLength: 2000, items: 100, keys: 100, nodes: 2000 };

type Rule = (value: string) => string;

/**
 * How a value is kept, judged from its key's letters alone (case, `_` and `-` ignored). Logs are read by operators,
 * not auditors: a key that might hold a secret or a person is masked wholesale, at the cost of some useful text.
 * `name` alone is a person's name; `operationName`, `subgraphName` and the like are not.
 */
const KEY_RULES: [RegExp, Rule][] = [
  [/idnumber|idcard|idno|certificate|passport|residencepermit|sfz|bankcard|cardno|accountno/, maskIdNumber],
  [/phone|mobile|^tel$|telephone|cellphone|^contact$/, maskPhone],
  [/^(full|real|user|sur|given|first|last|family|person|resident|party|applicant|respondent|contact|household|holder)?names?$|^xingming$/, maskName],
  [/password|passwd|^pwd$|secret|token|authorization|cookie|apikey|credential|privatekey|^params$|^parameters$/, () => REDACTED],
  [/address|email|birth|^(note|notes|remark|remarks|summary|comment|comments|content)$/, () => REDACTED],
  // A database error's `detail` quotes the row it failed on (`Failing row contains (…)`, `Key (…)=(…)`).
  [/^detail$/, () => REDACTED],
];
/** Addresses a service is reached at, not where a person lives. */
const NETWORK_ADDRESS = /^(remote|local|ip|server|client|listen|bind|socket)address$/;

function ruleFor(key: string): Rule | null {
  const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (NETWORK_ADDRESS.test(normalized)) return null;
  return KEY_RULES.find(([pattern]) => pattern.test(normalized))?.[1] ?? null;
}

/**
 * What free text may carry, found on digits made ASCII (full-width ０-９ and Ｘ count as digits) and bounded by
 * digits only, so a number glued to letters (`id11010519491231002Xok`) is found too. One pattern, alternatives in
 * priority order: a longer run is never read as a phone inside it.
 */
const IN_TEXT = new RegExp(
  [
    // SQL parameters quoted in a database error (`params: 110105…,张三`): row values, whatever they are.
    String.raw`(?<params>(?<=\bparams: )[^\n]+)`,
    // A bearer or basic credential, whatever its shape.
    String.raw`(?<credential>\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]+`,
    // A JWT (header.payload.signature, base64url; a cut one still has its header and payload).
    String.raw`(?<jwt>\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?)`,
    // An 18-character citizen ID number (check character X), or a bank card's 16 to 19 digits.
    String.raw`(?<long>(?<!\d)(?:\d{17}[Xx]|\d{16,19})(?![\dXx]))`,
    // A 15-digit ID number of the first generation: area, YYMMDD, sequence (a grid code shaped so is masked too).
    String.raw`(?<old>(?<!\d)[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?!\d))`,
    // A mobile number, with or without +86 / 0086 and spaces, dashes or dots between its 3-4-4 groups.
    String.raw`(?<phone>(?<![\d+])(?:(?:\+|00)86[\s.-]?)?1[3-9]\d(?:[\s.-]?\d{4}){2}(?!\d))`,
  ].join('|'),
  'g',
);

const FULL_WIDTH = /[\uFF10-\uFF19\uFF38\uFF58]/g;
const toAscii = (ch: string) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0);

/** Free text with ID numbers, bank cards, phone numbers, credentials and SQL parameters masked where they appear. */
export function redactLogText(text: string): string {
  // Full-width digits are written as ASCII ones, masked or not: one pattern then finds both.
  const ascii = text.replace(FULL_WIDTH, toAscii);
  return ascii.replace(IN_TEXT, (match: string, ...rest: unknown[]) => {
    const groups = rest.at(-1) as Record<string, string | undefined>;
    if (groups.credential !== undefined) return `${groups.credential}${REDACTED}`;
    if (groups.jwt !== undefined || groups.params !== undefined) return REDACTED;
    if (groups.phone !== undefined) {
      const prefix = /^(?:\+|00)86[\s.-]?/.exec(match)?.[0] ?? '';
      return prefix + maskPhone(match.slice(prefix.length).replace(/\D/g, ''));
    }
    return maskIdNumber(match);
  });
}

function cut(text: string): string {
  const limit = LOG_LIMITS.stringLength;
  if (text.length <= limit) return redactLogText(text);
  // Scanned with some text past the cut, so that a number straddling it is still recognised before it is cut.
  return `${redactLogText(text.slice(0, limit + 64)).slice(0, limit)}…(${text.length} characters)`;
}

interface Walk {
  /** Objects on the path from the root: a cycle ends where it comes back. */
  ancestors: WeakSet<object>;
  nodes: number;
}

/**
 * A log line's fields as they are written: plain JSON, every string scanned (`redactLogText`), values under personal
 * or secret keys masked at any depth, Errors with their message, code, own fields and cause; Maps as objects, Sets
 * as arrays. Depth, string length, items and keys are capped with a marker, cycles end in `[circular]`.
 */
export function redactLogFields(fields: Record<string, unknown>): Record<string, unknown> {
  const walk: Walk = { ancestors: new WeakSet(), nodes: 0 };
  return redactEntries(Object.entries(fields), walk, 0);
}

function redactEntries(entries: Iterable<[unknown, unknown]>, walk: Walk, depth: number): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  let count = 0;
  let skipped = 0;
  for (const [rawKey, value] of entries) {
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    if (count >= LOG_LIMITS.keys) {
      skipped++;
      continue;
    }
    count++;
    const key = cut(String(rawKey));
    result[key] = redactValue(value, ruleFor(key), walk, depth + 1);
  }
  if (skipped > 0) result['…'] = `(${skipped} more keys)`;
  return result;
}

function redactValue(value: unknown, rule: Rule | null, walk: Walk, depth: number): unknown {
  if (value === null || value === undefined) return null;
  if (++walk.nodes > LOG_LIMITS.nodes) return '[size limit]';
  switch (typeof value) {
    case 'string':
      return rule ? cut(rule(value)) : cut(value);
    case 'bigint':
      return cut(rule ? rule(String(value)) : String(value));
    case 'number': {
      if (rule) return cut(rule(String(value)));
      // A phone or card number given as a number is masked like its text (and written as text, then).
      if (Math.abs(value) < 1e10) return value;
      const text = String(value);
      const masked = redactLogText(text);
      return masked === text ? value : masked;
    }
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      return null;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  // An object under a personal or secret key (a name in parts, an address in fields) is dropped whole.
  if (rule) return REDACTED;
  if (depth > LOG_LIMITS.depth) return '[depth limit]';
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (walk.ancestors.has(value)) return '[circular]';
  walk.ancestors.add(value);
  try {
    return redactObject(value, walk, depth);
  } catch {
    // A getter that throws, a revoked proxy: the line is still written.
    return '[unreadable]';
  } finally {
    walk.ancestors.delete(value);
  }
}

function redactObject(value: object, walk: Walk, depth: number): unknown {
  if (Array.isArray(value) || value instanceof Set) {
    const items = [...(value as Iterable<unknown>)];
    const kept = items.slice(0, LOG_LIMITS.items).map((item) => redactValue(item, null, walk, depth + 1));
    if (items.length > LOG_LIMITS.items) kept.push(`…(${items.length} items)`);
    return kept;
  }
  if (value instanceof Map) return redactEntries(value.entries(), walk, depth);
  if (value instanceof Error) return redactEntries(errorEntries(value), walk, depth);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return redactValue(toJSON.call(value), null, walk, depth + 1);
  return redactEntries(Object.entries(value), walk, depth);
}

/** An Error's name and message (not enumerable), its own fields (a driver's `code`, `detail`), and its cause. */
function errorEntries(error: Error): [string, unknown][] {
  const entries: [string, unknown][] = [['message', error.message]];
  for (const [key, item] of Object.entries(error)) if (key !== 'cause' && key !== 'name' && key !== 'message' && key !== 'stack') entries.push([key, item]);
  if (error instanceof AggregateError) entries.push(['errors', error.errors]);
  if (error.cause !== undefined) entries.push(['cause', error.cause]);
  // The class name is code, not data: written as it is, past the key rules (`name` is a person's name elsewhere).
  return [['type', error.name], ...entries];
}
