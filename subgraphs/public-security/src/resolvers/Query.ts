import { checkDateRange, checkGridCode, checkIncidentId, checkResidentId, checkStreetCode, columnPageRequest, documentKey, ErrorCode, INCIDENT_ID, inputError, latestImportRuns, pageWithTotal, parseIdNumber, residentKey } from '@hub/core';
import { HOUSEHOLD_ID } from '../keys.ts';
import type { DocumentType } from '../__generated__/resolvers-types.ts';
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

/** Hashes a checked document key; the number itself never appears in the error. */
function residentIdOfDocument(documentType: DocumentType, documentNumber: string, nationality: string, secret: string): string {
  const refuse = (argumentName: string, message: string) => inputError(ErrorCode.INVALID_DOCUMENT, message, { argumentName });
  if (documentType === 'ID_CARD') throw refuse('documentType', 'documentType ID_CARD: look citizens up with residentByIdNumber');
  const number = documentNumber.trim();
  if (number.length === 0 || number.length > 40) throw refuse('documentNumber', 'documentNumber must be 1 to 40 characters');
  if (!/^[A-Z]{3}$/.test(nationality)) throw refuse('nationality', 'nationality must be an ISO 3166-1 alpha-3 code such as USA');
  return residentKey(documentKey(documentType, nationality, number), secret);
}

export const Query: QueryResolvers = {
  household: (_, { id }, { loaders }) => {
    if (!HOUSEHOLD_ID.test(id)) throw inputError(ErrorCode.INVALID_HOUSEHOLD_ID, 'id must be a household number of 1 to 40 characters without spaces', { argumentName: 'id' });
    return loaders.householdById.load(id);
  },
  residentByDocument: (_, { documentType, documentNumber, nationality }, { loaders, secret }) =>
    loaders.residentById.load(residentIdOfDocument(documentType, documentNumber, nationality, secret)),
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
