import { defineSubgraph } from '@hub/core';
import { createContext } from './context.ts';
import { publicSecurityDatabase } from './db/index.ts';
import { resolvers } from './resolvers/index.ts';

export { publicSecurityDatabase, type PublicSecurityDatabase } from './db/index.ts';

export const SUBGRAPH_NAME = 'public-security';

/**
 * The public-security subgraph: `createServer({ database, callerKey?, secret })` builds it over an open database (tests listen on port
 * 0). It derives resident ids from ID numbers, hence the hub secret.
 */
export const subgraph = defineSubgraph({
  name: SUBGRAPH_NAME,
  typeDefs: new URL('../schema.graphql', import.meta.url),
  resolvers,
  database: publicSecurityDatabase,
  options: (host): { secret: string } => ({ secret: host.secret() }),
  context: (database, { secret }) => (caller) => createContext(database.db, secret, caller),
});

export const { typeDefs, schema, createServer } = subgraph;
export { resolvers };
