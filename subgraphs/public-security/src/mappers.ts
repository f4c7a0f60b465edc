/** What each GraphQL type resolves from: codegen maps `<Type>Model` to `<Type>`. */
import type { Connection } from '@hub/core';
import type { ResidentColumnsPage } from './db/resident-columns.ts';
import type { FloatingDetailsRow, HouseholdRow, IncidentRow, KeyPersonCategoryRow, KeyPersonContactRow, KeyPersonOfficerRow, KeyPersonRow, OverseasDetailsRow, ResidentRow } from './db/schema.ts';

export type ResidentModel = ResidentRow;
export type FloatingDetailsModel = FloatingDetailsRow;
export type GridModel = { code: string };
export type HouseModel = { code: string };
export type CommunityModel = { code: string };
export type StreetModel = { code: string };
export type DistrictModel = { code: string };
export type ResidentConnectionModel = Connection<ResidentRow> & { totalCount: number };
export type ResidentEdgeModel = { cursor: string; node: ResidentRow };
export type KeyPersonModel = KeyPersonRow;
export type HouseholdModel = HouseholdRow;
export type HouseholdConnectionModel = Connection<HouseholdRow> & { totalCount: number };
export type HouseholdEdgeModel = { cursor: string; node: HouseholdRow };
export type OverseasDetailsModel = OverseasDetailsRow;
export type SpecialGroupMembershipModel = KeyPersonCategoryRow;
export type KeyPersonOfficerModel = KeyPersonOfficerRow;
export type KeyPersonContactModel = KeyPersonContactRow;
/** The hukou place is read off the resident's own row. */
export type HukouPlaceModel = ResidentRow;
export type KeyPersonConnectionModel = Connection<KeyPersonRow> & { totalCount: number };
export type KeyPersonEdgeModel = { cursor: string; node: KeyPersonRow };
export type IncidentModel = IncidentRow;
export type IncidentConnectionModel = Connection<IncidentRow> & { totalCount: number };
export type IncidentEdgeModel = { cursor: string; node: IncidentRow };
/** A row of the department's import log (import_runs, defined in @hub/core). */
export type ImportRunModel = import('@hub/core').ImportRunRow;
/** A page of residents as columns (public security's part). */
export type ResidentColumnsModel = ResidentColumnsPage;
/** A page of party members as columns: its key, the hub ids the party answered (what `@requires` brings), and who they are. */
export type PartyMemberColumnsModel = import('./db/resident-columns.ts').ResidentAttributeColumns;
/** A page of care-list entries as columns: its key, the hub ids civil affairs answered, and who they are. */
export type GroupRentalColumnsModel = { page: string; houseCodes: string[]; registeredOccupants: number[]; floatingOccupants: number[] };
export type CareRecordColumnsModel = import('./db/resident-columns.ts').ResidentAttributeColumns;
