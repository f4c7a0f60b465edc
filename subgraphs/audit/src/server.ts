import { defineSubgraph } from '@hub/core';
import { auditDatabase } from '@hub/audit-trail/db';
import { auditRetentionDays } from '@hub/audit-trail';
import { verifyAuditChainIn, type AuditChainVerdict } from '@hub/audit-trail/verify';
import { createContext, type AuditService } from './context.ts';
import { resolvers } from './resolvers/index.ts';

export { auditDatabase, type AuditDatabase } from '@hub/audit-trail/db';

export const SUBGRAPH_NAME = 'audit';

/**
 * The audit subgraph: `createServer({ database, callerKey?, env? })` builds it over an open database (tests listen on
 * port 0), refusing a retention under 180 days. It only reads the trail: records are appended by the gateway through
 * `@hub/audit-trail`.
 */
export const subgraph = defineSubgraph({
  name: SUBGRAPH_NAME,
  typeDefs: new URL('../schema.graphql', import.meta.url),
  resolvers,
  database: auditDatabase,
  options: (host): { env?: NodeJS.ProcessEnv } => ({ env: host.env }),
  context: (database, { env = process.env }) => {
    let verifying: Promise<AuditChainVerdict> | null = null;
    const audit: AuditService = {
      retentionDays: auditRetentionDays(env),
      // A verification reads the whole trail: requests arriving while one runs get its verdict.
      verifyChain: () => (verifying ??= verifyAuditChainIn(database.db).finally(() => (verifying = null))),
    };
    return (caller) => createContext(database.db, caller, audit);
  },
});

export const { typeDefs, schema, createServer } = subgraph;
export { resolvers };
