import { defineSubgraph, hubClock, type Clock } from '@hub/core';
import { createContext } from './context.ts';
import { housingDatabase } from './db/index.ts';
import { groupRentalWakeupRoute } from './remediation/feed.ts';
import { resolvers } from './resolvers/index.ts';

export { housingDatabase, type HousingDatabase } from './db/index.ts';

export const SUBGRAPH_NAME = 'housing';

export interface HousingOptions {
  /** The clock remediation stages are dated by (default: the system clock; the service runs on the hub's clock). */
  clock?: Clock;
}

/** The housing subgraph: `createServer({ database, callerKey?, clock? })` builds it over an open database (tests listen on port 0). */
export const subgraph = defineSubgraph({
  name: SUBGRAPH_NAME,
  typeDefs: new URL('../schema.graphql', import.meta.url),
  resolvers,
  database: housingDatabase,
  options: (host): HousingOptions => ({ clock: hubClock(host.env) }),
  context: (database, { clock }: HousingOptions) => (caller) => createContext(database.db, caller, clock),
  // Gateways follow the group-rental feed here (its `groupRentalChanges` subscriptions).
  routes: (database) => groupRentalWakeupRoute(database.pool),
});

export const { typeDefs, schema, createServer } = subgraph;
export { resolvers };
