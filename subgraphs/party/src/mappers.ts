/** What each GraphQL type resolves from: codegen maps `<Type>Model` to `<Type>`. */
import type { Connection } from '@hub/core';
import type { PartyActivityRow, PartyMemberRow, PartyOrganizationRow, PartyReportInRow, PointsEntryRow, PostClaimRow, VolunteerRow } from './db/schema.ts';

export type PartyOrganizationModel = PartyOrganizationRow;
export type PartyMemberModel = PartyMemberRow;
export type PartyActivityModel = PartyActivityRow;
export type PointsEntryModel = PointsEntryRow;
export type PartyReportInModel = PartyReportInRow;
export type VolunteerModel = VolunteerRow;
export type PostClaimModel = PostClaimRow;
export type VolunteerConnectionModel = Connection<VolunteerRow> & { totalCount: number };
export type VolunteerEdgeModel = { cursor: string; node: VolunteerRow };
export type PartyReportInConnectionModel = Connection<PartyReportInRow> & { totalCount: number };
export type PartyReportInEdgeModel = { cursor: string; node: PartyReportInRow };
export type ResidentModel = { id: string };
export type GridModel = { code: string };
export type OrganizationModel = { id: string };
export type CommunityModel = { code: string };
export type StreetModel = { code: string };
export type DistrictModel = { code: string };
export type PartyMemberConnectionModel = Connection<PartyMemberRow> & { totalCount: number };
export type PartyMemberEdgeModel = { cursor: string; node: PartyMemberRow };
export type PartyActivityConnectionModel = Connection<PartyActivityRow> & { totalCount: number };
export type PartyActivityEdgeModel = { cursor: string; node: PartyActivityRow };
export type PointsEntryConnectionModel = Connection<PointsEntryRow> & { totalCount: number };
export type PointsEntryEdgeModel = { cursor: string; node: PointsEntryRow };
/** A row of the department's import log (import_runs, defined in @hub/core). */
export type ImportRunModel = import('@hub/core').ImportRunRow;
/** A page of residents as columns: its key and the hub ids public security answered (what `@requires` brings). */
export type ResidentColumnsModel = { page: string; ids: string[] };
/** A page of communities as columns: its figures read when first asked (`db/community-columns.ts`). */
export type PartyCommunityColumnsModel = import('./db/community-columns.ts').PartyCommunityColumnsPage;
/** A page of party members as columns (the party owns it). */
export type PartyMemberColumnsModel = import('./db/member-columns.ts').PartyMemberColumnsPage;
