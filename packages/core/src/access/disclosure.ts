import { maskDocumentNumber, maskIdNumber, maskName, maskPhone } from '../codes/mask.ts';
import { redactPersonalText } from '../codes/redact.ts';
import type { Caller, Purpose } from './model.ts';

/**
 * What a caller may see of a person's sensitive data in clear, decided once per request from the caller the gateway
 * vouched for. Every department's resolvers mask through this, so a subgraph asked directly (with a valid internal
 * token) answers exactly what it answers through the gateway: the scope says *may*, the declared purpose says *why
 * now*; a sensitive value is in clear only with both.
 *
 * | category | in clear when |
 * |---|---|
 * | identity: ID numbers, phones, certificate numbers embedding an ID number | `resident:identity` and a disclosing purpose |
 * | address: exact street addresses (registered address, house, building, incident) | `resident:address` and a disclosing purpose |
 * | health: disability certificates | `health:read` and a disclosing purpose |
 * | key person: category and plan (PIPL art. 28: they tell a severe mental disorder or drug use) | `keyperson:read` and `public-safety` |
 * | property-title and rental-filing numbers | `housing:read` and `housing-management` |
 * | names | always, except for `namesMasked` roles (surname + `*`) |
 * | numbers in free text (ID, phone, bank card) | never: masked for every caller |
 * | names in free text | as names; for `namesMasked` roles the names the department knows are masked, and text of a department that knows no names of the people in it is withheld |
 *
 * A disclosing purpose is any purpose the role allowed (the gateway checked it) except `statistics` and `audit`,
 * which by their definition identify no one.
 */
export interface Disclosure {
  /** ID numbers, phone numbers and numbers that embed an ID number, in clear. */
  identity: boolean;
  /** Exact addresses in clear (else kept down to the community, the rest `***`). */
  address: boolean;
  /** Disability and mental-health details in clear. */
  health: boolean;
  /**
   * Key-person plans in clear: health and conduct details that tell the category as plainly as the category does,
   * so they are disclosed as it is (`keyPersonCategory`).
   */
  keyPerson: boolean;
  /**
   * The kind of key person (重点人员类别), which tells a severe mental disorder or drug use (sensitive personal
   * information, PIPL art. 28): only for the police's own work on public safety, not for grid service, case handling
   * or statistics, whatever else the role may see.
   */
  keyPersonCategory: boolean;
  /** Property-title (不动产权证号) and rental-filing (租赁备案号) numbers: the housing department's own registers. */
  housingRegister: boolean;
  /** Names of people in clear, or surname + `*`. */
  names: 'clear' | 'masked';
  /**
   * Children under 14 (PIPL art. 28: all their data is sensitive): their names and birth dates only with a
   * disclosing purpose; without one the name is masked and the birth date withheld, whatever the role.
   */
  minors: boolean;
}

/** Below this age a person's data is a minor's (未满十四周岁). */
export const MINOR_AGE = 14;

const NON_DISCLOSING: ReadonlySet<Purpose> = new Set<Purpose>(['statistics', 'audit']);

/** The purposes that disclose a key person's category and plan (with `keyperson:read`). */
export const KEY_PERSON_PURPOSES: ReadonlySet<Purpose> = new Set<Purpose>(['public-safety']);

/** The purposes that disclose property-title and rental-filing numbers (with `housing:read`). */
export const HOUSING_REGISTER_PURPOSES: ReadonlySet<Purpose> = new Set<Purpose>(['housing-management']);

/** Whether the caller declared a purpose that may identify a person. */
export const hasDisclosingPurpose = (caller: Pick<Caller, 'purpose'>): boolean => caller.purpose !== null && !NON_DISCLOSING.has(caller.purpose);

export function disclosure(caller: Pick<Caller, 'scopes' | 'purpose' | 'namesMasked'>): Disclosure {
  const purpose = hasDisclosingPurpose(caller);
  const has = (scope: Caller['scopes'][number]) => caller.scopes.includes(scope);
  const keyPersonPurpose = caller.purpose !== null && KEY_PERSON_PURPOSES.has(caller.purpose);
  return {
    identity: purpose && has('resident:identity'),
    address: purpose && has('resident:address'),
    health: purpose && has('health:read'),
    keyPerson: keyPersonPurpose && has('keyperson:read'),
    keyPersonCategory: keyPersonPurpose && has('keyperson:read'),
    housingRegister: caller.purpose !== null && HOUSING_REGISTER_PURPOSES.has(caller.purpose) && has('housing:read'),
    minors: purpose,
    names: caller.namesMasked ? 'masked' : 'clear',
  };
}

/**
 * Which rows a caller may see: everything, or (grid workers, `ownGridsOnly`) the grids named in their token and every
 * grid of the communities named there (a grid code starts with its 12-digit community code).
 */
export type RowScope = { allGrids: true } | { allGrids: false; grids: ReadonlySet<string>; communities: ReadonlySet<string> };

const ALL_GRIDS: RowScope = Object.freeze({ allGrids: true });

/**
 * The scopes and masks of the callers a subgraph's verifier hands out frozen (every token of one known fixed part
 * gets the same frozen caller: `internal-token.ts`), made once per caller rather than once per request. A caller
 * that is not frozen (its claims could still change) gets new ones every time.
 */
