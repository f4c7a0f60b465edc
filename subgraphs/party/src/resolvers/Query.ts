import { checkOrganizationId, checkResidentId, columnPageRequest, latestImportRuns } from '@hub/core';
import { PARTY_MEMBER_COLUMNS, partyMemberColumnsPage } from '../db/member-columns.ts';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';

export const Query: QueryResolvers = {
  partyImports: (_, { first }, { db }) => latestImportRuns(db, first),
  partyOrganization: (_, { id }, { loaders }) => loaders.organizationById.load(checkOrganizationId(id)),
  partyMemberColumns: (_, args, { db, scope }) => partyMemberColumnsPage(db, scope, columnPageRequest(args, PARTY_MEMBER_COLUMNS)),
  partyMember: (_, { residentId }, { loaders }) =>
    loaders.memberByResidentId.load(checkResidentId(residentId, 'residentId')),
};
