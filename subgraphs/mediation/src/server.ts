import { defineSubgraph, hubClock } from '@hub/core';
import { createContext } from './context.ts';
import { mediationDatabase } from './db/index.ts';
import { caseEventWakeupRoute } from './feed-wakeup.ts';
import { resolvers } from './resolvers/index.ts';
import { DEFAULT_RED_CARD_GRACE_DAYS, redCardGraceDaysFromEnv, systemClock, type Clock } from './workflow/deadlines.ts';
import { defaultWorkflowLimits, workflowLimitsFromEnv, type WorkflowLimits } from './workflow/units.ts';
import { DEFAULT_WARNING_DAYS, startSupervisionChecks, warningDaysFromEnv } from './workflow/supervision.ts';

export { mediationDatabase, type MediationDatabase } from './db/index.ts';
export { DEFAULT_RED_CARD_GRACE_DAYS, redCardGraceDaysFromEnv, type Clock } from './workflow/deadlines.ts';
export { DEFAULT_WARNING_DAYS, runSupervisionCheck } from './workflow/supervision.ts';
export { FEED_CHANNEL, FEED_WAKEUP_PATH } from './feed-wakeup.ts';

export const SUBGRAPH_NAME = 'mediation';

export interface MediationOptions {
  /** The workflow's clock (default: the system clock; the service runs on the hub's clock); tests move it across month ends. */
  clock?: Clock;
  /** Days past the time limit before a yellow card turns red (default 5; MEDIATION_RED_CARD_GRACE_DAYS). */
  redCardGraceDays?: number;
  /** The unit directory and time limits (default: the built-in units, 3 days to accept, 15 days under supervision). */
  limits?: WorkflowLimits;
  /** Days before a time limit when the supervision check warns (default 3; MEDIATION_WARNING_DAYS). */
  warningDays?: number;
}

/** The people's-mediation subgraph: `createServer({ database, callerKey?, clock?, redCardGraceDays? })` builds it over an open database (tests listen on port 0). */
export const subgraph = defineSubgraph({
  name: SUBGRAPH_NAME,
  typeDefs: new URL('../schema.graphql', import.meta.url),
  resolvers,
  database: mediationDatabase,
  options: (host): MediationOptions => ({
    clock: hubClock(host.env),
    redCardGraceDays: redCardGraceDaysFromEnv(host.env),
    warningDays: warningDaysFromEnv(host.env),
    limits: workflowLimitsFromEnv(host.env),
  }),
  context: (database, { clock = systemClock, redCardGraceDays = DEFAULT_RED_CARD_GRACE_DAYS, limits = defaultWorkflowLimits() }: MediationOptions) => {
    const settings = { clock, redCardGraceDays, limits };
    return (caller) => createContext(database.db, caller, settings);
  },
  // The service issues supervision notices on a timer (督办); tests run the check with their own clock.
  background: (database, { clock = systemClock, redCardGraceDays = DEFAULT_RED_CARD_GRACE_DAYS, warningDays = DEFAULT_WARNING_DAYS, limits = defaultWorkflowLimits() }, logger, audit) => {
    startSupervisionChecks({ db: database.db, clock, redCardGraceDays, warningDays, limits, audit }, logger);
  },
  routes: (database) => caseEventWakeupRoute(database.pool),
});

export const { typeDefs, schema, createServer } = subgraph;
export { resolvers };
