import { defineSubgraph } from '@hub/core';
import { createContext } from './context.ts';
import { mediationDatabase } from './db/index.ts';
import { feedWakeupRoute } from './feed-wakeup.ts';
import { resolvers } from './resolvers/index.ts';
import { DEFAULT_RED_CARD_GRACE_DAYS, redCardGraceDaysFromEnv, systemClock, type Clock } from './workflow/deadlines.ts';

export { mediationDatabase, type MediationDatabase } from './db/index.ts';
export { FEED_CHANNEL, FEED_WAKEUP_PATH } from './feed-wakeup.ts';
export { redCardGraceDaysFromEnv, type Clock } from './workflow/deadlines.ts';

export const SUBGRAPH_NAME = 'mediation';

export interface MediationOptions {
  /** The workflow's clock (default: the system clock); tests move it across month ends. */
  clock?: Clock;
  /** Days past the time limit before a yellow card turns red (default 5; MEDIATION_RED_CARD_GRACE_DAYS). */
  redCardGraceDays?: number;
}

/** The people's-mediation subgraph: `createServer({ database, callerKey?, clock?, redCardGraceDays? })` builds it over an open database (tests listen on port 0). */
export const subgraph = defineSubgraph({
  name: SUBGRAPH_NAME,
  typeDefs: new URL('../schema.graphql', import.meta.url),
  resolvers,
  database: mediationDatabase,
  options: (host): MediationOptions => ({ redCardGraceDays: redCardGraceDaysFromEnv(host.env) }),
  context: (database, { clock = systemClock, redCardGraceDays = DEFAULT_RED_CARD_GRACE_DAYS }: MediationOptions) => {
    const settings = { clock, redCardGraceDays };
    return (caller) => createContext(database.db, caller, settings);
  },
  routes: (database) => feedWakeupRoute(database.pool),
});

export const { typeDefs, schema, createServer } = subgraph;
export { resolvers };
