import type { MediationRecordResolvers } from '../__generated__/resolvers-types.ts';

export const MediationRecord: MediationRecordResolvers = {
  mediator: (r) => r.mediator,
  content: (r, _, { masks }) => masks.text(r.content),
};
