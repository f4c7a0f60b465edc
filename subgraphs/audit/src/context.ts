import type { Caller } from '@hub/core';
import type { Db } from '@hub/audit-trail/db';
import { createLoaders, type Loaders } from './loaders.ts';
import type { AuditChainVerdict } from '@hub/audit-trail/verify';

/** What outlives a request: the chain's verification, shared by the requests that ask for it at the same time. */
export interface AuditService {
  verifyChain(): Promise<AuditChainVerdict>;
  retentionDays: number;
}

export interface AuditContext {
  db: Db;
  loaders: Loaders;
  /** Who is asking, as the gateway verified and vouched for them in the request's internal token. */
  caller: Caller;
  audit: AuditService;
}

export function createContext(db: Db, caller: Caller, audit: AuditService): AuditContext {
  return { db, loaders: createLoaders(db), caller, audit };
}
