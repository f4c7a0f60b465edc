import { serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';

const world = generateDemoWorld(TEST_DEMO);
const grids = [...world.gridContents()];
const officer = testCaller('housing-officer');
const harness = serveSubgraphForTests(subgraph);
const ok = async (query: string, variables?: Record<string, unknown>) => {
  const response = await harness.gql<Record<string, any>>(query, variables, officer);
  expect(response.errors).toBeUndefined();
  return response.data!;
};

describe('what the register keeps of houses and buildings', () => {
  const grid = grids.reduce((a, b) => (b.houses.length > a.houses.length ? b : a));

  it("answers each house's usable area and property nature, and each building's structure", async () => {
    const houses = grid.houses.slice(0, 50);
    const details = new Map(grid.housing.houses.map((h) => [h.houseCode, h]));
    const data = await ok(`query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on House { code areaM2 usableAreaM2 propertyNature } } }`,
      { reps: houses.map((h) => ({ __typename: 'House', code: h.code })) });
    expect(data._entities).toEqual(houses.map((h) => ({ code: h.code, areaM2: h.areaM2, usableAreaM2: details.get(h.code)!.usableAreaM2, propertyNature: details.get(h.code)!.propertyNature })));
    for (const h of data._entities) expect(h.usableAreaM2).toBeLessThan(h.areaM2);
    const structures = new Map(grid.housing.buildings.map((b) => [b.buildingCode, b.structure]));
    const buildings = await ok(`query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Building { code structure } } }`,
      { reps: grid.buildings.map((b) => ({ __typename: 'Building', code: b.code })) });
    expect(buildings._entities).toEqual(grid.buildings.map((b) => ({ code: b.code, structure: structures.get(b.code) })));
  });

  it('has public rental housing held by the housing authority, and no dwelling owned by a property company or committee', async () => {
    const all = grids.flatMap((g) => g.housing.houses);
    expect(all.some((h) => h.propertyNature === 'PUBLIC_RENTAL')).toBe(true);
    const publicRental = all.find((h) => h.propertyNature === 'PUBLIC_RENTAL')!;
    const data = await ok(`query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on House { propertyNature owners { owner { id } organization { id } } } } }`,
      { reps: [{ __typename: 'House', code: publicRental.houseCode }] });
    expect(data._entities[0].propertyNature).toBe('PUBLIC_RENTAL');
    expect(data._entities[0].owners).toEqual([{ owner: null, organization: { id: expect.stringMatching(/^GV\d{15}$/) } }]);
    const orgOwners = grids.flatMap((g) => g.housing.ownerships).filter((o) => o.ownerOrganizationId !== null);
    expect(new Set(orgOwners.map((o) => o.ownerOrganizationId!.slice(0, 2)))).toEqual(new Set(['GV']));
  });
});

describe('group rentals after rectification', () => {
  const all = grids.flatMap((g) => g.housing.groupRentals);

  it('re-inspects rectified ones (compliant) and records relapses, with the crowding measured on usable area', async () => {
    const rectified = all.find((r) => r.status === 'RECTIFIED')!;
    const relapsed = all.find((r) => r.status === 'RELAPSED')!;
    expect(rectified && relapsed).toBeTruthy();
    const data = await ok(`query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on GroupRental {
      id status rectifiedOn occupantCount inspections { inspectedOn occupantCount result } } } }`,
      { reps: [rectified, relapsed].map((r) => ({ __typename: 'GroupRental', id: r.id })) });
    const [a, b] = data._entities;
    expect(a.inspections).toEqual([{ ...rectified.inspections[0], result: 'COMPLIANT' }]);
    expect(a.inspections[0].occupantCount).toBeLessThan(a.occupantCount);
    expect(b.inspections).toEqual([{ ...relapsed.inspections[0], result: 'RELAPSED' }]);
    expect(b.rectifiedOn).toBe(relapsed.rectifiedOn);
  });
});
