/**
 * The demo district (江苏省徐州市泉山区): a deterministic generator of its places, people and their records.
 * The same seed and size always give the same district, record for record.
 */
import type { DemoOptions, DemoWorld } from './types.ts';
import { generateGrids, newSession } from './grid.ts';
import { DISTRICT, ID_ADDRESS_CODES } from './places.ts';
import { buildWorld, DEFAULT_FLOATING_SHARE } from './world.ts';

export type * from './types.ts';
export * from './seeding.ts';
export { REFERENCE_DATE } from './dates.ts';
export { communityCount, streetCount } from './world.ts';

export const DEFAULT_SEED = 20261126;

export function generateDemoWorld(options: DemoOptions): DemoWorld {
  const residents = options.residents;
  if (!Number.isSafeInteger(residents) || residents < 0) {
    throw new RangeError(`residents must be a non-negative integer, got ${residents}`);
  }
  const seed = (options.seed ?? DEFAULT_SEED) >>> 0;
  const floatingShare = options.floatingShare ?? DEFAULT_FLOATING_SHARE;
  if (!(floatingShare >= 0 && floatingShare <= 0.95)) throw new RangeError(`floatingShare must be between 0 and 0.95, got ${floatingShare}`);
  const world = buildWorld(residents, seed, floatingShare);
  return {
    options: { residents, seed, floatingShare },
    district: { ...DISTRICT },
    streets: world.streets,
    communities: world.communities,
    grids: world.grids,
    gridContents: () => generateGrids(world, () => newSession(ID_ADDRESS_CODES)),
  };
}
