import { CALLER_HEADER, DEMO_ROLES, maskAddress, maskIdNumber, maskName, maskPhone, signCallerToken, WITHHELD, type Caller, type DemoRole } from '@hub/core';
import { postGraphQL } from '@hub/core/testing';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { grids, idOf, residentByIdNumber } from './world.ts';

/**
 * The authorization matrix: every demo role × every sensitive category × with and without a declared purpose (one
 * the role allows), asserting exactly what comes back — `clear`, `masked`, or `refused` (null with FORBIDDEN at the
 * field, from the gateway's @requiresScopes policy) — plus a grid worker's row scope, and the same masking and scope
 * held by a subgraph asked directly with a valid internal token.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  // A case file written as clerks write: an ID number, a phone in full-width digits and a bank card in the text.
  const mediation = new pg.Client({ connectionString: hub.databaseUrls.mediation });
  await mediation.connect();
  try {
    await mediation.query('update mediation_records set content = $1 where case_id = $2', [RECORD_TEXT, writtenCase.id]);
  } finally {
    await mediation.end();
  }
});
afterAll(async () => {
  await hub?.close();
});

/** `withheld`: free text answered as `***` (a names-masked role, text whose names the department cannot tell). */
type Outcome = 'clear' | 'masked' | 'withheld' | 'refused';
type Category = 'identity' | 'address' | 'keyPerson' | 'keyPersonCategory' | 'health' | 'names' | 'documentNumbers' | 'freeText';

