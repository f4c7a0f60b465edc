import { countsByParent, pageByParent, rowByKey } from '@hub/core';
import { eq } from 'drizzle-orm';
import type { Db } from './db/index.ts';
import { floatingDetails, residents } from './db/schema.ts';
import type { PopulationType } from './__generated__/resolvers-types.ts';

/** The request's loaders. Built per request, so nothing cached outlives the request that read it. */
export function createLoaders(db: Db) {
  return {
    residentById: rowByKey(db, residents, residents.id, (r) => r.id),
    floatingByResidentId: rowByKey(db, floatingDetails, floatingDetails.residentId, (r) => r.residentId),
    /** A page of a grid's residents; one statement for every grid asked with the same page and filter. */
    residentPageByGrid: pageByParent<typeof residents, PopulationType | null>({
      db,
      table: residents,
      parentColumn: residents.gridCode,
      orderColumn: residents.id,
      parentOf: (r) => r.gridCode,
      where: (type) => (type ? eq(residents.populationType, type) : undefined),
    }),
    populationByGrid: countsByParent<PopulationType>({
      db,
      table: residents,
      parentColumn: residents.gridCode,
      groupColumn: residents.populationType,
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
