import { ErrorCode, inputError, isValidCreditCode } from '@hub/core';

/** 2-letter kind prefix, 12-digit community code, 3-digit sequence (e.g. PB320311001001003). */
export const ORGANIZATION_ID = /^(PC|PG|PB|SO|RC|VC|PM|OC|MC)\d{15}$/;
/** MZ, the 15-digit grid code and a 4-digit sequence. */
export const WELFARE_ID = /^MZ\d{19}$/;

export function checkOrganizationId(id: string, argumentName = 'id'): string {
  if (!ORGANIZATION_ID.test(id)) {
    throw inputError(
      ErrorCode.INVALID_ORGANIZATION_ID,
      `${argumentName} is not an organization id (kind prefix PC, PG, PB, SO, RC, VC, PM, OC or MC and 15 digits)`,
      { argumentName },
    );
  }
  return id;
}

/** Checks a credit code by GB 32100 and returns it normalized (trimmed, upper case). */
export function checkCreditCode(creditCode: string, argumentName = 'creditCode'): string {
  if (!isValidCreditCode(creditCode)) {
    throw inputError(
      ErrorCode.INVALID_CREDIT_CODE,
      `${argumentName} is not a unified social credit code (18 characters of GB 32100 with a valid check character)`,
      { argumentName },
    );
  }
  return creditCode.trim().toUpperCase();
}
