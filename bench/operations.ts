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
 * Variables for each operation from the district itself: the 20 grids with the most party members, their streets,
 * and one party member of each (for the resident profile). Each request takes the next set in turn.
 */
export async function pickVariables(url: string, headers: Record<string, string>): Promise<Record<string, Record<string, unknown>[]>> {
  type Grid = { code: string; community: { street: { code: string } }; partyMembers: { totalCount: number; edges: { node: { resident: { id: string } | null } }[] } };
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ grids(first: 200) { edges { node { code community { street { code } } partyMembers(first: 1) { totalCount edges { node { resident { id } } } } } } } }' }),
  });
  const answer = (await response.json()) as { data?: { grids: { edges: { node: Grid }[] } }; errors?: unknown };
  if (!answer.data) throw new Error(`could not pick variables: ${JSON.stringify(answer.errors)}`);
  const grids = answer.data.grids.edges
    .map((e) => e.node)
    .filter((g) => g.partyMembers.edges[0]?.node.resident)
    .sort((a, b) => b.partyMembers.totalCount - a.partyMembers.totalCount)
    .slice(0, 20);
  if (grids.length === 0) throw new Error('the district has no grid with a party member');
  const streets = [...new Set(grids.map((g) => g.community.street.code))];
  return {
    ResidentProfile: grids.map((g) => ({ id: g.partyMembers.edges[0]!.node.resident!.id })),
    GridOverview: grids.map((g) => ({ code: g.code })),
    GridPartyMembers: grids.map((g) => ({ code: g.code, first: 20 })),
    GridResidents: grids.map((g) => ({ code: g.code, first: 20 })),
    GroupRentalRemediation: streets.map((streetCode) => ({ streetCode, first: 20 })),
    WelfareCrossCheck: streets.map((streetCode) => ({ streetCode, first: 20 })),
    PoliceReferrals: streets.map((streetCode) => ({ streetCode, first: 20 })),
  };
}
