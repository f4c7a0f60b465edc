import type { PartyCommunityColumnsResolvers } from '../__generated__/resolvers-types.ts';

// Each group of columns is read once per page, when the first of its columns is asked.
export const PartyCommunityColumns: PartyCommunityColumnsResolvers = {
  reportIns: async (page) => (await page.reportIns()).reportIns,
  inServiceReportIns: async (page) => (await page.reportIns()).inServiceReportIns,
  floatingReportIns: async (page) => (await page.reportIns()).floatingReportIns,
  claimedPosts: async (page) => (await page.reportIns()).claimedPosts,
  claimingMembers: async (page) => (await page.reportIns()).claimingMembers,
  servingMembers: async (page) => (await page.reportIns()).servingMembers,
  hoursServed: async (page) => (await page.reportIns()).hoursServed,
  volunteers: async (page) => (await page.volunteers()).volunteers,
  volunteerTeams: async (page) => (await page.volunteers()).volunteerTeams,
  partyMemberVolunteers: async (page) => (await page.volunteers()).partyMemberVolunteers,
  nonPartyVolunteers: async (page) => (await page.volunteers()).nonPartyVolunteers,
  monitors: async (page) => (await page.volunteers()).monitors,
  volunteerHours: async (page) => (await page.volunteers()).volunteerHours,
};
