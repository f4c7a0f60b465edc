import { mustExist } from '@hub/core';
import type { CaseEventResolvers } from '../__generated__/resolvers-types.ts';

export const CaseEvent: CaseEventResolvers = {
  sequence: (e) => String(e.sequence),
  // The event of a case the caller may not see is never listed (the feed and timelines are scoped alike).
  case: async (e, _, { loaders }) => mustExist(await loaders.caseById.load(e.caseId), `case ${e.caseId}`),
  actor: (e) => ({ userId: e.actorUserId, role: e.actorRole, department: e.actorDepartment }),
  note: (e, _, { masks }) => masks.text(e.details.note),
  dueOn: (e) => e.details.dueOn ?? null,
  outcome: (e) => e.details.outcome ?? null,
  recordKind: (e) => e.details.recordKind ?? null,
  satisfied: (e) => e.details.satisfied ?? null,
  unit: (e, _, { limits }) => (e.unitCode === null ? null : (limits.units.get(e.unitCode) ?? null)),
  handBackReason: (e) => e.details.handBackReason ?? null,
  level: (e) => e.details.toLevel ?? null,
  // Visits recorded before levels were kept said satisfied or not.
  satisfaction: (e) => e.details.level ?? (e.details.satisfied === undefined ? null : e.details.satisfied ? 'SATISFIED' : 'DISSATISFIED'),
  channels: (e) => e.details.channels ?? null,
  withdrawnBy: (e) => e.details.withdrawnBy ?? null,
  performance: (e) => e.details.performance ?? null,
  judicialConfirmation: (e) => e.details.judicialConfirmation ?? null,
  supervisionNotice: (e, _, { loaders }) => (e.details.noticeId === undefined ? null : loaders.supervisionNoticeById.load(e.details.noticeId)),
};
