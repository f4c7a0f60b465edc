import { masksFor, rowScope, type Caller, type Masks, type RowScope } from '@hub/core';
import type { Db } from './db/index.ts';
import { createLoaders, type Loaders } from './loaders.ts';

export interface PublicSecurityContext {
  db: Db;
  loaders: Loaders;
  /**
   * Who is asking, as the gateway verified and vouched for them in the request's internal token: role, scopes,
   * declared purpose, own grids.
   */
  caller: Caller;
  /** Hub secret that keys resident ids. */
  secret: string;
  /** The caller's masks: ID numbers, phones, addresses, names and key-person plans in clear only as disclosure allows. */
  masks: Masks;
  /** The grids whose rows the caller may see (grid workers: their own); the loaders filter by it in SQL. */
  scope: RowScope;
}

export function createContext(db: Db, secret: string, caller: Caller): PublicSecurityContext {
  const scope = rowScope(caller);
  return { db, loaders: createLoaders(db, scope), caller, secret, masks: masksFor(caller), scope };
}
