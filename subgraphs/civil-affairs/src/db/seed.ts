import { residentKey, TransactionalBatchWriter } from '@hub/core';
import type { DepartmentSeeder, DemoWorld } from '@hub/demo';
import type { CivilAffairsDatabase } from './index.ts';
import { communities, districts, gridWorkers, grids, streets } from './schema.ts';

/** Civil affairs' view of the demo district: the place hierarchy and the grid workers. */
export function civilAffairsSeeder(database: CivilAffairsDatabase, secret: string): DepartmentSeeder {
  const writer = new TransactionalBatchWriter(database.pool);
  let world: DemoWorld | null = null;
  return {
    department: 'civil-affairs',
    async start(w) {
      world = w;
      await writer.begin();
      await writer.add(districts, [w.district]);
      await writer.add(streets, w.streets);
      await writer.add(communities, w.communities);
      const streetOf = new Map(w.communities.map((c) => [c.code, c.streetCode]));
      await writer.add(
        grids,
        w.grids.map((g) => ({ ...g, streetCode: streetOf.get(g.communityCode)! })),
      );
      await writer.flush();
    },
    async grid({ workers }) {
      await writer.add(
        gridWorkers,
        workers.map((w) => ({ ...w, residentId: residentKey(w.idNumber, secret) })),
      );
    },
    async finish() {
      if (!world) throw new Error('seeder not started');
      await writer.commit({ department: 'civil-affairs', seed: world.options.seed, residents: world.options.residents });
    },
    abort: () => writer.rollback(),
  };
}