const scopesOf = new WeakMap<object, RowScope>();
const masksOf = new WeakMap<object, Masks>();
const isFrozenCaller = (caller: object, arrays: readonly (readonly unknown[])[]): boolean => Object.isFrozen(caller) && arrays.every((array) => Object.isFrozen(array));

export function rowScope(caller: Pick<Caller, 'ownGridsOnly' | 'grids' | 'communities'>): RowScope {
  if (!caller.ownGridsOnly) return ALL_GRIDS;
  const kept = scopesOf.get(caller);
  if (kept) return kept;
  const scope: RowScope = Object.freeze({ allGrids: false, grids: new Set(caller.grids), communities: new Set(caller.communities) });
  if (isFrozenCaller(caller, [caller.grids, caller.communities])) scopesOf.set(caller, scope);
  return scope;
}

/** Whether a row of this grid is in the caller's scope. A row with no grid is outside a limited scope. */
export function inScope(scope: RowScope, gridCode: string | null | undefined): boolean {
  if (scope.allGrids) return true;
  if (!gridCode) return false;
  return scope.grids.has(gridCode) || scope.communities.has(gridCode.slice(0, 12));
}

/** A limited scope as SQL-ready lists: exact grid codes and community prefixes; null when all grids are in scope. */
export function scopeFilter(scope: RowScope): { grids: string[]; communityPrefixes: string[] } | null {
  if (scope.allGrids) return null;
  return { grids: [...scope.grids], communityPrefixes: [...scope.communities] };
}

const ADDRESS_UNITS = ['社区', '居委会', '村委会', '村', '街道', '镇', '乡', '区', '县', '市', '省'];

/**
 * An address kept down to its community (社区 or 村), else to the largest unit found, the rest `***`:
 * `云龙区彭城街道和平社区解放路12号3单元301室` -> `云龙区彭城街道和平社区***`.
 */
export function maskAddress(address: string): string {
  for (const unit of ADDRESS_UNITS) {
    const at = address.indexOf(unit);
    if (at >= 0) {
      return address.slice(0, at + unit.length) + '***';
    }
  }
  return '***';
}

/** The masking functions a resolver applies, bound to one caller's disclosure. */
export interface Masks {
  disclosure: Disclosure;
  idNumber(value: string): string;
  idNumber(value: string | null | undefined): string | null;
  phone(value: string): string;
  phone(value: string | null | undefined): string | null;
  name(value: string): string;
  name(value: string | null | undefined): string | null;
  address(value: string): string;
  address(value: string | null | undefined): string | null;
  /** A certificate number that is an ID number plus a suffix (disability certificates): the ID part masked. */
  certificate(value: string): string;
  certificate(value: string | null | undefined): string | null;
  /** Health and key-person free text (plans, diagnoses): withheld entirely when masked. */
  healthText(value: string): string;
  healthText(value: string | null | undefined): string | null;
  keyPersonText(value: string): string;
  keyPersonText(value: string | null | undefined): string | null;
  /** A property-title or rental-filing number: the serial starred unless the caller may see the register. */
  documentNumber(value: string): string;
  documentNumber(value: string | null | undefined): string | null;
  /**
   * Free text (summaries, records, terms, notes): ID, phone and bank-card numbers masked for every caller. For a
   * caller with names masked, `names` are the people the text is about as the department knows them, masked where
   * they appear; a department that knows no names of them passes `undefined`, and the text is withheld, since a
   * name cannot be told from other words.
   */
  text(value: string, names?: readonly string[]): string;
  text(value: string | null | undefined, names?: readonly string[]): string | null;
}

/** What masked free text reads as. */
export const WITHHELD = '***';

export function masksFor(caller: Pick<Caller, 'scopes' | 'purpose' | 'namesMasked'>): Masks {
  const kept = masksOf.get(caller);
  if (kept) return kept;
  const masks = Object.freeze(masksOfDisclosure(Object.freeze(disclosure(caller))));
  if (isFrozenCaller(caller, [caller.scopes])) masksOf.set(caller, masks);
  return masks;
}

function masksOfDisclosure(d: Disclosure): Masks {
  const apply = (clear: boolean, mask: (v: string) => string) => {
    // Overloaded so a non-null value stays typed non-null for the resolvers.
    function masked(value: string): string;
    function masked(value: string | null | undefined): string | null;
    function masked(value: string | null | undefined): string | null {
      return value == null ? null : clear ? value : mask(value);
    }
    return masked;
  };
  return {
    disclosure: d,
    idNumber: apply(d.identity, maskIdNumber),
    phone: apply(d.identity, maskPhone),
    name: apply(d.names === 'clear', maskName),
    address: apply(d.address, maskAddress),
    certificate: apply(d.identity && d.health, (v) => maskIdNumber(v.slice(0, 18)) + v.slice(18)),
    healthText: apply(d.health, () => WITHHELD),
    keyPersonText: apply(d.keyPerson, () => WITHHELD),
    documentNumber: apply(d.housingRegister, maskDocumentNumber),
    text: freeText(d),
  };
}

function freeText(d: Disclosure) {
  function text(value: string, names?: readonly string[]): string;
  function text(value: string | null | undefined, names?: readonly string[]): string | null;
  function text(value: string | null | undefined, names?: readonly string[]): string | null {
    if (value == null) return null;
    if (d.names === 'clear') return redactPersonalText(value);
    return names === undefined ? WITHHELD : redactPersonalText(value, names);
  }
  return text;
}
