import { masksFor, rowScope, type Caller, type Masks, type RowScope } from '@hub/core';
import type { Db } from './db/index.ts';
import { createLoaders, type Loaders } from './loaders.ts';

export interface MediationContext {
  db: Db;
  loaders: Loaders;
  /**
   * Who is asking, as the gateway verified and vouched for them in the request's internal token: role, scopes,
   * declared purpose, own grids.
   */
  caller: Caller;
  /** The caller's masks: mediators' names (surname + * for namesMasked roles), and any identity data added later. */
  masks: Masks;
  /** The grids whose cases the caller may see (grid workers: their own); the loaders filter by it in SQL. */
  scope: RowScope;
}

export function createContext(db: Db, caller: Caller): MediationContext {
  const scope = rowScope(caller);
  return { db, loaders: createLoaders(db, scope), caller, masks: masksFor(caller), scope };
}
