import { toChinaTime } from '@hub/core';
import type { SupervisionNoticeResolvers } from '../__generated__/resolvers-types.ts';

export const SupervisionNotice: SupervisionNoticeResolvers = {
  id: (n) => String(n.id),
  reply: (n) => (n.replyText === null || n.repliedBy === null || n.repliedAt === null ? null : { by: n.repliedBy, at: toChinaTime(n.repliedAt), text: n.replyText }),
  accountabilityNotes: (n, _, { loaders }) => loaders.accountabilityByNotice.load(n.id),
};
