/**
 * What a street's register keeps beyond the person: households (户籍户 and 居住户), 人户分离, the documents and stay of
 * people without a citizen ID, and the special groups, officers and visit log of key persons; with the register's
 * masking and row scope, and statement counts that do not grow with the number of grids.
 */
import { DEMO_HUB_SECRET, maskIdNumber, maskName, residentKey } from '@hub/core';
import { errorCodes, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld, type DemoGridContents, type DemoRegisteredAway, type DemoResident } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';

const grids: DemoGridContents[] = [...generateDemoWorld(TEST_DEMO).gridContents()];
const everyone: DemoResident[] = grids.flatMap((g) => g.residents);
/** People registered here but living elsewhere (户在人不在): on the register, not among the residents. */
const away: DemoRegisteredAway[] = grids.flatMap((g) => g.registeredAway);
const idOf = (r: { idNumber: string }) => residentKey(r.idNumber, DEMO_HUB_SECRET);
const harness = serveSubgraphForTests(subgraph);
const officer = testCaller('police-officer', { purpose: 'public-safety' });
const gql = (query: string, variables?: Record<string, unknown>, caller = officer) => harness.gql(query, variables, caller);
const byId = (list: { id: string }[]) => list.map((x) => x.id).sort();

describe('households', () => {
  const HOUSEHOLD = /* GraphQL */ `
    query ($id: ID!) { household(id: $id) { id kind basis head { id } members { id relationToHead tenure } grid { code } residence { code } policeStation } }
  `;

  it('answers a household living together with its members, and a group rental as a collective of non-relatives who rent', async () => {
    const tenant = everyone.find((r) => r.relationToHead === 'TENANT')!;
    const members = everyone.filter((r) => r.householdId === tenant.householdId);
    const head = members.find((r) => r.relationToHead === 'SELF')!;
    const response = await gql(HOUSEHOLD, { id: tenant.householdId });
    expect(response.errors).toBeUndefined();
    const household = response.data?.household as { members: { id: string; relationToHead: string; tenure: string }[] };
    expect(household).toMatchObject({ id: tenant.householdId, kind: 'COLLECTIVE', basis: 'RESIDENCE', head: { id: idOf(head) }, grid: { code: tenant.gridCode }, residence: { code: tenant.houseCode } });
    expect(byId(household.members)).toEqual(members.map(idOf).sort());
    // GB/T 4761 has no tenant: a tenant is a non-relative whose tenure is renting.
    expect(household.members.find((m) => m.id === idOf(tenant))).toEqual({ id: idOf(tenant), relationToHead: 'NON_RELATIVE', tenure: 'RENTED' });
  });

  it('answers a hukou household with its hukou members, who differ from the people living together where hukou and residence part', async () => {
    const registered = everyone.filter((r) => r.hukouHouseholdId !== null);
    const parted = registered.find((r) => everyone.some((o) => o.householdId === r.householdId && o.hukouHouseholdId !== r.hukouHouseholdId))!;
    expect(parted).toBeDefined();
    const hukouMembers = [...everyone, ...away].filter((r) => r.hukouHouseholdId === parted.hukouHouseholdId);
    const response = await gql(HOUSEHOLD, { id: parted.hukouHouseholdId });
    expect(response.errors).toBeUndefined();
    const household = response.data?.household as { basis: string; members: { id: string }[]; policeStation: string };
    expect(household.basis).toBe('HUKOU');
    expect(household.policeStation).toBe(parted.hukouPoliceStation);
    expect(byId(household.members)).toEqual(hukouMembers.map(idOf).sort());
    const living = await gql(`query ($id: ID!) { resident(id: $id) { household { id } hukouHousehold { id } residenceStatus hukouPlace { divisionCode policeStation } } }`, { id: idOf(parted) });
    expect(living.data?.resident).toEqual({
      household: { id: parted.householdId },
      hukouHousehold: { id: parted.hukouHouseholdId },
      residenceStatus: 'RESIDENT_AND_REGISTERED',
      hukouPlace: { divisionCode: '320311', policeStation: parted.hukouPoliceStation },
    });
  });

  it("pages a grid's households with their total, and a grid worker sees none of another grid's", async () => {
    const grid = grids.find((g) => g.residents.length > 30)!;
    const expected = new Set([...grid.residents.map((r) => r.householdId), ...grid.residents.flatMap((r) => (r.hukouHouseholdId ? [r.hukouHouseholdId] : []))]);
    const query = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { households(first: 500) { totalCount edges { node { id basis } } } } } }`;
    const response = await gql(query, { reps: [{ __typename: 'Grid', code: grid.grid.code }] });
    expect(response.errors).toBeUndefined();
    const page = (response.data?._entities as { households: { totalCount: number; edges: { node: { id: string } }[] } }[])[0]!.households;
    expect(page.totalCount).toBe(expected.size);
    expect(page.edges.map((e) => e.node.id).sort()).toEqual([...expected].sort());
    const elsewhere = testCaller('grid-worker', { grids: [grids.find((g) => g !== grid)!.grid.code], purpose: 'grid-service' });
    const scoped = await gql(query, { reps: [{ __typename: 'Grid', code: grid.grid.code }] }, elsewhere);
    expect((scoped.data?._entities as { households: { totalCount: number; edges: unknown[] } }[])[0]!.households).toMatchObject({ totalCount: 0, edges: [] });
    expect((await gql(HOUSEHOLD, { id: grid.residents[0]!.householdId }, elsewhere)).data?.household).toBeNull();
  });

  it('refuses a household number with spaces or over 40 characters', async () => {
    for (const id of ['a b', 'x'.repeat(41), '']) expect(errorCodes(await gql(HOUSEHOLD, { id }))).toEqual(['INVALID_HOUSEHOLD_ID']);
  });
});

describe('人户分离', () => {
  it("counts each grid's residents by residence status as the register holds them", async () => {
    const sample = grids.slice(0, 8);
    const response = await gql(`query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { residenceSeparation { residentAndRegistered residentNotRegistered registeredNotResident } } } }`, {
      reps: sample.map((g) => ({ __typename: 'Grid', code: g.grid.code })),
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities).toEqual(
      sample.map((g) => ({
        residenceSeparation: {
          residentAndRegistered: g.residents.filter((r) => r.residenceStatus === 'RESIDENT_AND_REGISTERED').length,
          residentNotRegistered: g.residents.filter((r) => r.residenceStatus === 'RESIDENT_NOT_REGISTERED').length,
          registeredNotResident: g.registeredAway.length,
        },
      })),
    );
    expect(sample.some((g) => g.residents.some((r) => r.residenceStatus === 'RESIDENT_NOT_REGISTERED' && r.populationType === 'REGISTERED'))).toBe(true);
    expect(sample.some((g) => g.registeredAway.length > 0)).toBe(true);
  });

  it('counts communities, streets and the district over their grids', async () => {
    const count = (prefix: string) => ({
      residentAndRegistered: everyone.filter((r) => r.gridCode.startsWith(prefix) && r.residenceStatus === 'RESIDENT_AND_REGISTERED').length,
      residentNotRegistered: everyone.filter((r) => r.gridCode.startsWith(prefix) && r.residenceStatus === 'RESIDENT_NOT_REGISTERED').length,
      registeredNotResident: away.filter((r) => r.gridCode.startsWith(prefix)).length,
    });
    const community = grids[0]!.grid.communityCode;
    const street = `${community.slice(0, 9)}000`;
    const response = await gql(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Community { residenceSeparation { residentAndRegistered residentNotRegistered registeredNotResident } } ... on Street { residenceSeparation { residentAndRegistered residentNotRegistered registeredNotResident } } ... on District { residenceSeparation { residentAndRegistered residentNotRegistered registeredNotResident } } } }`,
      { reps: [{ __typename: 'Community', code: community }, { __typename: 'Street', code: street }, { __typename: 'District', code: '320311' }] },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities).toEqual([
      { residenceSeparation: count(community) },
      { residenceSeparation: count(street.slice(0, 9)) },
      { residenceSeparation: count('') },
    ]);
  });
});

