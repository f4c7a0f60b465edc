import type { Db } from './db/index.ts';
import { createLoaders, type Loaders } from './loaders.ts';

export interface PartyContext {
  db: Db;
  loaders: Loaders;
  /** Hub secret that keys resident ids. */
  secret: string;
}

export function createContext(db: Db, secret: string): PartyContext {
  return { db, loaders: createLoaders(db), secret };
}
