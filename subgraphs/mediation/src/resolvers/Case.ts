import type { CaseResolvers } from '../__generated__/resolvers-types.ts';
import { isOverdue } from '../today.ts';

export const Case: CaseResolvers = {
  __resolveReference: ({ id }, { loaders }) => loaders.caseById.load(id),
  grid: (c) => ({ code: c.gridCode }),
  committee: (c) => ({ id: c.committeeId }),
  mediator: (c, _, { loaders }) => (c.mediatorId === null ? null : loaders.mediatorById.load(c.mediatorId)),
  overdue: (c) => isOverdue(c),
  // Incidents are public security's and houses housing's: the case holds their keys only.
  incident: (c) => (c.incidentId === null ? null : { id: c.incidentId }),
  house: (c) => (c.houseCode === null ? null : { code: c.houseCode }),
  parties: (c, _, { loaders }) => loaders.partiesByCase.load(c.id),
  records: (c, _, { loaders }) => loaders.recordsByCase.load(c.id),
  agreement: (c, _, { loaders }) => loaders.agreementByCase.load(c.id),
  followUps: (c, _, { loaders }) => loaders.followUpsByCase.load(c.id),
};
