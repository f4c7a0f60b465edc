import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { DateScalar } from '@hub/core';
import { FloatingDetails } from './FloatingDetails.ts';
import { Grid } from './Grid.ts';
import { Query } from './Query.ts';
import { Resident } from './Resident.ts';

export const resolvers: Resolvers = { Date: DateScalar, Query, Resident, FloatingDetails, Grid };
