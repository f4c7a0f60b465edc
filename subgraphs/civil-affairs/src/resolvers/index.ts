import { DateScalar } from '@hub/core';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Community } from './Community.ts';
import { District } from './District.ts';
import { Grid } from './Grid.ts';
import { GridWorker } from './GridWorker.ts';
import { Query } from './Query.ts';
import { Street } from './Street.ts';

export const resolvers: Resolvers = { Date: DateScalar, Query, District, Street, Community, Grid, GridWorker };
