import { DEMO_HUB_SECRET, residentKey, type Caller } from '@hub/core';
import { serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';

/**
 * What public security serves of its sensitive text and categories: numbers in incident summaries and key-person
 * plans masked for everyone, the people's names masked for a caller with names masked (public security knows the
 * names of the people its records involve), and the key-person category only for public safety.
 */
const world = generateDemoWorld(TEST_DEMO);
const grids = [...world.gridContents()];
const residents = new Map(grids.flatMap((g) => g.residents.map((r) => [r.idNumber, r] as const)));
const idOf = (idNumber: string) => residentKey(idNumber, DEMO_HUB_SECRET);

const incident = grids.flatMap((g) => g.publicSecurity.incidents).find((i) => i.involvedIdNumbers.length > 0)!;
const involved = residents.get(incident.involvedIdNumbers[0]!)!;
const keyPerson = grids.flatMap((g) => g.publicSecurity.keyPersons.map((k) => ({ k, grid: g.grid.code }))).find(({ k }) => k.guardianIdNumber)!;
const guardian = residents.get(keyPerson.k.guardianIdNumber!)!;

// Written as a clerk would: the name, a glued ID number, a dashed phone, a full-width landline.
const SUMMARY = `${involved.name}（身份证号${involved.idNumber}）称邻居噪音扰民，电话138-0013-8000，座机（０５１６）８３８８１２３４。`;
const PLAN = `每月走访一次，监护人${guardian.name}电话13800138000，银行卡6222021234567890128代发补助。`;
const summaryMasked = (name: string) =>
  `${name}（身份证号${involved.idNumber.slice(0, 6)}********${involved.idNumber.slice(-4)}）称邻居噪音扰民，电话138****8000，座机(0516)****1234。`;
const planMasked = (name: string) => `每月走访一次，监护人${name}电话138****8000，银行卡622202*********0128代发补助。`;
const surnameStar = (name: string) => [...name][0] + '*'.repeat([...name].length - 1);

const harness = serveSubgraphForTests(subgraph, {
  async prepare(url) {
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      await db.query('update incidents set summary = $1 where id = $2', [SUMMARY, incident.id]);
      await db.query('update key_persons set plan = $1 where id = $2', [PLAN, keyPerson.k.id]);
    } finally {
      await db.end();
    }
  },
});

const INCIDENT = `query ($id: ID!) { incident(id: $id) { summary } }`;
const KEY_PERSON = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { keyPerson { category categoryWithheld plan } } } }`;

describe('free text', () => {
  it('masks the numbers of an incident summary for every caller, names kept for callers who may read names', async () => {
    for (const caller of [testCaller('police-officer', { purpose: 'public-safety' }), testCaller('police-officer'), testCaller('administrator', { purpose: 'case-handling' })]) {
      const response = await harness.gql(INCIDENT, { id: incident.id }, caller);
      expect(response.errors).toBeUndefined();
      expect(response.data?.incident).toEqual({ summary: summaryMasked(involved.name) });
    }
  });

  it('masks the involved people’s names too for a caller with names masked', async () => {
    const response = await harness.gql(INCIDENT, { id: incident.id }, testCaller('police-officer', { purpose: 'public-safety', namesMasked: true }));
    expect(response.data?.incident).toEqual({ summary: summaryMasked(surnameStar(involved.name)) });
  });

  it('masks the numbers of a disclosed plan, and the guardian’s name for a caller with names masked', async () => {
    const reps = [{ __typename: 'Resident', id: idOf(keyPerson.k.idNumber) }];
    const officer = await harness.gql<{ _entities: { keyPerson: { plan: string } }[] }>(KEY_PERSON, { reps }, testCaller('police-officer', { purpose: 'public-safety' }));
    expect(officer.data?._entities[0]!.keyPerson.plan).toBe(planMasked(guardian.name));
    const namesMasked = await harness.gql<{ _entities: { keyPerson: { plan: string } }[] }>(KEY_PERSON, { reps }, testCaller('police-officer', { purpose: 'public-safety', namesMasked: true }));
    expect(namesMasked.data?._entities[0]!.keyPerson.plan).toBe(planMasked(surnameStar(guardian.name)));
  });
});

describe('the key-person category', () => {
  const reps = [{ __typename: 'Resident', id: idOf(keyPerson.k.idNumber) }];
  const ask = (overrides: Partial<Caller>) =>
    harness.gql<{ _entities: { keyPerson: { category: string | null; categoryWithheld: boolean } }[] }>(KEY_PERSON, { reps }, testCaller('police-officer', overrides));

  it('is disclosed with keyperson:read and public-safety only; withheld is told from absent', async () => {
    expect((await ask({ purpose: 'public-safety' })).data?._entities[0]!.keyPerson).toMatchObject({ category: keyPerson.k.category, categoryWithheld: false });
    for (const purpose of [{ purpose: null }, { purpose: 'case-handling' as const }]) {
      expect((await ask(purpose)).data?._entities[0]!.keyPerson).toMatchObject({ category: null, categoryWithheld: true });
    }
  });

  it('cannot be learnt by filtering a grid’s key persons without it', async () => {
    const query = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { keyPersons(category: ${keyPerson.k.category}) { totalCount } } } }`;
    const refused = await harness.gql(query, { reps: [{ __typename: 'Grid', code: keyPerson.grid }] }, testCaller('police-officer', { purpose: 'case-handling' }));
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const allowed = await harness.gql<{ _entities: { keyPersons: { totalCount: number } }[] }>(query, { reps: [{ __typename: 'Grid', code: keyPerson.grid }] }, testCaller('police-officer', { purpose: 'public-safety' }));
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data?._entities[0]!.keyPersons.totalCount).toBe(grids.find((g) => g.grid.code === keyPerson.grid)!.publicSecurity.keyPersons.filter((k) => k.category === keyPerson.k.category).length);
  });
});
