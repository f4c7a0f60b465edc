import { DEMO_ROLES, maskAddress, maskIdNumber, maskName, maskPhone, WITHHELD, type DemoRole } from '@hub/core';
import { expect } from 'vitest';
import { grids, residentByIdNumber } from './world.ts';

/**
 * The authorization matrix, written out by hand: what each demo role reads of each sensitive category, with and
 * without a purpose. The gateway is held to it (`authorization-matrix.e2e.test.ts`), and so is every subgraph asked
 * directly with a valid internal token (`subgraph-authorization.e2e.test.ts`): one table, so the two cannot drift.
 */
export type Outcome = 'clear' | 'masked' | 'refused';
export type Category = 'identity' | 'address' | 'keyPerson' | 'health' | 'names';

/** [without a purpose, with one] per category; written out by hand, not derived from the code under test. */
export const MATRIX: Record<DemoRole, Record<Category, [Outcome, Outcome]>> = {
  'grid-worker': { identity: ['masked', 'clear'], address: ['masked', 'clear'], keyPerson: ['refused', 'refused'], health: ['refused', 'refused'], names: ['clear', 'clear'] },
  'party-affairs-worker': { identity: ['masked', 'masked'], address: ['refused', 'refused'], keyPerson: ['refused', 'refused'], health: ['refused', 'refused'], names: ['clear', 'clear'] },
  'civil-affairs-clerk': { identity: ['masked', 'clear'], address: ['masked', 'clear'], keyPerson: ['refused', 'refused'], health: ['masked', 'clear'], names: ['clear', 'clear'] },
  'police-officer': { identity: ['masked', 'clear'], address: ['masked', 'clear'], keyPerson: ['masked', 'clear'], health: ['refused', 'refused'], names: ['clear', 'clear'] },
  'housing-officer': { identity: ['masked', 'masked'], address: ['masked', 'clear'], keyPerson: ['refused', 'refused'], health: ['refused', 'refused'], names: ['clear', 'clear'] },
  mediator: { identity: ['masked', 'clear'], address: ['refused', 'refused'], keyPerson: ['refused', 'refused'], health: ['refused', 'refused'], names: ['clear', 'clear'] },
  dispatcher: { identity: ['masked', 'masked'], address: ['refused', 'refused'], keyPerson: ['refused', 'refused'], health: ['refused', 'refused'], names: ['clear', 'clear'] },
  supervisor: { identity: ['masked', 'masked'], address: ['refused', 'refused'], keyPerson: ['refused', 'refused'], health: ['refused', 'refused'], names: ['clear', 'clear'] },
  // Statistics identifies no one: the analyst's only purpose discloses nothing.
  'district-analyst': { identity: ['masked', 'masked'], address: ['refused', 'refused'], keyPerson: ['refused', 'refused'], health: ['refused', 'refused'], names: ['masked', 'masked'] },
  // No resident:read: the resident itself is refused.
  auditor: { identity: ['refused', 'refused'], address: ['refused', 'refused'], keyPerson: ['refused', 'refused'], health: ['refused', 'refused'], names: ['refused', 'refused'] },
  administrator: { identity: ['masked', 'clear'], address: ['masked', 'clear'], keyPerson: ['masked', 'clear'], health: ['masked', 'clear'], names: ['clear', 'clear'] },
};

/** The purpose each role declares in the "with" column: the first it may declare that is about people, if any. */
export const PURPOSE: Record<DemoRole, string> = {
  'grid-worker': 'grid-service',
  'party-affairs-worker': 'party-affairs',
  'civil-affairs-clerk': 'welfare-review',
  'police-officer': 'public-safety',
  'housing-officer': 'housing-management',
  mediator: 'case-handling',
  dispatcher: 'case-handling',
  supervisor: 'case-handling',
  'district-analyst': 'statistics',
  auditor: 'audit',
  administrator: 'case-handling',
};

// One resident per category who has the data (a phone; a key-person record; a disability certificate).
export const everyone = grids.flatMap((g) => g.residents);
export const withPhone = everyone.find((r) => r.phone && r.registeredAddress)!;
export const keyPersonRecord = grids.flatMap((g) => g.publicSecurity.keyPersons)[0]!;
export const keyPerson = residentByIdNumber.get(keyPersonRecord.idNumber)!;
export const certificateRecord = grids.flatMap((g) => g.civilAffairs.welfare).find((w) => w.disabilityCertificateNumber)!;
export const certified = residentByIdNumber.get(certificateRecord.idNumber)!;

export interface Probe {
  resident: typeof withPhone;
  query: string;
  /** The value(s) read, from `data.resident`. */
  read(resident: Record<string, any>): unknown;
  clear: unknown;
  masked: unknown;
  /** Where the refusal may stand (list positions left out) when the role holds resident:read but not this field's scope. */
  refusedAt: string[][];
  /** What is read when refused. */
  refused: unknown;
}

export const PROBES: Record<Category, Probe> = {
  identity: {
    resident: withPhone,
    query: 'idNumber phone',
    read: (r) => [r.idNumber, r.phone],
    clear: [withPhone.idNumber, withPhone.phone],
    masked: [maskIdNumber(withPhone.idNumber), maskPhone(withPhone.phone!)],
    refusedAt: [['resident', 'idNumber']],
    refused: [null, null],
  },
  address: {
    resident: withPhone,
    query: 'registeredAddress',
    read: (r) => r.registeredAddress,
    clear: withPhone.registeredAddress,
    masked: maskAddress(withPhone.registeredAddress),
    refusedAt: [['resident', 'registeredAddress']],
    refused: null,
  },
  keyPerson: {
    resident: keyPerson,
    query: 'keyPerson { plan }',
    read: (r) => r.keyPerson?.plan ?? r.keyPerson,
    clear: keyPersonRecord.plan,
    masked: WITHHELD,
    refusedAt: [['resident', 'keyPerson']],
    refused: null,
  },
  health: {
    resident: certified,
    query: 'welfare { disabilityCertificateNumber }',
    read: (r) => (r.welfare === null ? null : r.welfare.map((w: { disabilityCertificateNumber: string | null }) => w.disabilityCertificateNumber).filter(Boolean)),
    clear: [certificateRecord.disabilityCertificateNumber],
    masked: [maskIdNumber(certificateRecord.disabilityCertificateNumber!.slice(0, 18)) + certificateRecord.disabilityCertificateNumber!.slice(18)],
    // Without welfare:read the list is refused; with it but without health:read, each certificate number.
    refusedAt: [['resident', 'welfare'], ['resident', 'welfare', 'disabilityCertificateNumber']],
    refused: expect.toSatisfy((v: unknown) => v === null || (Array.isArray(v) && v.length === 0)),
  },
  names: {
    resident: withPhone,
    query: 'name',
    read: (r) => r.name,
    clear: withPhone.name,
    masked: maskName(withPhone.name),
    refusedAt: [['resident', 'name']],
    refused: null,
  },
};

export const roles = Object.keys(MATRIX) as DemoRole[];
export const categories = Object.keys(PROBES) as Category[];
export const cases = roles.flatMap((role) =>
  categories.flatMap((category) =>
    ([null, PURPOSE[role]] as const).map((purpose, i) => ({ role, category, purpose, expected: MATRIX[role][category][i]! })),
  ),
);

