import { columnOfLoads, columnPageKeys, ErrorCode, isHouseCode } from '@hub/core';
import type { GroupRentalColumnsResolvers } from '../__generated__/resolvers-types.ts';

export const GroupRentalColumns: GroupRentalColumnsResolvers = {
  // Housing owns the page; the gateway brings its house codes along (`@requires(fields: "houseCodes")`).
  __resolveReference: ({ page, houseCodes }) => ({ page, houseCodes: columnPageKeys(houseCodes, isHouseCode, ErrorCode.INVALID_HOUSE_CODE, 'house codes') }),
  // The residents `House.occupants` gives the caller, from the same loader: counted, never listed.
  registeredOccupants: ({ houseCodes }, _, { loaders }) => columnOfLoads(houseCodes, loaders.residentsByHouse, (occupants) => occupants.length),
  floatingOccupants: ({ houseCodes }, _, { loaders }) =>
    columnOfLoads(houseCodes, loaders.residentsByHouse, (occupants) => occupants.filter((o) => o.populationType === 'FLOATING').length),
};
