import type { Caller } from '@hub/core';
import type { Db } from './db/index.ts';
import { createLoaders, type Loaders } from './loaders.ts';

/**
 * Housing answers people only by hub id (owners, landlords, tenants, committee chairs), so no identity number or
 * phone of its own ever needs masking here.
 */
export interface HousingContext {
  db: Db;
  loaders: Loaders;
  /**
   * Who is asking, as the gateway verified and vouched for them in the request's internal token: role, scopes,
   * declared purpose, own grids.
   */
  caller: Caller;
}

export function createContext(db: Db, caller: Caller): HousingContext {
  return { db, loaders: createLoaders(db), caller };
}
