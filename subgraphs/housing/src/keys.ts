import { RESIDENT_KEY } from '@hub/core';

/** Group-rental record id: QZ, the grid code, a 3-digit sequence. */
export const GROUP_RENTAL_ID = /^QZ\d{18}$/;

export const isResidentId = (id: string) => RESIDENT_KEY.test(id);
