import { maskAddress, maskIdNumber, maskName, maskPhone, WITHHELD, type DemoRole } from '@hub/core';
import pg from 'pg';
import { expect } from 'vitest';
import { grids, residentByIdNumber } from './world.ts';

/**
 * The authorization matrix, written out by hand: what each demo role reads of each sensitive category, with and
 * without a purpose. The gateway is held to it (`authorization-matrix.e2e.test.ts`), and so is every subgraph asked
 * directly with a valid internal token (`subgraph-authorization.e2e.test.ts`): one table, so the two cannot drift.
 */
/**
 * `withheld`: free text answered as `***` (a names-masked role, text whose names the department cannot tell).
 * `absent`: not there to read, no error: the probed case is not among the person's cases for a unit's worker whose
 * unit never had a part in it (the unit row rule, docs/security.md).
 */
export type Outcome = 'clear' | 'masked' | 'withheld' | 'refused' | 'absent';
export type Category = 'identity' | 'address' | 'keyPerson' | 'keyPersonCategory' | 'health' | 'names' | 'documentNumbers' | 'freeText';

/**
 * [without a purpose, with one] per category; written out by hand, not derived from the code under test. The probed
 * case (free text) was never dispatched to the units the departments' officers and the station's officer act for, nor
 * referred by their departments, so by the unit row rule it is not among the person's cases for them (`absent`).
 */
export const MATRIX: Record<DemoRole, Record<Category, [Outcome, Outcome]>> = {
  'grid-worker': { identity: ['masked', 'clear'], address: ['masked', 'clear'], keyPerson: ['refused', 'refused'], keyPersonCategory: ['refused', 'refused'], health: ['refused', 'refused'], names: ['clear', 'clear'], documentNumbers: ['masked', 'masked'], freeText: ['masked', 'masked'] },
  'party-affairs-worker': { identity: ['masked', 'masked'], address: ['refused', 'refused'], keyPerson: ['refused', 'refused'], keyPersonCategory: ['refused', 'refused'], health: ['refused', 'refused'], names: ['clear', 'clear'], documentNumbers: ['refused', 'refused'], freeText: ['absent', 'absent'] },
  'civil-affairs-clerk': { identity: ['masked', 'clear'], address: ['masked', 'clear'], keyPerson: ['refused', 'refused'], keyPersonCategory: ['refused', 'refused'], health: ['masked', 'clear'], names: ['clear', 'clear'], documentNumbers: ['masked', 'masked'], freeText: ['absent', 'absent'] },
  // The category only for public safety, the officer's own purpose.
  'police-officer': { identity: ['masked', 'clear'], address: ['masked', 'clear'], keyPerson: ['masked', 'clear'], keyPersonCategory: ['masked', 'clear'], health: ['refused', 'refused'], names: ['clear', 'clear'], documentNumbers: ['refused', 'refused'], freeText: ['absent', 'absent'] },
  // Title and filing numbers only for the housing department's own purpose.
  // The police station's officer acts for its unit (派出所): case text of the station's cases only, as any unit's worker.
  'station-officer': { identity: ['masked', 'clear'], address: ['refused', 'refused'], keyPerson: ['refused', 'refused'], keyPersonCategory: ['refused', 'refused'], health: ['refused', 'refused'], names: ['clear', 'clear'], documentNumbers: ['refused', 'refused'], freeText: ['absent', 'absent'] },
  'housing-officer': { identity: ['masked', 'masked'], address: ['masked', 'clear'], keyPerson: ['refused', 'refused'], keyPersonCategory: ['refused', 'refused'], health: ['refused', 'refused'], names: ['clear', 'clear'], documentNumbers: ['masked', 'clear'], freeText: ['absent', 'absent'] },
  mediator: { identity: ['masked', 'clear'], address: ['refused', 'refused'], keyPerson: ['refused', 'refused'], keyPersonCategory: ['refused', 'refused'], health: ['refused', 'refused'], names: ['clear', 'clear'], documentNumbers: ['masked', 'masked'], freeText: ['masked', 'masked'] },
  dispatcher: { identity: ['masked', 'masked'], address: ['refused', 'refused'], keyPerson: ['refused', 'refused'], keyPersonCategory: ['refused', 'refused'], health: ['refused', 'refused'], names: ['clear', 'clear'], documentNumbers: ['refused', 'refused'], freeText: ['masked', 'masked'] },
  supervisor: { identity: ['masked', 'masked'], address: ['refused', 'refused'], keyPerson: ['refused', 'refused'], keyPersonCategory: ['refused', 'refused'], health: ['refused', 'refused'], names: ['clear', 'clear'], documentNumbers: ['refused', 'refused'], freeText: ['masked', 'masked'] },
  // Statistics identifies no one: the analyst's only purpose discloses nothing, and case text (whose names
  // mediation cannot tell) is withheld from a role with names masked.
  'district-analyst': { identity: ['masked', 'masked'], address: ['refused', 'refused'], keyPerson: ['refused', 'refused'], keyPersonCategory: ['refused', 'refused'], health: ['refused', 'refused'], names: ['masked', 'masked'], documentNumbers: ['masked', 'masked'], freeText: ['withheld', 'withheld'] },
  // No resident:read: the resident itself is refused.
  auditor: { identity: ['refused', 'refused'], address: ['refused', 'refused'], keyPerson: ['refused', 'refused'], keyPersonCategory: ['refused', 'refused'], health: ['refused', 'refused'], names: ['refused', 'refused'], documentNumbers: ['refused', 'refused'], freeText: ['refused', 'refused'] },
  // Case handling discloses neither a key person's plan nor category (public safety only), nor title numbers (housing
  // management only).
  administrator: { identity: ['masked', 'clear'], address: ['masked', 'clear'], keyPerson: ['masked', 'masked'], keyPersonCategory: ['masked', 'masked'], health: ['masked', 'clear'], names: ['clear', 'clear'], documentNumbers: ['masked', 'masked'], freeText: ['masked', 'masked'] },
};