/** [without a purpose, with one] per category; written out by hand, not derived from the code under test. */
const MATRIX: Record<DemoRole, Record<Category, [Outcome, Outcome]>> = {
  'grid-worker': { identity: ['masked', 'clear'], address: ['masked', 'clear'], keyPerson: ['refused', 'refused'], keyPersonCategory: ['refused', 'refused'], health: ['refused', 'refused'], names: ['clear', 'clear'], documentNumbers: ['masked', 'masked'], freeText: ['masked', 'masked'] },
  'party-affairs-worker': { identity: ['masked', 'masked'], address: ['refused', 'refused'], keyPerson: ['refused', 'refused'], keyPersonCategory: ['refused', 'refused'], health: ['refused', 'refused'], names: ['clear', 'clear'], documentNumbers: ['refused', 'refused'], freeText: ['masked', 'masked'] },
  'civil-affairs-clerk': { identity: ['masked', 'clear'], address: ['masked', 'clear'], keyPerson: ['refused', 'refused'], keyPersonCategory: ['refused', 'refused'], health: ['masked', 'clear'], names: ['clear', 'clear'], documentNumbers: ['masked', 'masked'], freeText: ['masked', 'masked'] },
  // The category only for public safety, the officer's own purpose.
  'police-officer': { identity: ['masked', 'clear'], address: ['masked', 'clear'], keyPerson: ['masked', 'clear'], keyPersonCategory: ['masked', 'clear'], health: ['refused', 'refused'], names: ['clear', 'clear'], documentNumbers: ['refused', 'refused'], freeText: ['masked', 'masked'] },
  // Title and filing numbers only for the housing department's own purpose.
  'housing-officer': { identity: ['masked', 'masked'], address: ['masked', 'clear'], keyPerson: ['refused', 'refused'], keyPersonCategory: ['refused', 'refused'], health: ['refused', 'refused'], names: ['clear', 'clear'], documentNumbers: ['masked', 'clear'], freeText: ['masked', 'masked'] },
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
const PURPOSE: Record<DemoRole, string> = {
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

// A party to a case with records: the records' text is rewritten (beforeAll) to carry numbers.
const writtenCase = grids.flatMap((g) => g.mediation.cases).find((c) => c.records.length > 0 && c.parties.some((p) => p.idNumber && residentByIdNumber.has(p.idNumber)))!;
const writtenParty = residentByIdNumber.get(writtenCase.parties.find((p) => p.idNumber && residentByIdNumber.has(p.idNumber))!.idNumber!)!;
const RECORD_TEXT = '申请人称其电话１３８００１３８０００，身份证号320311199001011234住本小区，补偿款3800元转入银行卡6222021234567890128。';
const RECORD_MASKED = '申请人称其电话138****8000，身份证号320311********1234住本小区，补偿款3800元转入银行卡622202*********0128。';

interface Probe {
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
}

const PROBES: Record<Category, Probe> = {
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

async function ask(role: DemoRole, probe: Probe, purpose: string | null) {
  // A grid worker answers for the grid of the person asked about (row scope is tested below).
  const claims = DEMO_ROLES[role].ownGridsOnly ? { grids: [probe.resident.gridCode] } : {};
  const headers: Record<string, string> = { authorization: `Bearer ${await hub.tokenFor(role, claims)}` };
  if (purpose) headers['x-hub-purpose'] = purpose;
  return postGraphQL<Record<string, any>>(hub.gatewayUrl, `{ resident(id: "${idOf(probe.resident.idNumber)}") { id ${probe.query} } }`, undefined, headers);
}

const roles = Object.keys(MATRIX) as DemoRole[];
const categories = Object.keys(PROBES) as Category[];
const cases = roles.flatMap((role) =>
  categories.flatMap((category) =>
    ([null, PURPOSE[role]] as const).map((purpose, i) => ({ role, category, purpose, expected: MATRIX[role][category][i]! })),
  ),
);

describe('the authorization matrix, through the gateway', () => {
  it.each(cases)('$role, $category, purpose $purpose: $expected', async ({ role, category, purpose, expected }) => {
    const probe = PROBES[category];
    const response = await ask(role, probe, purpose);
    const forbidden = (response.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN').map((e) => e.path);
    const others = (response.errors ?? []).filter((e) => e.extensions?.code !== 'FORBIDDEN');
    expect(others).toEqual([]);
    if (expected === 'refused') {
      const at = forbidden.map((path) => (path ?? []).filter((step) => typeof step === 'string'));
      if (!DEMO_ROLES[role].scopes.some((scope) => scope === 'resident:read')) {
        // Without resident:read the resident itself is refused.
        expect(at).toContainEqual(['resident']);
        expect(response.data?.resident).toBeNull();
      } else {
        expect(at.some((path) => probe.refusedAt.some((where) => where.join('.') === path.join('.')))).toBe(true);
        expect(probe.read(response.data?.resident)).toEqual(probe.refused);
      }
      return;
    }
    expect(forbidden).toEqual([]);
    const value = probe.read(response.data?.resident);
    expect(value).toEqual(expected === 'clear' ? probe.clear : expected === 'withheld' ? probe.withheld : probe.masked);
    // The two must differ, or the assertion says nothing.
    expect(probe.clear).not.toEqual(probe.masked);
  });
});

describe("a grid worker's rows", () => {
  const [own, other] = grids.filter((g) => g.residents.length > 0 && g.mediation.cases.length > 0) as [(typeof grids)[number], (typeof grids)[number]];
  const mine = own.residents[0]!;
  const theirs = other.residents[0]!;
  const token = () => hub.tokenFor('grid-worker', { grids: [own.grid.code] });

  it('sees residents and cases of their own grid only; another grid lists nothing and counts nothing', async () => {
    const query = `{
      mine: resident(id: "${idOf(mine.idNumber)}") { id name }
      theirs: resident(id: "${idOf(theirs.idNumber)}") { id name }
      ownCase: case(id: "${own.mediation.cases[0]!.id}") { id }
      theirCase: case(id: "${other.mediation.cases[0]!.id}") { id }
      ownGrid: grid(code: "${own.grid.code}") { residents(first: 500) { totalCount edges { node { id } } } cases(first: 500) { totalCount edges { node { id } } } }
      otherGrid: grid(code: "${other.grid.code}") { residents(first: 500) { totalCount edges { node { id } } } cases(first: 500) { totalCount edges { node { id } } } }
    }`;
    const response = await postGraphQL<Record<string, any>>(hub.gatewayUrl, query, undefined, {
      authorization: `Bearer ${await token()}`,
      'x-hub-purpose': 'grid-service',
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?.mine).toEqual({ id: idOf(mine.idNumber), name: mine.name });
    expect(response.data?.theirs).toBeNull();
    expect(response.data?.ownCase).toEqual({ id: own.mediation.cases[0]!.id });
    expect(response.data?.theirCase).toBeNull();
    expect(response.data?.ownGrid.residents.totalCount).toBe(own.residents.length);
    expect(response.data?.ownGrid.residents.edges).toHaveLength(own.residents.length);
    expect(response.data?.ownGrid.cases.totalCount).toBe(own.mediation.cases.length);
    expect(response.data?.ownGrid.cases.edges).toHaveLength(own.mediation.cases.length);
    expect(response.data?.otherGrid).toEqual({ residents: { totalCount: 0, edges: [] }, cases: { totalCount: 0, edges: [] } });
  });

  it('is held by the subgraph itself: a validly signed internal token for a low-privilege caller gains nothing', async () => {
    const caller = (role: DemoRole, overrides: Partial<Caller>): Caller => ({
      userId: `direct-${role}`,
      role,
      department: DEMO_ROLES[role].department,
      scopes: [...DEMO_ROLES[role].scopes],
      purpose: null,
      grids: [],
      communities: [],
      ownGridsOnly: DEMO_ROLES[role].ownGridsOnly,
      namesMasked: DEMO_ROLES[role].namesMasked,
      ...overrides,
    });
    const direct = async (c: Caller) =>
      postGraphQL<Record<string, any>>(
        hub.subgraphs['public-security']!.url,
        `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { id name idNumber phone registeredAddress } } }`,
        { reps: [mine, theirs].map((r) => ({ __typename: 'Resident', id: idOf(r.idNumber) })) },
        { [CALLER_HEADER]: await signCallerToken(c, 'public-security', hub.internalKeys.privateKey) },
      );
    const worker = await direct(caller('grid-worker', { grids: [own.grid.code] }));
    // A person on the register outside the caller's grids: null, and said so (the gateway nulls a reference there).
    expect(worker.errors?.map((e) => ({ code: e.extensions?.code, path: e.path }))).toEqual([{ code: 'OUTSIDE_SCOPE', path: ['_entities', 1] }]);
    expect(worker.data?._entities).toEqual([
      {
        id: idOf(mine.idNumber),
        name: mine.name,
        idNumber: maskIdNumber(mine.idNumber),
        phone: mine.phone && maskPhone(mine.phone),
        registeredAddress: maskAddress(mine.registeredAddress),
      },
      null,
    ]);
    const analyst = await direct(caller('district-analyst', { purpose: 'statistics' }));
    expect(analyst.data?._entities[0]).toMatchObject({ name: maskName(mine.name), idNumber: maskIdNumber(mine.idNumber), registeredAddress: maskAddress(mine.registeredAddress) });
  });
});
