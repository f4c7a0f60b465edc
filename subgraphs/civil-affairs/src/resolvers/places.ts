import { ErrorCode, inputError, isCommunityCode, isGridCode, isStreetCode, notFound } from '@hub/core';

/** Refuses a malformed code before any query runs; the message says what a valid one looks like. */
export function checkStreetCode(code: string, argumentName = 'code'): string {
  if (!isStreetCode(code)) {
    throw inputError(ErrorCode.INVALID_PLACE_CODE, `${argumentName} must be a street's 12-digit statistical code ending in 000`, {
      argumentName,
    });
  }
  return code;
}

export function checkCommunityCode(code: string, argumentName = 'code'): string {
  if (!isCommunityCode(code)) {
    throw inputError(ErrorCode.INVALID_PLACE_CODE, `${argumentName} must be a community's 12-digit statistical code`, {
      argumentName,
    });
  }
  return code;
}

export function checkGridCode(code: string, argumentName = 'code'): string {
  if (!isGridCode(code)) {
    throw inputError(
      ErrorCode.INVALID_GRID_CODE,
      `${argumentName} must be a 15-digit grid code (12-digit community code + 3-digit sequence), got ${code.length} characters`,
      { argumentName },
    );
  }
  return code;
}

/** A row the caller named must exist; an unknown code is an error, not a silent null. */
export function found<T>(row: T | null, entity: string, code: string): T {
  if (!row) throw notFound(entity, 'code', code);
  return row;
}
