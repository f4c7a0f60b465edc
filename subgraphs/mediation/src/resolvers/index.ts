import { DateScalar, DateTimeScalar } from '@hub/core';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Agreement } from './Agreement.ts';
import { Case } from './Case.ts';
import { CaseParty } from './CaseParty.ts';
import { Grid } from './Grid.ts';
import { House } from './House.ts';
import { Incident } from './Incident.ts';
import { MediationCommitteeDetails } from './MediationCommitteeDetails.ts';
import { Mediator } from './Mediator.ts';
import { Organization } from './Organization.ts';
import { Query } from './Query.ts';
import { Resident } from './Resident.ts';

export const resolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  Query,
  Case,
  CaseParty,
  Agreement,
  Mediator,
  MediationCommitteeDetails,
  Organization,
  Incident,
  House,
  Resident,
  Grid,
};
