import { mustExist } from '@hub/core';
import type { PointsEntryResolvers } from '../__generated__/resolvers-types.ts';

export const PointsEntry: PointsEntryResolvers = {
  reason: (p, _, { masks }) => masks.text(p.reason),
  activity: (p, _, { loaders }) => (p.activityId === null ? null : loaders.activityById.load(p.activityId)),
  member: async (p, _, { loaders }) => mustExist(await loaders.memberByResidentId.load(p.residentId), `the member of points entry ${p.id}`),
};
