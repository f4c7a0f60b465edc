import { ErrorCode, inputError, isGridCode, isStreetCode, RESIDENT_KEY } from '@hub/core';

/** JQ, the date YYYYMMDD, the 15-digit grid code and a 3-digit sequence. */
export const INCIDENT_ID = /^JQ\d{26}$/;
/** ZD, the 15-digit grid code and a 3-digit sequence. */
export const KEY_PERSON_ID = /^ZD\d{18}$/;

export function checkResidentId(id: string): string {
  if (!RESIDENT_KEY.test(id)) {
    throw inputError(ErrorCode.INVALID_RESIDENT_ID, 'id is not a hub resident id (32 lowercase hex characters)', {
      argumentName: 'id',
    });
  }
  return id;
}

export function checkIncidentId(id: string, argumentName = 'id'): string {
  if (!INCIDENT_ID.test(id)) {
    throw inputError(
      ErrorCode.INVALID_INCIDENT_ID,
      `${argumentName} is not an incident id (JQ, the date YYYYMMDD, a 15-digit grid code and a 3-digit sequence)`,
      { argumentName },
    );
  }
  return id;
}

export function checkStreetCode(code: string, argumentName = 'streetCode'): string {
  if (!isStreetCode(code)) {
    throw inputError(ErrorCode.INVALID_PLACE_CODE, `${argumentName} must be a street's 12-digit statistical code ending in 000`, {
      argumentName,
    });
  }
  return code;
}

export function checkGridCode(code: string, argumentName = 'gridCode'): string {
  if (!isGridCode(code)) {
    throw inputError(
      ErrorCode.INVALID_GRID_CODE,
      `${argumentName} must be a 15-digit grid code (12-digit community code + 3-digit sequence)`,
      { argumentName },
    );
  }
  return code;
}

/** A range of days must not end before it starts. */
export function checkDateRange(from: string | null | undefined, to: string | null | undefined): void {
  if (from != null && to != null && from > to) {
    throw inputError(ErrorCode.INVALID_DATE_RANGE, '"from" is after "to"', { argumentName: 'from' });
  }
}
