import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  GridOverviewDocument,
  GridPartyMembersDocument,
  GroupRentalRemediationDocument,
  PoliceReferralsDocument,
  ResidentProfileDocument,
  WelfareCrossCheckDocument,
} from '../clients/__generated__/operations.ts';
import { busiestGrid, communityByCode, grids, idOf } from './world.ts';

export type AnyDocument = TypedDocumentNode<unknown, Record<string, unknown>>;

const streetCode = communityByCode.get(busiestGrid.grid.communityCode)!.streetCode;
const member = grids.flatMap((g) => g.party.members)[0]!;

/**
 * The departmental apps' six cross-department operations (those the benchmarks drive), each with variables that find
 * data in the test district: the busiest grid, its street, a party member.
 */
export const crossDepartmentOperations: [name: string, document: AnyDocument, variables: Record<string, unknown>][] = [
  ['ResidentProfile', ResidentProfileDocument as AnyDocument, { id: idOf(member.idNumber) }],
  ['GridOverview', GridOverviewDocument as AnyDocument, { code: busiestGrid.grid.code }],
  ['GroupRentalRemediation', GroupRentalRemediationDocument as AnyDocument, { streetCode, first: 50 }],
  ['GridPartyMembers', GridPartyMembersDocument as AnyDocument, { code: busiestGrid.grid.code, first: 50 }],
  ['WelfareCrossCheck', WelfareCrossCheckDocument as AnyDocument, { streetCode, first: 50 }],
  ['PoliceReferrals', PoliceReferralsDocument as AnyDocument, { streetCode, first: 50 }],
];
