import { notFound } from '@hub/core';

/** A row the caller named must exist; an unknown code is an error, not a silent null. */
export function found<T>(row: T | null, entity: string, code: string): T {
  if (!row) throw notFound(entity, 'code', code);
  return row;
}

// Key formats and checks shared by every department.
export { checkCommunityCode, checkGridCode, checkStreetCode } from '@hub/core';
