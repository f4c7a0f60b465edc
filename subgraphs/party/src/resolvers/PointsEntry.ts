import type { PointsEntryResolvers } from '../__generated__/resolvers-types.ts';
import { required } from './ids.ts';

export const PointsEntry: PointsEntryResolvers = {
  activity: (p, _, { loaders }) => (p.activityId === null ? null : loaders.activityById.load(p.activityId)),
  member: async (p, _, { loaders }) => required(await loaders.memberByResidentId.load(p.residentId), `the member of points entry ${p.id}`),
};
