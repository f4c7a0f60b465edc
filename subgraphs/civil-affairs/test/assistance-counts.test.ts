import { DEMO_HUB_SECRET, residentKey } from '@hub/core';
import { errorCodes, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { civilAffairsDatabase } from '../src/db/index.ts';
import { subgraph } from '../src/server.ts';

const world = generateDemoWorld(TEST_DEMO);
const contents = [...world.gridContents()];
// The test district's grids grant a few people each a year, all under the threshold; one grid gets six temporary
// grants in 2019 (to five people, one twice) so that a row shows, and one more person a 2019 medical grant, alone.
const busiest = contents.reduce((a, b) => (b.civilAffairs.assistance.length > a.civilAffairs.assistance.length ? b : a));
const people = busiest.residents.slice(0, 6);
const ADDED = [
  ...people.slice(0, 5).map((p, k) => ({ idNumber: p.idNumber, kind: 'TEMPORARY' as const, amount: 1000 + k * 100.5, grantedOn: `2019-0${k + 1}-10` })),
  { idNumber: people[0]!.idNumber, kind: 'TEMPORARY' as const, amount: 300, grantedOn: '2019-11-02' },
  { idNumber: people[5]!.idNumber, kind: 'MEDICAL' as const, amount: 2400.25, grantedOn: '2019-07-01' },
].map((g, k) => ({ ...g, id: `JZ${busiest.grid.code}${9990 + k}`, gridCode: busiest.grid.code }));
const harness = serveSubgraphForTests(subgraph, {
  async prepare(url) {
    const database = civilAffairsDatabase.open(url);
    try {
      for (const g of ADDED) {
        const medical = g.kind === 'MEDICAL';
        await database.pool.query(
          `INSERT INTO assistance_grants (id, resident_id, grid_code, kind, reason, amount, granted_on, approving_office, approver_name, hospital, admitted_on, eligible_cost, reimbursed_percent)
           VALUES ($1, $2, $3, $4, $5, $6, $7, '铜山区民政局', '王明', $8, $9, $10, $11)`,
          [g.id, residentKey(g.idNumber, DEMO_HUB_SECRET), g.gridCode, g.kind, medical ? 'INPATIENT' : 'LIVING_HARDSHIP', g.amount, g.grantedOn, medical ? '徐州市第三人民医院' : null, medical ? '2019-06-20' : null, medical ? 4000 : null, medical ? 60 : null],
        );
      }
    } finally {
      await database.close();
    }
  },
});

const QUERY = /* GraphQL */ `
  query ($gridCodes: [ID!]!, $first: Int, $after: String) {
    assistanceCountColumns(gridCodes: $gridCodes, first: $first, after: $after) { gridCodes years kinds grants recipients amounts hasNextPage endCursor }
  }
`;
type Page = { gridCodes: string[]; years: number[]; kinds: string[]; grants: (number | null)[]; recipients: (number | null)[]; amounts: (string | null)[]; hasNextPage: boolean; endCursor: string | null };
type Row = [string, number, string, number | null, number | null, string | null];
const ask = (variables: Record<string, unknown>, caller = testCaller('district-analyst', { purpose: 'statistics' })) =>
  harness.gql<{ assistanceCountColumns: Page | null }>(QUERY, variables, caller);

/** Every row of the grids asked, page after page. */
async function readAll(gridCodes: string[], first: number, caller?: ReturnType<typeof testCaller>) {
  const rows: Row[] = [];
  let after: string | null = null;
  for (;;) {
    const response = await ask({ gridCodes, first, after }, caller);
    expect(response.errors).toBeUndefined();
    const page = response.data!.assistanceCountColumns!;
    page.gridCodes.forEach((g, i) => rows.push([g, page.years[i]!, page.kinds[i]!, page.grants[i]!, page.recipients[i]!, page.amounts[i]!]));
    if (!page.hasNextPage) return rows;
    after = page.endCursor;
  }
}

describe('temporary and medical assistance counted per grid, year and kind (临时救助、医疗救助统计)', () => {
  const gridCodes = contents.map((c) => c.grid.code);
  // Counted from the generator's grants and the ones added: per grid, year and kind (temporary before medical), the
  // grants, people and yuan; all three hidden where 1 to 4 people were granted.
  const rows: Row[] = [];
  for (const gridCode of [...gridCodes].sort()) {
    const grants = [...contents.find((c) => c.grid.code === gridCode)!.civilAffairs.assistance, ...ADDED.filter((g) => g.gridCode === gridCode)];
    const cells = new Map<string, { grants: number; people: Set<string>; cents: number }>();
    for (const g of grants) {
      const key = `${g.grantedOn.slice(0, 4)}:${g.kind === 'TEMPORARY' ? 0 : 1}`;
      const cell = cells.get(key) ?? { grants: 0, people: new Set<string>(), cents: 0 };
      cell.grants += 1;
      cell.people.add(g.idNumber);
      cell.cents += Math.round(g.amount * 100);
      cells.set(key, cell);
    }
    for (const [key, cell] of [...cells].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const [year, kind] = key.split(':');
      const shown = cell.people.size >= 5;
      rows.push([gridCode, Number(year), kind === '0' ? 'TEMPORARY' : 'MEDICAL', shown ? cell.grants : null, shown ? cell.people.size : null, shown ? (cell.cents / 100).toFixed(2) : null]);
    }
  }

  it('answers every grid, year and kind with grants, small cells suppressed, the same in pages of any size', async () => {
    expect(rows.some((r) => r[4] === null)).toBe(true);
    expect(rows).toContainEqual([busiest.grid.code, 2019, 'TEMPORARY', 6, 5, '6305.00']);
    expect(rows).toContainEqual([busiest.grid.code, 2019, 'MEDICAL', null, null, null]);
    expect(await readAll(gridCodes, 5000)).toEqual(rows);
    expect(await readAll(gridCodes, 7)).toEqual(rows);
  });

  it('keeps a grid-limited caller to their grids', async () => {
    const mine = busiest.grid.code;
    const clerk = testCaller('civil-affairs-clerk', { grids: [mine], ownGridsOnly: true });
    expect(await readAll(gridCodes, 5000, clerk)).toEqual(rows.filter((r) => r[0] === mine));
  });

  it('is refused to a role with neither welfare:read nor statistics:read', async () => {
    const response = await ask({ gridCodes, first: 10 }, testCaller('housing-officer', { purpose: 'housing-management' }));
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(response.data?.assistanceCountColumns ?? null).toBeNull();
  });

  it('refuses bad grids, page sizes and cursors', async () => {
    expect(errorCodes(await ask({ gridCodes: [], first: 10 }))).toEqual(['INVALID_GRID_CODE']);
    expect(errorCodes(await ask({ gridCodes: ['12345'], first: 10 }))).toEqual(['INVALID_GRID_CODE']);
    expect(errorCodes(await ask({ gridCodes, first: 5001 }))).toEqual(['INVALID_PAGE_SIZE']);
    expect(errorCodes(await ask({ gridCodes, first: 10, after: 'bm9wZQ' }))).toEqual(['INVALID_CURSOR']);
    const first = (await ask({ gridCodes, first: 1 })).data!.assistanceCountColumns!;
    const otherGrids = gridCodes.filter((g) => g !== first.gridCodes[0]);
    expect(errorCodes(await ask({ gridCodes: otherGrids, first: 10, after: first.endCursor }))).toEqual(['INVALID_CURSOR']);
  });
});
