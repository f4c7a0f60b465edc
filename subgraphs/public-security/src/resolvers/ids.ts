import { ErrorCode, inputError, RESIDENT_KEY } from '@hub/core';

export function checkResidentId(id: string): string {
  if (!RESIDENT_KEY.test(id)) {
    throw inputError(ErrorCode.INVALID_RESIDENT_ID, 'id is not a hub resident id (32 lowercase hex characters)', {
      argumentName: 'id',
    });
  }
  return id;
}