/** The purpose each role declares in the "with" column: the first it may declare that is about people, if any. */
export const PURPOSE: Record<DemoRole, string> = {
  'grid-worker': 'grid-service',
  'party-affairs-worker': 'party-affairs',
  'civil-affairs-clerk': 'welfare-review',
  'police-officer': 'public-safety',
  'station-officer': 'case-handling',
  'housing-officer': 'housing-management',
  mediator: 'case-handling',
  dispatcher: 'case-handling',
  supervisor: 'case-handling',
  'district-analyst': 'statistics',
  auditor: 'audit',
  administrator: 'case-handling',
};

// One resident per category who has the data (a phone; a key-person record; a disability certificate).
const everyone = grids.flatMap((g) => g.residents);
const withPhone = everyone.find((r) => r.phone && r.registeredAddress)!;
const keyPersonRecord = grids.flatMap((g) => g.publicSecurity.keyPersons)[0]!;
const keyPerson = residentByIdNumber.get(keyPersonRecord.idNumber)!;
const certificateRecord = grids.flatMap((g) => g.civilAffairs.welfare).find((w) => w.disabilityCertificateNumber)!;
const certified = residentByIdNumber.get(certificateRecord.idNumber)!;

// A landlord who owns the house let and filed the lease (titles and filings), in the landlord's own grid.
const lease = grids
  .flatMap((g) => g.housing.tenancies)
  .find((t) => t.filingNumber && t.landlordIdNumber && residentByIdNumber.get(t.landlordIdNumber)?.gridCode === grids.find((g) => g.houses.some((h) => h.code === t.houseCode))?.grid.code && grids.some((g) => g.housing.ownerships.some((o) => o.houseCode === t.houseCode && o.ownerIdNumber === t.landlordIdNumber)))!;
const landlord = residentByIdNumber.get(lease.landlordIdNumber!)!;
const titlesOfLandlord = grids.flatMap((g) => g.housing.ownerships).filter((o) => o.ownerIdNumber === landlord.idNumber);
const ownedHouses = new Set(titlesOfLandlord.map((o) => o.houseCode));
const filingsOfLandlord = grids.flatMap((g) => g.housing.tenancies).filter((t) => t.landlordIdNumber === landlord.idNumber && t.filingNumber && ownedHouses.has(t.houseCode));
const registerNumbers = { titles: titlesOfLandlord.map((o) => o.certificateNumber).sort(), filings: filingsOfLandlord.map((t) => t.filingNumber!).sort() };
/** The serial of a document number starred but its last 2 digits: `…不动产权第0012345号` → `…不动产权第*****45号`. */
const starSerial = (n: string) => n.replace(/第(\d+)号/, (_, d: string) => `第${'*'.repeat(d.length - 2)}${d.slice(-2)}号`);

