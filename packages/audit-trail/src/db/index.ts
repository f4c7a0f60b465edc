import { defineDepartmentDatabase, type DepartmentDatabase } from '@hub/core';
import * as schema from './schema.ts';

/** The trail's migrations: applied by whichever opens the audit database first (the audit subgraph, the gateway's writer). */
export const AUDIT_MIGRATIONS = new URL('./migrations/', import.meta.url);
export const auditDatabase = defineDepartmentDatabase('audit', schema, AUDIT_MIGRATIONS);
export type AuditDatabase = DepartmentDatabase<typeof schema>;
export type Db = AuditDatabase['db'];
