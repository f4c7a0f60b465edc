import type { HukouPlaceResolvers } from '../__generated__/resolvers-types.ts';

export const HukouPlace: HukouPlaceResolvers = {
  divisionCode: (r) => r.hukouDivisionCode,
  policeStation: (r) => r.hukouPoliceStation,
  address: (r, _, { masks }) => masks.address(r.registeredAddress),
};
