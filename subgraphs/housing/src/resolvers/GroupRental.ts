import { mustExist } from '@hub/core';
import type { GroupRentalReason, GroupRentalResolvers } from '../__generated__/resolvers-types.ts';

/** The limits most cities set for a dwelling let to several people (DOMAIN.md §3). */
const MIN_AREA_PER_PERSON_M2 = 5;
const MAX_PEOPLE_PER_ROOM = 2;

const twoDecimals = (n: number) => Math.round(n * 100) / 100;

export const GroupRental: GroupRentalResolvers = {
  // Mediation refers to a group rental by id from the disputes about it.
  __resolveReference: ({ id }, { loaders }) => loaders.groupRentalById.load(id),
  house: async (g, _, { loaders }) => mustExist(await loaders.houseByCode.load(g.houseCode), `house ${g.houseCode}`),
  grid: (g) => ({ code: g.gridCode }),
  peoplePerRoom: async (g, _, { loaders }) => {
    const house = mustExist(await loaders.houseByCode.load(g.houseCode), `house ${g.houseCode}`);
    return twoDecimals(g.occupantCount / house.rooms);
  },
  areaPerPersonM2: async (g, _, { loaders }) => {
    const house = mustExist(await loaders.houseByCode.load(g.houseCode), `house ${g.houseCode}`);
    return twoDecimals(house.areaM2 / g.occupantCount);
  },
  reasons: async (g, _, { loaders }) => {
    const house = mustExist(await loaders.houseByCode.load(g.houseCode), `house ${g.houseCode}`);
    const reasons: GroupRentalReason[] = [];
    if (house.areaM2 / g.occupantCount < MIN_AREA_PER_PERSON_M2) reasons.push('AREA_PER_PERSON');
    if (g.occupantCount / house.rooms > MAX_PEOPLE_PER_ROOM) reasons.push('PEOPLE_PER_ROOM');
    return reasons;
  },
};
