import { BooleanColumnScalar, DateScalar, DateTimeScalar, StringColumnScalar, IntColumnScalar } from '@hub/core';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { AccountabilityNote } from './AccountabilityNote.ts';
import { Agreement } from './Agreement.ts';
import { Case } from './Case.ts';
import { CaseEvent } from './CaseEvent.ts';
import { CaseParty } from './CaseParty.ts';
import { CasePart, LevelCaseFigures, UnitPartFigures } from './CasePart.ts';
import { Community } from './Community.ts';
import { District } from './District.ts';
import { FollowUp } from './FollowUp.ts';
import { Grid } from './Grid.ts';
import { GroupRental } from './GroupRental.ts';
import { House } from './House.ts';
import { Incident } from './Incident.ts';
import { MediationCommitteeDetails } from './MediationCommitteeDetails.ts';
import { ImportRun } from './ImportRun.ts';
import { MediationRecord } from './MediationRecord.ts';
import { Mediator } from './Mediator.ts';
import { Mutation } from './Mutation.ts';
import { Organization } from './Organization.ts';
import { Query } from './Query.ts';
import { Resident } from './Resident.ts';
import { ResidentColumns } from './ResidentColumns.ts';
import { CaseColumns, GroupRentalColumns } from './CaseColumns.ts';
import { Street } from './Street.ts';
import { SupervisionNotice } from './SupervisionNotice.ts';
import { UnitEvaluation } from './UnitEvaluation.ts';

export const resolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  StringColumn: StringColumnScalar,
  IntColumn: IntColumnScalar,
  BooleanColumn: BooleanColumnScalar,
  Query,
  Mutation,
  Case,
  CaseEvent,
  MediationRecord,
  GroupRental,
  CaseParty,
  CasePart,
  UnitPartFigures,
  LevelCaseFigures,
  Agreement,
  SupervisionNotice,
  FollowUp,
  UnitEvaluation,
  AccountabilityNote,
  Mediator,
  MediationCommitteeDetails,
  ImportRun,
  Organization,
  Incident,
  House,
  Resident,
  ResidentColumns,
  CaseColumns,
  GroupRentalColumns,
  Grid,
  Community,
  Street,
  District,
};
