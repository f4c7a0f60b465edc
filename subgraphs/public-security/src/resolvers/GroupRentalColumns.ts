import { columnPageKeys, ErrorCode, gridScopeWhere, isHouseCode, rowsOfKeys, type RowScope } from '@hub/core';
import { and, count, sql } from 'drizzle-orm';
import type { Db } from '../db/index.ts';
import { residents } from '../db/schema.ts';
import type { GroupRentalColumnsResolvers } from '../__generated__/resolvers-types.ts';

/**
 * People the register has living in each house, and the floating among them: the residents `House.occupants` lists
 * to the caller (the same row scope), counted in one statement for the page instead of loaded row by row.
 */
async function occupantColumns(db: Db, scope: RowScope, page: string, houseCodes: string[]) {
  // One array parameter: drizzle's `inArray` built a parameter per house code, and building the statement of a page's
  // 5,000 codes was a third of public security's busy time in a group-rentals export. A named statement
  // (`rowsOfKeys`, the codes behind an InitPlan: the same scan of `residents_house_idx` over the sorted codes as
  // `= any($1)` planned with them), not one drizzle builds and maps row by row on every page.
  const counts = await rowsOfKeys(db, 'group-rental-occupants', [...new Set(houseCodes)], gridScopeWhere(scope, residents.gridCode), (among, where) =>
    db
      .select({ houseCode: residents.houseCode, registered: count(), floating: count(sql`case when ${residents.populationType} = 'FLOATING' then 1 end`) })
      .from(residents)
      .where(and(among(residents.houseCode), where))
      .groupBy(residents.houseCode),
  );
  const byHouse = new Map(counts.map((c) => [c.houseCode, c]));
  return {
    page,
    houseCodes,
    registeredOccupants: houseCodes.map((code) => byHouse.get(code)?.registered ?? 0),
    floatingOccupants: houseCodes.map((code) => byHouse.get(code)?.floating ?? 0),
  };
}

export const GroupRentalColumns: GroupRentalColumnsResolvers = {
  // Housing owns the page; the gateway brings its house codes along (`@requires(fields: "houseCodes")`).
  __resolveReference: ({ page, houseCodes }, { db, scope }) =>
    occupantColumns(db, scope, page, columnPageKeys(houseCodes, isHouseCode, ErrorCode.INVALID_HOUSE_CODE, 'house codes')),
};
