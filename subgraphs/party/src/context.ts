import type { Caller } from '@hub/core';
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
}

export function createContext(db: Db, secret: string, caller: Caller): PartyContext {
  return { db, loaders: createLoaders(db), caller, secret };
}
