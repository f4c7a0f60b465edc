import { toChinaTime } from '@hub/core';
import { departmentOfUnit } from '../workflow/parts.ts';
import type { SupervisionNoticeResolvers } from '../__generated__/resolvers-types.ts';

export const SupervisionNotice: SupervisionNoticeResolvers = {
  id: (n) => String(n.id),
  unit: (n, _, { limits }) => (n.unitCode === null ? null : (limits.units.get(n.unitCode) ?? null)),
  // Deprecated: the hub department whose own unit the notice is addressed to.
  department: (n, _, { limits }) => {
    const unit = n.unitCode === null ? undefined : limits.units.get(n.unitCode);
    return unit === undefined ? null : departmentOfUnit(unit);
  },
  reply: (n) => (n.replyText === null || n.repliedBy === null || n.repliedAt === null ? null : { by: n.repliedBy, at: toChinaTime(n.repliedAt), text: n.replyText }),
  accountabilityNotes: (n, _, { loaders }) => loaders.accountabilityByNotice.load(n.id),
};
