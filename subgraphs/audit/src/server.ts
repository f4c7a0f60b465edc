import type { KeyObject } from 'node:crypto';
import { createSubgraphService, loadTypeDefs } from '@hub/core';
import { createContext, type AuditService } from './context.ts';
import type { AuditDatabase } from '@hub/audit-trail/db';
import { resolvers } from './resolvers/index.ts';
import { auditRetentionDays } from '@hub/audit-trail';
import { verifyAuditChainIn, type AuditChainVerdict } from '@hub/audit-trail/verify';

export const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));
export { resolvers };
export { auditDatabase, type AuditDatabase } from '@hub/audit-trail/db';

export const SUBGRAPH_NAME = 'audit';

/**
 * The audit subgraph over an open database; `listen` starts it (tests use port 0). It only reads the trail: records
 * are appended by the gateway through `@hub/audit-trail`.
 */
export function createServer({
  database,
  callerKey,
  env = process.env,
}: {
  database: AuditDatabase;
  secret?: string;
  callerKey?: KeyObject;
  env?: NodeJS.ProcessEnv;
}) {
  let verifying: Promise<AuditChainVerdict> | null = null;
  const audit: AuditService = {
    retentionDays: auditRetentionDays(env),
    // A verification reads the whole trail: requests arriving while one runs get its verdict.
    verifyChain: () => (verifying ??= verifyAuditChainIn(database.db).finally(() => (verifying = null))),
  };
  return createSubgraphService({
    name: SUBGRAPH_NAME,
    typeDefs,
    resolvers,
    context: async (_req, caller) => createContext(database.db, caller, audit),
    callerKey,
    database,
  });
}
