import type { DisabilityRecordRow } from '../db/schema.ts';
import type { ResidentResolvers } from '../__generated__/resolvers-types.ts';

export const Resident: ResidentResolvers = {
  // Public security owns residents; here a resident is only the hub id that welfare records are kept under.
  __resolveReference: ({ id }) => ({ id }),
  welfare: ({ id }, _, { loaders }) => loaders.welfareByResident.load(id),
  careRecords: ({ id }, _, { loaders }) => loaders.careByResident.load(id),
  temporaryAssistance: ({ id }, _, { loaders }) => loaders.temporaryAssistanceByResident.load(id),
  medicalAssistance: ({ id }, _, { loaders }) => loaders.medicalAssistanceByResident.load(id),
  // One certificate a person in practice; after a re-assessment the latest issued is the one in force.
  disability: async ({ id }, _, { loaders }) =>
    (await loaders.disabilityByResident.load(id)).reduce<DisabilityRecordRow | null>((latest, d) => (latest && latest.issuedOn >= d.issuedOn ? latest : d), null),
};
