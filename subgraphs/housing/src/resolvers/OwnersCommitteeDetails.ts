import { hubToday, mustExist } from '@hub/core';
import type { OwnersCommitteeDetailsResolvers } from '../__generated__/resolvers-types.ts';

/** Committees file with the housing department within 30 days of their election. */
const FILING_DAYS = 30;

function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}


export const OwnersCommitteeDetails: OwnersCommitteeDetailsResolvers = {
  organization: (c) => ({ id: c.organizationId }),
  filed: (c) => c.filedOn !== null,
  filingDueOn: (c) => addDays(c.electedOn, FILING_DAYS),
  filingOverdue: (c) => {
    const due = addDays(c.electedOn, FILING_DAYS);
    return c.filedOn === null ? hubToday() > due : c.filedOn > due;
  },
  chair: (c) => ({ id: c.chairResidentId }),
  buildings: async (c, _, { loaders }) => {
    const links = await loaders.buildingsOfCommittee.load(c.organizationId);
    const rows = await loaders.buildingByCode.loadMany(links.map((l) => l.buildingCode));
    return rows.map((row, i) => {
      if (row instanceof Error) throw row;
      return mustExist(row, `building ${links[i]?.buildingCode}`);
    });
  },
};
