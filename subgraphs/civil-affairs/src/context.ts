import type { Db } from './db/index.ts';
import { createLoaders, type Loaders } from './loaders.ts';

export interface CivilAffairsContext {
  db: Db;
  loaders: Loaders;
  /**
   * Whether grid workers' phones may be shown whole. Off for every request until access control decides it per
   * caller; until then they are masked.
   */
  revealIdentity: boolean;
}

export function createContext(db: Db): CivilAffairsContext {
  return { db, loaders: createLoaders(db), revealIdentity: false };
}
