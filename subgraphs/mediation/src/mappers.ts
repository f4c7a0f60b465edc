/** What each GraphQL type resolves from: codegen maps `<Type>Model` to `<Type>`. */
import type { Connection } from '@hub/core';
import type {
  AgreementRow,
  CasePartyRow,
  CaseRow,
  FollowUpRow,
  MediationCommitteeRow,
  MediatorRow,
} from './db/schema.ts';
import type { RecordWithMediator } from './loaders.ts';

export type CaseModel = CaseRow;
export type CasePartyModel = CasePartyRow;
export type MediationRecordModel = RecordWithMediator;
export type AgreementModel = AgreementRow;
export type FollowUpModel = FollowUpRow;
export type MediatorModel = MediatorRow;
export type MediationCommitteeDetailsModel = MediationCommitteeRow;
export type CaseConnectionModel = Connection<CaseRow> & { totalCount: number };
export type CaseEdgeModel = { cursor: string; node: CaseRow };
export type ResidentModel = { id: string };
export type GridModel = { code: string };
export type HouseModel = { code: string };
export type IncidentModel = { id: string };
export type OrganizationModel = { id: string };
