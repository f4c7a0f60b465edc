import type { KeyObject } from 'node:crypto';
import { createSubgraphService, loadTypeDefs } from '@hub/core';
import { createContext } from './context.ts';
import type { MediationDatabase } from './db/index.ts';
import { resolvers } from './resolvers/index.ts';
import { DEFAULT_RED_CARD_GRACE_DAYS, systemClock, type Clock } from './workflow/deadlines.ts';

export const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));
export { resolvers };
export { mediationDatabase, type MediationDatabase } from './db/index.ts';
export { redCardGraceDaysFromEnv, type Clock } from './workflow/deadlines.ts';

export const SUBGRAPH_NAME = 'mediation';

export interface MediationServerOptions {
  database: MediationDatabase;
  /** The hub secret; mediation needs it only for seeding (its answers carry resident ids already derived). */
  secret?: string;
  callerKey?: KeyObject;
  /** The workflow's clock (default: the system clock); tests move it across month ends. */
  clock?: Clock;
  /** Days past the time limit before a yellow card turns red (default 5; MEDIATION_RED_CARD_GRACE_DAYS). */
  redCardGraceDays?: number;
}

/** The people's-mediation subgraph over an open database; `listen` starts it (tests use port 0). */
export function createServer({ database, callerKey, clock = systemClock, redCardGraceDays = DEFAULT_RED_CARD_GRACE_DAYS }: MediationServerOptions) {
  const settings = { clock, redCardGraceDays };
  return createSubgraphService({
    name: SUBGRAPH_NAME,
    typeDefs,
    resolvers,
    context: async (_req, caller) => createContext(database.db, caller, settings),
    callerKey,
    database,
  });
}
