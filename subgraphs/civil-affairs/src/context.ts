import type { Caller } from '@hub/core';
import type { Db } from './db/index.ts';
import { createLoaders, type Loaders } from './loaders.ts';

export interface CivilAffairsContext {
  db: Db;
  loaders: Loaders;
  /**
   * Who is asking, as the gateway verified and vouched for them in the request's internal token: role, scopes,
   * declared purpose, own grids.
   */
  caller: Caller;
  /**
   * Whether grid workers' phones may be shown whole. Off for every request until access control decides it per
   * caller; until then they are masked.
   */
  revealIdentity: boolean;
}

export function createContext(db: Db, caller: Caller): CivilAffairsContext {
  return { db, loaders: createLoaders(db), caller, revealIdentity: false };
}
