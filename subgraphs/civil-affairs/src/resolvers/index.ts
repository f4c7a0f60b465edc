import { DateScalar, DateTimeScalar, FloatColumnScalar, IntColumnScalar, StringColumnScalar, StringListColumnScalar } from '@hub/core';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { AssistanceGrant } from './AssistanceGrant.ts';
import { CareRecord } from './CareRecord.ts';
import { Community } from './Community.ts';
import { DisabilityRecord } from './DisabilityRecord.ts';
import { District } from './District.ts';
import { Grid } from './Grid.ts';
import { GridWorker } from './GridWorker.ts';
import { MedicalEpisode } from './MedicalEpisode.ts';
import { Organization } from './Organization.ts';
import { Query } from './Query.ts';
import { Resident } from './Resident.ts';
import { ResidentColumns } from './ResidentColumns.ts';
import { CareRecordColumns } from './CareRecordColumns.ts';
import { WelfareEntitlementColumns } from './WelfareEntitlementColumns.ts';
import { SocialOrganizationDetails } from './SocialOrganizationDetails.ts';
import { Street } from './Street.ts';
import { WelfareEntitlement } from './WelfareEntitlement.ts';
import { ImportRun } from './ImportRun.ts';

export const resolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  StringColumn: StringColumnScalar,
  IntColumn: IntColumnScalar,
  FloatColumn: FloatColumnScalar,
  StringListColumn: StringListColumnScalar,
  Query,
  District,
  Street,
  Community,
  Grid,
  GridWorker,
  Resident,
  ResidentColumns,
  CareRecordColumns,
  WelfareEntitlementColumns,
  Organization,
  SocialOrganizationDetails,
  WelfareEntitlement,
  CareRecord,
  DisabilityRecord,
  AssistanceGrant,
  MedicalEpisode,
  ImportRun,
};
