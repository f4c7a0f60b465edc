import { maskIdNumber, maskName, maskPhone } from '../codes/mask.ts';
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
 * | health / key person: disability certificates, key-person plans | `health:read` (welfare data) or `keyperson:read` (plans) and a disclosing purpose |
 * | names | always, except for `namesMasked` roles (surname + `*`) |
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
  /** Key-person plans in clear. */
  keyPerson: boolean;
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

/** Whether the caller declared a purpose that may identify a person. */
export const hasDisclosingPurpose = (caller: Pick<Caller, 'purpose'>): boolean => caller.purpose !== null && !NON_DISCLOSING.has(caller.purpose);

export function disclosure(caller: Pick<Caller, 'scopes' | 'purpose' | 'namesMasked'>): Disclosure {
  const purpose = hasDisclosingPurpose(caller);
  const has = (scope: Caller['scopes'][number]) => caller.scopes.includes(scope);
  return {
    identity: purpose && has('resident:identity'),
    address: purpose && has('resident:address'),
    health: purpose && has('health:read'),
    keyPerson: purpose && has('keyperson:read'),
    minors: purpose,
    names: caller.namesMasked ? 'masked' : 'clear',
  };
}

/**
 * Which rows a caller may see: everything, or (grid workers, `ownGridsOnly`) the grids named in their token and every
 * grid of the communities named there (a grid code starts with its 12-digit community code).
 */
export type RowScope = { allGrids: true } | { allGrids: false; grids: ReadonlySet<string>; communities: ReadonlySet<string> };

export function rowScope(caller: Pick<Caller, 'ownGridsOnly' | 'grids' | 'communities'>): RowScope {
  if (!caller.ownGridsOnly) return { allGrids: true };
  return { allGrids: false, grids: new Set(caller.grids), communities: new Set(caller.communities) };
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
}

/** What masked free text reads as. */
export const WITHHELD = '***';

export function masksFor(caller: Pick<Caller, 'scopes' | 'purpose' | 'namesMasked'>): Masks {
  const d = disclosure(caller);
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
  };
}
