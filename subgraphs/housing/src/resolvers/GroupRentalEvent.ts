import { mustExist } from '@hub/core';
import type { GroupRentalEventResolvers } from '../__generated__/resolvers-types.ts';

export const GroupRentalEvent: GroupRentalEventResolvers = {
  sequence: (e) => String(e.sequence),
  // The event of a rental the caller may not see is never listed (the feed is scoped by the rental's grid).
  groupRental: async (e, _, { loaders }) => mustExist(await loaders.groupRentalById.load(e.groupRentalId), `group rental ${e.groupRentalId}`),
  // Numbers masked for everyone; withheld from callers with names masked, as group-rental notes are.
  note: (e, _, { masks }) => masks.text(e.note),
  inspection: (e, _, { loaders }) => (e.inspectionId === null ? null : loaders.inspectionById.load(e.inspectionId)),
};
