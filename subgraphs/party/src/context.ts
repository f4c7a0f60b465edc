import { masksFor, rowScope, type Caller, type Masks, type RowScope } from '@hub/core';
import type { Db } from './db/index.ts';
import { createLoaders, type Loaders } from './loaders.ts';

export interface PartyContext {
  db: Db;
  loaders: Loaders;
  /**
   * Who is asking, as the gateway verified and vouched for them in the request's internal token: role, scopes,
   * declared purpose, own grids.
   */
  caller: Caller;
  /** Hub secret that keys resident ids. */
  secret: string;
  /** The grids whose party members the caller may see (grid workers: their own); the loaders filter by it in SQL. */
  scope: RowScope;
  /** The caller's masks: free text (activity titles, points reasons) with numbers masked. */
  masks: Masks;
}

export function createContext(db: Db, secret: string, caller: Caller): PartyContext {
  const scope = rowScope(caller);
  return { db, loaders: createLoaders(db, scope), caller, secret, scope, masks: masksFor(caller) };
}
