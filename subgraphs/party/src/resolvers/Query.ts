import { checkOrganizationId, checkResidentId, columnPageRequest, communityPageRequest, latestImportRuns } from '@hub/core';
import { partyCommunityColumnsPage } from '../db/community-columns.ts';
import { PARTY_MEMBER_COLUMNS, partyMemberColumnsPage } from '../db/member-columns.ts';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';

export const Query: QueryResolvers = {
  partyImports: (_, { first }, { db }) => latestImportRuns(db, first),
  partyOrganization: (_, { id }, { loaders }) => loaders.organizationById.load(checkOrganizationId(id)),
  partyMemberColumns: (_, args, { db, scope }) => partyMemberColumnsPage(db, scope, columnPageRequest(args, PARTY_MEMBER_COLUMNS)),
  partyMember: (_, { residentId }, { loaders }) =>
    loaders.memberByResidentId.load(checkResidentId(residentId, 'residentId')),
  partyCommunityColumns: (_, args, { db, scope }) => partyCommunityColumnsPage(db, scope, communityPageRequest(args)),
};
