import type { Caller } from '@hub/core';
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
  /**
   * Whether identity numbers and phones may be shown whole. Mediation answers with hub ids only today; the flag is
   * here so that fields added later mask by default, as in every department, until access control decides it.
   */
  revealIdentity: boolean;
}

export function createContext(db: Db, caller: Caller): MediationContext {
  return { db, loaders: createLoaders(db), caller, revealIdentity: false };
}
