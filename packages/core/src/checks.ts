import { creditCodeProblem } from './codes/credit-code.ts';
import { isBuildingCode, isCaseId, isHouseCode, isIncidentId, isOrganizationId } from './codes/keys.ts';
import { isCommunityCode, isGridCode, isStreetCode } from './codes/places.ts';
import { RESIDENT_KEY } from './codes/resident-key.ts';
import { ErrorCode, inputError } from './errors.ts';

/**
 * Argument checks shared by every subgraph: each refuses a malformed key before any query runs, with the stable
 * code and a message saying what a valid one looks like, and returns the key for use.
 */

export function checkResidentId(id: string, argumentName = 'id'): string {
  if (!RESIDENT_KEY.test(id)) {
    throw inputError(ErrorCode.INVALID_RESIDENT_ID, `${argumentName} is not a hub resident id (32 lowercase hex characters)`, {
      argumentName,
    });
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

export function checkCommunityCode(code: string, argumentName = 'communityCode'): string {
  if (!isCommunityCode(code)) {
    throw inputError(ErrorCode.INVALID_PLACE_CODE, `${argumentName} must be a community's 12-digit statistical code`, {
      argumentName,
    });
  }
  return code;
}

export function checkGridCode(code: string, argumentName = 'gridCode'): string {
  if (!isGridCode(code)) {
    throw inputError(
      ErrorCode.INVALID_GRID_CODE,
      `${argumentName} must be a 15-digit grid code (12-digit community code + 3-digit sequence), got ${code.length} characters`,
      { argumentName },
    );
  }
  return code;
}

export function checkOrganizationId(id: string, argumentName = 'id'): string {
  if (!isOrganizationId(id)) {
    throw inputError(
      ErrorCode.INVALID_ORGANIZATION_ID,
      `${argumentName} is not an organization id (kind prefix PC, PG, PB, SO, RC, VC, PM, OC or MC, a 12-digit community code and a 3-digit sequence)`,
      { argumentName },
    );
  }
  return id;
}

/** Checks a credit code by GB 32100 and returns it normalized (trimmed, upper case). */
const CREDIT_CODE_PROBLEMS = {
  format: '18 characters of the GB 32100 alphabet',
  authority: 'positions 1-2 a registration authority and a kind it registers',
  division: 'positions 3-8 the division code of the registering office',
  'check-char': 'a valid check character',
} as const;

export function checkCreditCode(creditCode: string, argumentName = 'creditCode'): string {
  const problem = creditCodeProblem(creditCode);
  if (problem !== null) {
    throw inputError(
      ErrorCode.INVALID_CREDIT_CODE,
      `${argumentName} is not a unified social credit code (GB 32100 wants ${CREDIT_CODE_PROBLEMS[problem]})`,
      { argumentName, reason: problem },
    );
  }
  return creditCode.trim().toUpperCase();
}

export function checkHouseCode(code: string, argumentName = 'code'): string {
  if (!isHouseCode(code)) {
    throw inputError(
      ErrorCode.INVALID_HOUSE_CODE,
      `${argumentName} must be a house code: 17-digit building code, 2-digit unit and 4-digit room, e.g. 32031100100100012-02-0301`,
      { argumentName },
    );
  }
  return code;
}

export function checkBuildingCode(code: string, argumentName = 'code'): string {
  if (!isBuildingCode(code)) {
    throw inputError(
      ErrorCode.INVALID_BUILDING_CODE,
      `${argumentName} must be a 17-digit building code (12-digit community code + 5-digit building number)`,
      { argumentName },
    );
  }
  return code;
}

export function checkCaseId(id: string, argumentName = 'id'): string {
  if (!isCaseId(id)) {
    throw inputError(ErrorCode.INVALID_CASE_ID, `${argumentName} is not a case id (TJ, a 15-digit grid code and a 4-digit sequence)`, {
      argumentName,
    });
  }
  return id;
}

export function checkIncidentId(id: string, argumentName = 'id'): string {
  if (!isIncidentId(id)) {
    throw inputError(
      ErrorCode.INVALID_INCIDENT_ID,
      `${argumentName} is not an incident id (JQ, a date YYYYMMDD, a 15-digit grid code and a 3-digit sequence)`,
      { argumentName },
    );
  }
  return id;
}

/** A range of days must not end before it starts. */
export function checkDateRange(from: string | null | undefined, to: string | null | undefined): void {
  if (from != null && to != null && from > to) {
    throw inputError(ErrorCode.INVALID_DATE_RANGE, '"from" is after "to"', { argumentName: 'from' });
  }
}
