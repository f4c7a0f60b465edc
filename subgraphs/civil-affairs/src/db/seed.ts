import { residentKey } from '@hub/core';
import { transactionalSeeder, type DepartmentSeeder } from '@hub/demo';
import type { CivilAffairsDatabase } from './index.ts';
import { communities, districts, gridWorkers, grids, streets } from './schema.ts';

/** Civil affairs' view of the demo district: the place hierarchy and the grid workers. */
export function civilAffairsSeeder(database: CivilAffairsDatabase, secret: string): DepartmentSeeder {
  return transactionalSeeder('civil-affairs', database.pool, {
    async start(writer, world) {
      await writer.add(districts, [world.district]);
      await writer.add(streets, world.streets);
      await writer.add(communities, world.communities);
      const streetOf = new Map(world.communities.map((c) => [c.code, c.streetCode]));
      await writer.add(
        grids,
        world.grids.map((g) => ({ ...g, streetCode: streetOf.get(g.communityCode)! })),
      );
      await writer.flush();
    },
    async grid(writer, { workers }) {
      await writer.add(
        gridWorkers,
        workers.map((w) => ({ ...w, residentId: residentKey(w.idNumber, secret) })),
      );
    },
  });
}
