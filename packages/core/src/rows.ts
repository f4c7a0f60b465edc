import { notFound } from './errors.ts';

/**
 * A row another of the department's own rows points at: its absence is a broken register (an internal error the
 * client sees masked), not bad input.
 */
export function mustExist<T>(row: T | null | undefined, what: string): T {
  if (row == null) throw new Error(`the register is inconsistent: ${what} is missing`);
  return row;
}

/** A row the caller named by `field` must exist: an unknown one is NOT_FOUND, not a silent null. */
export function mustBeFound<T>(row: T | null | undefined, entity: string, field: string, value: string): T {
  if (row == null) throw notFound(entity, field, value);
  return row;
}

/** Keeps the rows a loader found: drops nulls (a key with no row) and the errors of `loadMany`. */
export const isRow = <T extends object>(row: T | null | Error): row is T => row !== null && !(row instanceof Error);
