import { DateScalar, DateTimeScalar, FloatColumnScalar, IntColumnScalar, StringColumnScalar } from '@hub/core';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Building } from './Building.ts';
import { Community } from './Community.ts';
import { District } from './District.ts';
import { Grid } from './Grid.ts';
import { GroupRental } from './GroupRental.ts';
import { GroupRentalEvent } from './GroupRentalEvent.ts';
import { GroupRentalColumns, WelfareEntitlementColumns } from './GroupRentalColumns.ts';
import { Home } from './Home.ts';
import { Mutation } from './Mutation.ts';
import { House } from './House.ts';
import { GroupRentalCounts, HousingCounts } from './HousingCounts.ts';
import { Organization } from './Organization.ts';
import { OwnersCommitteeDetails } from './OwnersCommitteeDetails.ts';
import { Ownership } from './Ownership.ts';
import { PropertyCompanyDetails } from './PropertyCompanyDetails.ts';
import { Query } from './Query.ts';
import { Resident } from './Resident.ts';
import { Street } from './Street.ts';
import { Tenancy } from './Tenancy.ts';
import { ImportRun } from './ImportRun.ts';

export const resolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  StringColumn: StringColumnScalar,
  IntColumn: IntColumnScalar,
  FloatColumn: FloatColumnScalar,
  Query,
  Mutation,
  Building,
  House,
  Ownership,
  Tenancy,
  GroupRental,
  GroupRentalEvent,
  GroupRentalColumns,
  WelfareEntitlementColumns,
  GroupRentalCounts,
  Home,
  HousingCounts,
  PropertyCompanyDetails,
  OwnersCommitteeDetails,
  Resident,
  Grid,
  Street,
  Community,
  District,
  Organization,
  ImportRun,
};
