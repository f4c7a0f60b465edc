/** What each GraphQL type resolves from: codegen maps `<Type>Model` to `<Type>`. */
import type { Connection } from '@hub/core';
import type { AuditRecordRow } from './db/schema.ts';
import type { AuditChainVerdict } from './verify.ts';

export type AuditRecordModel = AuditRecordRow;
export type AuditRecordConnectionModel = Connection<AuditRecordRow>;
export type AuditRecordEdgeModel = { cursor: string; node: AuditRecordRow };
export type AuditChainStatusModel = AuditChainVerdict & { retentionDays: number; checkedAt: Date };
export type ResidentModel = { id: string };
