import { DEMO_HUB_SECRET, residentKey } from '@hub/core';
import { generateDemoWorld, type DemoGridContents, type DemoResident } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';

/**
 * The test district as the generator made it, indexed for checking the graph's answers: the expected side of
 * every end-to-end assertion comes from here, never from the databases.
 */
export const world = generateDemoWorld(TEST_DEMO);
export const grids: DemoGridContents[] = [...world.gridContents()];
export const residents: DemoResident[] = grids.flatMap((g) => g.residents);
export const idOf = (idNumber: string) => residentKey(idNumber, DEMO_HUB_SECRET);
export const residentByIdNumber = new Map(residents.map((r) => [r.idNumber, r]));
export const residentById = new Map(residents.map((r) => [idOf(r.idNumber), r]));
export const gridByCode = new Map(grids.map((g) => [g.grid.code, g]));
export const communityByCode = new Map(world.communities.map((c) => [c.code, c]));
export const streetByCode = new Map(world.streets.map((s) => [s.code, s]));
export const organizations = grids.flatMap((g) => g.organizations);
export const organizationById = new Map(organizations.map((o) => [o.id, o]));
export const houses = grids.flatMap((g) => g.houses);
export const houseByCode = new Map(houses.map((h) => [h.code, h]));

/** The grid with the most residents: every kind of record is likeliest there. */
export const busiestGrid = grids.reduce((a, b) => (b.residents.length > a.residents.length ? b : a));
