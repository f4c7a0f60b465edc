/** What each GraphQL type resolves from: codegen maps `<Type>Model` to `<Type>`. */
import type { Connection } from '@hub/core';
import type {
  AssistanceGrantRow,
  CareRecordRow,
  CommunityRow,
  DisabilityRecordRow,
  DistrictRow,
  GridRow,
  GridWorkerRow,
  OrganizationRow,
  SocialOrganizationRow,
  StreetRow,
  WelfareEntitlementRow,
} from './db/schema.ts';

export type DistrictModel = DistrictRow;
export type StreetModel = StreetRow;
export type CommunityModel = CommunityRow;
export type GridModel = GridRow;
export type GridWorkerModel = GridWorkerRow;
export type ResidentModel = { id: string };
export type GridConnectionModel = Connection<GridRow> & { totalCount: number };
export type GridEdgeModel = { cursor: string; node: GridRow };
export type OrganizationModel = OrganizationRow;
export type SocialOrganizationDetailsModel = SocialOrganizationRow;
export type OrganizationConnectionModel = Connection<OrganizationRow> & { totalCount: number };
export type OrganizationEdgeModel = { cursor: string; node: OrganizationRow };
export type WelfareEntitlementModel = WelfareEntitlementRow;
export type WelfareEntitlementConnectionModel = Connection<WelfareEntitlementRow> & { totalCount: number };
export type WelfareEntitlementEdgeModel = { cursor: string; node: WelfareEntitlementRow };
export type CareRecordModel = CareRecordRow;
export type CareRecordConnectionModel = Connection<CareRecordRow> & { totalCount: number };
export type CareRecordEdgeModel = { cursor: string; node: CareRecordRow };
export type DisabilityRecordModel = DisabilityRecordRow;
export type DisabilityRecordConnectionModel = Connection<DisabilityRecordRow> & { totalCount: number };
export type DisabilityRecordEdgeModel = { cursor: string; node: DisabilityRecordRow };
export type AssistanceGrantModel = AssistanceGrantRow;
export type AssistanceGrantConnectionModel = Connection<AssistanceGrantRow> & { totalCount: number };
export type AssistanceGrantEdgeModel = { cursor: string; node: AssistanceGrantRow };
/** A medical grant's row: its episode columns are set (the table's check). */
export type MedicalEpisodeModel = AssistanceGrantRow;
/** A row of the department's import log (import_runs, defined in @hub/core). */
export type ImportRunModel = import('@hub/core').ImportRunRow;
/** A page of residents as columns: its key and the hub ids public security answered (what `@requires` brings). */
export type ResidentColumnsModel = { page: string; ids: string[] };
/** A page of care-list entries as columns (civil affairs owns it). */
export type WelfareEntitlementColumnsModel = import('./db/welfare-columns.ts').WelfareEntitlementColumnsPage;
export type CareRecordColumnsModel = import('./db/care-columns.ts').CareRecordColumnsPage;
