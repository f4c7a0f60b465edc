import { defineSubgraph } from '@hub/core';
import { createContext } from './context.ts';
import { civilAffairsDatabase } from './db/index.ts';
import { resolvers } from './resolvers/index.ts';

export { civilAffairsDatabase, type CivilAffairsDatabase } from './db/index.ts';

export const SUBGRAPH_NAME = 'civil-affairs';

/** The civil-affairs subgraph: `createServer({ database, callerKey? })` builds it over an open database (tests listen on port 0). */
export const subgraph = defineSubgraph({
  name: SUBGRAPH_NAME,
  typeDefs: new URL('../schema.graphql', import.meta.url),
  resolvers,
  database: civilAffairsDatabase,
  context: (database) => (caller) => createContext(database.db, caller),
});

export const { typeDefs, schema, createServer } = subgraph;
export { resolvers };
