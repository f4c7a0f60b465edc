import { columnPageRequest, ErrorCode, gridCodeRange, gridScopeWhere, inputError, latestImportRuns, pageRequest, parseIdNumber, residentKey, toConnection } from '@hub/core';
import { and, asc, between, count, eq, gte, gt, lt } from 'drizzle-orm';
import { residentColumnsPage } from '../db/resident-columns.ts';
import { incidents } from '../db/schema.ts';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { checkDateRange, checkGridCode, checkIncidentId, checkResidentId, checkStreetCode, INCIDENT_ID } from './ids.ts';

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

/** Midnight China time (+08:00) at the start of a YYYY-MM-DD day, `days` later. */
function chinaMidnight(day: string, days = 0): Date {
  const midnight = new Date(`${day}T00:00:00+08:00`);
  return new Date(midnight.getTime() + days * 86_400_000);
}

/** A street's grid codes as a range of `incidents_grid_id_idx` (a `like` on the prefix is a scan of every incident). */
function streetGrids(streetCode: string) {
  const { from, to } = gridCodeRange('STREET', streetCode);
  return between(incidents.gridCode, from, to);
}

export const Query: QueryResolvers = {
  publicSecurityImports: (_, { first }, { db }) => latestImportRuns(db, first),
  residentColumns: (_, args, { db, scope }) => residentColumnsPage(db, scope, columnPageRequest(args)),
  resident: (_, { id }, { loaders }) => loaders.residentById.load(checkResidentId(id)),
  residentByIdNumber: (_, { idNumber }, { loaders, secret }) =>
    loaders.residentById.load(residentIdOfIdNumber(idNumber, secret)),
  residentIdOf: (_, { idNumber }, { secret }) => residentIdOfIdNumber(idNumber, secret),
  incident: (_, { id }, { loaders }) => loaders.incidentById.load(checkIncidentId(id)),
  incidents: async (_, args, { db, scope }) => {
    const page = pageRequest('incidents', args, INCIDENT_ID);
    checkDateRange(args.from, args.to);
    if (args.streetCode != null) checkStreetCode(args.streetCode);
    if (args.gridCode != null) checkGridCode(args.gridCode);
    // Public security does not keep the place hierarchy: a street's grids are those whose code starts with its 9 digits.
    const filter = and(
      gridScopeWhere(scope, incidents.gridCode),
      args.referredToMediation != null ? eq(incidents.referredToMediation, args.referredToMediation) : undefined,
      args.type != null ? eq(incidents.type, args.type) : undefined,
      args.streetCode != null ? streetGrids(args.streetCode) : undefined,
      args.gridCode != null ? eq(incidents.gridCode, args.gridCode) : undefined,
      args.from != null ? gte(incidents.occurredAt, chinaMidnight(args.from)) : undefined,
      args.to != null ? lt(incidents.occurredAt, chinaMidnight(args.to, 1)) : undefined,
    );
    const [rows, [total]] = await Promise.all([
      page.first === 0
        ? Promise.resolve([])
        : db
            .select()
            .from(incidents)
            .where(and(filter, page.after ? gt(incidents.id, page.after) : undefined))
            .orderBy(asc(incidents.id))
            .limit(page.first + 1),
      db.select({ n: count() }).from(incidents).where(filter),
    ]);
    return { ...toConnection('incidents', rows, page, (i) => i.id), totalCount: total?.n ?? 0 };
  },
};