// A party to a case with records: the records' text is rewritten (beforeAll) to carry numbers. A neighbours' or family
// dispute not referred by the police, which the demo centre leaves to the mediation committee: no department's or
// station's unit has a part in it, and no department referred it.
const writtenCase = grids
  .flatMap((g) => g.mediation.cases)
  .find(
    (c) =>
      c.records.length > 0 &&
      ['NEIGHBOURS', 'MARRIAGE_FAMILY'].includes(c.category) &&
      c.source !== 'POLICE_REFERRAL' &&
      c.parties.some((p) => p.idNumber && residentByIdNumber.has(p.idNumber)),
  )!;
const writtenParty = residentByIdNumber.get(writtenCase.parties.find((p) => p.idNumber && residentByIdNumber.has(p.idNumber))!.idNumber!)!;
const RECORD_TEXT = '申请人称其电话１３８００１３８０００，身份证号320311199001011234住本小区，补偿款3800元转入银行卡6222021234567890128。';
const RECORD_MASKED = '申请人称其电话138****8000，身份证号320311********1234住本小区，补偿款3800元转入银行卡622202*********0128。';

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
  /** What is read when withheld (free text only). */
  withheld?: unknown;
  /** What is read when absent (free text only: the case is not listed). */
  absent?: unknown;
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
  keyPersonCategory: {
    resident: keyPerson,
    query: 'keyPerson { category categoryWithheld }',
    read: (r) => r.keyPerson && [r.keyPerson.category, r.keyPerson.categoryWithheld],
    clear: [keyPersonRecord.category, false],
    masked: [null, true],
    refusedAt: [['resident', 'keyPerson']],
    refused: null,
  },
  documentNumbers: {
    resident: landlord,
    query: 'homes { house { owners { owner { id } certificateNumber } tenancies { landlord { id } filingNumber } } }',
    read: (r) =>
      r.homes && {
        titles: r.homes.flatMap((h: any) => h.house.owners.filter((o: any) => o.owner?.id === r.id).map((o: any) => o.certificateNumber)).sort(),
        filings: r.homes.flatMap((h: any) => h.house.tenancies.filter((t: any) => t.landlord?.id === r.id && t.filingNumber).map((t: any) => t.filingNumber)).sort(),
      },
    clear: registerNumbers,
    masked: { titles: registerNumbers.titles.map(starSerial).sort(), filings: registerNumbers.filings.map(starSerial).sort() },
    refusedAt: [['resident', 'homes']],
    refused: null,
  },
  freeText: {
    resident: writtenParty,
    query: 'cases { id records { content } }',
    read: (r) => r.cases && r.cases.find((c: { id: string }) => c.id === writtenCase.id)?.records.map((x: { content: string }) => x.content),
    clear: writtenCase.records.map(() => RECORD_TEXT),
    masked: writtenCase.records.map(() => RECORD_MASKED),
    withheld: writtenCase.records.map(() => WITHHELD),
    absent: undefined,
    refusedAt: [['resident', 'cases']],
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

/** Writes the probed case's records as clerks write them (an ID number, a full-width phone, a bank card in the text). */
export async function writeCaseRecords(mediationDatabaseUrl: string): Promise<void> {
  const mediation = new pg.Client({ connectionString: mediationDatabaseUrl });
  await mediation.connect();
  try {
    await mediation.query('update mediation_records set content = $1 where case_id = $2', [RECORD_TEXT, writtenCase.id]);
  } finally {
    await mediation.end();
  }
}

export const roles = Object.keys(MATRIX) as DemoRole[];
export const categories = Object.keys(PROBES) as Category[];
export const cases = roles.flatMap((role) =>
  categories.flatMap((category) =>
    ([null, PURPOSE[role]] as const).map((purpose, i) => ({ role, category, purpose, expected: MATRIX[role][category][i]! })),
  ),
);

