import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { DateScalar, DateTimeScalar, StringColumnScalar, IntColumnScalar } from '@hub/core';
import { Community } from './Community.ts';
import { District } from './District.ts';
import { FloatingDetails } from './FloatingDetails.ts';
import { Grid } from './Grid.ts';
import { House } from './House.ts';
import { Incident } from './Incident.ts';
import { KeyPerson } from './KeyPerson.ts';
import { Query } from './Query.ts';
import { Resident } from './Resident.ts';
import { CareRecordColumns } from './CareRecordColumns.ts';
import { GroupRentalColumns } from './GroupRentalColumns.ts';
import { PartyMemberColumns } from './PartyMemberColumns.ts';
import { ResidentColumns } from './ResidentColumns.ts';
import { Street } from './Street.ts';
import { ImportRun } from './ImportRun.ts';
import { Household } from './Household.ts';
import { HukouPlace } from './HukouPlace.ts';
import { KeyPersonContact } from './KeyPersonContact.ts';
import { KeyPersonOfficer } from './KeyPersonOfficer.ts';
import { OverseasDetails } from './OverseasDetails.ts';

export const resolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  StringColumn: StringColumnScalar,
  IntColumn: IntColumnScalar,
  Query,
  Resident,
  ResidentColumns,
  PartyMemberColumns,
  CareRecordColumns,
  GroupRentalColumns,
  FloatingDetails,
  KeyPerson,
  Incident,
  House,
  Grid,
  Community,
  Street,
  District,
  ImportRun,
  Household,
  HukouPlace,
  OverseasDetails,
  KeyPersonOfficer,
  KeyPersonContact,
};
