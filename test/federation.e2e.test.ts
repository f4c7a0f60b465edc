import { ageOn, maskName, MINOR_AGE } from '@hub/core';
import { errorCodes, postGraphQL } from '@hub/core/testing';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GridResidentsDocument } from './__generated__/operations.ts';
import { grids, idOf, world } from './world.ts';

let hub: TestHub;
const contents = grids;

beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
});
afterAll(async () => {
  await hub?.close();
});

const gql = <T = Record<string, unknown>>(query: Parameters<typeof postGraphQL<T>>[1], variables?: Record<string, unknown>) =>
  postGraphQL<T>(hub.gatewayUrl, query, variables, hub.headers);

describe('one graph across public security and civil affairs', () => {
  const biggest = contents.reduce((a, b) => (b.residents.length > a.residents.length ? b : a));
  const community = world.communities.find((c) => c.code === biggest.grid.communityCode)!;
  const street = world.streets.find((s) => s.code === community.streetCode)!;

  it("answers a grid's residents with the grid's community and street names", async () => {
    const response = await gql(GridResidentsDocument, { code: biggest.grid.code, first: 20 });
    expect(response.errors).toBeUndefined();
    const grid = response.data!.grid!;
    expect(grid).toMatchObject({
      code: biggest.grid.code,
      name: biggest.grid.name,
      community: { code: community.code, name: community.name, street: { code: street.code, name: street.name } },
    });
    const byId = new Map(biggest.residents.map((r) => [idOf(r.idNumber), r]));
    const expectedFirst20 = [...byId.keys()].sort().slice(0, 20);
    expect(grid.residents!.totalCount).toBe(biggest.residents.length);
    expect(grid.residents!.edges.map((e) => e.node.id)).toEqual(expectedFirst20);
    for (const { node } of grid.residents!.edges) {
      const person = byId.get(node.id)!;
      // The administrator here declares no purpose, so children's names and birth dates stay withheld.
      const minor = ageOn(person.birthDate) < MINOR_AGE;
      expect(node).toEqual({
        id: node.id,
        name: minor ? maskName(person.name) : person.name,
        sex: person.sex,
        birthDate: minor ? null : person.birthDate,
        populationType: person.populationType,
        grid: { code: biggest.grid.code },
      });
    }
    expect(grid.residents!.pageInfo.hasNextPage).toBe(biggest.residents.length > 20);
  });

  it('answers the exact query of the quick start', async () => {
    const response = await gql(
      `{ grid(code: "${biggest.grid.code}") { name community { name street { name } } residents(first: 20) { totalCount edges { node { id name grid { code } } } } } }`,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toMatchObject({
      grid: { name: biggest.grid.name, community: { name: community.name, street: { name: street.name } } },
    });
  });

  it("resolves a resident's grid in civil affairs and a grid worker's person in public security", async () => {
    const worker = biggest.workers[0]!;
    const response = await gql<{
      resident: { name: string; grid: { name: string; community: { name: string } } };
      grid: { workers: { name: string; resident: { id: string; name: string; grid: { code: string } } }[] };
    }>(
      `query ($id: ID!, $code: ID!) {
        resident(id: $id) { name grid { name community { name } } }
        grid(code: $code) { workers { name resident { id name grid { code } } } }
      }`,
      { id: idOf(worker.idNumber), code: biggest.grid.code },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.resident).toEqual({
      name: worker.name,
      grid: { name: biggest.grid.name, community: { name: community.name } },
    });
    for (const w of response.data!.grid.workers) {
      // Civil affairs' HR record and the population register name the same person under the same hub id.
      expect(w.resident.name).toBe(w.name);
      expect(w.resident.grid.code).toBe(biggest.grid.code);
    }
  });

  it('runs a number of SQL statements per subgraph that does not grow with the page size', async () => {
    const measure = async (first: number) => {
      for (const s of Object.values(hub.subgraphs)) s.statements.reset();
      const response = await gql(GridResidentsDocument, { code: biggest.grid.code, first });
      expect(response.errors).toBeUndefined();
      expect(response.data!.grid!.residents!.edges).toHaveLength(Math.min(first, biggest.residents.length));
      return Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.statements.count]));
    };
    expect(biggest.residents.length).toBeGreaterThan(10);
    const small = await measure(10);
    const large = await measure(500);
    expect(large).toEqual(small);
    expect(small['public-security']).toBeGreaterThan(0);
    expect(small['civil-affairs']).toBeGreaterThan(0);
  });

  it("resolves many residents' grids with as many statements as for a few", async () => {
    const measure = async (grids: number) => {
      for (const s of Object.values(hub.subgraphs)) s.statements.reset();
      const response = await gql<{ grids: { edges: { node: { residents: { edges: { node: { grid: { name: string } } }[] } } }[] } }>(
        `query ($n: Int) { grids(first: $n) { edges { node { code residents(first: 50) { edges { node { name grid { name community { name } } } } } } } } }`,
        { n: grids },
      );
      expect(response.errors).toBeUndefined();
      const people = response.data!.grids.edges.flatMap((e) => e.node.residents.edges);
      return { people: people.length, statements: Object.fromEntries(Object.entries(hub.subgraphs).map(([n, s]) => [n, s.statements.count])) };
    };
    const few = await measure(2);
    const many = await measure(12);
    expect(many.people).toBeGreaterThan(few.people * 3);
    expect(many.statements).toEqual(few.statements);
  });
});

