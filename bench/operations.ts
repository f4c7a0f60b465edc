/** The departmental apps' operations and variables for them from the district itself, as the benchmarks drive them. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the departmental apps' operations live (`clients/<app>/*.graphql`), and the tests' own. */
const OPERATION_DIRS = [path.join(ROOT, 'clients'), path.join(ROOT, 'test/operations')];

/** Every named query under the operation folders, with the whole text of its file (the fragments it spreads). */
export async function readOperations(): Promise<Map<string, string>> {
  const documents = new Map<string, string>();
  for (const dir of OPERATION_DIRS) {
    const files = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
    for (const file of files.filter((f) => f.endsWith('.graphql')).sort()) {
      const text = await readFile(path.join(dir, file), 'utf8');
      for (const [, name] of text.matchAll(/\bquery\s+(\w+)/g)) if (name && !documents.has(name)) documents.set(name, text);
    }
  }
  return documents;
}

/**
 * The shape of the questions, the same at every district size, so that two sizes (or two hubs) differ in the data
 * behind the questions and not in how many different things are asked:
 * - **two streets**: the district's first street (街道) and first town (镇) by code. Districts below ~225,000
 *   residents have exactly these two; a million residents have 11 streets and towns, and the same two (`…001000` and
 *   `…101000`) are asked.
 * - **ten grids of each**, the ten with the most party members in that street (ties by code): 20 grids. The places
 *   themselves grow with the district, which is what a comparison of sizes measures: at 10,000 residents the two
 *   streets hold 14 and 11 grids of ~400 residents (the generator's four communities at least), at 1,000,000 the two
 *   hold 56 and 83 grids of ~1,200 residents (a community per ~7,250 residents, 3-8 grids each).
 * - **the variable sets in one fixed turn**: the grids alternate between the two streets (first street's grid 1,
 *   town's grid 1, first street's grid 2, …), the street questions between the two streets. Each request takes the
 *   next set (`drive` in gateways.ts), so with a given number of connections the same share of the requests in flight
 *   ask the same thing at every size (a gateway that shares identical fetches in flight gains alike).
 * - **the departmental apps' page size** (PAGE_SIZES): 20, as the issue's operations were measured. At 10,000
 *   residents the two streets hold 15 and 17 referrals to mediation and the picked grids 4 to 15 party members, so
 *   those pages are not full there and are at 1,000,000; `gateways.ts` reports, per operation, how many variable
 *   sets found a full page and which found nothing (reported, not hidden). A smaller page would make the sizes'
 *   answers equal but measure a lighter question than the apps ask.
 */
export const SHAPE = { streets: 2, gridsPerStreet: 10 } as const;

/** `first` of each paged operation: the departmental apps' page of 20. */
export const PAGE_SIZES = {
  GridPartyMembers: 20,
  GridResidents: 20,
  GroupRentalRemediation: 20,
  WelfareCrossCheck: 20,
  PoliceReferrals: 20,
} as const;

type GridPick = { code: string; partyMembers: { totalCount: number; edges: { node: { resident: { id: string } | null } }[] } };

async function ask<T>(url: string, headers: Record<string, string>, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const answer = (await response.json()) as { data?: T; errors?: unknown };
  if (!answer.data || answer.errors) throw new Error(`could not pick variables: ${JSON.stringify(answer.errors)}`);
  return answer.data;
}

/** Every grid of a street with its party members' count and first member, page by page. */
async function gridsOfStreet(url: string, headers: Record<string, string>, streetCode: string): Promise<GridPick[]> {
  const query = `query ($streetCode: ID, $after: String) { grids(streetCode: $streetCode, first: 200, after: $after) {
    edges { node { code partyMembers(first: 1) { totalCount edges { node { resident { id } } } } } } pageInfo { hasNextPage endCursor } } }`;
  const grids: GridPick[] = [];
  let after: string | null = null;
  for (;;) {
    type Page = { grids: { edges: { node: GridPick }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const page: Page = await ask<Page>(url, headers, query, { streetCode, after });
    grids.push(...page.grids.edges.map((e) => e.node));
    if (!page.grids.pageInfo.hasNextPage || !page.grids.pageInfo.endCursor) return grids;
    after = page.grids.pageInfo.endCursor;
  }
}

/** The two streets the questions turn through: the first street (街道) and the first town (镇) by code. */
export async function pickStreets(url: string, headers: Record<string, string>): Promise<string[]> {
  const { streets } = await ask<{ streets: { code: string; kind: string }[] }>(url, headers, '{ streets { code kind } }');
  const byCode = [...streets].sort((a, b) => a.code.localeCompare(b.code));
  const picked = [byCode.find((s) => s.kind === 'STREET'), byCode.find((s) => s.kind === 'TOWN')].filter((s) => s !== undefined);
  if (picked.length !== SHAPE.streets) throw new Error(`the district has no street and town to ask about (streets: ${JSON.stringify(streets)})`);
  return picked.map((s) => s.code);
}

/**
 * Variables for each operation from the district itself, in the shape above (SHAPE, PAGE_SIZES): two streets, the ten
 * grids of each with the most party members, one party member of each grid (for the resident profile). Each request
 * takes the next set in turn.
 */
export async function pickVariables(
  url: string,
  headers: Record<string, string>,
  say?: (line: string) => void,
): Promise<Record<string, Record<string, unknown>[]>> {
  const streets = await pickStreets(url, headers);
  const perStreet: GridPick[][] = [];
  for (const streetCode of streets) {
    const all = await gridsOfStreet(url, headers, streetCode);
    const grids = all
      .filter((g) => g.partyMembers.edges[0]?.node.resident)
      .sort((a, b) => b.partyMembers.totalCount - a.partyMembers.totalCount || a.code.localeCompare(b.code))
      .slice(0, SHAPE.gridsPerStreet);
    if (grids.length < SHAPE.gridsPerStreet) throw new Error(`street ${streetCode} has ${grids.length} grids with a party member; the bench asks about ${SHAPE.gridsPerStreet}`);
    perStreet.push(grids);
    say?.(`variables: street ${streetCode}, ${all.length} grids; the ${grids.length} picked hold ${grids.map((g) => g.partyMembers.totalCount).join(', ')} party members`);
  }
  // Alternating between the streets: street A's grid 1, street B's grid 1, A's grid 2, …
  const grids = Array.from({ length: SHAPE.gridsPerStreet }, (_, i) => perStreet.map((list) => list[i]!)).flat();
  return {
    ResidentProfile: grids.map((g) => ({ id: g.partyMembers.edges[0]!.node.resident!.id })),
    GridOverview: grids.map((g) => ({ code: g.code })),
    GridPartyMembers: grids.map((g) => ({ code: g.code, first: PAGE_SIZES.GridPartyMembers })),
    GridResidents: grids.map((g) => ({ code: g.code, first: PAGE_SIZES.GridResidents })),
    GroupRentalRemediation: streets.map((streetCode) => ({ streetCode, first: PAGE_SIZES.GroupRentalRemediation })),
    WelfareCrossCheck: streets.map((streetCode) => ({ streetCode, first: PAGE_SIZES.WelfareCrossCheck })),
    PoliceReferrals: streets.map((streetCode) => ({ streetCode, first: PAGE_SIZES.PoliceReferrals })),
  };
}