describe('户在人不在 on the register', () => {
  const RESIDENT = /* GraphQL */ `
    query ($id: ID!) { resident(id: $id) { id name populationType residenceStatus relationToHead tenure residence { code } household { id } hukouHousehold { id members { id } } hukouPlace { divisionCode policeStation } grid { code } } }
  `;

  it('keeps a person registered here but living elsewhere in their hukou household and its grid, with no residence here', async () => {
    const person = away.find((r) => r.phone !== null)!;
    const response = await gql(RESIDENT, { id: idOf(person) });
    expect(response.errors).toBeUndefined();
    const hukouMembers = [...everyone, ...away].filter((r) => r.hukouHouseholdId === person.hukouHouseholdId);
    expect(hukouMembers.some((r) => 'houseCode' in r && r.relationToHead === 'SELF')).toBe(true);
    const resident = response.data?.resident as { hukouHousehold: { members: { id: string }[] } };
    expect({ ...resident, hukouHousehold: { ...resident.hukouHousehold, members: byId(resident.hukouHousehold.members) } }).toEqual({
      id: idOf(person),
      name: person.name,
      populationType: 'REGISTERED',
      residenceStatus: 'REGISTERED_NOT_RESIDENT',
      relationToHead: person.relationToHead,
      tenure: null,
      residence: null,
      household: null,
      hukouHousehold: { id: person.hukouHouseholdId, members: hukouMembers.map(idOf).sort() },
      hukouPlace: { divisionCode: person.hukouDivisionCode, policeStation: person.hukouPoliceStation },
      grid: { code: person.gridCode },
    });
  });

  it("is seen by the grid worker of the hukou grid and the police, and by no other grid's worker", async () => {
    const person = away[0]!;
    const other = grids.find((g) => g.grid.code !== person.gridCode)!;
    const query = `query ($id: ID!) { resident(id: $id) { id grid { code } } }`;
    const own = await gql(query, { id: idOf(person) }, testCaller('grid-worker', { grids: [person.gridCode], purpose: 'grid-service' }));
    expect(own.data?.resident).toEqual({ id: idOf(person), grid: { code: person.gridCode } });
    expect((await gql(query, { id: idOf(person) })).data?.resident).toEqual({ id: idOf(person), grid: { code: person.gridCode } });
    const elsewhere = await gql(query, { id: idOf(person) }, testCaller('grid-worker', { grids: [other.grid.code], purpose: 'grid-service' }));
    expect(elsewhere.data?.resident ?? null).toBeNull();
  });

  /** Every page of a grid's list of people with these filters, and its total. */
  async function listOf(code: string, filters: Record<string, string>, caller = officer) {
    const args = Object.keys(filters).map((k) => `, ${k}: $${k}`).join('');
    const vars = Object.keys(filters).map((k) => `, $${k}: ${k === 'populationType' ? 'PopulationType' : 'ResidenceStatus'}`).join('');
    const ids: string[] = [];
    let totalCount = -1;
    let after: string | null = null;
    do {
      const response = await gql(
        `query ($reps: [_Any!]!, $after: String${vars}) { _entities(representations: $reps) { ... on Grid { residents(first: 37, after: $after${args}) { totalCount edges { node { id residenceStatus } } pageInfo { hasNextPage endCursor } } } } }`,
        { reps: [{ __typename: 'Grid', code }], after, ...filters },
        caller,
      );
      expect(response.errors).toBeUndefined();
      const connection = (response.data?._entities as { residents: { totalCount: number; edges: { node: { id: string; residenceStatus: string | null } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }[])[0]!.residents;
      totalCount = connection.totalCount;
      ids.push(...connection.edges.map((e) => e.node.id));
      after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
    } while (after);
    return { totalCount, ids };
  }

  it("lists a grid's people living in it by default, and its 户在人不在 people when asked for that status", async () => {
    const g = grids.find((x) => x.registeredAway.length >= 3)!;
    const living = await listOf(g.grid.code, {});
    expect(living).toEqual({ totalCount: g.residents.length, ids: g.residents.map(idOf).sort() });
    const awayHere = await listOf(g.grid.code, { residenceStatus: 'REGISTERED_NOT_RESIDENT' });
    expect(awayHere).toEqual({ totalCount: g.registeredAway.length, ids: g.registeredAway.map(idOf).sort() });
    // Both filters at once: they are registered population; none of them is floating.
    expect(await listOf(g.grid.code, { residenceStatus: 'REGISTERED_NOT_RESIDENT', populationType: 'REGISTERED' })).toEqual(awayHere);
    expect(await listOf(g.grid.code, { residenceStatus: 'REGISTERED_NOT_RESIDENT', populationType: 'FLOATING' })).toEqual({ totalCount: 0, ids: [] });
    const separated = g.residents.filter((r) => r.residenceStatus === 'RESIDENT_NOT_REGISTERED');
    expect(await listOf(g.grid.code, { residenceStatus: 'RESIDENT_NOT_REGISTERED', populationType: 'REGISTERED' })).toEqual({
      totalCount: separated.filter((r) => r.populationType === 'REGISTERED').length,
      ids: separated.filter((r) => r.populationType === 'REGISTERED').map(idOf).sort(),
    });
    // The grid's worker keeps them; another grid's worker sees none of them.
    const worker = testCaller('grid-worker', { grids: [g.grid.code], purpose: 'grid-service' });
    expect(await listOf(g.grid.code, { residenceStatus: 'REGISTERED_NOT_RESIDENT' }, worker)).toEqual(awayHere);
    const stranger = testCaller('grid-worker', { grids: [grids.find((x) => x.grid.code !== g.grid.code)!.grid.code], purpose: 'grid-service' });
    expect(await listOf(g.grid.code, { residenceStatus: 'REGISTERED_NOT_RESIDENT' }, stranger)).toEqual({ totalCount: 0, ids: [] });
  });

  it('counts 户在人不在 people in 人户分离 and not in the population (实有人口), at every level; 人户分离 sums to the register with a hukou', async () => {
    const counts = `population { total registered floating overseas unsettled } residenceSeparation { residentAndRegistered residentNotRegistered registeredNotResident }`;
    const g = grids.find((x) => x.registeredAway.length > 0)!;
    const community = g.grid.communityCode;
    const street = `${community.slice(0, 9)}000`;
    const response = await gql(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { ${counts} } ... on Community { ${counts} } ... on Street { ${counts} } ... on District { ${counts} } } }`,
      { reps: [{ __typename: 'Grid', code: g.grid.code }, { __typename: 'Community', code: community }, { __typename: 'Street', code: street }, { __typename: 'District', code: '320311' }] },
    );
    expect(response.errors).toBeUndefined();
    const expected = (prefix: string) => {
      const living = everyone.filter((r) => r.gridCode.startsWith(prefix));
      const awayHere = away.filter((r) => r.gridCode.startsWith(prefix));
      const of = (t: string) => living.filter((r) => r.populationType === t).length;
      return {
        population: { total: living.length, registered: of('REGISTERED'), floating: of('FLOATING'), overseas: of('OVERSEAS'), unsettled: of('UNSETTLED') },
        residenceSeparation: {
          residentAndRegistered: living.filter((r) => r.residenceStatus === 'RESIDENT_AND_REGISTERED').length,
          residentNotRegistered: living.filter((r) => r.residenceStatus === 'RESIDENT_NOT_REGISTERED').length,
          registeredNotResident: awayHere.length,
        },
      };
    };
    const answered = response.data?._entities as ReturnType<typeof expected>[];
    expect(answered).toEqual([expected(g.grid.code), expected(community), expected(street.slice(0, 9)), expected('')]);
    // The district's 人户分离 counts add up to everyone on the register who has a hukou: the people living here with
    // one and the 户在人不在 people; the population to everyone living here.
    const district = answered[3]!;
    const sep = district.residenceSeparation;
    expect(sep.residentAndRegistered + sep.residentNotRegistered + sep.registeredNotResident).toBe(everyone.filter((r) => r.residenceStatus !== null).length + away.length);
    expect(district.population.total).toBe(everyone.length);
  });
});

describe('people without a citizen ID', () => {
  const BY_DOCUMENT = /* GraphQL */ `
    query ($type: DocumentType!, $number: String!, $nationality: String!) {
      residentByDocument(documentType: $type, documentNumber: $number, nationality: $nationality) {
        id name idNumber documentType documentNumber nationality populationType residenceStatus hukouPlace { divisionCode }
        overseas { entryDate permitKind permitNumber permitExpiresOn permitValid employerOrSchool }
      }
    }
  `;

  it('finds an overseas person by passport and nationality, masks the numbers by default, answers the stay', async () => {
    const person = everyone.find((r) => r.document?.type === 'PASSPORT' && r.overseas?.permitKind === 'RESIDENCE_PERMIT')!;
    const response = await gql(BY_DOCUMENT, { type: 'PASSPORT', number: person.document!.number, nationality: person.document!.nationality }, testCaller('police-officer'));
    expect(response.errors).toBeUndefined();
    const o = person.overseas!;
    expect(response.data?.residentByDocument).toEqual({
      id: idOf(person),
      name: person.name,
      idNumber: null,
      documentType: 'PASSPORT',
      documentNumber: maskIdNumber(person.document!.number),
      nationality: person.document!.nationality,
      populationType: 'OVERSEAS',
      residenceStatus: null,
      hukouPlace: null,
      overseas: {
        entryDate: o.entryDate,
        permitKind: o.permitKind,
        permitNumber: maskIdNumber(o.permitNumber!),
        permitExpiresOn: o.permitExpiresOn,
        permitValid: o.permitExpiresOn! >= new Date().toISOString().slice(0, 10),
        employerOrSchool: o.employerOrSchool,
      },
    });
    expect(person.name).toMatch(/^[A-Z ]+$/);
    // With identity scope and a purpose the document number is in clear.
    const clear = await gql(BY_DOCUMENT, { type: 'PASSPORT', number: person.document!.number, nationality: person.document!.nationality });
    expect((clear.data?.residentByDocument as { documentNumber: string }).documentNumber).toBe(person.document!.number);
  });

  it('finds an unsettled person by the police station\u2019s registration number', async () => {
    const person = everyone.find((r) => r.document?.type === 'NONE')!;
    const response = await gql(BY_DOCUMENT, { type: 'NONE', number: person.document!.number, nationality: 'CHN' });
    expect(response.data?.residentByDocument).toMatchObject({ id: idOf(person), idNumber: null, documentType: 'NONE', populationType: 'UNSETTLED', overseas: null });
  });

  it('refuses an ID card, an empty number and a nationality that is not 3 letters, naming the argument', async () => {
    const cases = [
      { type: 'ID_CARD', number: '11010519491231002X', nationality: 'CHN', argument: 'documentType' },
      { type: 'PASSPORT', number: '  ', nationality: 'KOR', argument: 'documentNumber' },
      { type: 'PASSPORT', number: 'M00000001', nationality: 'Korea', argument: 'nationality' },
    ];
    for (const c of cases) {
      const response = await gql(BY_DOCUMENT, c);
      expect(errorCodes(response)).toEqual(['INVALID_DOCUMENT']);
      expect(response.errors?.[0]?.extensions?.argumentName).toBe(c.argument);
      expect(JSON.stringify(response)).not.toContain('11010519491231002X');
    }
  });
});

describe('special groups of key persons', () => {
  const keyPersons = grids.flatMap((g) => g.publicSecurity.keyPersons);
  const QUERY = /* GraphQL */ `
    query ($id: ID!, $last: Int) { resident(id: $id) { keyPerson { id category specialGroups { category owningUnit since } officers { name unit badge } contacts(last: $last) { contactedOn byName byUnit method finding } } } }
  `;

  it('answers every group of a person on two lists under one record, its officers and its visits newest first', async () => {
    const k = keyPersons.find((x) => x.specialGroups.length > 1 && x.contacts.length >= 3) ?? keyPersons.find((x) => x.contacts.length >= 3)!;
    const response = await gql(QUERY, { id: idOf(k), last: 2 });
    expect(response.errors).toBeUndefined();
    const order = (a: string, b: string) => (a < b ? -1 : 1);
    expect(response.data?.resident).toEqual({
      keyPerson: {
        id: k.id,
        category: k.category,
        specialGroups: [...k.specialGroups].sort((a, b) => order(a.category, b.category)),
        officers: [{ name: k.responsibleOfficerName, unit: 'POLICE_STATION', badge: k.responsibleOfficerBadge }, ...k.officers.map((o) => ({ ...o, badge: null }))],
        contacts: k.contacts.slice(-2).reverse(),
      },
    });
  });

  it('withholds visit findings from a caller without a purpose', async () => {
    const k = keyPersons.find((x) => x.contacts.length > 0)!;
    const response = await gql(QUERY, { id: idOf(k), last: 100 }, testCaller('police-officer'));
    expect(response.errors).toBeUndefined();
    const contacts = (response.data?.resident as { keyPerson: { contacts: { finding: string }[] } }).keyPerson.contacts;
    expect(contacts).toHaveLength(k.contacts.length);
    for (const c of contacts) expect(c.finding).toBe('***');
  });

  it("counts a grid's key persons per special group, a person on two lists under both, and finds them under either", async () => {
    const grid = grids.find((g) => g.publicSecurity.keyPersons.length >= 2)!;
    // A person on a second list: a released prisoner (or whoever the first is) found to use drugs.
    const k = grid.publicSecurity.keyPersons[0]!;
    const second = k.specialGroups.some((s) => s.category === 'DRUG_USER') ? 'AIDS_RISK' : 'DRUG_USER';
    if (!k.specialGroups.some((s) => s.category === second)) {
      await harness.database.pool.query(`INSERT INTO key_person_categories (key_person_id, category, owning_unit, since) VALUES ($1, $2, 'NARCOTICS_CONTROL', '2025-01-01') ON CONFLICT DO NOTHING`, [k.id, second]);
    }
    const groups = (x: (typeof keyPersons)[number]) => [...x.specialGroups.map((s) => s.category as string), ...(x === k ? [second] : [])];
    const count = (category: string) => grid.publicSecurity.keyPersons.filter((x) => groups(x).includes(category)).length;
    const response = await gql(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { specialGroups { communityCorrection releasedPrisoner severeMentalDisorder drugUser keyYouth aidsRisk } } } }`,
      { reps: [{ __typename: 'Grid', code: grid.grid.code }] },
    );
    expect(response.errors).toBeUndefined();
    expect((response.data?._entities as unknown[])[0]).toEqual({
      specialGroups: {
        communityCorrection: count('COMMUNITY_CORRECTION'),
        releasedPrisoner: count('RELEASED_PRISONER'),
        severeMentalDisorder: count('SEVERE_MENTAL_DISORDER'),
        drugUser: count('DRUG_USER'),
        keyYouth: count('KEY_YOUTH'),
        aidsRisk: count('AIDS_RISK'),
      },
    });
    const found = await gql(`query ($reps: [_Any!]!, $category: KeyPersonCategory) { _entities(representations: $reps) { ... on Grid { keyPersons(category: $category, first: 500) { totalCount edges { node { id category } } } } } }`, {
      reps: [{ __typename: 'Grid', code: grid.grid.code }],
      category: second,
    });
    const page = (found.data?._entities as { keyPersons: { totalCount: number; edges: { node: { id: string; category: string } }[] } }[])[0]!.keyPersons;
    expect(page.edges.map((e) => e.node)).toContainEqual({ id: k.id, category: k.category });
    expect(page.totalCount).toBe(count(second));
    expect(page.edges).toHaveLength(count(second));
  });

  it('masks officers\' and visitors\' names for a names-masked role, and withholds their units with the category', async () => {
    const k = keyPersons.find((x) => x.officers.some((o) => o.unit !== 'POLICE_STATION') && x.contacts.length > 0)!;
    // A site's role with keyperson:read and names masked, without a disclosing purpose.
    const masked = testCaller('police-officer', { namesMasked: true });
    const response = await gql(QUERY, { id: idOf(k), last: 100 }, masked);
    expect(response.errors).toBeUndefined();
    const seen = (response.data?.resident as { keyPerson: { category: string | null; officers: { name: string; unit: string | null }[]; contacts: { byName: string; byUnit: string | null }[] } }).keyPerson;
    expect(seen.category).toBeNull();
    expect(seen.officers).toEqual([k.responsibleOfficerName, ...k.officers.map((o) => o.name)].map((name) => expect.objectContaining({ name: maskName(name), unit: null })));
    for (const o of seen.officers) expect(o.name).toMatch(/\*/);
    expect(seen.contacts.map((c) => c.byName)).toEqual(k.contacts.map((c) => maskName(c.byName)).reverse());
    for (const c of seen.contacts) expect(c.byUnit).toBeNull();
    // With the purpose that discloses the category, the units come with it.
    const disclosed = await gql(QUERY, { id: idOf(k), last: 100 }, testCaller('police-officer', { namesMasked: true, purpose: 'public-safety' }));
    const units = (disclosed.data?.resident as { keyPerson: { officers: { unit: string | null }[] } }).keyPerson.officers.map((o) => o.unit);
    expect(units).toEqual(['POLICE_STATION', ...k.officers.map((o) => o.unit)]);
  });

  it("withholds a grid's special-group counts, with FORBIDDEN, from a key-person reader the category is not disclosed to", async () => {
    const grid = grids.find((g) => g.publicSecurity.keyPersons.length >= 1)!;
    const ask = (caller: ReturnType<typeof testCaller>) =>
      gql(`query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { specialGroups { drugUser severeMentalDisorder } keyPersons(first: 5) { totalCount } } } }`, { reps: [{ __typename: 'Grid', code: grid.grid.code }] }, caller);
    const withheld = await ask(testCaller('police-officer'));
    expect(errorCodes(withheld)).toEqual(['FORBIDDEN']);
    expect(withheld.errors?.[0]?.path).toEqual(['_entities', 0, 'specialGroups']);
    // The rest of the grid is answered: only the counts that would tell the category are withheld.
    expect((withheld.data?._entities as { specialGroups: unknown; keyPersons: { totalCount: number } }[])[0]).toEqual({ specialGroups: null, keyPersons: { totalCount: grid.publicSecurity.keyPersons.length } });
    const disclosed = await ask(officer);
    expect(disclosed.errors).toBeUndefined();
    expect((disclosed.data?._entities as { specialGroups: { drugUser: number } | null }[])[0]!.specialGroups).not.toBeNull();
  });

  it('refuses a contact log page over 100', async () => {
    const k = keyPersons[0]!;
    expect(errorCodes(await gql(QUERY, { id: idOf(k), last: 101 }))).toEqual(['INVALID_PAGE_SIZE']);
  });

  it("costs the same statements for ten grids' key persons with groups, officers and visits, and their households, as for one", async () => {
    // The one grid has rows at every hop (a key person with visits whose hukou household is here), so ten add no new hop.
    const hukouOf = new Map(everyone.map((r) => [r.idNumber, r.hukouHouseholdId]));
    const first = grids.find((g) => g.publicSecurity.keyPersons.some((k) => k.contacts.length > 0 && hukouOf.get(k.idNumber)))!;
    expect(first).toBeDefined();
    const ordered = [first, ...grids.filter((g) => g !== first)];
    const measure = async (query: string, n: number) => {
      harness.database.statements.reset();
      const response = await gql(query, { reps: ordered.slice(0, n).map((g) => ({ __typename: 'Grid', code: g.grid.code })) });
      expect(response.errors).toBeUndefined();
      return harness.database.statements.count;
    };
    const keyPersonsQuery = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { keyPersons(first: 50) { edges { node { specialGroups { category } officers { name } contacts { method } resident { household { id members { id } } hukouHousehold { id members { id } } } } } } } } }`;
    const householdsQuery = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { residenceSeparation { residentAndRegistered } households(first: 500) { totalCount edges { node { head { id } members { id } } } } } } }`;
    expect(await measure(keyPersonsQuery, 10)).toBe(await measure(keyPersonsQuery, 1));
    expect(await measure(householdsQuery, 10)).toBe(await measure(householdsQuery, 1));
  });
});
