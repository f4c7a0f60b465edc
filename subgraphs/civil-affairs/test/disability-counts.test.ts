import { errorCodes, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { civilAffairsDatabase } from '../src/db/index.ts';
import { subgraph } from '../src/server.ts';

const world = generateDemoWorld(TEST_DEMO);
const contents = [...world.gridContents()];
const CATEGORIES = ['VISUAL', 'HEARING', 'SPEECH', 'PHYSICAL', 'INTELLECTUAL', 'MENTAL', 'MULTIPLE'];
// The test district's grids hold a few holders each, all under the threshold; one grid gets six more physical
// grade-3 holders so that a count shows.
const busiest = contents.reduce((a, b) => (b.civilAffairs.disabilities.length > a.civilAffairs.disabilities.length ? b : a));
const ADDED = Array.from({ length: 6 }, (_, k) => ({ gridCode: busiest.grid.code, category: 4 as const, grade: 3 as const, id: `CJ${busiest.grid.code}${9990 + k}` }));
const harness = serveSubgraphForTests(subgraph, {
  async prepare(url) {
    const database = civilAffairsDatabase.open(url);
    try {
      for (const [k, d] of ADDED.entries()) {
        await database.pool.query(
          "INSERT INTO disability_records (id, resident_id, grid_code, certificate_number, category, grade, issued_on) VALUES ($1, $2, $3, $4, 4, 3, '2020-01-01')",
          [d.id, String(k).padStart(32, 'a'), d.gridCode, `TEST${String(k).padStart(14, '0')}43`],
        );
      }
    } finally {
      await database.close();
    }
  },
});

const QUERY = /* GraphQL */ `
  query ($gridCodes: [ID!]!, $first: Int, $after: String) {
    disabilityCountColumns(gridCodes: $gridCodes, first: $first, after: $after) { gridCodes categories grades holders hasNextPage endCursor }
  }
`;
type Page = { gridCodes: string[]; categories: (string | null)[]; grades: (number | null)[]; holders: (number | null)[]; hasNextPage: boolean; endCursor: string | null };
const ask = (variables: Record<string, unknown>, caller = testCaller('district-analyst', { purpose: 'statistics' })) =>
  harness.gql<{ disabilityCountColumns: Page | null }>(QUERY, variables, caller);

/** Every row of the grids asked, page after page. */
async function readAll(gridCodes: string[], first: number, caller?: ReturnType<typeof testCaller>) {
  const rows: [string, string | null, number | null, number | null][] = [];
  let after: string | null = null;
  for (;;) {
    const response = await ask({ gridCodes, first, after }, caller);
    expect(response.errors).toBeUndefined();
    const page = response.data!.disabilityCountColumns!;
    page.gridCodes.forEach((g, i) => rows.push([g, page.categories[i]!, page.grades[i]!, page.holders[i]!]));
    if (!page.hasNextPage) return rows;
    after = page.endCursor;
  }
}

describe('the disability register counted per grid, category and grade (残疾人登记统计)', () => {
  const gridCodes = contents.map((c) => c.grid.code);
  // Counted from the generator's register: per grid, holders by category then by grade; 1-4 hidden, and a list's
  // only hidden count joined by its next smallest.
  type Row = [string, string | null, number | null, number | null];
  const cells: Row[] = [];
  for (const gridCode of [...gridCodes].sort()) {
    const register = [...contents.find((c) => c.grid.code === gridCode)!.civilAffairs.disabilities, ...ADDED.filter((d) => d.gridCode === gridCode)];
    if (register.length === 0) continue;
    const list = (keyOf: (d: (typeof register)[number]) => number) => {
      const counts = new Map<number, number>();
      for (const d of register) counts.set(keyOf(d), (counts.get(keyOf(d)) ?? 0) + 1);
      const shown = [...counts].sort(([a], [b]) => a - b).map(([k, n]) => [k, n < 5 ? null : n] as [number, number | null]);
      if (shown.filter(([, n]) => n === null).length === 1) {
        const smallest = shown.filter(([, n]) => n !== null).sort(([, a], [, b]) => a! - b!)[0];
        if (smallest) smallest[1] = null;
      }
      return shown;
    };
    for (const [category, n] of list((d) => d.category)) cells.push([gridCode, CATEGORIES[category - 1]!, null, n]);
    for (const [grade, n] of list((d) => d.grade)) cells.push([gridCode, null, grade, n]);
  }

  it('answers every cell with holders, counts of 1 to 4 suppressed, the same in pages of any size', async () => {
    expect(cells.some((c) => c[3] === null)).toBe(true);
    expect(cells.some((c) => c[3] !== null)).toBe(true);
    // No list shows counts beside a single hidden one: the other list's total would give it away.
    const lists = new Map<string, (number | null)[]>();
    for (const [grid, category, , n] of cells) lists.set(`${grid}${category === null}`, [...(lists.get(`${grid}${category === null}`) ?? []), n]);
    for (const counts of lists.values()) {
      const hidden = counts.filter((n) => n === null).length;
      expect(hidden === 1 && counts.length > 1).toBe(false);
    }
    expect(await readAll(gridCodes, 5000)).toEqual(cells);
    expect(await readAll(gridCodes, 7)).toEqual(cells);
  });

  it('keeps a grid-limited caller to their grids', async () => {
    const mine = busiest.grid.code;
    const worker = testCaller('civil-affairs-clerk', { grids: [mine], ownGridsOnly: true });
    expect(await readAll(gridCodes, 5000, worker)).toEqual(cells.filter((c) => c[0] === mine));
  });

  it('is refused to a role with neither health:read nor statistics:read', async () => {
    const response = await ask({ gridCodes, first: 10 }, testCaller('housing-officer', { purpose: 'housing-management' }));
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(response.data?.disabilityCountColumns ?? null).toBeNull();
  });

  it('refuses bad grids, page sizes and cursors', async () => {
    expect(errorCodes(await ask({ gridCodes: [], first: 10 }))).toEqual(['INVALID_GRID_CODE']);
    expect(errorCodes(await ask({ gridCodes: ['12345'], first: 10 }))).toEqual(['INVALID_GRID_CODE']);
    expect(errorCodes(await ask({ gridCodes, first: 5001 }))).toEqual(['INVALID_PAGE_SIZE']);
    expect(errorCodes(await ask({ gridCodes, first: 10, after: 'bm9wZQ' }))).toEqual(['INVALID_CURSOR']);
    const first = (await ask({ gridCodes, first: 1 })).data!.disabilityCountColumns!;
    const otherGrids = gridCodes.filter((g) => g !== first.gridCodes[0]);
    expect(errorCodes(await ask({ gridCodes: otherGrids, first: 10, after: first.endCursor }))).toEqual(['INVALID_CURSOR']);
  });
});
