import type { Caller } from '@hub/core';
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
  /**
   * Whether identity numbers and phones may be shown whole. Off for every request until access control decides it
   * per caller and purpose; until then they are always masked.
   */
  revealIdentity: boolean;
}

export function createContext(db: Db, secret: string, caller: Caller): PublicSecurityContext {
  return { db, loaders: createLoaders(db), caller, secret, revealIdentity: false };
}