describe('bad input through the gateway', () => {
  const known = world.grids[0]!.code;
  const person = contents[0]!.residents[0]!;
  const wrongCheck = person.idNumber.slice(0, 17) + (person.idNumber.at(-1) === '1' ? '2' : '1');

  it.each([
    ['an ID number with a wrong check digit', `{ residentByIdNumber(idNumber: "${wrongCheck}") { name } }`, 'INVALID_ID_NUMBER'],
    ['a grid code of the wrong length', `{ grid(code: "${known}0") { name } }`, 'INVALID_GRID_CODE'],
    ['a grid that does not exist', `{ grid(code: "${known.slice(0, 12)}998") { name } }`, 'NOT_FOUND'],
    ['a page size above the maximum', `{ grid(code: "${known}") { residents(first: 501) { totalCount } } }`, 'INVALID_PAGE_SIZE'],
    ['a negative page size', `{ grids(first: -5) { totalCount } }`, 'INVALID_PAGE_SIZE'],
    ['a malformed cursor', `{ grid(code: "${known}") { residents(first: 5, after: "garbage!") { totalCount } } }`, 'INVALID_CURSOR'],
    ['a credit code with a wrong check character', `{ organizationByCreditCode(creditCode: "91320311MA1XYW1230") { name } }`, 'INVALID_CREDIT_CODE'],
    ['a malformed house code', `{ house(code: "32031100100100012-2-301") { address } }`, 'INVALID_HOUSE_CODE'],
    ['a malformed case id', `{ case(id: "TJ-1") { status } }`, 'INVALID_CASE_ID'],
    ['a malformed organization id', `{ organization(id: "ZZ1") { name } }`, 'INVALID_ORGANIZATION_ID'],
    ['an over-long search string', `{ organizations(nameContains: "${'社'.repeat(51)}") { totalCount } }`, 'INPUT_TOO_LONG'],
    ['a date range that ends before it starts', `{ incidents(from: "2026-05-01", to: "2026-04-01") { totalCount } }`, 'INVALID_DATE_RANGE'],
    ['an invalid enum value', `{ grid(code: "${known}") { cases(status: SOLVED) { totalCount } } }`, 'GRAPHQL_VALIDATION_FAILED'],
  ])('refuses %s with a stable code', async (_, query, code) => {
    const response = await gql(query);
    expect(errorCodes(response)).toContain(code);
    expect(JSON.stringify(response)).not.toContain(person.idNumber.slice(0, 17));
  });

  it('resolves well-formed keys that name nothing to null, across departments, without errors', async () => {
    const response = await gql<Record<string, unknown>>(
      `{
        house(code: "${known.slice(0, 12)}99999-09-9999") { address }
        case(id: "TJ${known}9999") { status }
        organization(id: "PB${known.slice(0, 12)}999") { name }
        incident(id: "JQ20260101${known}999") { summary }
        resident(id: "${'f'.repeat(32)}") { name homes { role } welfare { kind } partyMembership { status } cases { id } }
      }`,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ house: null, case: null, organization: null, incident: null, resident: null });
  });

  it('leaves the rest of an answer in place when one field is refused', async () => {
    const response = await gql<{ grid: { name: string; residents: unknown } | null }>(
      `{ grid(code: "${known}") { name residents(first: 501) { totalCount } } }`,
    );
    expect(errorCodes(response)).toEqual(['INVALID_PAGE_SIZE']);
    // Guarded fields are nullable, so a refused page nulls only itself.
    expect(response.data?.grid).toEqual({ name: world.grids.find((g) => g.code === known)!.name, residents: null });
  });
});
