/**
 * The grid worker's dashboard in a few lines: one typed operation of the client kit through the hub.
 *
 *   TOKEN=$(npm run -s token -- --role grid-worker --grid 320311001001001 --purpose grid-service)
 *   node --import tsx clients/example/grid-overview.ts --token "$TOKEN" --grid 320311001001001 [--url http://localhost:4000/graphql]
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GridOverviewDocument, type GridOverviewQuery } from '../__generated__/operations.ts';
import { createHubClient, type HubClient } from './hub-client.ts';

export type GridOverview = NonNullable<GridOverviewQuery['grid']>;

export interface GridOverviewAnswer {
  /** Null when the grid is unknown or outside the caller's grids. */
  grid: GridOverview | null;
  /** The fields the caller's role may not read (answered null by the hub), e.g. `grid.welfareCounts`. */
  refused: string[];
}

/**
 * A grid's figures from every department. A field the role may not read comes back null with FORBIDDEN, and the rest
 * of the answer is kept: the app shows what it may. Any other error is thrown.
 */
export async function gridOverview(client: HubClient, code: string): Promise<GridOverviewAnswer> {
  const { data, errors } = await client.request(GridOverviewDocument, { code });
  const failures = errors.filter((e) => e.extensions?.code !== 'FORBIDDEN');
  if (failures.length > 0) throw new Error(failures.map((e) => `${e.extensions?.code ?? 'ERROR'} at ${e.path?.join('.') ?? '(operation)'}: ${e.message}`).join('\n'));
  return { grid: data?.grid ?? null, refused: errors.map((e) => e.path?.join('.') ?? '(operation)') };
}

const NOT_VISIBLE = 'not visible to your role';

/** The overview as the lines a grid worker reads. */
export function describeGrid(grid: GridOverview): string[] {
  const { population: p, welfareCounts: w, housingCounts: h, caseCounts: c } = grid;
  return [
    `${grid.name} (${grid.code}), ${grid.community.name}`,
    p ? `residents ${p.total}: registered ${p.registered}, floating ${p.floating}, overseas ${p.overseas}, unsettled ${p.unsettled}` : `residents: ${NOT_VISIBLE}`,
    `party members ${grid.partyMembers?.totalCount ?? NOT_VISIBLE}`,
    w ? `welfare recipients ${w.total}: minimum living ${w.minimumLiving}, extreme poverty ${w.extremePoverty}, old age ${w.oldAge}` : `welfare recipients: ${NOT_VISIBLE}`,
    h ? `buildings ${h.buildings}, houses ${h.houses}, group rentals ${h.groupRentalsByStatus.total}` : `housing: ${NOT_VISIBLE}`,
    c ? `open cases ${c.total}${c.byCategory.length > 0 ? `: ${c.byCategory.map((x) => `${x.category} ${x.count}`).join(', ')}` : ''}` : `open cases: ${NOT_VISIBLE}`,
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { url: { type: 'string', default: 'http://localhost:4000/graphql' }, token: { type: 'string' }, grid: { type: 'string' }, purpose: { type: 'string', default: 'grid-service' } } });
  if (!values.token || !values.grid) {
    console.error('usage: grid-overview.ts --token <bearer token> --grid <15-digit grid code> [--url <gateway>] [--purpose <purpose>]');
    process.exit(2);
  }
  const { grid } = await gridOverview(createHubClient({ url: values.url, token: values.token, purpose: values.purpose }), values.grid);
  console.log(grid ? describeGrid(grid).join('\n') : `grid ${values.grid}: not found, or not one of yours`);
}
