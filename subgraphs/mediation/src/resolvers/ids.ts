import { ErrorCode, inputError, isCommunityCode, isGridCode, isRealDate, isStreetCode } from '@hub/core';

/** Case id: TJ, the 15-digit code of the grid where the dispute arose, a 4-digit sequence. */
export const CASE_ID = /^TJ(\d{15})\d{4}$/;
/** Police incident id (public security's): JQ, the date YYYYMMDD, the grid code, a 3-digit sequence. */
export const INCIDENT_ID = /^JQ(\d{4})(\d{2})(\d{2})(\d{15})\d{3}$/;
/** Directory organization id (civil affairs'): kind prefix, 12-digit community code, 3-digit sequence. */
export const ORGANIZATION_ID = /^(?:PC|PG|PB|SO|RC|VC|PM|OC|MC)(\d{12})\d{3}$/;

export function checkCaseId(id: string, argumentName = 'id'): string {
  const match = CASE_ID.exec(id);
  if (!match || !isGridCode(match[1]!)) {
    throw inputError(ErrorCode.INVALID_CASE_ID, `${argumentName} is not a case id (TJ, a 15-digit grid code and a 4-digit sequence)`, {
      argumentName,
    });
  }
  return id;
}

export function checkIncidentId(id: string, argumentName = 'incidentId'): string {
  const match = INCIDENT_ID.exec(id);
  // Far-future "today": the check is of the id's shape, and whether an incident happened is public security's.
  if (!match || !isRealDate(Number(match[1]), Number(match[2]), Number(match[3]), new Date(8.64e15)) || !isGridCode(match[4]!)) {
    throw inputError(
      ErrorCode.INVALID_INCIDENT_ID,
      `${argumentName} is not an incident id (JQ, a date YYYYMMDD, a 15-digit grid code and a 3-digit sequence)`,
      { argumentName },
    );
  }
  return id;
}

export function checkOrganizationId(id: string, argumentName = 'id'): string {
  const match = ORGANIZATION_ID.exec(id);
  if (!match || !isCommunityCode(match[1]!)) {
    throw inputError(
      ErrorCode.INVALID_ORGANIZATION_ID,
      `${argumentName} is not an organization id (a kind prefix such as MC, a 12-digit community code and a 3-digit sequence)`,
      { argumentName },
    );
  }
  return id;
}

export function checkStreetCode(code: string, argumentName: string): string {
  if (!isStreetCode(code)) {
    throw inputError(ErrorCode.INVALID_PLACE_CODE, `${argumentName} must be a street's 12-digit statistical code ending in 000`, {
      argumentName,
    });
  }
  return code;
}

export function checkCommunityCode(code: string, argumentName: string): string {
  if (!isCommunityCode(code)) {
    throw inputError(ErrorCode.INVALID_PLACE_CODE, `${argumentName} must be a community's 12-digit statistical code`, {
      argumentName,
    });
  }
  return code;
}

export function checkGridCode(code: string, argumentName: string): string {
  if (!isGridCode(code)) {
    throw inputError(
      ErrorCode.INVALID_GRID_CODE,
      `${argumentName} must be a 15-digit grid code (12-digit community code + 3-digit sequence), got ${code.length} characters`,
      { argumentName },
    );
  }
  return code;
}
