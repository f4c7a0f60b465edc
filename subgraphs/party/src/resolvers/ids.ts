/** Sort keys the party lists page by, which their cursors carry. */
export const ACTIVITY_ID = /^HD(PC|PG|PB)\d{18}$/;
export const ATTENDANCE_ID = /^HD(PC|PG|PB)\d{18}[0-9a-f]{32}$/;
export const POINTS_ENTRY_ID = /^JF[0-9A-Z]{4,22}$/;

/** A row another row of this register points at; its absence is a broken register, not bad input. */
export function required<T>(row: T | null, what: string): T {
  if (row === null) throw new Error(`${what} is missing from the party register`);
  return row;
}

// Key formats and checks shared by every department.
export { ORGANIZATION_ID, checkOrganizationId, checkResidentId } from '@hub/core';
