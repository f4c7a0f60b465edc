import type { CaseResolvers } from '../__generated__/resolvers-types.ts';
import { overdueDays, supervisionCard } from '../workflow/deadlines.ts';
import { byRoleAndUnit } from './CasePart.ts';

export const Case: CaseResolvers = {
  __resolveReference: ({ id }, { loaders }) => loaders.caseById.load(id),
  grid: (c) => ({ code: c.gridCode }),
  committee: (c) => ({ id: c.committeeId }),
  mediator: (c, _, { loaders }) => (c.mediatorId === null ? null : loaders.mediatorById.load(c.mediatorId)),
  overdue: (c, _, { today }) => overdueDays(c, today) > 0,
  overdueDays: (c, _, { today }) => overdueDays(c, today),
  card: (c, _, { today, redCardGraceDays }) => supervisionCard(c, today, redCardGraceDays),
  // Incidents are public security's, houses and group rentals housing's: the case holds their keys only.
  incident: (c) => (c.incidentId === null ? null : { id: c.incidentId }),
  house: (c) => (c.houseCode === null ? null : { code: c.houseCode }),
  groupRental: (c) => (c.groupRentalId === null ? null : { id: c.groupRentalId }),
  // Free text as the intake and the departments wrote it: numbers masked for everyone; withheld from callers with
  // names masked, as mediation keeps no names of the parties to find in it.
  summary: (c, _, { masks }) => masks.text(c.summary),
  rejectionReason: (c, _, { masks }) => masks.text(c.rejectionReason),
  resolutionNote: (c, _, { masks }) => masks.text(c.resolutionNote),
  parties: (c, _, { loaders }) => loaders.partiesByCase.load(c.id),
  records: (c, _, { loaders }) => loaders.recordsByCase.load(c.id),
  agreement: (c, _, { loaders }) => loaders.agreementByCase.load(c.id),
  informedChannels: (c) => c.informedChannels ?? [],
  groupDispute: (c) => c.headCount !== null,
  leader: (c, _, { masks }) => (c.leaderName === null || c.leaderPost === null ? null : { name: masks.name(c.leaderName), post: c.leaderPost }),
  supervisionNotices: (c, _, { loaders }) => loaders.supervisionNoticesByCase.load(c.id),
  followUps: (c, _, { loaders }) => loaders.followUpsByCase.load(c.id),
  timeline: (c, _, { loaders }) => loaders.eventsByCase.load(c.id),
  leadUnit: (c, _, { limits }) => (c.leadUnit === null ? null : (limits.units.get(c.leadUnit) ?? null)),
  parts: async (c, _, { loaders }) => (await loaders.partsByCase.load(c.id)).filter((p) => p.round === c.dispatchRound).sort(byRoleAndUnit),
  partHistory: async (c, _, { loaders }) => [...(await loaders.partsByCase.load(c.id))].sort((a, b) => a.round - b.round || byRoleAndUnit(a, b)),
  timeLimitExtensions: (c, _, { loaders }) => loaders.extensionsByCase.load(c.id),
};
