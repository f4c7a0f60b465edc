/** What each GraphQL type resolves from: codegen maps `<Type>Model` to `<Type>`. */
import type { Connection } from '@hub/core';
import type {
  BuildingRow,
  GroupRentalEventRow,
  GroupRentalInspectionRow,
  GroupRentalRow,
  HouseRow,
  OwnersCommitteeRow,
  OwnershipRow,
  PropertyCompanyRow,
  TenancyRow,
} from './db/schema.ts';

export type BuildingModel = BuildingRow;
export type HouseModel = HouseRow;
export type OwnershipModel = OwnershipRow;
export type TenancyModel = TenancyRow;
export type GroupRentalModel = GroupRentalRow;
export type PropertyCompanyDetailsModel = PropertyCompanyRow;
export type OwnersCommitteeDetailsModel = OwnersCommitteeRow;
export type HomeModel = {
  role: 'OWNER' | 'TENANT';
  houseCode: string;
  sharePercent: number | null;
  since: string | null;
  until: string | null;
};
/**
 * A grid's figures are resolved field by field, so a client asking one figure runs one count; a community's,
 * street's or district's come all at once from one statement per level.
 */
export type HousingCountsModel = { level: 'GRID' | import('@hub/core').PlaceLevel; code: string };
export type GroupRentalCountsModel = { total: number; by: Partial<Record<'IDENTIFIED' | 'INTERVIEWED' | 'RECTIFIED' | 'RELAPSED', number>> };
export type GroupRentalInspectionModel = GroupRentalInspectionRow;
export type ResidentModel = { id: string };
export type GroupRentalColumnsModel = import('./db/group-rental-columns.ts').GroupRentalColumnsPage;
/** `owned` reads the page's houses once, whichever of its columns are asked. */
export type WelfareEntitlementColumnsModel = { page: string; residentIds: string[]; owned: () => Promise<import('./db/owned-columns.ts').OwnedColumns> };
export type GridModel = { code: string };
export type StreetModel = { code: string };
export type CommunityModel = { code: string };
export type DistrictModel = { code: string };
export type OrganizationModel = { id: string };
export type BuildingConnectionModel = Connection<BuildingRow> & { totalCount: number };
export type BuildingEdgeModel = { cursor: string; node: BuildingRow };
export type HouseConnectionModel = Connection<HouseRow> & { totalCount: number };
export type HouseEdgeModel = { cursor: string; node: HouseRow };
export type GroupRentalConnectionModel = Connection<GroupRentalRow> & { totalCount: number };
export type GroupRentalEdgeModel = { cursor: string; node: GroupRentalRow };
export type GroupRentalEventModel = GroupRentalEventRow;
export type GroupRentalEventConnectionModel = Connection<GroupRentalEventRow>;
export type GroupRentalEventEdgeModel = { cursor: string; node: GroupRentalEventRow };
export type GroupRentalChangeModel = import('./remediation/record.ts').RemediationResult;
/** A row of the department's import log (import_runs, defined in @hub/core). */
export type ImportRunModel = import('@hub/core').ImportRunRow;
