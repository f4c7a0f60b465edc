// Key formats and checks shared by every department.
export { CASE_ID, INCIDENT_ID, ORGANIZATION_ID, checkCaseId, checkCommunityCode, checkGridCode, checkIncidentId, checkOrganizationId, checkStreetCode } from '@hub/core';
