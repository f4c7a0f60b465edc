import { ErrorCode, inputError } from '@hub/core';

/** Cursors of audit lists carry the record's seq. */
export const SEQ_KEY = /^[1-9]\d{0,15}$/;

export const USER_ID_MAX = 200;

/** A time range given as instants (any offsets): `from` must not be after `to`. */
export function checkTimeRange(from: string | null | undefined, to: string | null | undefined): { from: Date | null; to: Date | null } {
  const range = { from: from != null ? new Date(from) : null, to: to != null ? new Date(to) : null };
  if (range.from && range.to && range.from.getTime() > range.to.getTime()) {
    throw inputError(ErrorCode.INVALID_DATE_RANGE, '"from" is after "to"', { argumentName: 'from' });
  }
  return range;
}
