import type { KeyObject } from 'node:crypto';
import { createSubgraphService, loadTypeDefs } from '@hub/core';
import { createContext } from './context.ts';
import type { PublicSecurityDatabase } from './db/index.ts';
import { resolvers } from './resolvers/index.ts';

export const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));
export { resolvers };
export { publicSecurityDatabase, type PublicSecurityDatabase } from './db/index.ts';

export const SUBGRAPH_NAME = 'public-security';

/** The public-security subgraph over an open database; `listen` starts it (tests use port 0). */
export function createServer({ database, secret, callerKey }: { database: PublicSecurityDatabase; secret: string; callerKey?: KeyObject }) {
  return createSubgraphService({
    name: SUBGRAPH_NAME,
    typeDefs,
    resolvers,
    context: async (_req, caller) => createContext(database.db, secret, caller),
    callerKey,
    database,
  });
}
