import type { KeyObject } from 'node:crypto';
import { createSubgraphService, loadTypeDefs } from '@hub/core';
import { createContext } from './context.ts';
import type { MediationDatabase } from './db/index.ts';
import { resolvers } from './resolvers/index.ts';

export const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));
export { resolvers };
export { mediationDatabase, type MediationDatabase } from './db/index.ts';

export const SUBGRAPH_NAME = 'mediation';

/**
 * The people's-mediation subgraph over an open database; `listen` starts it (tests use port 0). It takes the hub
 * secret like every department but needs it only for seeding: its answers carry resident ids already derived.
 */
export function createServer({ database, callerKey }: { database: MediationDatabase; secret?: string; callerKey?: KeyObject }) {
  return createSubgraphService({
    name: SUBGRAPH_NAME,
    typeDefs,
    resolvers,
    context: async (_req, caller) => createContext(database.db, caller),
    callerKey,
    database,
  });
}
