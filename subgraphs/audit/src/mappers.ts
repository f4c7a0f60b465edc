/** What each GraphQL type resolves from: codegen maps `<Type>Model` to `<Type>`. */
import type { Connection } from '@hub/core';
import type { AuditRecordRow } from '@hub/audit-trail/schema';
import type { AuditChainVerdict } from '@hub/audit-trail/verify';

export type AuditRecordModel = AuditRecordRow;
export type AuditRecordConnectionModel = Connection<AuditRecordRow>;
export type AuditRecordEdgeModel = { cursor: string; node: AuditRecordRow };
export type AuditChainStatusModel = AuditChainVerdict & { retentionDays: number; checkedAt: Date };
export type ResidentModel = { id: string };
