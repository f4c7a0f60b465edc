import { rowByKey, rowsByKey } from '@hub/core';
import type { Db } from './db/index.ts';
import { communities, districts, gridWorkers, grids, streets } from './db/schema.ts';

/** The request's loaders. Built per request, so nothing cached outlives the request that read it. */
export function createLoaders(db: Db) {
  return {
    districtByCode: rowByKey(db, districts, districts.code, (r) => r.code),
    streetByCode: rowByKey(db, streets, streets.code, (r) => r.code),
    communityByCode: rowByKey(db, communities, communities.code, (r) => r.code),
    gridByCode: rowByKey(db, grids, grids.code, (r) => r.code),
    streetsByDistrict: rowsByKey(db, streets, streets.districtCode, streets.code, (r) => r.districtCode),
    communitiesByStreet: rowsByKey(db, communities, communities.streetCode, communities.code, (r) => r.streetCode),
    gridsByCommunity: rowsByKey(db, grids, grids.communityCode, grids.code, (r) => r.communityCode),
    workersByGrid: rowsByKey(db, gridWorkers, gridWorkers.gridCode, gridWorkers.id, (r) => r.gridCode),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
