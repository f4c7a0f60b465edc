import type { Db } from './db/index.ts';
import { createLoaders, type Loaders } from './loaders.ts';

/**
 * Housing answers people only by hub id (owners, landlords, tenants, committee chairs), so no identity number or
 * phone of its own ever needs masking here.
 */
export interface HousingContext {
  db: Db;
  loaders: Loaders;
}

export function createContext(db: Db): HousingContext {
  return { db, loaders: createLoaders(db) };
}
