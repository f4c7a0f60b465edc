import { checkDateRange, checkGridCode, checkIncidentId, checkResidentId, checkStreetCode, columnPageRequest, ErrorCode, INCIDENT_ID, inputError, latestImportRuns, pageWithTotal, parseIdNumber, residentKey } from '@hub/core';
import { incidentPage } from '../db/queries.ts';
import { residentColumnsPage } from '../db/resident-columns.ts';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';

const ID_NUMBER_PROBLEMS = {
  format: 'must be 17 digits followed by a digit or X',
  address: 'does not start with a 6-digit address code',
  'birth-date': 'does not hold a real birth date',
  'check-digit': 'has a wrong check character',
} as const;

/** Hashes a checked ID number; the number itself never appears in the error. */
function residentIdOfIdNumber(idNumber: string, secret: string): string {
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
  publicSecurityImports: (_, { first }, { db }) => latestImportRuns(db, first),
  residentColumns: (_, args, { db, scope }) => residentColumnsPage(db, scope, columnPageRequest(args)),
  resident: (_, { id }, { loaders }) => loaders.residentById.load(checkResidentId(id)),
  residentByIdNumber: (_, { idNumber }, { loaders, secret }) =>
    loaders.residentById.load(residentIdOfIdNumber(idNumber, secret)),
  residentIdOf: (_, { idNumber }, { secret }) => residentIdOfIdNumber(idNumber, secret),
  incident: (_, { id }, { loaders }) => loaders.incidentById.load(checkIncidentId(id)),
  incidents: (_, args, { db, scope }) =>
    pageWithTotal({ kind: 'incidents', keyPattern: INCIDENT_ID, keyOf: (i) => i.id }, args, (page) => {
      checkDateRange(args.from, args.to);
      if (args.streetCode != null) checkStreetCode(args.streetCode);
      if (args.gridCode != null) checkGridCode(args.gridCode);
      return incidentPage(db, scope, args, page);
    }),
};
