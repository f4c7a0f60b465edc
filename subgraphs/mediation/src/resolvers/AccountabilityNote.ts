import { toChinaTime } from '@hub/core';
import type { AccountabilityNoteResolvers } from '../__generated__/resolvers-types.ts';

export const AccountabilityNote: AccountabilityNoteResolvers = {
  by: (a) => a.notedBy,
  at: (a) => toChinaTime(a.notedAt),
};
