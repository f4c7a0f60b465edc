import type { KeyObject } from 'node:crypto';
import { createSubgraphService, loadTypeDefs } from '@hub/core';
import { createContext } from './context.ts';
import type { PartyDatabase } from './db/index.ts';
import { resolvers } from './resolvers/index.ts';

export const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));
export { resolvers };
export { partyDatabase, type PartyDatabase } from './db/index.ts';

export const SUBGRAPH_NAME = 'party';

/** The party-building subgraph over an open database; `listen` starts it (tests use port 0). */
export function createServer({ database, secret, callerKey }: { database: PartyDatabase; secret: string; callerKey?: KeyObject }) {
  return createSubgraphService({
    name: SUBGRAPH_NAME,
    typeDefs,
    resolvers,
    context: async (_req, caller) => createContext(database.db, secret, caller),
    callerKey,
    database,
  });
}
