import { ErrorCode, inputError, isCommunityCode, isGridCode, isStreetCode, RESIDENT_KEY } from '@hub/core';

/** Building code: the community's 12-digit statistical code and a building number 00001-99999. */
export const BUILDING_CODE = /^\d{17}$/;
/** House code: building code, 2-digit unit, 4-digit room (floor and position). */
export const HOUSE_CODE = /^\d{17}-\d{2}-\d{4}$/;
/** Group-rental record id: QZ, the grid code, a 3-digit sequence. */
export const GROUP_RENTAL_ID = /^QZ\d{18}$/;
/** Directory id: kind prefix, the community code, a 3-digit sequence. */
export const ORGANIZATION_ID = /^(PC|PG|PB|SO|RC|VC|PM|OC|MC)\d{15}$/;

export function isBuildingCode(code: string): boolean {
  return BUILDING_CODE.test(code) && isCommunityCode(code.slice(0, 12)) && code.slice(12) !== '00000';
}

export function isHouseCode(code: string): boolean {
  return HOUSE_CODE.test(code) && isBuildingCode(code.slice(0, 17));
}

export function isOrganizationId(id: string): boolean {
  return ORGANIZATION_ID.test(id) && isCommunityCode(id.slice(2, 14));
}

export const isResidentId = (id: string) => RESIDENT_KEY.test(id);

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
      `${argumentName} must be a 15-digit grid code (12-digit community code + 3-digit sequence)`,
      { argumentName },
    );
  }
  return code;
}

/** A row another of this department's rows points at; its absence is a broken register, not bad input. */
export function present<T>(row: T | null | undefined, what: string): T {
  if (row == null) throw new Error(`housing register is inconsistent: ${what} is missing`);
  return row;
}
