import { DateTimeScalar } from '@hub/core';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { AuditChainStatus } from './AuditChainStatus.ts';
import { AuditRecord } from './AuditRecord.ts';
import { Query } from './Query.ts';
import { Resident } from './Resident.ts';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  AuditRecord,
  AuditChainStatus,
  Resident,
};
