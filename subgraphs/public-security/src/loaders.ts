import DataLoader from 'dataloader';
import { and, asc, count, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db } from './db/index.ts';
import { floatingDetails, residents, type FloatingDetailsRow, type ResidentRow } from './db/schema.ts';
import type { PopulationType } from './__generated__/resolvers-types.ts';

export interface GridPageKey {
  gridCode: string;
  populationType: PopulationType | null;
  first: number;
  after: string | null;
}

export type PopulationCountsRow = Record<PopulationType, number> & { total: number };

const emptyCounts = (): PopulationCountsRow => ({ total: 0, REGISTERED: 0, FLOATING: 0, OVERSEAS: 0, UNSETTLED: 0 });

/** The request's loaders. Built per request, so nothing cached outlives the request that read it. */
export function createLoaders(db: Db) {
  return {
    residentById: new DataLoader<string, ResidentRow | null>(async (ids) => {
      const rows = await db.select().from(residents).where(inArray(residents.id, [...ids]));
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),

    floatingByResidentId: new DataLoader<string, FloatingDetailsRow | null>(async (ids) => {
      const rows = await db.select().from(floatingDetails).where(inArray(floatingDetails.residentId, [...ids]));
      const byId = new Map(rows.map((r) => [r.residentId, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),

    /**
     * One page of residents per grid. Pages asked with the same size, cursor and filter are fetched in one
     * statement for all grids (a window per grid), so a list of grids costs one query, not one per grid.
     */
    residentPageByGrid: new DataLoader<GridPageKey, ResidentRow[], string>(
      async (keys) => {
        const groups = new Map<string, GridPageKey[]>();
        for (const key of keys) {
          const group = `${key.populationType}|${key.first}|${key.after}`;
          groups.set(group, [...(groups.get(group) ?? []), key]);
        }
        const pages = new Map<string, ResidentRow[]>();
        for (const group of groups.values()) {
          const { populationType, first, after } = group[0]!;
          const gridCodes = group.map((k) => k.gridCode);
          const ranked = db
            .select({
              id: residents.id,
              rank: sql<number>`row_number() over (partition by ${residents.gridCode} order by ${residents.id})`.as('rank'),
            })
            .from(residents)
            .where(
              and(
                inArray(residents.gridCode, gridCodes),
                populationType ? eq(residents.populationType, populationType) : undefined,
                after ? gt(residents.id, after) : undefined,
              ),
            )
            .as('ranked');
          const rows = await db
            .select({ resident: residents })
            .from(ranked)
            .innerJoin(residents, eq(residents.id, ranked.id))
            .where(sql`${ranked.rank} <= ${first + 1}`)
            .orderBy(asc(residents.gridCode), asc(residents.id));
          for (const { resident } of rows) {
            const list = pages.get(resident.gridCode) ?? [];
            list.push(resident);
            pages.set(resident.gridCode, list);
          }
          for (const key of group) if (!pages.has(key.gridCode)) pages.set(key.gridCode, []);
        }
        return keys.map((k) => (k.first === 0 ? [] : (pages.get(k.gridCode) ?? [])));
      },
      { cacheKeyFn: (k) => `${k.gridCode}|${k.populationType}|${k.first}|${k.after}` },
    ),

    populationByGrid: new DataLoader<string, PopulationCountsRow>(async (gridCodes) => {
      const rows = await db
        .select({ gridCode: residents.gridCode, populationType: residents.populationType, n: count() })
        .from(residents)
        .where(inArray(residents.gridCode, [...gridCodes]))
        .groupBy(residents.gridCode, residents.populationType);
      const byGrid = new Map<string, PopulationCountsRow>();
      for (const row of rows) {
        const counts = byGrid.get(row.gridCode) ?? emptyCounts();
        counts[row.populationType] = row.n;
        counts.total += row.n;
        byGrid.set(row.gridCode, counts);
      }
      return gridCodes.map((code) => byGrid.get(code) ?? emptyCounts());
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
