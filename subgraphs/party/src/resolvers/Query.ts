import { checkOrganizationId, checkResidentId, communityPageRequest, latestImportRuns } from '@hub/core';
import { partyCommunityColumnsPage } from '../db/community-columns.ts';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';

export const Query: QueryResolvers = {
  partyImports: (_, { first }, { db }) => latestImportRuns(db, first),
  partyOrganization: (_, { id }, { loaders }) => loaders.organizationById.load(checkOrganizationId(id)),
  partyMember: (_, { residentId }, { loaders }) =>
    loaders.memberByResidentId.load(checkResidentId(residentId, 'residentId')),
  partyCommunityColumns: (_, args, { db, scope }) => partyCommunityColumnsPage(db, scope, communityPageRequest(args)),
};
