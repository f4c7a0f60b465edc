import { RESIDENT_KEY } from '@hub/core';

/** Group-rental record id: QZ, the grid code, a 3-digit sequence. */
export const GROUP_RENTAL_ID = /^QZ\d{18}$/;

export const isResidentId = (id: string) => RESIDENT_KEY.test(id);

/** A row another of this department's rows points at; its absence is a broken register, not bad input. */
export function present<T>(row: T | null | undefined, what: string): T {
  if (row == null) throw new Error(`housing register is inconsistent: ${what} is missing`);
  return row;
}

// Key formats and checks shared by every department.
export { BUILDING_CODE, HOUSE_CODE, ORGANIZATION_ID, checkBuildingCode, checkCommunityCode, checkGridCode, checkHouseCode, checkStreetCode, isBuildingCode, isHouseCode, isOrganizationId } from '@hub/core';
