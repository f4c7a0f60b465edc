import type { AuditChainStatusResolvers } from '../__generated__/resolvers-types.ts';

export const AuditChainStatus: AuditChainStatusResolvers = {
  headSeq: (status) => (status.ok && status.headSeq !== null ? String(status.headSeq) : null),
  headHash: (status) => (status.ok ? status.headHash : null),
  firstBrokenSeq: (status) => (status.ok ? null : String(status.firstBrokenSeq)),
  reason: (status) => (status.ok ? null : status.reason),
  checkedAt: ({ checkedAt }) => checkedAt.toISOString(),
};
