import { mustExist } from '@hub/core';
import type { GroupRentalReason, GroupRentalResolvers } from '../__generated__/resolvers-types.ts';

/** The limits most cities set for a dwelling let to several people (DOMAIN.md §3). */
const MIN_AREA_PER_PERSON_M2 = 5;
const MAX_PEOPLE_PER_ROOM = 2;

const twoDecimals = (n: number) => Math.round(n * 100) / 100;
/** A dwelling recorded with no rooms (an open-plan flat, a basement, a shop) is one space that everyone shares. */
const roomsOf = (house: { rooms: number }) => Math.max(house.rooms, 1);
/**
 * Usable area per person (the rules measure 使用面积, not 建筑面积); the floor area stands in where the register has no
 * usable area. A group rental left with no occupant (rectified and emptied) has the whole dwelling's area.
 */
const areaPerPerson = (house: { areaM2: number; usableAreaM2: number | null }, occupants: number) =>
  (house.usableAreaM2 ?? house.areaM2) / Math.max(occupants, 1);

export const GroupRental: GroupRentalResolvers = {
  // Mediation refers to a group rental by id from the disputes about it.
  __resolveReference: ({ id }, { loaders }) => loaders.groupRentalById.load(id),
  house: async (g, _, { loaders }) => mustExist(await loaders.houseByCode.load(g.houseCode), `house ${g.houseCode}`),
  grid: (g) => ({ code: g.gridCode }),
  // Numbers masked for everyone; withheld from callers with names masked (housing keeps no names to find in it).
  note: (g, _, { masks }) => masks.text(g.note),
  peoplePerRoom: async (g, _, { loaders }) => {
    const house = mustExist(await loaders.houseByCode.load(g.houseCode), `house ${g.houseCode}`);
    return twoDecimals(g.occupantCount / roomsOf(house));
  },
  areaPerPersonM2: async (g, _, { loaders }) => {
    const house = mustExist(await loaders.houseByCode.load(g.houseCode), `house ${g.houseCode}`);
    return twoDecimals(areaPerPerson(house, g.occupantCount));
  },
  reasons: async (g, _, { loaders }) => {
    const house = mustExist(await loaders.houseByCode.load(g.houseCode), `house ${g.houseCode}`);
    const reasons: GroupRentalReason[] = [];
    if (g.occupantCount > 0 && areaPerPerson(house, g.occupantCount) < MIN_AREA_PER_PERSON_M2) reasons.push('AREA_PER_PERSON');
    if (g.occupantCount / roomsOf(house) > MAX_PEOPLE_PER_ROOM) reasons.push('PEOPLE_PER_ROOM');
    if (g.partitioned) reasons.push('PARTITIONED');
    if (g.bedLetting) reasons.push('BED_LETTING');
    return reasons;
  },
  inspections: (g, _, { loaders }) => loaders.inspectionsByGroupRental.load(g.id),
};
