import { DateScalar, DateTimeScalar, IntColumnScalar, StringColumnScalar } from '@hub/core';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Community } from './Community.ts';
import { District } from './District.ts';
import { Grid } from './Grid.ts';
import { Organization } from './Organization.ts';
import { PartyActivity } from './PartyActivity.ts';
import { PartyCommunityColumns } from './PartyCommunityColumns.ts';
import { PartyMember } from './PartyMember.ts';
import { PartyMemberColumns } from './PartyMemberColumns.ts';
import { PartyOrganization } from './PartyOrganization.ts';
import { PartyReportIn } from './PartyReportIn.ts';
import { PostClaim, Volunteer } from './Volunteer.ts';
import { PointsEntry } from './PointsEntry.ts';
import { Query } from './Query.ts';
import { Resident } from './Resident.ts';
import { ResidentColumns } from './ResidentColumns.ts';
import { Street } from './Street.ts';
import { ImportRun } from './ImportRun.ts';

export const resolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  StringColumn: StringColumnScalar,
  IntColumn: IntColumnScalar,
  Query,
  PartyOrganization,
  PartyMember,
  PartyMemberColumns,
  PartyActivity,
  PointsEntry,
  PartyReportIn,
  Volunteer,
  PostClaim,
  Resident,
  ResidentColumns,
  PartyCommunityColumns,
  Grid,
  Community,
  Street,
  District,
  Organization,
  ImportRun,
};
