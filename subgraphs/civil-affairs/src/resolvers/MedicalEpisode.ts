import type { MedicalEpisodeResolvers } from '../__generated__/resolvers-types.ts';

/** The medical columns of a medical grant's row, which the table's check keeps set for that kind. */
export const MedicalEpisode: MedicalEpisodeResolvers = {
  hospital: (a) => a.hospital!,
  admittedOn: (a) => a.admittedOn!,
  eligibleCost: (a) => a.eligibleCost!,
  reimbursedPercent: (a) => a.reimbursedPercent!,
};
