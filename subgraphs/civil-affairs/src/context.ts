import { masksFor, rowScope, type Caller, type Masks, type RowScope } from '@hub/core';
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
  /** The caller's masks: phones and certificate numbers in clear only as disclosure (scope and purpose) allows. */
  masks: Masks;
  /** The grids whose welfare rows the caller may see (grid workers: their own); the loaders filter by it in SQL. */
  scope: RowScope;
}

export function createContext(db: Db, caller: Caller): CivilAffairsContext {
  const scope = rowScope(caller);
  return { db, loaders: createLoaders(db, scope), caller, masks: masksFor(caller), scope };
}
