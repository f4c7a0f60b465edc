import { canonicalJson } from '@hub/audit-trail';
import type { AuditRecordResolvers } from '../__generated__/resolvers-types.ts';

export const AuditRecord: AuditRecordResolvers = {
  seq: ({ seq }) => String(seq),
  occurredAt: ({ occurredAt }) => occurredAt.toISOString(),
  // The same text the record's hash was computed over.
  variables: ({ variables }) => (variables === null ? null : canonicalJson(variables)),
  details: ({ details }) => (details === null ? null : canonicalJson(details)),
};
