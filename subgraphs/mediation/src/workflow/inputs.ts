/**
 * Checks of mutation inputs that need no database: run before a transaction opens, so a malformed input is refused
 * without touching anything.
 */
import { checkLength } from '@hub/core';
import { GraphQLError } from 'graphql';
import { addMonths } from './deadlines.ts';

export const InputErrorCode = {
  INVALID_INPUT: 'INVALID_INPUT',
  INVALID_DATE: 'INVALID_DATE',
  INVALID_IDEMPOTENCY_KEY: 'INVALID_IDEMPOTENCY_KEY',
  INVALID_GROUP_RENTAL_ID: 'INVALID_GROUP_RENTAL_ID',
  INVALID_MEDIATOR_ID: 'INVALID_MEDIATOR_ID',
  INVALID_HOTLINE_TICKET: 'INVALID_HOTLINE_TICKET',
} as const;

const invalid = (code: string, message: string, argumentName: string) =>
  new GraphQLError(message, { extensions: { code, argumentName } });

/** The key check is the hub's (`@hub/core`), shared with every department's mutations. */
export { checkIdempotencyKey } from '@hub/core';

export function checkVersion(version: number): number {
  if (!Number.isInteger(version) || version < 1) {
    throw invalid(InputErrorCode.INVALID_INPUT, 'expectedVersion must be the case version you read, 1 or more', 'expectedVersion');
  }
  return version;
}

/** Free text that must say something: trimmed, not empty, not longer than `max` characters. */
export function checkText(value: string, argumentName: string, max: number): string {
  const text = value.trim();
  if (text.length === 0) throw invalid(InputErrorCode.INVALID_INPUT, `${argumentName} must not be empty`, argumentName);
  return checkLength(text, argumentName, max);
}

export function optionalText(value: string | null | undefined, argumentName: string, max: number): string | null {
  return value == null || value.trim() === '' ? null : checkText(value, argumentName, max);
}

/** A date in a window of days, both ends included: deadlines (not before today) and records (not after it). */
export function checkDateWithin(value: string, argumentName: string, earliest: string, latest: string): string {
  if (value < earliest || value > latest) {
    throw invalid(InputErrorCode.INVALID_DATE, `${argumentName} must lie between ${earliest} and ${latest}, got ${value}`, argumentName);
  }
  return value;
}

/** A deadline: today or later, at most a year ahead. */
export const checkDeadline = (value: string, argumentName: string, today: string) =>
  checkDateWithin(value, argumentName, today, addMonths(today, 12));

export const GROUP_RENTAL_ID = /^QZ(\d{15})\d{3}$/;
export const MEDIATOR_ID = /^TY(?:PC|PG|PB|SO|RC|VC|PM|OC|MC)\d{15}\d{2}$/;

export function checkGroupRentalId(id: string): string {
  if (!GROUP_RENTAL_ID.test(id)) {
    throw invalid(InputErrorCode.INVALID_GROUP_RENTAL_ID, 'groupRentalId must be QZ, a 15-digit grid code and a 3-digit sequence', 'groupRentalId');
  }
  return id;
}

export function checkMediatorId(id: string, argumentName = 'mediatorId'): string {
  if (!MEDIATOR_ID.test(id)) {
    throw invalid(InputErrorCode.INVALID_MEDIATOR_ID, `${argumentName} must be TY, a committee id and a 2-digit sequence`, argumentName);
  }
  return id;
}
