import { masksFor, rowScope, systemClock, type Caller, type Clock, type Masks, type RowScope } from '@hub/core';
import type { Db } from './db/index.ts';
import { createLoaders, type Loaders } from './loaders.ts';

/**
 * Housing answers people only by hub id (owners, landlords, tenants, committee chairs), so no identity number or
 * phone of its own needs masking here; exact addresses of houses and buildings do.
 */
export interface HousingContext {
  db: Db;
  loaders: Loaders;
  /**
   * Who is asking, as the gateway verified and vouched for them in the request's internal token: role, scopes,
   * declared purpose, own grids.
   */
  caller: Caller;
  /** The caller's masks: house and building addresses in clear only with resident:address and a purpose. */
  masks: Masks;
  /** The grids whose buildings, houses and rentals the caller may see (grid workers: their own), filtered in SQL. */
  scope: RowScope;
  /** The hub's clock: what "today" a remediation stage is dated by default and checked against. */
  clock: Clock;
}

export function createContext(db: Db, caller: Caller, clock: Clock = systemClock): HousingContext {
  const scope = rowScope(caller);
  return { db, loaders: createLoaders(db, scope), caller, masks: masksFor(caller), scope, clock };
}
