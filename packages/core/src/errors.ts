import { GraphQLError } from 'graphql';

/**
 * The stable `extensions.code` values the hub answers bad input with. Clients branch on these, so a code once
 * published is never renamed; the message is for people and may change.
 */
export const ErrorCode = {
  INVALID_ID_NUMBER: 'INVALID_ID_NUMBER',
  INVALID_RESIDENT_ID: 'INVALID_RESIDENT_ID',
  INVALID_GRID_CODE: 'INVALID_GRID_CODE',
  INVALID_PLACE_CODE: 'INVALID_PLACE_CODE',
  INVALID_CREDIT_CODE: 'INVALID_CREDIT_CODE',
  INVALID_HOUSE_CODE: 'INVALID_HOUSE_CODE',
  INVALID_BUILDING_CODE: 'INVALID_BUILDING_CODE',
  INVALID_ORGANIZATION_ID: 'INVALID_ORGANIZATION_ID',
  INVALID_CASE_ID: 'INVALID_CASE_ID',
  INVALID_INCIDENT_ID: 'INVALID_INCIDENT_ID',
  INVALID_HOUSEHOLD_ID: 'INVALID_HOUSEHOLD_ID',
  INVALID_DOCUMENT: 'INVALID_DOCUMENT',
  INVALID_DATE_RANGE: 'INVALID_DATE_RANGE',
  INPUT_TOO_LONG: 'INPUT_TOO_LONG',
  INVALID_PAGE_SIZE: 'INVALID_PAGE_SIZE',
  INVALID_CURSOR: 'INVALID_CURSOR',
  NOT_FOUND: 'NOT_FOUND',
  OUTSIDE_SCOPE: 'OUTSIDE_SCOPE',
  FORBIDDEN: 'FORBIDDEN',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A refused input: names the argument and why, never echoes a personal value back. */
export function inputError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/** A named record that does not exist. Only for keys that are not personal (place codes, case ids). */
export function notFound(entity: string, keyField: string, keyValue: string): GraphQLError {
  return new GraphQLError(`${entity} ${keyValue} does not exist`, {
    extensions: { code: ErrorCode.NOT_FOUND, entity, keyField, keyValue },
  });
}

/**
 * A person (or record) the caller's row scope leaves out, reached through a reference of a record the caller may see
 * (a committee's chair, a member's resident): the reference is null with this error at its path, the rest answered.
 * Says nothing of the person, not even the id.
 */
export function outsideScope(what: string): GraphQLError {
  return new GraphQLError(`${what} lives outside the grids the caller may see`, { extensions: { code: ErrorCode.OUTSIDE_SCOPE } });
}

/** An argument the caller may not use: it would reveal what its answer withholds (filtering by a withheld category). */
export function forbiddenArgument(argument: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN, argument } });
}

/** Free-text arguments (names to search, notes) have a maximum length; longer ones are refused, not cut. */
export function checkLength(value: string, argumentName: string, maxLength: number): string {
  if ([...value].length > maxLength) {
    throw inputError(ErrorCode.INPUT_TOO_LONG, `${argumentName} is longer than ${maxLength} characters`, {
      argumentName,
      maxLength,
    });
  }
  return value;
}
