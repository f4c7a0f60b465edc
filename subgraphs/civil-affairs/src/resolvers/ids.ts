/** MZ, the 15-digit grid code and a 4-digit sequence. */
export const WELFARE_ID = /^MZ\d{19}$/;

// Key formats and checks shared by every department.
export { ORGANIZATION_ID, checkCreditCode, checkOrganizationId } from '@hub/core';
