import { ErrorCode, inputError, RESIDENT_KEY } from '@hub/core';

/** Any organization of the directory: kind prefix, 12-digit community code, 3-digit sequence. */
export const ORGANIZATION_ID = /^(PC|PG|PB|SO|RC|VC|PM|OC|MC)\d{15}$/;
/** Sort keys the party lists page by, which their cursors carry. */
export const ACTIVITY_ID = /^HD(PC|PG|PB)\d{18}$/;
export const ATTENDANCE_ID = /^HD(PC|PG|PB)\d{18}[0-9a-f]{32}$/;
export const POINTS_ENTRY_ID = /^JF[0-9A-Z]{4,22}$/;

export function checkOrganizationId(id: string, argumentName = 'id'): string {
  if (!ORGANIZATION_ID.test(id)) {
    throw inputError(
      ErrorCode.INVALID_ORGANIZATION_ID,
      `${argumentName} is not an organization id (kind prefix such as PB, 12-digit community code, 3-digit sequence)`,
      { argumentName },
    );
  }
  return id;
}

export function checkResidentId(id: string, argumentName = 'id'): string {
  if (!RESIDENT_KEY.test(id)) {
    throw inputError(ErrorCode.INVALID_RESIDENT_ID, `${argumentName} is not a hub resident id (32 lowercase hex characters)`, {
      argumentName,
    });
  }
  return id;
}

/** A row another row of this register points at; its absence is a broken register, not bad input. */
export function required<T>(row: T | null, what: string): T {
  if (row === null) throw new Error(`${what} is missing from the party register`);
  return row;
}
