import { ErrorCode, inputError, parseIdNumber, residentKey } from '@hub/core';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { checkResidentId } from './ids.ts';

const ID_NUMBER_PROBLEMS = {
  format: 'must be 17 digits followed by a digit or X',
  address: 'does not start with a 6-digit address code',
  'birth-date': 'does not hold a real birth date',
  'check-digit': 'has a wrong check character',
} as const;

/** Hashes a checked ID number; the number itself never appears in the error. */
export function residentIdOfIdNumber(idNumber: string, secret: string): string {
  const parsed = parseIdNumber(idNumber);
  if ('problem' in parsed) {
    throw inputError(ErrorCode.INVALID_ID_NUMBER, `idNumber ${ID_NUMBER_PROBLEMS[parsed.problem]}`, {
      argumentName: 'idNumber',
      reason: parsed.problem,
    });
  }
  return residentKey(parsed.idNumber, secret);
}

export const Query: QueryResolvers = {
  resident: (_, { id }, { loaders }) => loaders.residentById.load(checkResidentId(id)),
  residentByIdNumber: (_, { idNumber }, { loaders, secret }) =>
    loaders.residentById.load(residentIdOfIdNumber(idNumber, secret)),
  residentIdOf: (_, { idNumber }, { secret }) => residentIdOfIdNumber(idNumber, secret),
};
