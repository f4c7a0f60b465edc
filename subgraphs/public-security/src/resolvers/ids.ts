/** ZD, the 15-digit grid code and a 3-digit sequence. */
export const KEY_PERSON_ID = /^ZD\d{18}$/;

// Key formats and checks shared by every department.
export { INCIDENT_ID, checkDateRange, checkGridCode, checkIncidentId, checkResidentId, checkStreetCode } from '@hub/core';
