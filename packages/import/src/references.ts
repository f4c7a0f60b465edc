import type { ForeignReferences } from './entity.ts';

/**
 * Foreign codes checked by format only (each code field has already checked its structure): for loading a
 * department on its own, before the others' services are up. The summary says so.
 */
export const formatOnlyReferences: ForeignReferences = {
  mode: 'format',
  existingGrids: async (codes) => new Set(codes),
  existingHouses: async (codes) => new Set(codes),
};

export interface GraphReferenceOptions {
  /** The gateway's GraphQL endpoint. */
  url: string;
  /** A bearer token whose role may read grids and houses (`housing:read`). */
  token: string;
  fetch?: typeof fetch;
}

/** Root fields per request: the gateway refuses more than HUB_MAX_ROOT_FIELDS (10 by default). */
const LOOKUPS_PER_REQUEST = 10;

/**
 * Asks the graph whether grids and houses exist, as any other client would: the owning departments answer from
 * their own databases, and nothing crosses between databases. Each code is asked once per run; a house is asked
 * through its building (one root field lists a building's houses), so a batch of residents costs a few requests.
 */
export function graphReferences(options: GraphReferenceOptions): ForeignReferences {
  const doFetch = options.fetch ?? fetch;
  const grids = new Map<string, boolean>();
  const buildingsSeen = new Set<string>();
  const houses = new Set<string>();
  const bigBuildings = new Set<string>();
  const housesAsked = new Set<string>();

  async function ask(query: string): Promise<Record<string, unknown>> {
    const response = await doFetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json().catch(() => null)) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[]; error?: string } | null;
    // NOT_FOUND for one alias still answers the others; anything else means the lookup itself failed.
    const failure = body?.errors?.find((e) => e.extensions?.code !== 'NOT_FOUND');
    if (!response.ok || !body || body.error || failure || !body.data) {
      throw new Error(`graph lookup failed (${response.status}): ${failure?.message ?? body?.error ?? 'no data'}`);
    }
    return body.data;
  }

  return {
    mode: 'graph',
    async existingGrids(codes) {
      const unknown = codes.filter((c) => !grids.has(c));
      for (let i = 0; i < unknown.length; i += LOOKUPS_PER_REQUEST) {
        const chunk = unknown.slice(i, i + LOOKUPS_PER_REQUEST);
        const data = await ask(`{ ${chunk.map((code, k) => `g${k}: grid(code: ${JSON.stringify(code)}) { code }`).join(' ')} }`);
        chunk.forEach((code, k) => grids.set(code, data[`g${k}`] !== null && data[`g${k}`] !== undefined));
      }
      return new Set(codes.filter((c) => grids.get(c)));
    },
    async existingHouses(codes) {
      const buildings = [...new Set(codes.map((c) => c.slice(0, 17)))].filter((b) => !buildingsSeen.has(b));
      // A building with more houses than one page lists has its remaining houses asked one by one.
      const unlisted = new Set<string>();
      for (let i = 0; i < buildings.length; i += LOOKUPS_PER_REQUEST) {
        const chunk = buildings.slice(i, i + LOOKUPS_PER_REQUEST);
        const data = await ask(
          `{ ${chunk
            .map((code, k) => `b${k}: building(code: ${JSON.stringify(code)}) { houses(first: 500) { edges { node { code } } pageInfo { hasNextPage } } }`)
            .join(' ')} }`,
        );
        chunk.forEach((code, k) => {
          buildingsSeen.add(code);
          const building = data[`b${k}`] as { houses?: { edges: { node: { code: string } }[]; pageInfo: { hasNextPage: boolean } } | null } | null | undefined;
          for (const edge of building?.houses?.edges ?? []) houses.add(edge.node.code);
          if (building?.houses?.pageInfo.hasNextPage) unlisted.add(code);
        });
      }
      const single = codes.filter((c) => !houses.has(c) && !housesAsked.has(c) && (unlisted.has(c.slice(0, 17)) || bigBuildings.has(c.slice(0, 17))));
      for (const code of unlisted) bigBuildings.add(code);
      for (let i = 0; i < single.length; i += LOOKUPS_PER_REQUEST) {
        const chunk = single.slice(i, i + LOOKUPS_PER_REQUEST);
        const data = await ask(`{ ${chunk.map((code, k) => `h${k}: house(code: ${JSON.stringify(code)}) { code }`).join(' ')} }`);
        chunk.forEach((code, k) => {
          housesAsked.add(code);
          if (data[`h${k}`]) houses.add(code);
        });
      }
      return new Set(codes.filter((c) => houses.has(c)));
    },
  };
}
