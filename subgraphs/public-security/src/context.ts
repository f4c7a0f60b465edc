import type { Db } from './db/index.ts';
import { createLoaders, type Loaders } from './loaders.ts';

export interface PublicSecurityContext {
  db: Db;
  loaders: Loaders;
  /** Hub secret that keys resident ids. */
  secret: string;
  /**
   * Whether identity numbers and phones may be shown whole. Off for every request until access control decides it
   * per caller and purpose; until then they are always masked.
   */
  revealIdentity: boolean;
}

export function createContext(db: Db, secret: string): PublicSecurityContext {
  return { db, loaders: createLoaders(db), secret, revealIdentity: false };
}
