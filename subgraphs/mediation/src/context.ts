import type { Db } from './db/index.ts';
import { createLoaders, type Loaders } from './loaders.ts';

export interface MediationContext {
  db: Db;
  loaders: Loaders;
  /**
   * Whether identity numbers and phones may be shown whole. Mediation answers with hub ids only today; the flag is
   * here so that fields added later mask by default, as in every department, until access control decides it.
   */
  revealIdentity: boolean;
}

export function createContext(db: Db): MediationContext {
  return { db, loaders: createLoaders(db), revealIdentity: false };
}
